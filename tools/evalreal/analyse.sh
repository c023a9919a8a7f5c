#!/bin/sh
# Turns make eval-real's raw output (OUT/real.tap from tests/bench/real.sh,
# OUT/meter.txt, OUT/nvdimm.trace, OUT/nvdimm.touch and OUT/ram.trace from
# the meter) into OUT/results.csv,
# OUT/table.txt and OUT/share.png, and cross-validates the simulator
# (OUT/xval*.csv). The k-th "meter-mark" line of the TAP is the meter's
# mark k.
#   usage: analyse.sh OUT
set -eu
OUT=${1:?usage: analyse.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
HMMV=${HMMV:-$here/../../build/hmmv}
PAGESUM=${PAGESUM:-$here/../../build/evalreal/pagesum}

# Cross-validation, 1: the workload's own traffic. The meter traced the
# NVDIMM's pages (OUT/nvdimm.trace, LLC fills and write-backs per 100 ms of
# host time); in the slow-first run every guest page lives there, chunk c
# at the devdax's start + c x 2 MiB, so that run's part of the trace is
# the guest's memory traffic. hmmv sim replays that run's part with the
# runs' DRAM budget, measuring each workload between its marks: its hmm-v
# model (each workload from the engine's placement at its start) and its
# NUMA-balancing model (each workload from Linux's state at its start,
# below) predict the guest's slow share the hmmv-engine and Linux runs
# metered.
: >"$OUT/xval.csv"
: >"$OUT/xval-obs.csv"
: >"$OUT/xval-sched.csv"
rm -f "$OUT"/gw.* "$OUT"/gs.* "$OUT/xval.warm"
: >"$OUT/xval.dram"
rm -f "$OUT"/sched.* "$OUT"/gh.* "$OUT"/hs.* "$OUT"/frames.* "$OUT"/gd.*
: >"$OUT/xval.err"
rm -f "$OUT/xval.stretch"
GUEST_PAGES=131072	# tests/bench/real.sh's 512 MiB guest
GUEST_DRAM_MB=128	# ... and its DRAM tier (--dram 128M)
GUEST_VCPUS=1		# ... and its one vCPU (the engine's tracking budget is per vCPU)
# The hm-v models sample at random: each replays with these seeds and
# predicts their mean (XVAL_SEEDS="1" for one run).
XVAL_SEEDS=${XVAL_SEEDS:-1 2 3 4 5}
# The test host's Linux runs NUMA balancing with the kernel's defaults
# (tests/bench/real.sh sets only numa_balancing=2 and demotion): its model
# is checked with those, not with make eval's stronger tuning; and the
# guest is freshly booted, so Linux places each page where it allocates it
# at its first touch (--nb-alloc-touch); the VM is one task with one vCPU
# thread, whose scan period the kernel doubles pass after pass
# (--nb-scan-adapt: in the sqlite and redis windows of the Linux runs the
# scanner armed 0 to 2294 pages in 20-28 s).
NB_KERNEL="--nb-scan-period-ms 1000 --nb-hot-threshold-ms 1000 --nb-wmark-scale 10 --nb-rate-limit-mbps 65536 --nb-alloc-touch --nb-scan-adapt"
# The engine budgeted its tracking at the refault cost the test host
# measured (tests/bench/real.sh prints what it passed) for its one vCPU;
# its replays take the same (the other models the vCPUs alone).
fault=$(sed -n 's/^# real-refault-ns: \([0-9][0-9]*\)$/\1/p' "$OUT/real.tap" | head -n1)
# ... and zapped its blocks at the cost per call it measured (hmmv stat):
# ~1 ms in the test host, most of a 5 ms window, so that a block zapped
# early in a window's calls watched for longer (the replays' windows too).
# engine_per NUM DEN: the engine run's hmmv stat NUM over DEN, none if DEN is 0.
engine_per()
{
	awk -v num="$1" -v den="$2" '$2 == "real-hmmv:" && $3 == "hmmv-engine" {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v[den] > 0) printf "%d\n", v[num] / v[den]; exit }' "$OUT/real.tap"
}
zap=$(engine_per zap_ns zap_calls)
# ... and moved its chunks between intervals at the wall time per move it
# measured (hmmv stat's remaps and remap_ns: copy and remap; a third of a
# second and more in the test host, the thread sampling nothing meanwhile).
move=$(engine_per remap_ns remaps)
budget="--vcpus $GUEST_VCPUS ${fault:+--fault-ns $fault} ${zap:+--zap-ns $zap} ${move:+--move-ns $move}"
# The replays count the traffic behind the meter's last-level cache (its
# "# meter: llc BYTES" line): a move onto frames another move just read
# fills no lines there (tools/sim/hotcopy.c).
llc=$(sed -n 's/^# meter: llc \([0-9][0-9]*\) .*/\1/p' "$OUT/meter.txt" 2>/dev/null | head -n1)
cache=${llc:+--llc-mb $(awk -v b="$llc" 'BEGIN { print b / 1048576 }')}
# "WORKLOAD START END": the engine's interval at each workload's marks ("#
# real-ival: W-start|W-end N" of the hmmv-engine run), where END > START.
engine_ivals()
{
	awk '/^# real-run: / { pol = $3 } /^# real-ival: / && pol == "hmmv-engine:" { print $3, $4 }' \
		"$OUT/real.tap" | sed 's/-\(start\|end\) / \1 /' |
		awk '$2 == "start" { s[$1] = $3 } $2 == "end" && ($1 in s) && $3 > s[$1] { print $1, s[$1], $3 }'
}
# The meter trace's blocks on the report's clock (blocks.awk): blk(MS),
# the block holding the traffic just after host time MS. Block K holds
# [K - 1, K) x 100 ms, split at the marks (run L's hot set: the updates
# the progress records put at 24220-24276 ms into it were the touches of
# block 2117, 43-56 ms into that block; block 2116 held none).
BLOCK=$(cat "$here/blocks.awk") || exit 1
# "WORKLOAD START_STEP END_STEP FROM TO" per workload of policy $1's run:
# the steps of its marks in the meter's per-step trace of RAM (ram.trace:
# a step is a mark or a tick, the block of step K the traffic since step
# K-1; without ticks, step K is mark K), and its span in the meter trace's
# blocks: FROM the first after its start mark, TO past the one its end
# mark closed.
run_spans()
{
	awk -v want="$1" "$BLOCK"'
	     FNR == NR { if ($1 == "mark" || $1 == "tick") step++
		if ($1 == "mark") { ms[$2] = $3; st[$2] = step; blk_mark($3) }
		next }
	     /^# real-run: / { pol = $3; sub(/:$/, "", pol) }
	     /^# meter-mark: / { k++; w = $3; sub(/-(start|end)$/, "", w)
		if (pol == want && $3 ~ /-start$/) a[w] = k
		if (pol == want && $3 ~ /-end$/ && (w in a))
			print w, st[a[w]], st[k], blk(ms[a[w]]), blk_b[k] + 1 }' \
		"$OUT/meter.txt" "$OUT/real.tap"
}
# linux_dram_mb W: the DRAM the guest held in the Linux run while W ran,
# in MiB: the mean size of its RAM frames' lists (OUT/gt.linux, below)
# from W's start mark to its end; none without them. Linux gave the guest
# less than hmmv's --dram: the test host's own pages held part of node 0's
# budget (97-125 MiB of 128 on average in the runs of 2026-12-06), and a model given
# all of it demoted less and served more from DRAM than Linux could.
linux_dram_mb()
{
	[ -s "$OUT/gt.linux" ] || return 0
	set -- $(run_spans linux | awk -v w="$1" '$1 == w { print $2, $3 }')
	[ $# -eq 2 ] || return 0
	awk -v a="$1" -v b="$2" 'function take() { if (seen && at >= a && at <= b) { s += h; n++ } }
		$1 == "@" { take(); at = $2; seen = 1 } $1 == "+" { h += $3 } $1 == "-" { h -= $3 }
		END { take(); if (n) printf "%d\n", s / n / 256 + 0.5 }' "$OUT/gt.linux"
}
# "WORKLOAD FROM TO": the spans in the meter trace's intervals alone.
run_windows()
{
	run_spans "$1" | cut -d' ' -f1,4,5
}
# Awk functions over a workload's phases ("# real-phase: W NAME OFFSET
# SECONDS" lines of the guest, after the run's "real-run" line; seconds
# since the workload's start mark, by the guest's clock at the mark; that
# clock ran up to 1% slower than the meter's, so where the guest gave its
# clock at both marks ("# meter-time: W-start|W-end SECONDS", gs and ge)
# the phases are scaled to the meter's time between the marks, t):
# phase_note(POL, W, MS, LEN_MS) records one; its start and end are W's
# phase boundaries in POL's run, in order. A program that brackets its
# phases with the meter's phase instruction (guest/progs/hotset.c) is
# timed by the meter instead: the J-th phase of a workload takes the
# J-th pair of "phase" records between its marks, where there is one
# (phase_metered(POL, W, MS, MS), in the meter's ms since the start mark,
# not scaled: the meter's trace showed a slow-first run's hot-set
# updates 0.4 s after the guest's scaled clock had them begin and 0.6 s
# after it had them end, a third of their 1.5 s).
# A program that marks points of its work with the meter's progress
# instruction (hotset: each 4 MiB it writes, each 1/32 of its updates)
# adds them as boundaries of the metered kind (phase_progress(POL, W, K),
# the "progress" records after mark K), where its phases are all metered
# and it made as many as in the slow-first run: the work in each run
# mapped piece by piece, not over a whole phase (the engine run's hot-set
# start took twice the slow-first run's time, unevenly).
# Two runs of W that timed the same phases pair boundary by boundary
# (phases_pair), and phase_map(X, P, Q, W, TP, TQ) takes X ms into P's run
# of W (TP ms long) to the same point of Q's (TQ ms): linear between
# paired boundaries, for work that went at its own pace in each part.
PHASES='
function phase_add(pol, w, x, metered) {
	if (bpn[pol, w] && x < bpt[pol, w, bpn[pol, w]]) x = bpt[pol, w, bpn[pol, w]]
	bpt[pol, w, ++bpn[pol, w]] = x
	bpm[pol, w, bpn[pol, w]] = metered
}
function phase_note(pol, w, x, len) { phase_add(pol, w, x, 0); phase_add(pol, w, x + len, 0) }
function phase_metered(pol, w, x, y) { phase_add(pol, w, x, 1); phase_add(pol, w, y, 1) }
function phases_pair(p, q, w) { return bpn[p, w] > 0 && bpn[p, w] == bpn[q, w] }
function phase_progress(pol, w, k,    i, j, n, m, x, ot, om) {
	m = gqn[k]
	if (!m)
		return
	if ((("slow-first", w) in gqc) && gqc["slow-first", w] != m)
		return
	for (i = 1; i <= bpn[pol, w]; i++)
		if (!bpm[pol, w, i])
			return
	gqc[pol, w] = m
	n = bpn[pol, w]
	for (i = 1; i <= n; i++) { ot[i] = bpt[pol, w, i]; om[i] = bpm[pol, w, i] }
	bpn[pol, w] = 0
	i = 1; j = 1
	while (i <= n || j <= m) {
		x = j <= m ? gq[k, j] - s0[pol, w] : 0
		if (i <= n && (j > m || ot[i] <= x)) { phase_add(pol, w, ot[i], om[i]); i++ }
		else { phase_add(pol, w, x, 1); j++ }
	}
}
function phase_k(pol, w) {
	if (!((pol, w) in gs) || !((pol, w) in ge) || ge[pol, w] <= gs[pol, w] || !((pol, w) in t))
		return 1
	return t[pol, w] / (ge[pol, w] - gs[pol, w])
}
function phase_time(pol,    m) { m = $3; sub(/-(start|end)$/, "", m)
	if ($3 ~ /-start$/) gs[pol, m] = 1000 * $4; else ge[pol, m] = 1000 * $4
}
function phase_at(pol, w, j, total) {
	if (j > bpn[pol, w])
		return total
	return bpm[pol, w, j] ? bpt[pol, w, j] : bpt[pol, w, j] * phase_k(pol, w)
}
function phase_map(x, p, q, w, tp, tq,    j, a0, a1, b0, b1) {
	if (!phases_pair(p, q, w))
		return tp > 0 ? x * tq / tp : 0
	a0 = 0; b0 = 0
	for (j = 1; j <= bpn[p, w] + 1; j++) {
		a1 = phase_at(p, w, j, tp); b1 = phase_at(q, w, j, tq)
		if (x < a1 || j > bpn[p, w])
			break
		a0 = a1; b0 = b1
	}
	return a1 > a0 ? b0 + (x - a0) * (b1 - b0) / (a1 - a0) : b0
}
'
# Awk rules over OUT/meter.txt and the TAP, with PHASES: each run's marks
# (s0[POL, W], W's start mark in the meter's ms; t[POL, W], its length)
# and phases; sf_step(X, POL, W) is the slow-first run's trace interval at
# the point X ms into POL's run of W (phase_map).
MARKS="$BLOCK$PHASES"'
function sf_step(x, pol, w) {
	return blk(s0["slow-first", w] + phase_map(x, pol, "slow-first", w, t[pol, w], t["slow-first", w]))
}
FILENAME ~ /meter.txt$/ { if ($1 == "mark") { ms[++nm] = $3; blk_mark($3) }
	if ($1 == "phase") pr[nm, ++prn[nm]] = $3
	if ($1 == "progress") gq[nm, ++gqn[nm]] = $3
	next }
/^# real-run: / { pol = $3; sub(/:$/, "", pol) }
/^# real-phase: / { pq = 2 * ++pj[pol, $3]
	if (prn[k] >= pq) phase_metered(pol, $3, pr[k, pq - 1] - s0[pol, $3], pr[k, pq] - s0[pol, $3])
	else phase_note(pol, $3, 1000 * $5, 1000 * $6) }
/^# meter-time: / { phase_time(pol) }
/^# meter-mark: / { k++; w = $3; sub(/-(start|end)$/, "", w)
	if ($3 ~ /-start$/) { s0[pol, w] = ms[k]; ks[pol, w] = k }
	else { t[pol, w] = ms[k] - s0[pol, w]; phase_progress(pol, w, ks[pol, w]) } }
'
# The gzipped, base64 file the TAP's "# real-$1 " lines carry, on stdout.
tap_file()
{
	sed -n "s/^# real-$1 //p" "$OUT/real.tap" | base64 -d | gzip -dc
}
# Decodes "# real-KIND: POLICY W" lines into OUT/PREFIX.POLICY.W.
guest_unions()
{
	local kind=$1 prefix=$2 p w
	sed -n "s/^# real-$kind: \([^ ]*\) \([^ ]*\) .*/\1 \2/p" "$OUT/real.tap" | uniq |
	while read -r p w; do
		tap_file "$kind: $p $w" >"$OUT/$prefix.$p.$w" ||
			{ echo "analyse: the guest's pages ($kind) of $p in $w do not decode" >&2; return 1; }
	done
}
# The engine's moves as one schedule per workload (OUT/sched.W, for
# hmmv sim --schedule over the slow-first run's meter trace of W): the
# chunks in DRAM when W started (the engine started with the lowest
# GUEST_DRAM_MB there), then each move at the meter interval of the
# slow-first run that corresponds to the time it was made in the engine
# run: when the engine's polled interval count reached the interval it
# took effect in, the moves of one interval one after another at the
# measured time a move takes ("# real-ivalclock: MS N"; in older output,
# the engine's intervals spread evenly over its run of W), on the meter's
# clock through the pairs of clocks the lists of guest frames give where
# the run has them (OUT/clk.hmmv-engine: the marks, which the others go
# by, reach scan_watch through the console about 0.4 s late), each part of W
# (before, between and after the phases it timed) mapped onto the same
# part of the slow-first run (phase_map).
schedules()
{
	awk -v dram=$((GUEST_DRAM_MB / 2)) -v nch=$((GUEST_PAGES / 512)) -v out="$OUT" \
	    -v mvms="$(awk -v n="${move:-0}" 'BEGIN { print n / 1e6 }')" "$MARKS"'
	     # The frames of hmmv (memory/frames.c): the lowest free one of the
	     # tier; a remap takes its destination before it frees its source.
	     function fr_low(t,    i) { for (i = 0; (t, i) in used; i++); used[t, i] = 1; return i }
	     function fr_move(c, t,    f) { f = fr_low(t); delete used[ft[c], fr[c]]; fr[c] = f; ft[c] = t }
	     FILENAME ~ /windows$/ { ma[$1] = $2; mb[$1] = $3; ws[++nw] = $1; next }
	     FILENAME ~ /moves$/ { if ($1 == "hmm-v" && $2 == "move") { n++; me[n] = $3 + 1; mc[n] = $4; mt[n] = $5 } next }
	     /^# real-ival: / && pol == "hmmv-engine" { m = $3; sub(/-(start|end)$/, "", m)
		if ($3 ~ /-start$/) ea[m] = $4; else eb[m] = $4 }
	     # The engine'"'"'s interval count as polled, and its marks, on one clock.
	     /^# real-ivalclock: / && pol == "hmmv-engine" { ck[++nck] = $3; cn[nck] = $4 }
	     FILENAME ~ /clk[.]hmmv-engine$/ { hb[++nhb] = $1; hm[nhb] = $2; next }
	     /^# real-clock: / && pol == "hmmv-engine" { m = $3; sub(/-(start|end)$/, "", m)
		if ($3 ~ /-start$/) k0[m] = $4; else k1[m] = $4 }
	     # When the count reached N: between the last poll below N and the
	     # first at or above it, in proportion.
	     function reached(v,    i) {
		for (i = 1; i <= nck && cn[i] < v; i++)
			;
		if (i > nck) return ck[nck]
		if (i == 1 || cn[i] == cn[i - 1]) return ck[i]
		return ck[i - 1] + (ck[i] - ck[i - 1]) * (v - cn[i - 1]) / (cn[i] - cn[i - 1])
	     }
	     # The test host'"'"'s time @x on the meter'"'"'s clock, by the pairs the
	     # lists of guest frames gave (in proportion between two, the
	     # nearest'"'"'s offset beyond them).
	     function host_to_meter(x,    j) {
		for (j = 1; j <= nhb && hb[j] < x; j++)
			;
		if (j == 1) return x + hm[1] - hb[1]
		if (j > nhb) return x + hm[nhb] - hb[nhb]
		if (hb[j] == hb[j - 1]) return x + hm[j] - hb[j]
		return hm[j - 1] + (hm[j] - hm[j - 1]) * (x - hb[j - 1]) / (hb[j] - hb[j - 1])
	     }
	     # Move I of W, in ms of the engine run of W: its interval'"'"'s end on
	     # the polled clock, the moves of one interval one after another
	     # at the measured time a move takes (the count stalls meanwhile);
	     # without the polls, its interval spread evenly over the run of W.
	     function move_at(i, w, te,    x) {
		if (!nck || !(w in k0) || !(w in k1) || k1[w] <= k0[w])
			return (me[i] - ea[w]) / (eb[w] - ea[w]) * te
		burst = i > 1 && me[i] == me[i - 1] ? burst + 1 : 0
		x = reached(me[i]) + burst * mvms
		# Through the lists'"'"' clock pairs where the run has them: the
		# marks reach scan_watch through the console, late.
		if (nhb && (("hmmv-engine", w) in s0))
			x = host_to_meter(x) - s0["hmmv-engine", w]
		else
			x = (x - k0[w]) / (k1[w] - k0[w]) * te
		return x < 0 ? 0 : x > te ? te : x
	     }
	     END {
		# The frames as the engine launched (dram-first, chunk order),
		# then as its moves left them at the start of each workload
		# (OUT/frames.W, hmmv sim --hmmv-frames).
		for (c = 0; c < nch; c++) fr_move(c, c < dram ? "dram" : "nvm")
		k = 1
		for (j = 1; j <= nw; j++) {
			w = ws[j]
			if (!(w in ea))
				continue
			for (; k <= n && me[k] <= ea[w]; k++) fr_move(mc[k], mt[k])
			for (c = 0; c < nch; c++) print c, ft[c], fr[c] > (out "/frames." w)
			close(out "/frames." w)
		}
		for (j = 1; j <= nw; j++) {
			w = ws[j]; f = out "/sched." w
			if (!(w in ea) || !(w in eb) || eb[w] <= ea[w] || !(("hmmv-engine", w) in t))
				continue
			split("", at)
			for (c = 0; c < dram; c++) at[c] = "dram"
			last = 1
			for (i = 1; i <= n && me[i] <= ea[w]; i++) at[mc[i]] = mt[i]
			for (c in at) if (at[c] == "dram") print 0, c, "dram" > f
			te = t["hmmv-engine", w]
			for (; i <= n && me[i] < eb[w]; i++) {
				st = sf_step(move_at(i, w, te), "hmmv-engine", w) - ma[w]
				if (st < last) st = last	# steps ascend, from 1
				last = st
				print st, mc[i], mt[i] > f
			}
			close(f)
		}
	}' "$OUT/meter.txt" "$OUT/xval.windows" "$OUT/engine.moves" "$OUT/real.tap" \
		$([ -s "$OUT/clk.hmmv-engine" ] && echo "$OUT/clk.hmmv-engine")
}

# The engine's own trace (out of the test host with the TAP), replayed
# by hmm-v, which repeats the engine's moves (hmmv_agree.sh): one "hmm-v
# move" line each on its stderr (OUT/engine.moves), for the schedules and
# the model's start below; --estimate writes the traffic the engine's
# observations imply (cross-validation, 2).
tap_file "trace:" >"$OUT/engine.trace" 2>/dev/null || true
if [ -s "$OUT/engine.trace" ]; then
	rm -f "$OUT/estimate.trace"
	"$HMMV" sim --trace "$OUT/engine.trace" --dram-mb $GUEST_DRAM_MB --policies hmm-v $budget \
		--estimate "$OUT/estimate.trace" --quiet 2>"$OUT/engine.moves" ||
		{ echo "analyse: hmmv sim --estimate failed:" >&2; cat "$OUT/engine.moves" >&2; exit 1; }
fi

# Each run's timeline of RAM frames ("# real-guesteps: POLICY", the lists
# of tests/bench/real.sh's snap_guest in order, each between two ticks of
# the meter) as OUT/gt.POLICY, a steps file (tools/evalreal/steps.h) over
# ram.trace's blocks: list K of all runs together was taken between ticks
# 2K-1 and 2K, and the step S of tick 2K-1 makes it the list begun before
# block S + 1. None when the lists and the ticks do not pair (older output
# has neither). In kmem runs, the NVDIMM's lists ("# real-guestepsnv:
# POLICY", each right after the RAM list of the same entry) as
# OUT/gtn.POLICY over the NVDIMM trace's 100 ms blocks (pages from the
# NVDIMM's start): list K begun at the time MS of tick 2K (the RAM
# list's end), before the block of MS (blk()).
guest_timelines()
{
	local p n k ticks
	rm -f "$OUT"/gt.* "$OUT"/gtn.* "$OUT"/clk.*
	n=0
	for p in $(sed -n 's/^# real-guesteps: \([^ ]*\) .*/\1/p' "$OUT/real.tap" | uniq); do
		tap_file "guesteps: $p" >"$OUT/gt.$p.log" ||
			{ echo "analyse: the timeline of $p does not decode" >&2; return 1; }
		# Where a list gives the test host's clock at its first tick
		# ("@ MS"), that time and the tick's on the meter's clock too:
		# OUT/clk.POLICY, "HOST_MS METER_MS" (schedules()).
		if ! awk -v off=$n -v clk="$OUT/clk.$p" 'FNR == NR { if ($1 == "mark" || $1 == "tick") step++
				if ($1 == "tick") { at[$2] = step; ms[$2] = $3 }
				next }
			$1 == "@" { k++; if (!((2 * (off + k)) in at)) exit 1; print "@", at[2 * (off + k) - 1] + 1
				if (NF == 2) print $2, ms[2 * (off + k) - 1] >clk
				next }
			{ print }' "$OUT/meter.txt" "$OUT/gt.$p.log" >"$OUT/gt.$p"; then
			echo "analyse: the timeline of $p has more lists than the meter has ticks: timelines left out" >&2
			rm -f "$OUT"/gt.* "$OUT"/gtn.* "$OUT"/clk.*
			return 0
		fi
		k=$(grep -c '^@' "$OUT/gt.$p.log")
		nv_timeline "$p" $n $k
		n=$((n + k))
		rm -f "$OUT/gt.$p.log"
	done
	ticks=$(awk '$1 == "tick"' "$OUT/meter.txt" | wc -l)
	if [ $((2 * n)) != "$ticks" ]; then
		[ "$n" = 0 ] || echo "analyse: $n lists of guest frames, $ticks meter ticks: timelines left out" >&2
		rm -f "$OUT"/gt.* "$OUT"/gtn.* "$OUT"/clk.*
	fi
}
# Policy $1's NVDIMM timeline (guest_timelines), its lists after the
# first $2 RAM lists of all runs; none unless they pair with its $3 RAM
# lists one to one.
nv_timeline()
{
	grep -q "^# real-guestepsnv: $1 " "$OUT/real.tap" && [ -s "$OUT/nvdimm.trace" ] || return 0
	tap_file "guestepsnv: $1" >"$OUT/gtn.$1.log" ||
		{ echo "analyse: the NVDIMM timeline of $1 does not decode" >&2; rm -f "$OUT/gtn.$1.log"; return 0; }
	if [ "$(grep -c '^@' "$OUT/gtn.$1.log")" = "$3" ]; then
		awk -v off=$2 -v first="$first" "$BLOCK"'
			FNR == NR { if ($1 == "tick") ms[$2] = $3; if ($1 == "mark") blk_mark($3); next }
			$1 == "@" { k++; print "@", blk(ms[2 * (off + k)]); next }
			{ print $1, $2 + first, $3 }' "$OUT/meter.txt" "$OUT/gtn.$1.log" >"$OUT/gtn.$1"
	else
		echo "analyse: the NVDIMM lists of $1 do not pair with its RAM lists: left out" >&2
	fi
	rm -f "$OUT/gtn.$1.log"
}
# The guest's first page in the NVDIMM trace (its devdax's offset).
nvbase=$(awk '$1 == "#" && $2 == "range" && $3 == "nvdimm" { print $4 }' "$OUT/meter.txt")
dax=$(sed -n 's/^# real-dax: \(0x[0-9a-f]*\) .*/\1/p' "$OUT/real.tap" | head -n1)
first=$(( (${dax:-0} - ${nvbase:-0}) / 4096 ))
# Before the cross-validation: its NUMA-balancing model takes the DRAM
# the Linux run's guest held (linux_dram_mb).
rm -f "$OUT"/gt.* "$OUT"/gtn.*
if [ -s "$OUT/ram.trace" ] && grep -q '^# real-guestfast: ' "$OUT/real.tap"; then
	guest_timelines || exit 1
fi

# The guest's own traffic in each run. The meter counts everything the
# test host does: its kernel's and the hmmv process's own accesses too,
# and, where the NVDIMM is a kmem node (the Linux run), the test host's own
# pages there. Every second each run listed the page frames that held the
# guest's RAM (tests/bench/real.sh), a union per workload: in RAM ("#
# real-guestfast: POLICY W"), whose traffic between the workload's marks
# the meter's per-step trace of RAM holds (ram.trace), and, in kmem runs,
# on the NVDIMM ("# real-guestpages: POLICY W", runs from the devdax's
# start), whose traffic is in the NVDIMM's trace. A devdax holds the
# guest's RAM alone: there all NVDIMM traffic is the guest's. RAM frames
# change hands during a workload (the page allocator hands out the frames
# freed last, the test host's short-lived processes' among them): with the
# run's timeline (guest_timelines), a frame's RAM traffic counts only in
# the steps next to a list that holds it (pagesum --steps;
# OUT/guest-steps.txt: "POLICY W FILLS WRITEBACKS BOTH_FILLS BOTH_WB", the
# last two of the frames held throughout each step, a lower bound);
# without one, on the workload's union. The traffic on the
# guest's frames is its own, the copies of its pages' migrations included
# (OUT/guest.txt: "POLICY WORKLOAD RAM_FILLS RAM_WRITEBACKS NV_FILLS
# NV_WRITEBACKS" in lines, NV "- -" where all of the NVDIMM's traffic is
# the guest's).
: >"$OUT/guest.txt"
: >"$OUT/guest-steps.txt"
rm -f "$OUT"/gp.* "$OUT"/gf.* "$OUT"/gj.* "$OUT"/gl.* "$OUT"/gc.*
if [ -s "$OUT/ram.trace" ] && grep -q '^# real-guestfast: ' "$OUT/real.tap"; then
	guest_unions guestfast gf || exit 1
	guest_unions guestpages gp || exit 1
	for p in $(sed -n 's/^# real-run: \([^:]*\): hmmv run.*/\1/p' "$OUT/real.tap"); do
		run_spans "$p" |
		while read -r w ms me a b; do
			[ -f "$OUT/gf.$p.$w" ] || continue
			if [ -f "$OUT/gt.$p" ]; then
				fast=$("$PAGESUM" --steps "$OUT/ram.trace" "$OUT/gt.$p" $((ms + 1)) $((me + 1))) ||
					{ echo "analyse: pagesum on the timeline of $p in $w failed" >&2; exit 1; }
				echo "$p $w $fast" >>"$OUT/guest-steps.txt"
				fast=$(echo $fast | cut -d' ' -f1,2)
			else
				fast=$("$PAGESUM" "$OUT/ram.trace" "$OUT/gf.$p.$w" $((ms + 1)) $((me + 1))) ||
					{ echo "analyse: pagesum on the guest's RAM frames of $p in $w failed" >&2; exit 1; }
			fi
			nv="- -"
			if [ -f "$OUT/gtn.$p" ]; then
				nv=$("$PAGESUM" --steps "$OUT/nvdimm.trace" "$OUT/gtn.$p" "$a" "$b") ||
					{ echo "analyse: pagesum on the NVDIMM timeline of $p in $w failed" >&2; exit 1; }
				nv=$(echo $nv | cut -d' ' -f1,2)
			elif [ -f "$OUT/gp.$p.$w" ]; then
				awk -v first="$first" '{ print $1 + first, $2 }' "$OUT/gp.$p.$w" >"$OUT/gp.$p.$w.trace-pages"
				nv=$("$PAGESUM" "$OUT/nvdimm.trace" "$OUT/gp.$p.$w.trace-pages" "$a" "$b") ||
					{ echo "analyse: pagesum on the guest's NVDIMM frames of $p in $w failed" >&2; exit 1; }
			fi
			echo "$p $w $fast $nv" >>"$OUT/guest.txt"
		done || exit 1
	done
fi

# What the meter's cache took in besides the guest: the test host's own
# fills (its kernel, the hmmv process; the engine's tracking faults make
# many) push the lines a move left in the cache out, and the guest's own
# lines too. host_mb P W: the MiB of fills run P made in W between its
# marks off the guest's frames (guest.txt); none without them. A replay
# is given its run's over the intervals it replays the workload in
# (--llc-other-mb), and the slow-first run's, whose trace it replays, per
# trace interval (--llc-trace-other-mb).
host_mb()
{
	awk -v p="$1" -v w="$2" '
	     FILENAME ~ /meter.txt$/ { if ($1 == "mark") for (i = 5; i + 2 <= NF; i += 3) rd[$2, $i] = $(i + 1); next }
	     FILENAME ~ /guest.txt$/ { if ($1 == p && $2 == w) { gr = $3; gn = $5 } next }
	     /^# real-run: / { pol = $3; sub(/:$/, "", pol) }
	     /^# meter-mark: / { k++; if (pol == p && $3 == w "-start") a = k; if (pol == p && $3 == w "-end") b = k }
	     END {
		if (!a || !b || gr == "")
			exit
		f = -64 * gr
		f += rd[b, "dram"] - rd[a, "dram"] + rd[b, "slow"] - rd[a, "slow"] + rd[b, "other"] - rd[a, "other"]
		if (gn != "-")
			f += rd[b, "nvdimm"] - rd[a, "nvdimm"] - 64 * gn
		printf "%.3f\n", (f > 0 ? f / 2^20 : 0)
	     }' "$OUT/meter.txt" "$OUT/guest.txt" "$OUT/real.tap"
}
# The intervals a replay of trace intervals $2..$3-1 makes under stretch
# $1 (FROM:TO:K,...; empty: none).
replay_ivals()
{
	echo "$1" | awk -v a="$2" -v b="$3" -F, '{
		n = b - a
		for (i = 1; i <= NF; i++) {
			split($i, r, ":")
			lo = r[1] > a ? r[1] : a; hi = r[2] < b ? r[2] : b
			if (hi > lo) n += (hi - lo) * (r[3] - 1)
		}
		print n
	}'
}
# --llc-other-mb and --llc-trace-other-mb of a replay of W (trace intervals
# $3..$4-1) predicting run $2 under stretch $5.
llc_other()
{
	local run sf n
	run=$(host_mb "$2" "$1") sf=$(host_mb slow-first "$1")
	n=$(replay_ivals "$5" "$3" "$4")
	awk -v r="$run" -v t="$sf" -v n="$n" -v m="$(($4 - $3))" 'BEGIN {
		if (r != "" && n > 0) printf "--llc-other-mb %.4f ", r / n
		if (t != "" && m > 0) printf "--llc-trace-other-mb %.4f", t / m
	}'
}

if [ -s "$OUT/nvdimm.trace" ]; then
	run_windows slow-first >"$OUT/xval.windows"
	span=$(awk 'NR == 1 { a = $2 } { b = $3 } END { if (NR) print a ":" b }' "$OUT/xval.windows")
	base=${span%%:*}
	[ -s "$OUT/engine.moves" ] && schedules
	# The policies' clocks are the host's: a workload's work took longer
	# under some policies (the engine's tracking faults are emulated), so
	# the policy had more intervals for it (as many as the engine counted,
	# where it ran late). Each replay gives the work the time it took in
	# the run it predicts (--trace-stretch): each part of a workload's
	# trace intervals (before, between and after the phases it timed,
	# PHASES) stretched by the ratio of that part's length in the two runs
	# (at least 1: the replay cannot run faster than the trace).
	stretch()
	{
		awk -v want="$1" -v timed="${2:-}" "$MARKS"'
		     function f(x, y) { return (y > 0 && x / y > 1) ? x / y : 1 }
		     function piece(a, b, k) { k *= cf; if (k < 1) k = 1
			if (b > a) printf "%s%d:%d:%.3f", (n++ ? "," : ""), a, b, k }
		     FILENAME ~ /windows$/ { w = $1; a = $2; b = $3
			if (!(("slow-first", w) in t) || !((want, w) in t)) next
			sf = t["slow-first", w]; tp = t[want, w]
			# An engine under emulation runs late: its own count of
			# intervals over the workload, where it gave one, over the
			# 100 ms intervals its wall time holds; unless the replay
			# is given the time its moves took (timed), the intervals
			# it lost (--move-ns).
			cf = !timed && ((want, w) in iv) && tp > 0 && iv[want, w] > 0 ? iv[want, w] / (tp / 100) : 1
			if (!phases_pair(want, "slow-first", w)) { piece(a, b, f(tp, sf)); next }
			c0 = a; e0 = 0; q0 = 0
			for (j = 1; j <= bpn[want, w] + 1; j++) {
				e1 = phase_at(want, w, j, tp); q1 = phase_at("slow-first", w, j, sf)
				c1 = j > bpn[want, w] ? b : blk(s0["slow-first", w] + q1)
				if (c1 > b) c1 = b
				# A part within one interval goes with the next.
				if (c1 > c0) { piece(c0, c1, f(e1 - e0, q1 - q0)); c0 = c1; e0 = e1; q0 = q1 }
			}
			next }
		     /^# real-ival: / { m = $3; sub(/-(start|end)$/, "", m)
			if ($3 ~ /-start$/) is[pol, m] = $4; else if ((pol, m) in is) iv[pol, m] = $4 - is[pol, m] }' \
			"$OUT/meter.txt" "$OUT/real.tap" "$OUT/xval.windows"
	}
	s_engine=$(stretch hmmv-engine "$move")
	s_linux=$(stretch linux)
	s_pages=$(stretch hmmv-pages)
	echo "hmm-v ${s_engine:-none}; numa-balancing ${s_linux:-none}; hmm-v-4k ${s_pages:-none}" >"$OUT/xval.stretch"
	# HMM-V's sampling sees touches, cache hits included: the meter's
	# touch trace of the same pages, where there is one (the fills alone
	# hide a workload whose hot pages stay in the LLC). Every replay that
	# moves pages takes it too: the lines the guest holds in the cache,
	# which a move leaves behind (tools/sim/resident.c).
	touch=
	[ -s "$OUT/nvdimm.touch" ] && touch=$OUT/nvdimm.touch
	# The hmm-v model predicts each workload from the chunks the engine
	# had in DRAM as it started (OUT/gh.W, from the schedule's start;
	# --hmmv-placement): what a replay from the first workload on decides
	# differently before a workload carries over into it, and a run
	# decides its later workloads by its own earlier ones (the engine's
	# placement at sqlite's start varied from run to run), and from what
	# the engine had learned by then (OUT/hs.W, --hmmv-state: the replay
	# of the engine's own trace, which repeats its decisions, stopped at
	# the engine's interval of the workload's start mark, "# real-ival:
	# W-start N", --hmmv-state-out): a model starting from nothing took
	# the guest kernel's text for cold and demoted it first.
	# The NUMA-balancing model predicts each workload from the state Linux
	# was really in as it started: where the guest's pages were ("#
	# real-placement: linux W", --nb-placement; the guest booted before the
	# metered span, and the pages its boot and the workloads before
	# allocated sit where the kernel put them, which a replay from the
	# first workload on does not know), and with the scans the kernel
	# made (below, --nb-scans): they came when the vCPU thread had run its
	# scan period of CPU time and covered what the cursor reached over all
	# of hmmv's mappings, which the trace does not hold. The replay starts
	# at the workload before (OUT/xval.warm), which only clears the arms
	# of the pages it touches (nb_warming()): a page touched since its
	# last scan is no longer armed, one left alone still is. From there
	# the model allocates, arms what the scans cover, promotes and demotes
	# on its own. Output without the scans (older runs) falls back to the
	# vCPU task's scan period, which doubled at the first promotion of
	# each pass over the VM's memory: the scan delay times 2^passes ("#
	# real-numa: W-start seq=N", mm->numa_scan_seq), over the workload
	# alone.
	guest_unions placement gw || exit 1
	# The scans of the Linux run ("STEP FIRST COUNT", --nb-scans), in the
	# trace intervals of the slow-first run from interval $1 on: the
	# ranges of guest pages the scanner made PROT_NONE ("# real-scan: MS
	# FIRST COUNT PTES", tests/system/scan_watch.c), each at the point of
	# the workload it came in (between its marks, "# real-clock: MARK MS";
	# one between workloads at the next one's start) mapped onto the
	# slow-first run (phase_map), as the engine's moves are. Fails when
	# the run has no such clock (older output).
	scans()
	{
		awk -v from="$1" "$MARKS"'
		     FILENAME ~ /windows$/ { ws[++nw] = $1; next }
		     pol != "linux" { next }
		     $2 == "real-clock:" { w = $3; sub(/-(start|end)$/, "", w)
			if ($3 ~ /-start$/) c0[w] = $4; else c1[w] = $4; clocks++ }
		     $2 == "real-scan:" { at[++n] = $3; pt[n] = $4 " " $5 }
		     END {
			if (!clocks) exit 1
			for (i = 1; i <= n; i++) {
				w = ""
				for (j = 1; j <= nw && w == ""; j++) {
					v = ws[j]
					if ((v in c0) && (v in c1) && at[i] <= c1[v] && (("linux", v) in t) && (("slow-first", v) in t))
						w = v
				}
				# Before the first workload: in the boot the trace
				# does not hold (its pages start armed long ago).
				if (w == "" || (w == ws[1] && at[i] < c0[w]))
					continue
				x = at[i] < c0[w] ? 0 : at[i] - c0[w]
				if (x > t["linux", w]) x = t["linux", w]
				st = sf_step(x, "linux", w) - from
				if (st >= 0) print st, pt[i]
			}
		}' "$OUT/meter.txt" "$OUT/xval.windows" "$OUT/real.tap"
	}
	# The DRAM Linux left the guest over workload $2 ("INTERVAL MIB",
	# --nb-dram), in the trace intervals of the slow-first run from
	# interval $1 on: what its RAM frames' lists held (OUT/gt.linux), the
	# last list before $2's start at interval 0, then each list of $2 at
	# the point of the workload its first tick came in, mapped onto the
	# slow-first run (phase_map) as the scans are. The test host's own
	# processes take and free node 0's pages meanwhile, and when they take
	# more kswapd demotes the guest's (run H of 2026-12-07: 6.2 MiB in one
	# second of sqlite, 17 pages promoted), which a model given the
	# workload's mean does not do. Fails without a timeline.
	budgets()
	{
		[ -s "$OUT/gt.linux" ] || return 1
		# Each step's time, ahead of MARKS' own rule for the meter.txt
		# lines, which ends with next.
		awk -v from="$1" -v want="$2" 'FILENAME ~ /meter.txt$/ && ($1 == "mark" || $1 == "tick") { sms[++nsm] = $3 }'"$MARKS"'
		     FILENAME ~ /gt[.]linux$/ {
			if ($1 == "@") { ls[++nl] = $2; lh[nl] = nl > 1 ? lh[nl - 1] : 0 }
			else if ($1 == "+") lh[nl] += $3
			else if ($1 == "-") lh[nl] -= $3
			next }
		     END {
			if (!nl || !(("linux", want) in t) || !(("slow-first", want) in t)) exit 1
			for (i = 1; i <= nl; i++) {
				x = sms[ls[i] - 1] - s0["linux", want]
				if (x < 0) { h0 = lh[i]; continue }
				if (x > t["linux", want]) break
				if (!started++) printf "0 %.3f\n", h0 / 256
				st = sf_step(x, "linux", want) - from
				printf "%d %.3f\n", st < 0 ? 0 : st, lh[i] / 256
			}
			if (!started) printf "0 %.3f\n", h0 / 256
		}' "$OUT/meter.txt" "$OUT/real.tap" "$OUT/gt.linux"
	}
	# OUT/hs.$1: the engine's learned state at workload $1's start mark.
	engine_state()
	{
		local n
		n=$(engine_ivals | awk -v w="$1" '$1 == w { print $2; exit }')
		[ -n "$n" ] && [ "$n" -gt 0 ] && [ -s "$OUT/engine.trace" ] || return 1
		"$HMMV" sim --trace "$OUT/engine.trace" --trace-intervals "0:$n" \
			--dram-mb $GUEST_DRAM_MB --policies hmm-v $budget --quiet \
			--hmmv-state-out "$OUT/hs.$1" 2>>"$OUT/xval.err"
	}
	# The window before each workload's, or its own for the first: the
	# NUMA model follows the scanner's arms over it (nb_warming()).
	awk '{ print $1, (NR > 1 ? pa : $2); pa = $2 }' "$OUT/xval.windows" >"$OUT/xval.warm"
	while read -r w a b; do
		for run in "all-slow,first-touch" "hmm-v $s_engine" "numa-balancing $s_linux" "hmm-v-4k $s_pages"; do
			set -- $run
			t= dmb= oth=
			bud="--vcpus $GUEST_VCPUS"
			case "$1" in
			hmm-v) oth=$(llc_other "$w" hmmv-engine "$a" "$b" "${2:-}") ;;
			numa-balancing) oth=$(llc_other "$w" linux "$a" "$b" "${2:-}") ;;
			hmm-v-4k) oth=$(llc_other "$w" hmmv-pages "$a" "$b" "${2:-}") ;;
			esac
			cut="--trace-intervals $span --measure $((a - base)):$((b - base))"
			from=
			case "$1" in
			hmm-v)
				t=$touch bud=$budget
				if [ -s "$OUT/sched.$w" ]; then
					awk '$1 == 0 && $3 == "dram" { print $2 * 512, 512, 0 }' \
						"$OUT/sched.$w" >"$OUT/gh.$w"
					cut="--trace-intervals $a:$b"
					from="--hmmv-placement $OUT/gh.$w"
					[ -s "$OUT/frames.$w" ] && from="$from --hmmv-frames $OUT/frames.$w"
					engine_state "$w" && from="$from --hmmv-state $OUT/hs.$w"
				fi
				;;
			hmm-v-4k) t=$touch bud=$budget ;;
			numa-balancing)
				t=$touch
				dmb=$(linux_dram_mb "$w")
				[ -z "$dmb" ] || echo "$w $dmb" >>"$OUT/xval.dram"
				if [ -s "$OUT/gw.linux.$w" ]; then
					seq=$(awk -v m="$w-start" '$2 == "real-numa:" && $3 == m { sub(/^seq=/, "", $4); print $4 }' "$OUT/real.tap")
					cut="--trace-intervals $a:$b"
					from="--nb-placement $OUT/gw.linux.$w"
					wa=$(awk -v w="$w" '$1 == w { print $2 }' "$OUT/xval.warm")
					if scans "${wa:-$a}" >"$OUT/gs.linux.$w"; then
						cut="--trace-intervals ${wa:-$a}:$b --measure $((a - ${wa:-$a})):$((b - ${wa:-$a}))"
						from="$from --nb-scans $OUT/gs.linux.$w"
					elif [ -n "$seq" ]; then
						from="$from --nb-scan-period-start-ms $(awk -v s="$seq" 'BEGIN { printf "%d", 1000 * 2 ^ (s > 20 ? 20 : s) }')"
					fi
					budgets "${wa:-$a}" "$w" >"$OUT/gd.linux.$w" 2>>"$OUT/xval.err" &&
						from="$from --nb-dram $OUT/gd.linux.$w"
				fi
				;;
			esac
			# The sampling models are random as the engine's sampling
			# is: their prediction is the mean over seeds. The engine
			# ran with --trace, which keeps dirty logging on throughout
			# (--hmmv-log-off 0).
			seeds=1
			case "$1" in hmm-v*) seeds=$XVAL_SEEDS ;; esac
			for sd in $seeds; do
				"$HMMV" sim --trace "$OUT/nvdimm.trace" --trace-pages "$first:$GUEST_PAGES" \
					$cut ${2:+--trace-stretch "$2"} ${t:+--touch-trace "$t"} $from \
					--dram-mb ${dmb:-$GUEST_DRAM_MB} --policies "$1" \
					$bud $cache $oth --seed "$sd" --hmmv-log-off 0 \
					$NB_KERNEL --quiet --label "$w" --csv "$OUT/xval.csv" 2>>"$OUT/xval.err" ||
					echo "analyse: hmmv sim $1 on the meter trace of $w failed (see $OUT/xval.err)" >&2
			done
		done
	done <"$OUT/xval.windows"
fi


# Cross-validation, 2: what the engine itself saw. Its --trace (out of the
# test host with the TAP) and its interval at each workload mark: hmm-v
# repeats the engine's moves and accounts the traffic its observations
# imply (--estimate writes that traffic out for the other policies). The
# replay samples as the engine did only with the engine's tracking budget:
# its refault cost and the guest's vCPUs.
if [ -s "$OUT/engine.trace" ]; then
	# The pages the engine copied again within workload $1 (written to
	# during their chunk's copy: recopied_pages at its marks), none where
	# the marks do not count them (older output).
	recopied()
	{
		awk -v w="$1" '/^# real-run: / { pol = $3; sub(/:$/, "", pol) }
			pol == "hmmv-engine" && /^# real-markstat: / {
				for (i = 4; i <= NF; i++) if ($i ~ /^recopied_pages=/) {
					v = $i; sub(/^[^=]*=/, "", v)
					if ($3 == w "-start") a = v; if ($3 == w "-end") b = v
				}
			}
			END { if (a != "" && b != "" && b + 0 >= a + 0) print b - a }' "$OUT/real.tap"
	}
	# The engine's moves replayed by the schedule policy over the
	# workload's metered traffic: a prediction of the engine run's slow
	# share that depends on the simulator's accounting alone, with the
	# pages the engine copied again.
	if [ -s "$OUT/xval.windows" ] && [ -s "$OUT/nvdimm.trace" ]; then
		while read -r w a b; do
			[ -s "$OUT/sched.$w" ] || continue
			rc=$(recopied "$w")
			fr=
			[ -s "$OUT/frames.$w" ] && fr=$OUT/frames.$w
			oth=$(llc_other "$w" hmmv-engine "$a" "$b" "")
			"$HMMV" sim --trace "$OUT/nvdimm.trace" --trace-pages "$first:$GUEST_PAGES" \
				--trace-intervals "$a:$b" --policies schedule --schedule "$OUT/sched.$w" \
				${fr:+--hmmv-frames "$fr"} \
				${touch:+--touch-trace "$touch"} ${rc:+--schedule-recopy-pages "$rc"} \
				--dram-mb $GUEST_DRAM_MB --vcpus $GUEST_VCPUS $cache $oth --quiet --label "$w" \
				--csv "$OUT/xval-sched.csv" 2>>"$OUT/xval.err" ||
				echo "analyse: hmmv sim --schedule $OUT/sched.$w failed (see $OUT/xval.err)" >&2
		done <"$OUT/xval.windows"
	fi
	engine_ivals | while read -r w a b; do
		"$HMMV" sim --trace "$OUT/engine.trace" --dram-mb $GUEST_DRAM_MB --policies hmm-v \
			$budget --measure "$a:$b" --quiet --label "$w" \
			--csv "$OUT/xval-obs.csv" 2>/dev/null
		"$HMMV" sim --trace "$OUT/estimate.trace" --dram-mb $GUEST_DRAM_MB \
			--policies numa-balancing --measure "$a:$b" $NB_KERNEL \
			--quiet --label "$w" --csv "$OUT/xval-obs.csv"
	done
fi

# Where the kernel places the guest (kmem runs), RAM frames change hands
# during a workload, and the per-workload union counts their other
# owners' traffic as the guest's: the page allocator hands out the frames
# freed last (the test host's short-lived processes' among them), so a
# frame that joined the guest may have been someone's hot frame until
# then, and one the kernel freed (a demotion) someone's hot frame after.
# Per workload W of such a run: the frames that joined (in W's union, not
# in the one before: OUT/gj.P.W) and that left (in W's, not in the next
# one: OUT/gl.P.W), their traffic in W together (OUT/gc.P.W), and each
# kind's traffic in the workload on its other side, when it was not the
# guest's (OUT/guest-changed.txt: "POLICY W JOINED LEFT FILLS WRITEBACKS
# PREV_FILLS PREV_WRITEBACKS NEXT_FILLS NEXT_WRITEBACKS", "-" where there
# is no workload on that side). Only for output without timelines, which
# split such frames' traffic themselves.
: >"$OUT/guest-changed.txt"
# The pages of $1 not in $2, and the pages of all files $3..., as runs.
runs_minus()
{
	awk 'FNR == NR { for (i = 0; i < $2; i++) old[$1 + i] = 1; next }
	     { for (i = 0; i < $2; i++) if (!(($1 + i) in old)) print $1 + i }' "$2" "$1" | runs_of
}
runs_union()
{
	awk '{ for (i = 0; i < $2; i++) print $1 + i }' "$@" | sort -n -u | runs_of
}
runs_of()
{
	awk '{ if (n && $1 == last + 1) cnt++; else { if (n) print st, cnt; st = $1; cnt = 1; n = 1 }
	       last = $1 }
	     END { if (n) print st, cnt }'
}
# Lines (fills and write-backs) on the frames of runs file $1 in block
# span $2 $3 of the RAM trace, or "- -" without the file.
ram_lines()
{
	if [ -f "$1" ]; then "$PAGESUM" "$OUT/ram.trace" "$1" $(($2 + 1)) $(($3 + 1)); else echo "- -"; fi
}
if [ -s "$OUT/ram.trace" ] && ! ls "$OUT"/gt.* >/dev/null 2>&1; then
	for p in $(sed -n 's/^# real-run: \([^:]*\): hmmv run.*/\1/p' "$OUT/real.tap"); do
		run_spans "$p" >"$OUT/gc.spans"
		i=0
		while read -r w ms me a b; do
			i=$((i + 1))
			[ -f "$OUT/gp.$p.$w" ] && [ -f "$OUT/gf.$p.$w" ] || continue
			pw=
			[ $i -gt 1 ] && pw=$(sed -n "$((i - 1))p" "$OUT/gc.spans")
			nw=$(sed -n "$((i + 1))p" "$OUT/gc.spans")
			if [ -n "$pw" ] && [ -f "$OUT/gf.$p.${pw%% *}" ]; then
				runs_minus "$OUT/gf.$p.$w" "$OUT/gf.$p.${pw%% *}" >"$OUT/gj.$p.$w"
			fi
			if [ -n "$nw" ] && [ -f "$OUT/gf.$p.${nw%% *}" ]; then
				runs_minus "$OUT/gf.$p.$w" "$OUT/gf.$p.${nw%% *}" >"$OUT/gl.$p.$w"
			fi
			[ -f "$OUT/gj.$p.$w" ] || [ -f "$OUT/gl.$p.$w" ] || continue
			runs_union $(ls "$OUT/gj.$p.$w" "$OUT/gl.$p.$w" 2>/dev/null) >"$OUT/gc.$p.$w"
			nj=-; nl=-
			[ -f "$OUT/gj.$p.$w" ] && nj=$(awk '{ n += $2 } END { print n + 0 }' "$OUT/gj.$p.$w")
			[ -f "$OUT/gl.$p.$w" ] && nl=$(awk '{ n += $2 } END { print n + 0 }' "$OUT/gl.$p.$w")
			set -- $pw; prev=$(ram_lines "$OUT/gj.$p.$w" "${2:-0}" "${3:-0}")
			set -- $nw; next=$(ram_lines "$OUT/gl.$p.$w" "${2:-0}" "${3:-0}")
			echo "$p $w $nj $nl $(ram_lines "$OUT/gc.$p.$w" "$ms" "$me") $prev $next" >>"$OUT/guest-changed.txt" ||
				exit 1
		done <"$OUT/gc.spans"
	done
	rm -f "$OUT/gc.spans"
fi

# The simulator's default model (tools/sim/model.c): latencies in ns,
# bandwidths in GB/s (= bytes/ns), work per memory transfer, misses in
# flight; the guest has one vCPU.
awk -v LAT_F=81 -v LAT_S=305 -v BWR_F=100 -v BWW_F=60 -v BWR_S=39.6 -v BWW_S=13.8 \
    -v CPU=20 -v MLP=2 -v VCPUS=1 -v csv="$OUT/results.csv" -v dat="$OUT/share.dat" \
    -v DRAM_MB=$GUEST_DRAM_MB '
FILENAME ~ /xval.dram$/ { held[$1] = $2; next }
FILENAME ~ /xval(-obs|-sched)?.csv$/ {
	split($0, f, ",")
	# slow_traffic_pct: accesses and migration copies, as the meter counts
	o = FILENAME ~ /-sched/ ? 1 : FILENAME ~ /-obs/ ? 2 : 0
	# Several rows of one replay (seeds): their mean, and their range.
	if (f[2] != "policy" && f[3] == "all") {
		sk = o SUBSEP f[1] SUBSEP f[2]
		if (!sn[sk] || f[10] < slo[sk]) slo[sk] = f[10]
		if (!sn[sk] || f[10] > shi[sk]) shi[sk] = f[10]
		sn[sk]++; ssum[sk] += f[10]; msum[sk] += f[7]
		simslow[sk] = ssum[sk] / sn[sk]; simmig[sk] = msum[sk] / sn[sk]
	}
	next
}
FILENAME ~ /guest.txt$/ {
	gf[$1, $2] = 64 * $3; gw[$1, $2] = 64 * $4
	if ($5 != "-") { gnf[$1, $2] = 64 * $5; gnw[$1, $2] = 64 * $6 }
	next
}
FILENAME ~ /guest-steps.txt$/ {
	gsm[$1, $2] = 64 * ($3 + $4); gsl[$1, $2] = 64 * ($5 + $6)
	next
}
FILENAME ~ /guest-changed.txt$/ {
	gcj[$1, $2] = $3; gcl[$1, $2] = $4; gcf[$1, $2] = 64 * $5; gcw[$1, $2] = 64 * $6
	gc[$1, $2] = 64 * ($5 + $6); gjp[$1, $2] = $7 == "-" ? "-" : 64 * ($7 + $8)
	gln[$1, $2] = $9 == "-" ? "-" : 64 * ($9 + $10)
	next
}
FILENAME ~ /meter.txt$/ {
	if ($1 == "mark")
		for (i = 5; i + 2 <= NF; i += 3) { rd[$2, $i] = $(i + 1); wb[$2, $i] = $(i + 2) }
	next
}
/^# real-run: / { pol = $3; sub(/:$/, "", pol); if (!(pol in seenp)) { seenp[pol] = 1; pols[++np] = pol } }
/^# meter-mark: / {
	k++; w = $3; sub(/-(start|end)$/, "", w)
	if ($3 ~ /-start$/) s[pol, w] = k; else e[pol, w] = k
	if (!(w in seenw)) { seenw[w] = 1; wls[++nw] = w }
}
/^# real-result: / && NF >= 5 { thr[pol, $3] = $4; unit[$3] = $5 }
/^# real-guestmoves: / { gmv[$3, $4] = 4096 * $5; gres[$3, $4] = 4096 * $6; gnv[$3, $4] = 4096 * $7 }
/^# real-hmmv: / {
	for (i = 4; i <= NF; i++) { split($i, kv, "="); hm[$3, kv[1]] = kv[2] }
}
# The moves so far at each mark: bytes the engine moved, pages the kernel did.
/^# real-markstat: / {
	m = $3; sub(/-(start|end)$/, "", m); se = $3 ~ /-start$/ ? "s" : "e"
	mv = 0
	for (i = 4; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] ~ /^(promoted|demoted)_bytes$/) mv += kv[2]
		if (pol == "linux" && kv[1] ~ /^(pgpromote_success|pgdemote_kswapd|pgdemote_direct)$/)
			mv += kv[2] * 4096
	}
	moved[pol, m, se] = mv
}
/^# real-vmstat: / {
	for (i = 4; i <= NF; i++) { split($i, kv, "="); vm[$3, kv[1]] = kv[2] }
}
function fills(a, b, r) { return rd[b, r] - rd[a, r] }
function wbs(a, b, r) { return wb[b, r] - wb[a, r] }
function model(rf, rs, wf, ws,    lines, t, occ) {
	lines = (rf + rs) / 64
	t = (lines * CPU + (rf / 64 * LAT_F + rs / 64 * LAT_S) / MLP) / VCPUS
	occ = rf / BWR_F + wf / BWW_F
	if (rs / BWR_S + ws / BWW_S > occ) occ = rs / BWR_S + ws / BWW_S
	return t > occ ? t : occ
}
END {
	print "workload,policy,throughput,unit,fast_bytes,slow_bytes,slow_share,slow_share_all,host_bytes,migrated_bytes,modelled_slowdown" > csv
	hdr = sprintf("%-8s %-12s %14s %-10s %9s %9s %6s %6s %9s %9s %9s", "workload", "policy",
		      "throughput", "unit", "fast MiB", "slow MiB", "slow%", "all%", "host MiB", "migr MiB", "slowdown")
	print hdr
	for (j = 1; j <= nw; j++) {
		w = wls[j]
		for (i = 1; i <= np; i++) {
			p = pols[i]
			if (!((p, w) in s) || !((p, w) in e)) continue
			a = s[p, w]; b = e[p, w]
			rf = fills(a, b, "dram") + fills(a, b, "slow") + fills(a, b, "other")
			wf = wbs(a, b, "dram") + wbs(a, b, "slow") + wbs(a, b, "other")
			rs = fills(a, b, "nvdimm"); ws = wbs(a, b, "nvdimm")
			tot = rf + wf + rs + ws
			shall[p, w] = tot > 0 ? (rs + ws) / tot : 0
			# The guest'"'"'s own traffic: on the frames its RAM was in
			# (guest.txt); all of the NVDIMM'"'"'s where that is a devdax.
			# Without the frames, all metered traffic stands for it.
			if ((p, w) in gf) {
				grf = gf[p, w]; gwf = gw[p, w]
				grs = ((p, w) in gnf) ? gnf[p, w] : rs
				gws = ((p, w) in gnw) ? gnw[p, w] : ws
				guest[p, w] = 1
			} else {
				grf = rf; gwf = wf; grs = rs; gws = ws
			}
			gtot = grf + gwf + grs + gws
			host = tot - gtot
			share = gtot > 0 ? (grs + gws) / gtot : 0
			# The bytes moved between the marks of the workload, both
			# directions: the moves of hmmv, the promotions and
			# demotions of the kernel (4 KiB pages, those of the test
			# host too); output without counts at the marks gives the
			# whole VM run.
			if (((p, w, "s") in moved) && ((p, w, "e") in moved))
				mig = moved[p, w, "e"] - moved[p, w, "s"]
			else {
				mig = ((p, "pgmigrate_success") in vm) ? vm[p, "pgmigrate_success"] * 4096 : 0
				if ((p, "promoted_bytes") in hm)
					mig = hm[p, "promoted_bytes"] + hm[p, "demoted_bytes"]
			}
			sd = model(grf, grs, gwf, gws) / model(grf + grs, 0, gwf + gws, 0)
			sdw[p, w] = sd
			slowb[p, w] = grs + gws
			hostb[p, w] = host
			printf "%-8s %-12s %14s %-10s %9.1f %9.1f %5.1f%% %5.1f%% %9.1f %9.1f %9.3f\n", w, p,
				thr[p, w] == "" ? "-" : thr[p, w], unit[w] == "" ? "-" : unit[w],
				(grf + gwf) / 2^20, (grs + gws) / 2^20, 100 * share, 100 * shall[p, w],
				host / 2^20, mig / 2^20, sd
			printf "%s,%s,%s,%s,%.0f,%.0f,%.4f,%.4f,%.0f,%.0f,%.4f\n", w, p, thr[p, w], unit[w],
				grf + gwf, grs + gws, share, shall[p, w], host, mig, sd >> csv
			sh[p, w] = share
			# The share with the RAM traffic of the frames held throughout
			# each step alone (timeline): an upper bound.
			if ((p, w) in gsl)
				shhi[p, w] = (grs + gws) / (grs + gws + gsl[p, w])
			# Without the RAM frames that changed hands during W.
			if ((p, w) in gc && gtot > gc[p, w]) {
				shx[p, w] = (grs + gws) / (gtot - gc[p, w])
				rf2 = grf - gcf[p, w]; wf2 = gwf - gcw[p, w]
				sdx[p, w] = model(rf2, grs, wf2, gws) / model(rf2 + grs, 0, wf2 + gws, 0)
			}
		}
	}
	# Plot data: a row per workload, a column pair (share, slowdown) per policy.
	printf "workload" > dat
	for (i = 1; i <= np; i++) printf " %s %s", pols[i], pols[i] > dat
	printf "\n" > dat
	for (j = 1; j <= nw; j++) {
		printf "%s", wls[j] > dat
		for (i = 1; i <= np; i++)
			printf " %.2f %.4f", 100 * sh[pols[i], wls[j]], sdw[pols[i], wls[j]] > dat
		printf "\n" > dat
	}
	print ""
	print "slow%: the guest'"'"'s slow-tier (NVDIMM) fills + write-backs over all of its own, between the workload'"'"'s marks"
	print "  (its own: the traffic on the page frames its RAM was in); all%: the same over all the meter counted"
	print "host MiB: the test host'"'"'s own traffic (its kernel, the hmmv process), left out of slow% and slowdown"
	print "slowdown: the simulator'"'"'s latency model on the guest'"'"'s metered traffic, over the same traffic from DRAM"
	for (j = 1; j <= nw; j++) {
		w = wls[j]
		if ((("hmmv-engine", w) in sdw) && (("linux", w) in sdw)) {
			printf "headline %s: Linux tiering / hmmv engine modelled slowdown = %.3f", w,
				sdw["linux", w] / sdw["hmmv-engine", w]
			if ((("linux", w) in sdx) && gc["linux", w] > 0)
				printf " (%.3f without the RAM frames that changed hands in Linux'"'"'s run of %s)", sdx["linux", w] / sdw["hmmv-engine", w], w
			if (w in held)
				printf " (Linux'"'"'s guest held %d MiB of DRAM, hmmv'"'"'s %d)", held[w], DRAM_MB
			printf "\n"
		}
		if ((("hmmv-pages", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: Linux tiering / hmmv engine in page mode (the same kmem node) modelled slowdown = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-pages", w]
		else if ((("hmmv-static", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: no hmmv-engine run (engine not merged); Linux tiering / hmmv static = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-static", w]
	}
	# Cross-validation, per workload between its marks: the simulator
	# against the slow share the meter measured for the guest'"'"'s own
	# traffic (what the simulator models), and, for reference, against the
	# share of all the meter counted (the test host'"'"'s own traffic, not
	# modelled, included).
	xv["hmm-v"] = "hmmv-engine"; xv["numa-balancing"] = "linux"; xv["all-slow"] = "slow-first"
	xv["hmm-v-4k"] = "hmmv-pages"; xv["schedule"] = "hmmv-engine"
	xo[1] = "hmm-v"; xo[2] = "numa-balancing"; xo[3] = "all-slow"; xo[4] = "hmm-v-4k"; xo[5] = "schedule"
	src[0] = "the workload traffic (meter trace)"
	src[1] = "the workload traffic with the moves of the engine run (--schedule)"
	src[2] = "the engine observations (estimate; a biased sample, not a prediction)"
	for (o = 0; o <= 2; o++)
	for (j = 1; j <= nw; j++)
		for (k = 1; k <= 5; k++) {
			w = wls[j]; sp = xo[k]; p = xv[sp]
			if (!((o, w, sp) in simslow) || !((p, w) in sh)) continue
			err = simslow[o, w, sp] - 100 * sh[p, w]
			printf "xval %s: sim %s on %s predicts %.1f%% slow; metered %s %.1f%% of the guest'"'"'s traffic%s: %+.1f points (%.1f%% of all: %+.1f)",
				w, sp, src[o], simslow[o, w, sp], p, 100 * sh[p, w],
				((p, w) in guest) ? "" : " (all: no frames)", err,
				100 * shall[p, w], simslow[o, w, sp] - 100 * shall[p, w]
			mv = ((p, w, "s") in moved) && ((p, w, "e") in moved) ? moved[p, w, "e"] - moved[p, w, "s"] : 0
			# Linux: the guest'"'"'s pages it moved (the kernel'"'"'s counters
			# count the test host'"'"'s own pages too).
			if ((p, w) in gmv)
				mv = gmv[p, w]
			# Within the 5-point mark: the models and the moves of the engine
			# (all-slow is a calibration, the estimate a diagnostic).
			if (o < 2 && sp != "all-slow") {
				nx++; ax += err < 0 ? -err : err; in5 += err <= 5 && err >= -5
			}
			if (sn[o, w, sp] > 1)
				printf " (mean of %d seeds, %.1f-%.1f%%)", sn[o, w, sp], slo[o, w, sp], shi[o, w, sp]
			if (sp != "all-slow" && mv > 0)
				printf " (moved %.1f MiB; the run %.1f MiB)", simmig[o, w, sp], mv / 2^20
			if (o < 2 && ((p, w) in shhi) && shhi[p, w] - sh[p, w] >= 0.0005)
				printf " (without the RAM frames that joined or left within a step: %.1f%%)", 100 * shhi[p, w]
			if (o < 2 && ((p, w) in shx) && gc[p, w] > 0)
				printf " (without the RAM frames that changed hands during %s: %.1f%%, %+.1f)",
					w, 100 * shx[p, w], simslow[o, w, sp] - 100 * shx[p, w]
			printf "\n"
		}
	if (nx)
		printf "xval summary (meter trace; the hmm-v and NUMA-balancing models and the engine'"'"'s moves), over the guest'"'"'s traffic: %d of %d within 5 points, mean |error| %.1f points\n",
			in5, nx, ax / nx
	for (j = 1; j <= nw; j++) {
		w = wls[j]
		for (i = 1; i <= np; i++) {
			p = pols[i]
			if (!((p, w) in gmv) && !((p, w) in gres))
				continue
			printf "%s, %s: the guest'"'"'s frames took %.1f MiB on the NVDIMM, the test host'"'"'s own traffic %.1f MiB (left out above)",
				p, w, slowb[p, w] / 2^20, hostb[p, w] / 2^20
			if ((p, w) in gmv)
				printf "; %.1f MiB of the guest'"'"'s pages moved to or from the NVDIMM, %.1f MiB of pages in all",
					gmv[p, w] / 2^20, (moved[p, w, "e"] - moved[p, w, "s"]) / 2^20
			if ((p, w) in gres)
				printf "; at the end %.1f MiB of the guest resident, %.1f MiB of it in RAM",
					gres[p, w] / 2^20, (gres[p, w] - gnv[p, w]) / 2^20
			if ((p, w) in gc) {
				printf "; RAM frames that changed hands during %s: %s joined, %s left, with %.1f MiB of the guest'"'"'s RAM traffic",
					w, gcj[p, w], gcl[p, w], gc[p, w] / 2^20
				if (gjp[p, w] != "-")
					printf " (the joined ones had %.1f MiB in the workload before", gjp[p, w] / 2^20
				if (gln[p, w] != "-")
					printf "%sthe left ones %.1f MiB in the one after", gjp[p, w] != "-" ? ", " : " (", gln[p, w] / 2^20
				if (gjp[p, w] != "-" || gln[p, w] != "-")
					printf ", when not the guest'"'"'s)"
			}
			printf "\n"
		}
	}
	# The timelines: RAM traffic of frames that changed hands within a step.
	for (j = 1; j <= nw; j++)
		for (i = 1; i <= np; i++) {
			p = pols[i]; w = wls[j]
			if ((p, w) in gsm)
				printf "timeline %s, %s: the guest'"'"'s RAM traffic %.1f MiB, %.1f MiB of it on frames it held throughout a step\n",
					p, w, gsm[p, w] / 2^20, gsl[p, w] / 2^20
		}
	# Copies beyond the engine moves: pages written during a
	# write-protected copy are copied again (copy rounds).
	for (i = 1; i <= np; i++)
		if ((pols[i], "recopied_pages") in hm)
			printf "%s: %d copy rounds, %d pages copied again (%.1f MiB besides the moves)\n", pols[i],
				hm[pols[i], "precopy_rounds"], hm[pols[i], "recopied_pages"],
				hm[pols[i], "recopied_pages"] * 4096 / 2^20
	for (i = 1; i <= np; i++)
		if (pols[i] == "linux")
			printf "linux tiering: %d pages promoted, %d demoted (kswapd %d, direct %d), %d NUMA hint faults, %d PTEs made PROT_NONE by the scanner\n",
				vm["linux", "pgpromote_success"], vm["linux", "pgdemote_kswapd"] + vm["linux", "pgdemote_direct"],
				vm["linux", "pgdemote_kswapd"], vm["linux", "pgdemote_direct"], vm["linux", "numa_hint_faults"],
				vm["linux", "numa_pte_updates"]
}' "$OUT/xval.dram" "$OUT/xval.csv" "$OUT/xval-sched.csv" "$OUT/xval-obs.csv" "$OUT/guest.txt" "$OUT/guest-steps.txt" \
	"$OUT/guest-changed.txt" "$OUT/meter.txt" \
	"$OUT/real.tap" >"$OUT/table.txt"
[ -s "$OUT/xval.stretch" ] &&
	echo "xval pace (--trace-stretch FROM:TO:K over the meter trace): $(cat "$OUT/xval.stretch")" >>"$OUT/table.txt"
[ -s "$OUT/xval.dram" ] &&
	echo "linux: the guest held $(awk '{ printf "%s%s %d MiB", (NR > 1 ? ", " : ""), $1, $2 }' "$OUT/xval.dram") of RAM (the mean between the marks; hmmv's runs $GUEST_DRAM_MB MiB), the DRAM its NUMA-balancing model replays each with" >>"$OUT/table.txt"
# Migrations of the Linux run that were neither promotions nor demotions
# (compaction on demand: the runs turn only proactive compaction off),
# per workload: their copies are in its metered traffic, and no tiering
# model holds them (run S of 2026-12-07: 2701 pages in redis, where the
# guest's traffic came to 101.9 MiB against 68.5-82.3 in seven other runs).
awk '/^# real-run: / { pol = $3; sub(/:$/, "", pol) }
     pol == "linux" && /^# real-markstat: / {
	w = $3; sub(/-(start|end)$/, "", w)
	for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	n = v["pgmigrate_success"] - v["pgpromote_success"] - v["pgdemote_kswapd"] - v["pgdemote_direct"]
	if ($3 ~ /-start$/) { m0[w] = n; c0[w] = v["compact_isolated"] }
	else if (w in m0 && n > m0[w])
		printf "linux, %s: the kernel migrated %d pages that it neither promoted nor demoted (compaction isolated %d): their copies are in the metered traffic, in no model\n",
			w, n - m0[w], v["compact_isolated"] - c0[w] }' "$OUT/real.tap" >>"$OUT/table.txt"
np=$(head -n1 "$OUT/share.dat" | awk '{ print (NF - 1) / 2 }')
gnuplot -e "dat='$OUT/share.dat'; out='$OUT/share.png'; np=$np" "$here/plot.gp" 2>"$OUT/plot.err" ||
	{ echo "analyse: gnuplot failed:" >&2; cat "$OUT/plot.err" >&2; exit 1; }
