#!/bin/sh
# testhost-timeout: 200
# Remap under a running guest with the slow tier on a memfd bound to the CPU-less NUMA node 1:
# a tiny guest fills and checks its RAM while random chunks move between
# DRAM and the slow tier, vCPU paused per remap (tests/system/mem_remap_guest.c).
exec mem_remap_guest -m 32M --dram 16M --nvm node=1 --remaps 100 --stride 256 --max-seconds 120 --gap-us 20000
