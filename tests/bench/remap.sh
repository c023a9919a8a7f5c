#!/bin/sh
# testhost-timeout: 600
# make bench-remap inside the nested test host: remap cost per 2 MiB chunk
# for devdax, the CPU-less node 1 and a file, as ratios to memcpy.
truncate -s 64M /tmp/bench-slow.img
mem_bench_remap --rounds 40 --nvm /dev/dax0.0 --nvm node=1 --nvm /tmp/bench-slow.img
rc=$?
rm -f /tmp/bench-slow.img
exit $rc
