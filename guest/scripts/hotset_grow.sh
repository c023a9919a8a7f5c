#!/bin/sh
# Guest side of make demo-pool: a hot set that grows. 8 MiB of GUPS
# updates for 60 s, then 72 MiB for 240 s, inside 96 MiB written once.
hotset -m 8 -c 96 -t 60
hotset -m 72 -c 96 -t 240
