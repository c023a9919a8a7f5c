#!/bin/sh
# Reports what the guest sees of its CPUs and RAM, one line for the host
# side to parse: hmmv-info nproc=N memtotal_kb=K e820_ram_kb=R
ram=0
for d in /sys/firmware/memmap/*; do
	[ "$(cat "$d/type")" = "System RAM" ] || continue
	s=$(($(cat "$d/start")))
	e=$(($(cat "$d/end")))
	ram=$((ram + (e - s + 1) / 1024))
done
echo "hmmv-info nproc=$(nproc) memtotal_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo) e820_ram_kb=$ram"
