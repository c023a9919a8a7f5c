#!/bin/sh
# --hmmv off: the same tiered guest as hmmv_capture (everything launched
# on /dev/dax0.0, a hot set DRAM could hold) keeps every chunk where it
# was launched, and its memslots carry no dirty logging (flags 0, as the
# control socket reports what hmmv gave KVM); the engine is absent.
# testhost-timeout: 400
. /tests/system/lib/hmmv_engine.sh
echo 1..5
hmmv_start 72,192,30 --hmmv off
p0=$(placement)
[ -n "$p0" ] && [ -z "$(echo "$p0" | tr -d n)" ]
ok $? "launched: all $(echo -n "$p0" | wc -c) chunks on the slow tier"
hmmv stat $sock --request engine | grep -q '^engine: off (memslot flags 0)$'
ok $? "the engine is off and the memslots have no dirty logging"
wait_line '^hotset: frames' 300
r=$?
sleep 15
ok $r "the guest ran its hot set for 15 s"
p1=$(placement)
[ "$p1" = "$p0" ]
ok $? "every chunk is where it was launched"
hmmv_finish
ok $rc "the guest powered off (hmmv exit $rc)"
