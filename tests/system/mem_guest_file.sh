#!/bin/sh
# Debian guest with -m 512M --dram 128M --nvm FILE fills and checks its
# memory while chunks move between tiers under it; the guest's pattern is
# then found in the file (tests/system/lib/mem_guest.sh).
# testhost-timeout: 600
. /tests/system/lib/mem_guest.sh
# The file on a tmpfs that gives 2 MiB pages to MADV_HUGEPAGE mappings.
echo advise >/sys/kernel/mm/transparent_hugepage/shmem_enabled
mkdir -p /mnt/slow
mount -t tmpfs -o size=512M,huge=advise tmpfs /mnt/slow
truncate -s 448M /mnt/slow/mem-slow.img
mem_guest_run /mnt/slow/mem-slow.img scan /mnt/slow/mem-slow.img
rm -f /mnt/slow/mem-slow.img
umount /mnt/slow
