#!/bin/sh
# The access tracker on a tiny real-mode guest: the trace names exactly
# the pages the guest read and wrote (tests/system/trace_direct.c).
trace_direct
