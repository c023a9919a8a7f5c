#!/bin/sh
# Prints the md5 of the first 64 MiB of /dev/vda.
t0=$(date +%s)
echo "dev-blk: read $(dd if=/dev/vda bs=1M count=64 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "dev-blk: read+md5 $(($(date +%s) - t0)) s"
