#!/bin/sh
# The nested test host itself: what every other system test relies on, and
# hmmv's one-line refusal when /dev/kvm is missing.
echo 1..7
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

[ -c /dev/kvm ]
ok $? "/dev/kvm exists (kvm-amd on emulated SVM)"
[ -c /dev/dax0.0 ]
ok $? "/dev/dax0.0 exists (emulated NVDIMM in devdax mode)"
align=$(cat /sys/bus/dax/devices/dax0.0/align 2>/dev/null)
[ "$align" = 2097152 ]
ok $? "/dev/dax0.0 is 2 MiB aligned (align=$align)"

node1=/sys/devices/system/node/node1
cpus=$(cat $node1/cpulist 2>/dev/null)
mem=$(awk '/MemTotal/ { print $4 }' $node1/meminfo 2>/dev/null)
[ -d $node1 ] && [ -z "$cpus" ]
ok $? "NUMA node 1 has no CPUs (cpulist '$cpus')"
[ "${mem:-0}" -gt 0 ]
ok $? "NUMA node 1 has memory (${mem:-0} kB)"

# Without /dev/kvm (an empty /dev in a private mount namespace), hmmv run
# says so in one line and exits 1.
unshare -m sh -c 'mount -t tmpfs none /dev && exec hmmv run -k /guest/vmlinuz' \
	>/tmp/nokvm.out 2>&1
rc=$?
lines=$(wc -l </tmp/nokvm.out)
[ $rc = 1 ]
ok $? "hmmv run without /dev/kvm exits 1 (got $rc)"
[ "$lines" = 1 ] && grep -q '/dev/kvm' /tmp/nokvm.out
ok $? "... and prints one line naming /dev/kvm"
sed 's/^/# /' /tmp/nokvm.out
