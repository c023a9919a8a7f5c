#!/bin/sh
# Prints the sha256 of the first 64 MiB of /dev/vda.
echo "dev-blk: read $(dd if=/dev/vda bs=1M count=64 2>/dev/null | sha256sum | cut -d' ' -f1)"
