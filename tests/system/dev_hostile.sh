#!/bin/sh
# Hostile guest: a driver inside the guest (virtio_evil) feeds hmmv's
# virtio-blk a descriptor loop, buffers outside guest RAM, a runaway avail
# index, a head out of range, an absurd queue size, rings outside RAM, huge
# lengths and 20000 random register writes. Each bad buffer fails its
# request, each corrupt ring sets DEVICE_NEEDS_RESET; hmmv logs one line per
# kind, keeps running, the device works again after a reset and the image
# is untouched.
# testhost-timeout: 200
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_hostile.console
err=/tmp/dev_hostile.err
img=/tmp/dev_hostile.img
status() { sed -n "s/.*evil: $1 status \(0x[0-9a-f]*\) used \([0-9]*\).*/\1/p" $log; }
used() { sed -n "s/.*evil: $1 status 0x[0-9a-f]* used \([0-9]*\).*/\1/p" $log; }
broken() { s=$(status $1); [ -n "$s" ] && [ $((s & 0x40)) -ne 0 ]; }

echo 1..14
dd if=/dev/urandom of=$img bs=1M count=4 2>/dev/null
sum=$(md5sum $img | cut -d' ' -f1)
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_hostile" \
	--console file:$log --disk $img --rng </dev/null 2>$err
ok $? "hmmv survives and the guest powers off (exit 0)"
broken loop; ok $? "descriptor loop: DEVICE_NEEDS_RESET ($(status loop))"
s=$(status outside-ram)
[ "$(used outside-ram)" = 1 ] && [ -n "$s" ] && [ $((s & 0x40)) -eq 0 ]
ok $? "buffer outside guest RAM: request failed, device running ($s, used $(used outside-ram))"
broken avail-jump; ok $? "avail index 1000 ahead: DEVICE_NEEDS_RESET"
broken head-range; ok $? "head index out of range: DEVICE_NEEDS_RESET"
broken qsize-1000; ok $? "queue size 1000: DEVICE_NEEDS_RESET"
broken ring-outside-ram; ok $? "ring outside guest RAM: DEVICE_NEEDS_RESET"
s=$(status huge-lengths)
[ "$(used huge-lengths)" = 1 ] && [ -n "$s" ] && [ $((s & 0x40)) -eq 0 ]
ok $? "4 GiB descriptor lengths: request failed, device running"
[ "$(status reset)" = 0x00 ]; ok $? "reset after 20000 random register writes"
grep -q "dev-hostile: after $sum" $log; ok $? "kernel driver rebound: disk reads correctly"
grep -q "dev-hostile: rng 256" $log; ok $? "the other device kept working"
[ "$(md5sum $img | cut -d' ' -f1)" = "$sum" ]; ok $? "image untouched"
[ "$(grep -c 'virtio-blk0:.*needs reset' $err)" -eq 1 ]; ok $? "corrupt rings logged once"
[ "$(grep -c 'virtio-blk0:.*bad request' $err)" -eq 1 ]; ok $? "bad requests logged once"
grep "evil:\|dev-hostile:" $log | sed 's/^/# /'
sed 's/^/# stderr: /' $err
rm -f $img
