#!/bin/sh
# Guest side of the tiered-memory system tests (tests/system/mem_guest_*.sh):
# fill almost all free memory with a pattern, verify it over several rounds
# while the host moves chunks between tiers, then hold the last pattern so
# the host can find it on the slow tier, and verify once more.
memfill -r 2 -k 40 -h 12
