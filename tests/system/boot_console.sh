#!/bin/sh
# The serial console both ways: host stdin reaches the guest's interactive
# shell (no hmmv.run=), which runs what it is sent, and its poweroff -f
# ends hmmv with 0.
# testhost-timeout: 240
echo 1..3
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

rm -f /tmp/console.in
mkfifo /tmp/console.in
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1" </tmp/console.in >/tmp/console.out 2>/tmp/console.err &
pid=$!
exec 3>/tmp/console.in
i=0
while [ $i -lt 150 ] && ! grep -q "^hmmv guest: .*powers off" /tmp/console.out; do
	sleep 1
	i=$((i + 1))
done
grep -q "^hmmv guest: .*powers off" /tmp/console.out
ok $? "the guest's init offered its shell (after ${i}s)"
echo 'echo from-stdin-$((6 * 7))' >&3
echo 'poweroff -f' >&3
wait $pid
rc=$?
exec 3>&-
sed 's/^/# /' /tmp/console.err
tr -d '\r' </tmp/console.out | tail -n 5 | sed 's/^/#   /'
tr -d '\r' </tmp/console.out | grep -q 'from-stdin-42$'
ok $? "a command sent on hmmv's stdin ran in the guest's shell"
ok $([ $rc = 0 ]; echo $?) "poweroff -f from the shell ends hmmv with 0 (got $rc)"
