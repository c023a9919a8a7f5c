#!/bin/sh
# testhost-timeout: 200
# Remap under a running guest with the slow tier on a plain file:
# a tiny guest fills and checks its RAM while random chunks move between
# DRAM and the slow tier, vCPU paused per remap (tests/system/mem_remap_guest.c).
truncate -s 32M /tmp/mem-slow.img
mem_remap_guest -m 32M --dram 16M --nvm /tmp/mem-slow.img --remaps 100 --stride 256 --max-seconds 120 --gap-us 20000
rc=$?
rm -f /tmp/mem-slow.img
exit $rc
