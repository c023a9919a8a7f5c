#!/bin/sh
# testhost-timeout: 200
# In-place moves (mbind MPOL_MF_MOVE, no pause) between DRAM and the CPU-less
# NUMA node 1 under a running tiny guest; pages checked with move_pages.
exec mem_remap_guest -m 32M --dram 16M --nvm node=1 --inplace --remaps 100 --stride 256 --max-seconds 120
