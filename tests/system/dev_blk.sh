#!/bin/sh
# virtio-blk persistence: the guest writes 64 MiB of random data to /dev/vda
# with fsync and powers off; the image then holds exactly that data
# (md5), and a second boot reads the same 64 MiB back.
# testhost-timeout: 300
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_blk.console
img=/tmp/dev_blk.img
guest()
{
	name=$1
	shift
	: >$log
	t0=$(date +%s)
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
		-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=$name" \
		--console file:$log "$@" </dev/null
	rc=$?
	echo "# $name: hmmv ran $(($(date +%s) - t0)) s"
	return $rc
}
field() { sed -n "s/.*dev-blk: $1 \([0-9a-f]\{32\}\).*/\1/p" $log | head -n1; }

echo 1..6
rm -f $img
truncate -s 64M $img
guest dev_blk_write --disk $img
ok $? "first boot writes and powers off (exit 0)"
gsum=$(field written)
cp $log /tmp/dev_blk.console.1
hsum=$(md5sum $img | cut -d' ' -f1)
[ -n "$gsum" ]; ok $? "guest reported the checksum of what it wrote"
# od, not the byte itself: \$(...) would strip a first non-zero byte 0x0a.
[ -n "$(head -c 65536 $img | tr -d '\000' | head -c 1 | od -An -tx1)" ]; ok $? "image is no longer all zeros"
[ "$gsum" = "$hsum" ]; ok $? "image content equals the guest's data ($hsum)"
guest dev_blk_read --disk $img
ok $? "second boot powers off (exit 0)"
rsum=$(field read)
[ -n "$rsum" ] && [ "$rsum" = "$hsum" ]; ok $? "second boot reads the same 64 MiB back"
grep "dev-blk:" /tmp/dev_blk.console.1 $log | sed 's/^/# /'
rm -f $img
