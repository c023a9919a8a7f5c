#!/bin/sh
# The engine and the simulator run one sampling model: a trace the engine
# recorded (--trace: its per-interval observations) replayed through the
# simulator's HMM-V policy (hmmv sim, replay mode) yields exactly the
# moves the engine made, interval by interval.
# testhost-timeout: 700
. /tests/system/lib/hmmv_engine.sh
T=/tmp/agree.trace
echo 1..5
rm -f $T
hmmv_start 72,192,25 --trace $T
wait_line '^hotset: done' 450
ok $? "the guest ran its hot set for 25 s"
# The engine's moves so far; intervals below N are complete.
hmmv stat $sock --request "engine moves" >/tmp/eng.txt
last=$(sed -n 's/^interval \([0-9]*\) .*/\1/p' /tmp/eng.txt)
hmmv_finish
ok $rc "the guest powered off, the trace is complete (hmmv exit $rc)"
awk -v n="${last:-0}" '$1 == "move" && $2 < n { print $2, $3, $4 }' /tmp/eng.txt >/tmp/eng.moves
failed=$(grep -c ' failed$' /tmp/eng.txt)
nm=$(wc -l </tmp/eng.moves)
[ "$nm" -ge 10 ] && [ "$failed" = 0 ]
ok $? "the engine made $nm moves in $last intervals, $failed failed"
hmmv sim --trace $T --policies hmm-v --dram-mb 128 >/tmp/sim.out 2>/tmp/sim.err
ok $? "hmmv sim replays the engine's trace"
sed 's/^/# /' /tmp/sim.out
awk -v n="${last:-0}" '$1 == "hmm-v" && $2 == "move" && $3 < n { print $3, $4, $5 }' \
	/tmp/sim.err >/tmp/sim.moves
diff /tmp/eng.moves /tmp/sim.moves >/tmp/moves.diff
ok $? "the replay moves the same chunks the same way in the same intervals ($(wc -l </tmp/sim.moves) moves)"
head -20 /tmp/moves.diff | sed 's/^/# /'
