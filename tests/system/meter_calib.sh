#!/bin/sh
# The traffic meter's calibration: the test host reads and writes a known
# amount of the NVDIMM, of DRAM (node 0) and of the CPU-less node 1 between
# meter marks; meter_calib.hostcheck (host side) requires the meter to
# attribute each pass to its range within 3%, and its ranges to match the
# test host's own memory map printed here. Runs metered (QEMU >= 10).
# testhost-timeout: 300
MIB=32
# 5 here, then meter_calib.hostcheck's: the layout, 6 passes, the
# NVDIMM's per-page trace, its touches of code run from it, the per-mark
# trace of RAM, the touch trace's time slots, a tick, and the NVDIMM
# trace's blocks against the marks' times. The tick comes after the
# passes: the per-mark check takes mark K for step K.
echo 1..18
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# The test host's view of the physical ranges, for the host-side check.
bs=$(cat /sys/devices/system/memory/block_size_bytes)
for node in 0 1; do
	blocks=$(ls -d /sys/devices/system/node/node$node/memory[0-9]* 2>/dev/null |
		sed 's/.*memory//' | sort -n)
	lo=$(echo "$blocks" | head -n1)
	hi=$(echo "$blocks" | tail -n1)
	[ -n "$lo" ] && printf '# meter-layout: node%s 0x%x 0x%x\n' "$node" \
		$((lo * 0x$bs)) $(((hi + 1) * 0x$bs))
done
pm=$(grep -i 'persistent memory' /proc/iomem | head -n1 | awk '{ print $1 }')
[ -n "$pm" ] && printf '# meter-layout: nvdimm 0x%s 0x%x\n' "${pm%-*}" $((0x${pm#*-} + 1))

meter_calib dax $MIB 1
ok $? "meter_calib dax: $MIB MiB read and written on /dev/dax0.0"
meter_calib node0 $MIB 5
ok $? "meter_calib node0: $MIB MiB read and written on DRAM"
meter_calib node1 $MIB 9
ok $? "meter_calib node1: $MIB MiB read and written on the CPU-less node"
meter_calib code 200000 13
ok $? "meter_calib code: a function on /dev/dax0.0 called 200000 times"
meter_calib tick $MIB 15
ok $? "meter_calib tick: $MIB MiB read on the CPU-less node, a meter tick, and again"
