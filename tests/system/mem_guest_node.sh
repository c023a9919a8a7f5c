#!/bin/sh
# Debian guest with -m 512M --dram 128M --nvm node=1 (the CPU-less node)
# fills and checks its memory while chunks move between tiers under it; the
# slow tier's pages are on node 1 per /proc/PID/numa_maps (tests/system/lib/mem_guest.sh).
# testhost-timeout: 600
# 2 MiB pages for memfds (hmmv asks with MADV_HUGEPAGE): far fewer nested faults.
echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
. /tests/system/lib/mem_guest.sh
mem_guest_run node=1 node 1
