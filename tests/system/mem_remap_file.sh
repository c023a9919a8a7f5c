#!/bin/sh
# testhost-timeout: 200
# Remap under a running guest with the slow tier on a plain file:
# a tiny guest fills and checks its RAM while random chunks move between
# DRAM and the slow tier, vCPU paused per remap (tests/system/mem_remap_guest.c).
truncate -s 64M /tmp/mem-slow.img
mem_remap_guest -m 64M --dram 32M --nvm /tmp/mem-slow.img --remaps 100 --stride 64 --max-seconds 120
rc=$?
rm -f /tmp/mem-slow.img
exit $rc
