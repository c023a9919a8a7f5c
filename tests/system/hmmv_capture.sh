#!/bin/sh
# The HMM-V engine captures a hot set: 72 MiB of GUPS updates (56% of the
# 128 MiB DRAM quota) inside 192 MiB written once, the whole 448 MiB
# guest launched on /dev/dax0.0 (--placement nvm-first): within 30 s of
# the guest naming its hot set, at least 90% of the hot set's pages are
# in DRAM, and the engine reports what it did.
# testhost-timeout: 500
. /tests/system/lib/hmmv_engine.sh
echo 1..5
hmmv_start 72,192,75
wait_line '^hotset: frames' 200
ok $? "the guest names its hot set's frames"
f=$(frames 1)
echo "# hot set frames: $(echo $f | wc -w)"
secs=$(capture "$f" 30)
[ "$secs" != never ] && [ "$secs" -le 30 ]
ok $? "at least 90% of the hot set in DRAM after ${secs} s (limit 30 s)"
hmmv stat $sock | sed 's/^/# /'
hmmv stat --json $sock | grep -q '"engine":{"mode":"on"'
ok $? "hmmv stat --json has the engine section"
hmmv stat $sock --request "engine moves" >/tmp/moves.txt
prom=$(grep -c ' dram ok$' /tmp/moves.txt)
failed=$(grep -c ' failed$' /tmp/moves.txt)
[ "$prom" -ge 30 ] && [ "$failed" = 0 ]
ok $? "the engine promoted $prom chunks, $failed moves failed"
hmmv_finish
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
