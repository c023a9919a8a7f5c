#!/bin/sh
# Debian guest with -m 512M --dram 128M,hugetlb --nvm /dev/dax0.0 fills and
# checks its memory while chunks move between 2 MiB huge pages and devdax
# under it (tests/system/lib/mem_guest.sh): moves onto huge-page frames,
# which hmmv took at launch and keeps, lose nothing.
# testhost-timeout: 600
echo 0 >/proc/sys/vm/nr_hugepages
echo 72 >/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
MEM_DRAM=128M,hugetlb
. /tests/system/lib/mem_guest.sh
mem_guest_run /dev/dax0.0 scan /dev/dax0.0
