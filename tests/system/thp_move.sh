#!/bin/sh
# Why page mode keeps tracked memory off transparent huge pages: move_pages
# of one page of a shmem huge page moves all 512 (tests/system/thp_move.c,
# docs/design.md, "Tracking").
echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
thp_move
