#!/bin/sh
# Prints the MD5 of the initrd as the guest received it (the kernel keeps it
# in /sys/firmware/initrd when booted with retain_initrd), for tests that
# compare it with the host's file.
if [ -r /sys/firmware/initrd ]; then
	echo "hmmv-info initrd md5=$(md5sum </sys/firmware/initrd | cut -d' ' -f1)"
else
	echo "hmmv-info initrd missing (boot with retain_initrd)"
fi
