#!/bin/sh
# Bad device inputs: one clear line naming the flag or file, exit 2, nothing
# left behind. Missing image, image size not a multiple of 512, unknown disk
# option, a directory, an image another hmmv holds, missing /dev/net/tun.
# testhost-timeout: 180
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
err=/tmp/dev_bad.err
run() { hmmv run -k /guest/vmlinuz -i /guest/initrd.img --console none "$@" </dev/null >/dev/null 2>$err; }

echo 1..11
run --disk /tmp/no-such.img
rc=$?
[ $rc -eq 2 ] && grep -q "/tmp/no-such.img" $err && [ "$(wc -l <$err)" -eq 1 ]
ok $? "missing image: exit $rc, '$(cat $err)'"
head -c 1000 /dev/zero >/tmp/odd.img
run --disk /tmp/odd.img
rc=$?
[ $rc -eq 2 ] && grep -q "not a multiple of 512" $err
ok $? "odd-sized image: exit $rc, '$(cat $err)'"
[ "$(wc -c </tmp/odd.img)" -eq 1000 ] && [ "$(tr -d '\000' </tmp/odd.img | wc -c)" -eq 0 ]
ok $? "odd-sized image left untouched"
run --disk /tmp/odd.img,rw
rc=$?
[ $rc -eq 2 ] && grep -q "unknown option" $err
ok $? "unknown disk option: exit $rc, '$(cat $err)'"
run --disk /tmp
rc=$?
[ $rc -eq 2 ] && grep -q "/tmp" $err && [ "$(wc -l <$err)" -eq 1 ]
ok $? "a directory as --disk: exit $rc, '$(cat $err)'"
# A first VM holds the image (booted: its disk is open and locked).
truncate -s 1M /tmp/held.img
: >/tmp/held.out	# exists before the background shell opens it: grep waits quietly
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 128M --disk /tmp/held.img \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hang" </dev/null >/tmp/held.out 2>&1 &
held=$!
i=0
while ! grep -q "hmmv-info waiting" /tmp/held.out && [ $i -lt 300 ] && kill -0 $held 2>/dev/null; do
	sleep 0.2; i=$((i + 1))
done
grep -q "hmmv-info waiting" /tmp/held.out
ok $? "a first VM booted with --disk /tmp/held.img"
run --disk /tmp/held.img
rc=$?
[ $rc -eq 2 ] && grep -q "/tmp/held.img.*in use" $err && [ "$(wc -l <$err)" -eq 1 ]
ok $? "an image in use by another hmmv: exit $rc, '$(cat $err)'"
kill $held; wait $held
rm -f /tmp/held.img
run --net user
rc=$?
[ $rc -eq 2 ] && grep -q "tap=NAME" $err
ok $? "--net without tap=: exit $rc, '$(cat $err)'"
mv /dev/net/tun /dev/net/tun.away
run --net tap=hmmvbad0
rc=$?
mv /dev/net/tun.away /dev/net/tun
[ $rc -eq 2 ] && grep -q "/dev/net/tun" $err
ok $? "missing /dev/net/tun: exit $rc, '$(cat $err)'"
[ ! -e /sys/class/net/hmmvbad0 ]; ok $? "no tap left behind"
left=0
for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = hmmv ] && left=$((left + 1)); done
[ $left -eq 0 ]; ok $? "no hmmv process left running ($left)"
rm -f /tmp/odd.img
