#!/bin/sh
# Announces itself, then writes to the console without end, for tests that
# stall hmmv's output (boot_console_stall).
echo "hmmv-info flood"
while :; do cat /proc/cpuinfo; done
