#!/bin/sh
# What the demo guest shows about itself before init powers it off.
echo "demo guest: $(uname -sr) on $(nproc) vCPUs"
awk '/MemTotal|MemFree/ { printf "demo guest: %s %d MiB\n", $1, $2 / 1024 }' /proc/meminfo
echo "demo guest: PCI devices:"
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] || continue
	echo "  $(basename "$d") vendor $(cat "$d/vendor") device $(cat "$d/device")"
done
dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null && rm -f /tmp/fill &&
	echo "demo guest: wrote and freed 64 MiB in tmpfs"
echo "demo guest: powering off"
