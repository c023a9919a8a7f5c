#!/bin/sh
# The HMM-V engine in page mode (--hmmv-move auto: DRAM and the slow tier
# are both NUMA nodes' memory, the CPU-less node 1 here): 24 MiB of GUPS
# updates inside 240 MiB written once, the 448 MiB guest launched on the
# slow tier; within 60 s of the guest naming its hot set, at least 80% of
# the hot set's pages are in DRAM page by page, moved as single 4 KiB
# pages with no pause, most of them right after a first window (early
# promotion), and the DRAM the engine holds stays within the 128 MiB quota. The windows are 20 ms (--hmmv-window-ms; 5 by default):
# the TCG guest runs ~100x slower than hardware and touches each page of
# a 72 MiB hot set about once a second, and page mode must see every page
# itself, where a chunk comes in whole (under make test's two parallel
# test hosts, 5 ms windows and 72 MiB reached 51% in 72 s). The share is a
# lower bound (the guest names frames, not pages): with a test host
# running alongside it crossed 80% after 13 s and stood at 89-90% from
# 29 s, with units of two pages; with single pages (a page's neighbour no
# longer comes along) 29-40 s, alone.
# testhost-timeout: 500
. /tests/system/lib/hmmv_engine.sh
echo 1..7
HMMV_NVM=node=1 hmmv_start 24,240,75 --hmmv-window-ms 20
wait_line '^hotset: frames' 200
ok $? "the guest names its hot set's frames"
f=$(frames 1)
secs=$(SHARE=dram_share_pages CAPTURE_PCT=80 capture "$f" 60)
[ "$secs" != never ] && [ "$secs" -le 60 ]
ok $? "at least 80% of the hot set's pages in DRAM after ${secs} s (limit 60 s)"
hmmv stat $sock | sed 's/^/# /'
hmmv stat --json $sock >/tmp/pages.json
grep -q '"move":"page","page_unit":1' /tmp/pages.json
ok $? "the engine moves single pages"
prom=$(sed -n 's/.*"promoted_bytes":\([0-9]*\).*/\1/p' /tmp/pages.json)
failed=$(sed -n 's/.*"move_failed":\([0-9]*\).*/\1/p' /tmp/pages.json)
pause=$(sed -n 's/.*"pause_ns":{[^}]*"n":\([0-9]*\).*/\1/p' /tmp/pages.json)
[ "${prom:-0}" -ge $((20 << 20)) ] && [ "$pause" = 0 ]
ok $? "no VM pause; promoted $((${prom:-0} >> 20)) MiB (at least 20), $failed unit moves failed, ${pause:-?} pauses"
early=$(sed -n 's/.*"early_promotions":\([0-9]*\).*/\1/p' /tmp/pages.json)
[ "${early:-0}" -gt 0 ]
ok $? "units promoted early, right after a first window: ${early:-0}"
used=$(hmmv stat $sock --request "dram-pages" | awk '{ for (i = 3; i <= NF; i++) s += $i; print s * 4096 }')
[ "${used:-0}" -gt 0 ] && [ "$used" -le $((128 << 20)) ]
ok $? "DRAM held $((${used:-0} >> 20)) MiB, within the 128 MiB quota"
hmmv_finish
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
