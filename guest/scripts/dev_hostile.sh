#!/bin/sh
# A hostile driver against hmmv's virtio-blk (virtio_evil), then the
# kernel's driver again: the disk must still read correctly, and the other
# device (virtio-rng) must keep working.
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/device)" = 0x1042 ] && bdf=${d##*/}
done
echo "dev-hostile: bdf $bdf"
echo "dev-hostile: before $(md5sum </dev/vda | cut -d' ' -f1)"
virtio_evil "$bdf"
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
echo "dev-hostile: after $(md5sum </dev/vda | cut -d' ' -f1)"
echo "dev-hostile: rng $(dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c)"
