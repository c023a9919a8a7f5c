#!/bin/sh
# How a guest's life ends: reboot (i8042 reset; with reboot=t a triple
# fault, reported with the vCPU's registers) and a kernel panic (panic=-1)
# give hmmv's reboot status 3; SIGTERM stops it with 4. The reboot case
# writes the console to a file (--console file:PATH); the panic case boots
# an uncompressed ELF vmlinux (the decompressed kernel from hmmv's cache).
# testhost-timeout: 420
echo 1..10
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

params="console=ttyS0 quiet panic=-1"

hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M --console file:/tmp/reboot.log \
	-p "$params hmmv.run=reboot" </dev/null >/tmp/reboot.out 2>/tmp/reboot.err
rc=$?
sed 's/^/# /' /tmp/reboot.err
grep -q 'hmmv-info rebooting' /tmp/reboot.log
ok $? "the guest ran the reboot script, its console in the --console file"
[ ! -s /tmp/reboot.out ]
ok $? "... and nothing on stdout"
ok $([ $rc = 3 ]; echo $?) "guest reboot (i8042 reset) ends hmmv with 3 (got $rc)"

hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "$params reboot=t hmmv.run=reboot" </dev/null >/tmp/triple.out 2>/tmp/triple.err
rc=$?
sed 's/^/# /' /tmp/triple.err
ok $([ $rc = 3 ]; echo $?) "a triple fault (reboot=t) ends hmmv with 3 (got $rc)"
grep -q 'triple fault' /tmp/triple.err && grep -q 'rip [0-9a-f]\{16\}' /tmp/triple.err &&
	grep -q 'cr3 ' /tmp/triple.err
ok $? "... and stderr reports it with the vCPU's registers"

# The kernel cache holds the decompressed vmlinux: boot that ELF directly.
hmmv run -k /guest/vmlinuz --prepare
vmlinux=$(ls -S "${XDG_CACHE_HOME:-${HOME:-/}/.cache}"/hmmv/vmlinux-* 2>/dev/null | head -n1)
[ -n "$vmlinux" ]
ok $? "hmmv run --prepare leaves a decompressed vmlinux in the cache (${vmlinux:-none})"
hmmv run -k "$vmlinux" -i /guest/initrd.img -m 256M \
	-p "$params hmmv.run=panic" </dev/null >/tmp/panic.out 2>/tmp/panic.err
rc=$?
sed 's/^/# /' /tmp/panic.err
grep -q 'hmmv-info panicking' /tmp/panic.out
ok $? "the ELF vmlinux booted and ran the panic script"
ok $([ $rc = 3 ]; echo $?) "guest panic with panic=-1 ends hmmv with 3 (got $rc)"

: >/tmp/hang.out	# exists before the background shell opens it: grep waits quietly
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M -c 2 \
	-p "$params hmmv.run=hang" </dev/null >/tmp/hang.out 2>/tmp/hang.err &
pid=$!
i=0
while [ $i -lt 120 ] && ! grep -q 'hmmv-info waiting' /tmp/hang.out; do
	sleep 1
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
sed 's/^/# /' /tmp/hang.err
grep -q 'hmmv-info waiting' /tmp/hang.out
ok $? "the guest was up when SIGTERM came (after ${i}s)"
ok $([ $rc = 4 ]; echo $?) "SIGTERM stops hmmv cleanly with 4 (got $rc)"
