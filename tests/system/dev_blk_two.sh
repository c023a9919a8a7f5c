#!/bin/sh
# Two virtio-blk disks at once, the second read-only: the guest sees both,
# reads the read-only one correctly, its writes to it are refused and the
# image stays unchanged, while the writable one takes a write.
# testhost-timeout: 240
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_blk_two.console
a=/tmp/dev_a.img
b=/tmp/dev_b.img

echo 1..7
rm -f $a $b
truncate -s 8M $a
dd if=/dev/urandom of=$b bs=1M count=8 2>/dev/null
bsum=$(sha256sum $b | cut -d' ' -f1)
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_blk_two" \
	--console file:$log --disk $a --disk $b,ro </dev/null
ok $? "guest powers off (exit 0)"
grep -q "dev-blk: disks vda vdb" $log; ok $? "guest sees two disks, vda and vdb"
grep -q "dev-blk: vdb-ro 1" $log; ok $? "vdb is read-only in the guest"
grep -q "dev-blk: vdb-sum $bsum" $log; ok $? "guest reads the read-only disk's content"
grep -q "dev-blk: vdb-write refused" $log; ok $? "guest write to the read-only disk refused"
[ "$(sha256sum $b | cut -d' ' -f1)" = "$bsum" ]; ok $? "read-only image unchanged"
[ "$(head -c 9 $a)" = "hello-vda" ]; ok $? "write to the writable disk reached its image"
grep "dev-blk:" $log | sed 's/^/# /'
rm -f $a $b
