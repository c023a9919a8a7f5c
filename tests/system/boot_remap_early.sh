#!/bin/sh
# No remap while the VM is being built. remap_early (tests/system/remap_early.c)
# waits for the control socket and checks that hmmv already holds its
# --disk image open then (devices are set up after the kernel, initrd, boot
# tables and ACPI are written into guest RAM), then moves the chunks under
# the kernel and boot tables to devdax and back, over and over, for 30 s.
# The guest must boot to init and power off.
# testhost-timeout: 240
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
sock=/tmp/early.sock
echo 1..4
rm -f $sock /tmp/early.pid
truncate -s 1M /tmp/early.img
remap_early $sock 0 40 30 /tmp/early.pid /tmp/early.img >/tmp/early.remaps &
helper=$!
sh -c 'echo $$ >/tmp/early.pid; exec "$@"' sh hmmv run -k /guest/vmlinuz \
	-i /guest/initrd.img -m 128M --dram 128M --nvm /dev/dax0.0 --control $sock \
	--disk /tmp/early.img,ro -p "console=ttyS0 quiet panic=-1 hmmv.run=none" \
	</dev/null >/tmp/early.out 2>/tmp/early.err
rc=$?
wait $helper
cat /tmp/early.remaps
sed 's/^/# guest: /' /tmp/early.out | tail -n 5
sed 's/^/# stderr: /' /tmp/early.err
grep -q "when the socket appeared /tmp/early.img was open" /tmp/early.remaps
ok $? "the control socket appeared only once the guest was loaded and its devices set up"
grep -q "remaps ok" /tmp/early.remaps && ! grep -q " 0 remaps ok" /tmp/early.remaps
ok $? "remaps were done from the socket's first appearance"
grep -q "hmmv-guest: init" /tmp/early.out
ok $? "the guest reached init under the remaps"
[ $rc = 0 ]
ok $? "the guest powered off (exit $rc)"
rm -f /tmp/early.img /tmp/early.pid
