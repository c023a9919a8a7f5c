#!/bin/sh
# Two disks: vda read-write, vdb read-only. Reports what the guest sees and
# whether each write went through.
echo "dev-blk: disks $(ls /sys/block | grep '^vd' | tr '\n' ' ')"
echo "dev-blk: vdb-ro $(cat /sys/block/vdb/ro 2>/dev/null)"
echo "dev-blk: vdb-sum $(sha256sum </dev/vdb | cut -d' ' -f1)"
if echo hello-vda | dd of=/dev/vda conv=fsync 2>/dev/null; then
	echo "dev-blk: vda-write ok"
else
	echo "dev-blk: vda-write failed"
fi
if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; then
	echo "dev-blk: vdb-write accepted"
else
	echo "dev-blk: vdb-write refused"
fi
