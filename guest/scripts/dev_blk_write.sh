#!/bin/sh
# Writes 64 MiB of random data to /dev/vda with fsync and prints its sha256;
# the test host compares it with the image file after poweroff.
dd if=/dev/urandom of=/tmp/data bs=1M count=64 2>/dev/null
sum=$(sha256sum </tmp/data | cut -d' ' -f1)
if dd if=/tmp/data of=/dev/vda bs=1M conv=fsync 2>/dev/null; then
	echo "dev-blk: written $sum"
else
	echo "dev-blk: write failed"
fi
