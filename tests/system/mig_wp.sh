#!/bin/sh
# Write-protected migration on a tiny real-mode guest with 2 vCPUs: only
# the writer of the moving chunk stalls, its write lands once, pre-copy
# re-copies what the dirty log names (tests/system/mig_wp.c).
mig_wp
