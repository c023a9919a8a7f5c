#!/bin/sh
# Debian guest with -m 512M --dram 128M --nvm FILE fills and checks its
# memory while chunks move between tiers under it; the guest's pattern is
# then found in the file (tests/system/lib/mem_guest.sh).
# testhost-timeout: 600
. /tests/system/lib/mem_guest.sh
truncate -s 448M /tmp/mem-slow.img
mem_guest_run /tmp/mem-slow.img scan /tmp/mem-slow.img
rm -f /tmp/mem-slow.img
