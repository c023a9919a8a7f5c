#!/bin/sh
# testhost-timeout: 200
# Remap under a running guest with the slow tier on the devdax device /dev/dax0.0 (2 MiB alignment):
# a tiny guest fills and checks its RAM while random chunks move between
# DRAM and the slow tier, vCPU paused per remap (tests/system/mem_remap_guest.c).
exec mem_remap_guest -m 32M --dram 16M --nvm /dev/dax0.0 --remaps 100 --stride 256 --max-seconds 120 --gap-us 20000
