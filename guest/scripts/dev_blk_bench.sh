#!/bin/sh
# make bench-blk, guest side: 4 KiB I/O on the first 64 MiB of /dev/vda.
blkbench /dev/vda 64 "${BENCH_SECS:-3}"
