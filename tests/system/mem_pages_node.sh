#!/bin/sh
# testhost-timeout: 200
# Single-page moves (memory_move_pages: move_pages(2), no pause, no remap)
# between DRAM and the CPU-less NUMA node 1 under a running tiny guest,
# mixed with whole-chunk moves; zero mismatches, and every page is on the
# node the memory layer's page accounting says.
exec mem_remap_guest -m 32M --dram 16M --nvm node=1 --pages --remaps 400 --stride 256 --max-seconds 120 --gap-us 2000
