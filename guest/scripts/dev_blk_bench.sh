#!/bin/sh
# make bench-blk, guest side: 4 KiB I/O on the first 64 MiB of /dev/vda,
# then the bare virtio round trip (64-byte reads of virtio-rng's /dev/hwrng).
blkbench /dev/vda 64 3
blkbench --rtt /dev/hwrng 300
