#!/bin/sh
# The HMM-V engine in page mode (--hmmv-move auto: DRAM and the slow tier
# are both NUMA nodes' memory, the CPU-less node 1 here): 72 MiB of GUPS
# updates inside 192 MiB written once, the 448 MiB guest launched on the
# slow tier; within 60 s of the guest naming its hot set, at least 75% of
# the hot set's pages are in DRAM page by page, moved as units of two 4 KiB
# pages with no pause, and the DRAM the engine holds stays within the
# 128 MiB quota. (Lower than hmmv_capture's 90% in 30 s for chunks: the
# TCG guest touches each hot page about once a second, and page mode
# must see every page itself, where a chunk comes in whole.)
# testhost-timeout: 500
. /tests/system/lib/hmmv_engine.sh
echo 1..6
HMMV_NVM=node=1 hmmv_start 72,192,75
wait_line '^hotset: frames' 200
ok $? "the guest names its hot set's frames"
f=$(frames 1)
secs=$(SHARE=dram_share_pages CAPTURE_PCT=75 capture "$f" 60)
[ "$secs" != never ] && [ "$secs" -le 60 ]
ok $? "at least 75% of the hot set's pages in DRAM after ${secs} s (limit 60 s)"
hmmv stat $sock | sed 's/^/# /'
hmmv stat --json $sock >/tmp/pages.json
grep -q '"move":"page","page_unit":2' /tmp/pages.json
ok $? "the engine moves pages, in units of 2"
prom=$(sed -n 's/.*"promoted_bytes":\([0-9]*\).*/\1/p' /tmp/pages.json)
failed=$(sed -n 's/.*"move_failed":\([0-9]*\).*/\1/p' /tmp/pages.json)
pause=$(sed -n 's/.*"pause_ns":{[^}]*"n":\([0-9]*\).*/\1/p' /tmp/pages.json)
[ "${prom:-0}" -ge $((48 << 20)) ] && [ "$pause" = 0 ]
ok $? "no VM pause; promoted $((${prom:-0} >> 20)) MiB (at least 48), $failed unit moves failed, ${pause:-?} pauses"
used=$(hmmv stat $sock --request "dram-pages" | awk '{ for (i = 3; i <= NF; i++) s += $i; print s * 4096 }')
[ "${used:-0}" -gt 0 ] && [ "$used" -le $((128 << 20)) ]
ok $? "DRAM held $((${used:-0} >> 20)) MiB, within the 128 MiB quota"
hmmv_finish
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
