#!/bin/sh
# Booted with pci=nomsi: the virtio devices must work on their legacy INTx
# line. Reads a disk and the hwrng, reports the interrupt types in use.
echo "dev-intx: msi-irqs $(grep virtio /proc/interrupts | grep -c MSI)"
echo "dev-intx: intx-irqs $(grep virtio /proc/interrupts | grep -c IO-APIC)"
echo "dev-intx: vda $(md5sum </dev/vda | cut -d' ' -f1)"
echo "dev-intx: rng-bytes $(dd if=/dev/hwrng bs=512 count=2 2>/dev/null | wc -c)"
