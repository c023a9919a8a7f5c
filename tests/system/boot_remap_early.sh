#!/bin/sh
# No remap while the VM is being built: remap_early (tests/system/remap_early.c)
# moves every chunk of a 128 MiB guest to devdax and back, over and over,
# from the moment the control socket appears until 40 s later. The kernel,
# initrd, boot tables and ACPI must reach the guest intact: it boots, and
# the MD5 of the initrd it received (retain_initrd, /sys/firmware/initrd)
# equals the file's. Two boots.
# testhost-timeout: 400
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
sock=/tmp/early.sock
want=$(md5sum </guest/initrd.img | cut -d' ' -f1)
echo 1..6
for round in 1 2; do
	rm -f $sock
	remap_early $sock 0 64 40 >/tmp/early.remaps &
	helper=$!
	timeout 150 hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 128M --dram 128M \
		--nvm /dev/dax0.0 --control $sock \
		-p "console=ttyS0 quiet panic=-1 retain_initrd hmmv.run=initrd_sum" \
		</dev/null >/tmp/early.out 2>/tmp/early.err
	rc=$?
	wait $helper
	cat /tmp/early.remaps
	sed 's/^/# guest: /' /tmp/early.out | tail -n 5
	sed 's/^/# stderr: /' /tmp/early.err
	[ $rc = 0 ]
	ok $? "boot $round under early remaps: the guest ran and powered off (exit $rc)"
	got=$(sed -n 's/^hmmv-info initrd md5=\([0-9a-f]*\).*/\1/p' /tmp/early.out)
	[ "$got" = "$want" ]
	ok $? "boot $round: the guest's initrd MD5 ${got:-none} equals the file's $want"
	grep -q "remaps ok" /tmp/early.remaps && ! grep -q " 0 remaps ok" /tmp/early.remaps
	ok $? "boot $round: remaps were done"
done
