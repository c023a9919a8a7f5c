#!/bin/sh
# How a guest's life ends: reboot and a kernel panic (panic=-1) give hmmv's
# reboot status 3; SIGTERM stops it with 4. The panic case boots an
# uncompressed ELF vmlinux (the decompressed kernel from hmmv's cache).
# testhost-timeout: 300
echo 1..7
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

params="console=ttyS0 quiet panic=-1"

hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "$params hmmv.run=reboot" </dev/null >/tmp/reboot.out 2>/tmp/reboot.err
rc=$?
sed 's/^/# /' /tmp/reboot.err
grep -q 'hmmv-info rebooting' /tmp/reboot.out
ok $? "the guest ran the reboot script"
ok $([ $rc = 3 ]; echo $?) "guest reboot ends hmmv with 3 (got $rc)"

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
