#!/bin/sh
# What one of the tracker's refaults costs the guest in this host
# (tests/system/refault.c): zapped pages refault into the dirty log, the
# data read back intact; the cost is printed for make eval-real.
# testhost-timeout: 120
refault
