#!/bin/sh
# Debian guest with -m 512M --dram 128M --nvm /dev/dax0.0 fills and checks
# its memory while chunks move between DRAM and devdax under it; the
# guest's pattern is then found on the device itself (tests/system/lib/mem_guest.sh).
# testhost-timeout: 600
. /tests/system/lib/mem_guest.sh
mem_guest_run /dev/dax0.0 scan /dev/dax0.0
