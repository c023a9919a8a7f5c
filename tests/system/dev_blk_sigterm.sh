#!/bin/sh
# Flush on every exit path: the guest writes 1 MiB with fsync and keeps
# running; hmmv is stopped with SIGTERM. It must exit with status 4 and
# the image must hold the data.
# testhost-timeout: 200
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_hold.console
img=/tmp/dev_hold.img

echo 1..3
truncate -s 16M $img
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_blk_hold" \
	--console file:$log --disk $img </dev/null &
vm=$!
i=0
# The whole line: the console file may hold "dev-blk: held" before its sum.
while ! grep -q "dev-blk: held [0-9a-f]\{32\}" $log && [ $i -lt 1500 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $vm
wait $vm
rc=$?
[ $rc -eq 4 ]; ok $? "SIGTERM stops hmmv with exit status 4 (got $rc)"
gsum=$(sed -n 's/.*dev-blk: held \([0-9a-f]\{32\}\).*/\1/p' $log)
[ -n "$gsum" ]; ok $? "guest wrote and fsync'd 1 MiB before the signal"
[ "$(head -c 1048576 $img | md5sum | cut -d' ' -f1)" = "$gsum" ]
ok $? "image holds the guest's fsync'd data after the signal exit"
rm -f $img
