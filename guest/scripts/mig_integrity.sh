#!/bin/sh
# Guest side of tests/system/mig_integrity.sh: writes 16 MiB of
# pseudo-random data to /dev/vda with fsync and prints its md5, says
# "mig: start" (the host then moves chunks at the maximum rate), runs two
# checksumming memfills (one per vCPU) for 140 s while re-reading the disk
# through an emptied page cache (so its DMA lands in moving memory) and
# comparing each read with the md5, then prints the counts.
t0=$(date +%s)
prand 16777216 "$t0" >/tmp/data
sum=$(md5sum </tmp/data | cut -d' ' -f1)
if dd if=/tmp/data of=/dev/vda bs=1M oflag=direct conv=fsync 2>/dev/null; then
	echo "mig: written $sum"
else
	echo "mig: write failed"
fi
rm -f /tmp/data
echo "mig: start"
memfill -m 40 -r 100000 -t 140 -s 1 >/tmp/mf1 2>&1 &
memfill -m 40 -r 100000 -t 140 -s 7 >/tmp/mf2 2>&1 &
reads=0
bad=0
t1=$(date +%s)
# Exited children stay kill -0 able until waited for: watch their output.
while ! grep -q 'memfill: done' /tmp/mf1 || ! grep -q 'memfill: done' /tmp/mf2; do
	[ $(($(date +%s) - t1)) -lt 400 ] || break
	echo 3 >/proc/sys/vm/drop_caches
	r=$(dd if=/dev/vda bs=1M count=16 2>/dev/null | md5sum | cut -d' ' -f1)
	reads=$((reads + 1))
	[ "$r" = "$sum" ] || bad=$((bad + 1))
done
wait
sed 's/^/mig: /' /tmp/mf1 /tmp/mf2
echo "mig: done reads=$reads read_mismatches=$bad"
