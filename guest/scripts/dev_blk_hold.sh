#!/bin/sh
# Writes 1 MiB with fsync to /dev/vda, says so, then waits to be killed: the
# test host stops hmmv with SIGTERM instead of a guest poweroff.
prand 1048576 "$(date +%s)" >/tmp/data
dd if=/tmp/data of=/dev/vda bs=1M conv=fsync 2>/dev/null &&
	echo "dev-blk: held $(md5sum </tmp/data | cut -d' ' -f1)"
sleep 3600
