#!/bin/sh
# Guest side of tests/system/trace_guest.sh: GUPS-style updates over a
# 32 MiB hot set (16 huge-page frames) for 15 s, 64 MiB written once.
hotset -m 32 -c 64 -t 15
