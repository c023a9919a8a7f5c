#!/bin/sh
# What a chunk move costs in the meter's traffic (the simulator's copy
# accounting, tools/sim/hotcopy.c): a Debian guest idles (-m 512M --dram
# 128M --nvm /dev/dax0.0, the engine off, DRAM full of chunks 0-63) while
# mig_marked moves chunks between meter marks: twelve demotions each
# followed by a promotion into the DRAM frame it freed (marks 1-2), then
# twelve demotions followed by twelve promotions (marks 3-4).
# meter_copy.hostcheck (host side) requires the promotions of the pairs to
# fill under a quarter of their bytes in DRAM (the demotion just read the
# frame's lines into the cache), those of the batch over 60%.
# testhost-timeout: 600
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
sock=/tmp/copy.sock
log=/tmp/copy.console
echo 1..4
rm -f $sock
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 512M --dram 128M --nvm /dev/dax0.0 \
	--hmmv off --control $sock --console file:$log \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=hang" </dev/null 2>/tmp/copy.err &
pid=$!
i=0
while ! grep -q 'hmmv-info waiting' $log && [ $i -lt 1500 ]; do
	sleep 0.2
	i=$((i + 1))
done
grep -q 'hmmv-info waiting' $log
ok $? "the guest booted and idles"
pairs=
batch=
for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
	pairs="$pairs nvm:$((40 + k)) dram:$((200 + k))"
	batch="$batch nvm:$((200 + k))"
done
for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
	batch="$batch dram:$((40 + k))"
done
mig_marked $sock mark $pairs mark mark $batch mark
ok $? "48 moves between 4 meter marks, each answered ok"
kill $pid
wait $pid
echo "# hmmv exit $?"
sed 's/^/# /' /tmp/copy.err
! grep -q . /tmp/copy.err
ok $? "hmmv printed nothing on stderr"
