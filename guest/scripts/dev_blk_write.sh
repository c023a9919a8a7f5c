#!/bin/sh
# Writes 64 MiB of pseudo-random data (seeded from the time) to /dev/vda with
# fsync and prints its md5; the test host compares it with the image file.
t0=$(date +%s)
prand 67108864 "$t0" >/tmp/data
sum=$(md5sum </tmp/data | cut -d' ' -f1)
t1=$(date +%s)
if dd if=/tmp/data of=/dev/vda bs=1M oflag=direct conv=fsync 2>/dev/null; then
	echo "dev-blk: written $sum"
else
	echo "dev-blk: write failed"
fi
echo "dev-blk: generate+md5 $((t1 - t0)) s, write+fsync $(($(date +%s) - t1)) s"
