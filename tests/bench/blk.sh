#!/bin/sh
# make bench-blk, run inside the nested test host (not a timed test): 4 KiB
# sequential and random read and write, one request at a time, first on the
# image file directly from the test host, then from inside the guest on
# /dev/vda backed by the same file; each guest figure as a ratio to the
# host's, plus per-request latency percentiles.
# testhost-timeout: 900
img=/tmp/bench.img
log=/tmp/bench.console
secs=3

echo 1..2
dd if=/dev/urandom of=$img bs=1M count=64 2>/dev/null
dev_blkbench $img 64 $secs >/tmp/bench.host
ok=$?
[ $ok = 0 ] && echo "ok 1 - host baseline on the image file" || echo "not ok 1 - host baseline"
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_blk_bench" \
	--console file:$log --disk $img --rng </dev/null
grep -a '^blkbench:' $log | tr -d '\r' | grep -v ' rtt ' >/tmp/bench.guest
if [ "$(wc -l </tmp/bench.guest)" -eq 4 ]; then
	echo "ok 2 - guest benchmark on /dev/vda"
else
	echo "not ok 2 - guest benchmark on /dev/vda"
	tail -n 20 $log | sed 's/^/# /'
fi
# Fields: blkbench: NAME ops N MBps X p50 A p99 B p999 C mode M
awk '
	FNR == NR { host[$2] = $6; hmode = $14; next }
	{
		r = host[$2] > 0 ? $6 / host[$2] : 0
		printf "# bench-blk %-9s guest %8.2f MB/s  host %8.2f MB/s  ratio %.3f  " \
		       "guest lat p50 %.1f p99 %.1f p99.9 %.1f us (guest %s, host %s)\n",
		       $2, $6, host[$2], r, $8, $10, $12, $14, hmode
	}' /tmp/bench.host /tmp/bench.guest
sed 's/^/# host /' /tmp/bench.host
grep -a '^blkbench: rtt' $log | tr -d '\r' |
	sed 's/^blkbench: rtt/# bench-blk virtio round trip without disk I\/O (virtio-rng, us):/' 
rm -f $img
