#!/bin/sh
# virtio-rng: the hwrng core picked it, /dev/hwrng yields bytes that are
# not constant.
echo "dev-rng: current $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
dd if=/dev/hwrng of=/tmp/r bs=512 count=8 2>/dev/null
echo "dev-rng: bytes $(wc -c </tmp/r)"
echo "dev-rng: distinct $(od -An -v -tx1 /tmp/r | tr -s ' ' '\n' | grep . | sort -u | wc -l)"
echo "dev-rng: msi-irqs $(grep virtio /proc/interrupts | grep -c MSI)"
