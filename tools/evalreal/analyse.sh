#!/bin/sh
# Turns make eval-real's raw output (OUT/real.tap from tests/bench/real.sh,
# OUT/meter.txt and OUT/nvdimm.trace from the meter) into OUT/results.csv,
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
# the guest's memory traffic. hmmv sim replays that run's part (from its
# first workload's start to its last one's end, so that placement carries
# over from one workload to the next as in the real runs) with the runs'
# DRAM budget, measuring each workload between its marks: its hmm-v and
# NUMA-balancing models predict the slow share the hmmv-engine and Linux
# runs metered.
: >"$OUT/xval.csv"
: >"$OUT/xval-obs.csv"
: >"$OUT/xval-sched.csv"
rm -f "$OUT"/sched.*
: >"$OUT/xval.err"
rm -f "$OUT/xval.stretch"
GUEST_PAGES=131072	# tests/bench/real.sh's 512 MiB guest
GUEST_DRAM_MB=128	# ... and its DRAM tier (--dram 128M)
GUEST_VCPUS=1		# ... and its one vCPU (the engine's tracking budget is per vCPU)
# The test host's Linux runs NUMA balancing with the kernel's defaults
# (tests/bench/real.sh sets only numa_balancing=2 and demotion): its model
# is checked with those, not with make eval's stronger tuning; and the
# guest is freshly booted, so Linux places each page where it allocates it
# at its first touch (--nb-alloc-touch); the VM is one task with one vCPU
# thread, whose scan period the kernel stretches pass after pass
# (--nb-scan-adapt: in the sqlite window of a Linux run the scanner armed
# 51 pages in 19.5 s).
NB_KERNEL="--nb-scan-period-ms 1000 --nb-hot-threshold-ms 1000 --nb-wmark-scale 10 --nb-rate-limit-mbps 65536 --nb-alloc-touch --nb-scan-adapt"
# The engine budgeted its tracking at the refault cost the test host
# measured (tests/bench/real.sh prints what it passed) for its one vCPU;
# its replays take the same (the other models the vCPUs alone).
fault=$(sed -n 's/^# real-refault-ns: \([0-9][0-9]*\)$/\1/p' "$OUT/real.tap" | head -n1)
budget="--vcpus $GUEST_VCPUS ${fault:+--fault-ns $fault}"
# "WORKLOAD FROM TO" per workload of policy $1's run, in the meter trace's
# intervals (100 ms of host time), TO past the end mark's.
run_windows()
{
	awk -v want="$1" 'FNR == NR { if ($1 == "mark") ms[$2] = $3; next }
	     /^# real-run: / { pol = $3; sub(/:$/, "", pol) }
	     /^# meter-mark: / { k++; w = $3; sub(/-(start|end)$/, "", w)
		if (pol == want && $3 ~ /-start$/) a[w] = int(ms[k] / 100)
		if (pol == want && $3 ~ /-end$/) print w, a[w], int(ms[k] / 100) + 1 }' \
		"$OUT/meter.txt" "$OUT/real.tap"
}

if [ -s "$OUT/nvdimm.trace" ]; then
	nvbase=$(awk '$1 == "#" && $2 == "range" && $3 == "nvdimm" { print $4 }' "$OUT/meter.txt")
	dax=$(sed -n 's/^# real-dax: \(0x[0-9a-f]*\) .*/\1/p' "$OUT/real.tap" | head -n1)
	first=$(( (${dax:-0} - ${nvbase:-0}) / 4096 ))
	run_windows slow-first >"$OUT/xval.windows"
	span=$(awk 'NR == 1 { a = $2 } { b = $3 } END { if (NR) print a ":" b }' "$OUT/xval.windows")
	base=${span%%:*}
	# The policies' clocks are the host's: a workload's work took longer
	# under some policies (the engine's tracking faults are emulated), so
	# the policy had more intervals for it (as many as the engine counted,
	# where it ran late). Each replay gives the work the
	# time it took in the run it predicts (--trace-stretch): a workload's
	# trace intervals stretched by that run's window over slow-first's, or,
	# for a workload that times a phase of its own ("real-phase: W NAME
	# OFFSET SECONDS"), the phase and the rest each by their own ratio (at
	# least 1: the replay cannot run faster than the trace).
	stretch()
	{
		awk -v want="$1" 'function f(x, y) { return (y > 0 && x / y > 1) ? x / y : 1 }
		     function piece(a, b, k) { k *= cf; if (k < 1) k = 1
			if (b > a) printf "%s%d:%d:%.3f", (n++ ? "," : ""), a, b, k }
		     FNR == NR { if ($1 == "mark") ms[$2] = $3; next }
		     FILENAME ~ /windows$/ { w = $1; a = $2; b = $3
			if (!(("slow-first", w) in t) || !((want, w) in t)) next
			sf = t["slow-first", w]; tp = t[want, w]
			ps = ph["slow-first", w]; pp = ph[want, w]
			# An engine under emulation runs late: its own count of
			# intervals over the workload, where it gave one, over the
			# 100 ms intervals its wall time holds.
			cf = ((want, w) in iv) && tp > 0 && iv[want, w] > 0 ? iv[want, w] / (tp / 100) : 1
			c = int((s0["slow-first", w] + 1000 * po["slow-first", w]) / 100)
			d = c + int(10 * ps + 0.999)
			if (((want, w) in ph) && ps > 0 && c > a && d < b) {
				k = f(tp - 1000 * pp, sf - 1000 * ps)
				piece(a, c, k); piece(c, d, f(pp, ps)); piece(d, b, k)
			} else {
				piece(a, b, f(tp, sf))
			}
			next }
		     /^# real-run: / { pol = $3; sub(/:$/, "", pol) }
		     /^# real-phase: / { po[pol, $3] = $5; ph[pol, $3] = $6 }
		     /^# real-ival: / { m = $3; sub(/-(start|end)$/, "", m)
			if ($3 ~ /-start$/) is[pol, m] = $4; else if ((pol, m) in is) iv[pol, m] = $4 - is[pol, m] }
		     /^# meter-mark: / { k++; w = $3; sub(/-(start|end)$/, "", w)
			if ($3 ~ /-start$/) s0[pol, w] = ms[k]
			else t[pol, w] = ms[k] - s0[pol, w] }' \
			"$OUT/meter.txt" "$OUT/real.tap" "$OUT/xval.windows"
	}
	s_engine=$(stretch hmmv-engine)
	s_linux=$(stretch linux)
	s_pages=$(stretch hmmv-pages)
	echo "hmm-v ${s_engine:-none}; numa-balancing ${s_linux:-none}; hmm-v-4k ${s_pages:-none}" >"$OUT/xval.stretch"
	# HMM-V's sampling sees touches, cache hits included: the meter's
	# touch trace of the same pages, where there is one (the fills alone
	# hide a workload whose hot pages stay in the LLC).
	touch=
	[ -s "$OUT/nvdimm.touch" ] && touch=$OUT/nvdimm.touch
	while read -r w a b; do
		for run in "all-slow,first-touch" "hmm-v $s_engine" "numa-balancing $s_linux" "hmm-v-4k $s_pages"; do
			set -- $run
			t=
			bud="--vcpus $GUEST_VCPUS"
			case "$1" in hmm-v*) t=$touch bud=$budget ;; esac
			"$HMMV" sim --trace "$OUT/nvdimm.trace" --trace-pages "$first:$GUEST_PAGES" \
				--trace-intervals "$span" --measure "$((a - base)):$((b - base))" \
				${2:+--trace-stretch "$2"} ${t:+--touch-trace "$t"} --dram-mb $GUEST_DRAM_MB --policies "$1" \
				$bud \
				$NB_KERNEL --quiet --label "$w" --csv "$OUT/xval.csv" 2>>"$OUT/xval.err" ||
				echo "analyse: hmmv sim $1 on the meter trace of $w failed (see $OUT/xval.err)" >&2
		done
	done <"$OUT/xval.windows"
fi

# The engine's moves as one schedule per workload (OUT/sched.W, for
# hmmv sim --schedule over the slow-first run's meter trace of W): the
# chunks in DRAM when W started (the engine started with the lowest
# GUEST_DRAM_MB there), then each move at the meter interval of the
# slow-first run that corresponds to the engine interval it took effect
# in. The engine ran W slower, the more so in a phase W timed
# ("real-phase"): the engine's intervals are spread evenly over its run
# of W, and each part of W (before, during, after the phase) is mapped
# onto the same part of the slow-first run.
schedules()
{
	awk -v dram=$((GUEST_DRAM_MB / 2)) -v out="$OUT" '
	     function fit(t, a0, a1, b0, b1) { return a1 > a0 ? b0 + (t - a0) * (b1 - b0) / (a1 - a0) : b0 }
	     FILENAME ~ /meter.txt$/ { if ($1 == "mark") ms[$2] = $3; next }
	     FILENAME ~ /windows$/ { ma[$1] = $2; mb[$1] = $3; ws[++nw] = $1; next }
	     FILENAME ~ /moves$/ { if ($1 == "hmm-v" && $2 == "move") { n++; me[n] = $3 + 1; mc[n] = $4; mt[n] = $5 } next }
	     /^# real-run: / { pol = $3; sub(/:$/, "", pol) }
	     /^# real-phase: / { po[pol, $3] = 1000 * $5; pl[pol, $3] = 1000 * $6 }
	     /^# real-ival: / && pol == "hmmv-engine" { m = $3; sub(/-(start|end)$/, "", m)
		if ($3 ~ /-start$/) ea[m] = $4; else eb[m] = $4 }
	     /^# meter-mark: / { k++; w = $3; sub(/-(start|end)$/, "", w)
		if ($3 ~ /-start$/) s0[pol, w] = ms[k]; else t[pol, w] = ms[k] - s0[pol, w] }
	     END {
		for (j = 1; j <= nw; j++) {
			w = ws[j]; f = out "/sched." w
			if (!(w in ea) || !(w in eb) || eb[w] <= ea[w] || !(("hmmv-engine", w) in t))
				continue
			split("", at)
			for (c = 0; c < dram; c++) at[c] = "dram"
			last = 1
			for (i = 1; i <= n && me[i] <= ea[w]; i++) at[mc[i]] = mt[i]
			for (c in at) if (at[c] == "dram") print 0, c, "dram" > f
			te = t["hmmv-engine", w]; ts = t["slow-first", w]
			pe = po["hmmv-engine", w]; le = pl["hmmv-engine", w]
			ps = po["slow-first", w]; ls = pl["slow-first", w]
			for (; i <= n && me[i] < eb[w]; i++) {
				x = (me[i] - ea[w]) / (eb[w] - ea[w]) * te
				if (le > 0 && ls > 0 && x >= pe + le) y = fit(x, pe + le, te, ps + ls, ts)
				else if (le > 0 && ls > 0 && x >= pe) y = fit(x, pe, pe + le, ps, ps + ls)
				else if (le > 0 && ls > 0) y = fit(x, 0, pe, 0, ps)
				else y = fit(x, 0, te, 0, ts)
				st = int((s0["slow-first", w] + y) / 100) - ma[w]
				if (st < last) st = last	# steps ascend, from 1
				last = st
				print st, mc[i], mt[i] > f
			}
			close(f)
		}
	}' "$OUT/meter.txt" "$OUT/xval.windows" "$OUT/engine.moves" "$OUT/real.tap"
}

# Cross-validation, 2: what the engine itself saw. Its --trace (out of the
# test host with the TAP) and its interval at each workload mark: hmm-v
# repeats the engine's moves and accounts the traffic its observations
# imply (--estimate writes that traffic out for the other policies). The
# replay samples as the engine did only with the engine's tracking budget:
# its refault cost and the guest's vCPUs.
sed -n 's/^# real-trace: //p' "$OUT/real.tap" | base64 -d 2>/dev/null |
	gzip -dc >"$OUT/engine.trace" 2>/dev/null || true
if [ -s "$OUT/engine.trace" ]; then
	rm -f "$OUT/estimate.trace"
	# Its stderr: the engine's moves, which hmm-v repeats (hmmv_agree.sh),
	# one "hmm-v move" line each, for the schedules below.
	"$HMMV" sim --trace "$OUT/engine.trace" --dram-mb $GUEST_DRAM_MB --policies hmm-v $budget \
		--estimate "$OUT/estimate.trace" --quiet 2>"$OUT/engine.moves" ||
		{ echo "analyse: hmmv sim --estimate failed:" >&2; cat "$OUT/engine.moves" >&2; exit 1; }
	# The engine's moves replayed by the schedule policy over the
	# workload's metered traffic: a prediction of the engine run's slow
	# share that depends on the simulator's accounting alone.
	if [ -s "$OUT/xval.windows" ] && [ -s "$OUT/nvdimm.trace" ]; then
		schedules
		while read -r w a b; do
			[ -s "$OUT/sched.$w" ] || continue
			"$HMMV" sim --trace "$OUT/nvdimm.trace" --trace-pages "$first:$GUEST_PAGES" \
				--trace-intervals "$a:$b" --policies schedule --schedule "$OUT/sched.$w" \
				--dram-mb $GUEST_DRAM_MB --vcpus $GUEST_VCPUS --quiet --label "$w" \
				--csv "$OUT/xval-sched.csv" 2>>"$OUT/xval.err" ||
				echo "analyse: hmmv sim --schedule $OUT/sched.$w failed (see $OUT/xval.err)" >&2
		done <"$OUT/xval.windows"
	fi
	awk '/^# real-run: / { pol = $3 } /^# real-ival: / && pol == "hmmv-engine:" { print $3, $4 }' \
		"$OUT/real.tap" | sed 's/-\(start\|end\) / \1 /' |
		awk '$2 == "start" { s[$1] = $3 } $2 == "end" && ($1 in s) && $3 > s[$1] { print $1, s[$1], $3 }' |
		while read -r w a b; do
			"$HMMV" sim --trace "$OUT/engine.trace" --dram-mb $GUEST_DRAM_MB --policies hmm-v \
				$budget --measure "$a:$b" --quiet --label "$w" \
				--csv "$OUT/xval-obs.csv" 2>/dev/null
			"$HMMV" sim --trace "$OUT/estimate.trace" --dram-mb $GUEST_DRAM_MB \
				--policies numa-balancing --measure "$a:$b" $NB_KERNEL \
				--quiet --label "$w" --csv "$OUT/xval-obs.csv"
		done
fi
# The guest's own NVDIMM traffic in the Linux run. The NVDIMM is a kmem
# node there, so the test host's own pages (its kernel's, the hmmv
# process's) can live on it too, and the meter counts their traffic. Every
# second the test host listed the page frames there holding the guest's
# pages ("# real-guestpages: W", their union between W's marks, runs from
# the devdax's start); the trace's traffic on those frames between the
# marks is the guest's, its migrations' copies included (OUT/guestslow.txt:
# "WORKLOAD FILLS WRITEBACKS", in lines).
: >"$OUT/guestslow.txt"
rm -f "$OUT"/gp.*
if [ -s "$OUT/nvdimm.trace" ] && grep -q '^# real-guestpages: ' "$OUT/real.tap"; then
	for w in $(sed -n 's/^# real-guestpages: \([^ ]*\) .*/\1/p' "$OUT/real.tap" | uniq); do
		sed -n "s/^# real-guestpages: $w //p" "$OUT/real.tap" | base64 -d | gzip -dc >"$OUT/gp.$w" ||
			{ echo "analyse: the guest's pages in $w do not decode" >&2; exit 1; }
	done
	run_windows linux |
	while read -r w a b; do
		[ -f "$OUT/gp.$w" ] || continue
		awk -v first="$first" '{ print $1 + first, $2 }' "$OUT/gp.$w" >"$OUT/gp.$w.trace-pages"
		sum=$("$PAGESUM" "$OUT/nvdimm.trace" "$OUT/gp.$w.trace-pages" "$a" "$b") ||
			{ echo "analyse: pagesum on the guest's pages of $w failed" >&2; exit 1; }
		echo "$w $sum" >>"$OUT/guestslow.txt"
	done
fi

# The simulator's default model (tools/sim/model.c): latencies in ns,
# bandwidths in GB/s (= bytes/ns), work per memory transfer, misses in
# flight; the guest has one vCPU.
awk -v LAT_F=81 -v LAT_S=305 -v BWR_F=100 -v BWW_F=60 -v BWR_S=39.6 -v BWW_S=13.8 \
    -v CPU=20 -v MLP=2 -v VCPUS=1 -v csv="$OUT/results.csv" -v dat="$OUT/share.dat" '
FILENAME ~ /xval(-obs|-sched)?.csv$/ {
	split($0, f, ",")
	# slow_traffic_pct: accesses and migration copies, as the meter counts
	o = FILENAME ~ /-sched/ ? 1 : FILENAME ~ /-obs/ ? 2 : 0
	if (f[2] != "policy" && f[3] == "all") { simslow[o, f[1], f[2]] = f[10]; simmig[o, f[1], f[2]] = f[7] }
	next
}
FILENAME ~ /guestslow.txt$/ { gfill[$1] = 64 * $2; gwb[$1] = 64 * $3; next }
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
/^# real-guestmoves: / { gmv[$3] = 4096 * $4; if (NF >= 6) { gres[$3] = 4096 * $5; gnv[$3] = 4096 * $6 } }
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
	print "workload,policy,throughput,unit,fast_bytes,slow_bytes,slow_share,migrated_bytes,modelled_slowdown" > csv
	hdr = sprintf("%-8s %-12s %14s %-10s %10s %10s %7s %10s %9s", "workload", "policy",
		      "throughput", "unit", "fast MiB", "slow MiB", "slow%", "migr MiB", "slowdown")
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
			# Linux: the guest'"'"'s frames on the NVDIMM alone, not the test
			# host'"'"'s own pages there (guestslow.txt).
			if (p == "linux" && (w in gfill)) {
				hostnv[w] = rs + ws - gfill[w] - gwb[w]
				rs = gfill[w]; ws = gwb[w]
			}
			tot = rf + wf + rs + ws
			share = tot > 0 ? (rs + ws) / tot : 0
			# Kernel migrations are 4 KiB pages; hmmv counts the bytes of its moves
			# (over the whole VM run, both directions).
			mig = ((p, "pgmigrate_success") in vm) ? vm[p, "pgmigrate_success"] * 4096 : 0
			if ((p, "promoted_bytes") in hm)
				mig = hm[p, "promoted_bytes"] + hm[p, "demoted_bytes"]
			sd = model(rf, rs, wf, ws) / model(rf + rs, 0, wf + ws, 0)
			sdw[p, w] = sd
			slowb[p, w] = rs + ws
			printf "%-8s %-12s %14s %-10s %10.1f %10.1f %6.1f%% %10.1f %9.3f\n", w, p,
				thr[p, w] == "" ? "-" : thr[p, w], unit[w] == "" ? "-" : unit[w],
				(rf + wf) / 2^20, (rs + ws) / 2^20, 100 * share, mig / 2^20, sd
			printf "%s,%s,%s,%s,%.0f,%.0f,%.4f,%.0f,%.4f\n", w, p, thr[p, w], unit[w],
				rf + wf, rs + ws, share, mig, sd >> csv
			sh[p, w] = share
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
	print "slow share: slow-tier (NVDIMM) fills + write-backs over all metered, between the workload'"'"'s marks"
	print "slowdown: the simulator'"'"'s latency model on the metered traffic, over the same traffic from DRAM"
	for (j = 1; j <= nw; j++) {
		w = wls[j]
		if ((("hmmv-engine", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: Linux tiering / hmmv engine modelled slowdown = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-engine", w]
		if ((("hmmv-pages", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: Linux tiering / hmmv engine in page mode (the same kmem node) modelled slowdown = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-pages", w]
		else if ((("hmmv-static", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: no hmmv-engine run (engine not merged); Linux tiering / hmmv static = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-static", w]
	}
	# Cross-validation, per workload between its marks: the simulator
	# against the metered slow share, two ways. "all": over everything
	# the meter counted, the own traffic of the test host (its kernel, the
	# hmmv process: not the guest, and not modelled) included. "guest":
	# over the traffic of the guest alone, what the simulator predicts:
	# that of the slow-first run (where all of it is on the NVDIMM) plus
	# the copies of the run itself (a 4 KiB or 2 MiB move reads its source
	# once and fills and writes back its destination: 3 bytes metered per
	# byte moved).
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
			printf "xval %s: sim %s on %s predicts %.1f%% slow; metered %s %.1f%% of all: %+.1f points",
				w, sp, src[o], simslow[o, w, sp], p, 100 * sh[p, w], err
			mv = ((p, w, "s") in moved) && ((p, w, "e") in moved) ? moved[p, w, "e"] - moved[p, w, "s"] : 0
			# Linux: the guest'"'"'s pages it moved (the kernel'"'"'s counters
			# count the test host'"'"'s own pages too).
			if (p == "linux" && (w in gmv))
				mv = gmv[w]
			g = slowb["slow-first", w] + 3 * mv
			gerr = ""
			if ((("slow-first", w) in slowb) && g > 0) {
				gerr = simslow[o, w, sp] - 100 * slowb[p, w] / g
				printf ", %.1f%% of the guest'"'"'s: %+.1f points", 100 * slowb[p, w] / g, gerr
			}
			# Within the 5-point mark: the models and the moves of the engine
			# (all-slow is a calibration, the estimate a diagnostic).
			if (o < 2 && sp != "all-slow") {
				nx++; ax += err < 0 ? -err : err; in5 += err <= 5 && err >= -5
				if (gerr != "") {
					ng++; ag += gerr < 0 ? -gerr : gerr; gin5 += gerr <= 5 && gerr >= -5
				}
			}
			if (sp != "all-slow" && mv > 0)
				printf " (moved %.1f MiB; the run %.1f MiB)", simmig[o, w, sp], mv / 2^20
			# The Linux run: the guest'"'"'s own share lies between the two
			# (the test host'"'"'s DRAM traffic inflates "all"; the guest'"'"'s
			# own traffic there is at least slow-first'"'"'s, which makes
			# the guest basis an upper bound).
			if (o == 0 && p == "linux" && gerr != "" && (w in hostnv)) {
				lo = 100 * sh[p, w]; hi = 100 * slowb[p, w] / g
				if (lo > hi) { t = lo; lo = hi; hi = t }
				x = simslow[o, w, sp]
				out = x < lo ? lo - x : x > hi ? x - hi : 0
				nb++; nbin += out == 0
				if (out == 0)
					printf "; within the guest'"'"'s bounds %.1f-%.1f%%", lo, hi
				else
					printf "; %.1f points outside the guest'"'"'s bounds %.1f-%.1f%%", out, lo, hi
			}
			printf "\n"
		}
	if (nx)
		printf "xval summary (meter trace; the hmm-v and NUMA-balancing models and the engine'"'"'s moves), over all traffic: %d of %d within 5 points, mean |error| %.1f points\n",
			in5, nx, ax / nx
	if (ng)
		printf "xval summary, over the guest'"'"'s traffic: %d of %d within 5 points, mean |error| %.1f points\n",
			gin5, ng, ag / ng
	if (nb)
		printf "xval summary, NUMA-balancing model against Linux: %d of %d within the bounds of the guest'"'"'s share\n",
			nbin, nb
	for (j = 1; j <= nw; j++) {
		w = wls[j]
		if (!(w in hostnv))
			continue
		printf "linux tiering, %s: the guest'"'"'s frames on the NVDIMM took %.1f MiB, the test host'"'"'s own pages there %.1f MiB more (left out above)",
			w, slowb["linux", w] / 2^20, hostnv[w] / 2^20
		if (w in gmv)
			printf "; the kernel moved %.1f MiB of the guest'"'"'s pages, %.1f MiB of pages in all",
				gmv[w] / 2^20, (moved["linux", w, "e"] - moved["linux", w, "s"]) / 2^20
		if (w in gres)
			printf "; at the end %.1f MiB of the guest resident, %.1f MiB of it in DRAM",
				gres[w] / 2^20, (gres[w] - gnv[w]) / 2^20
		printf "\n"
	}
	for (i = 1; i <= np; i++)
		if (pols[i] == "linux")
			printf "linux tiering: %d pages promoted, %d demoted (kswapd %d, direct %d), %d NUMA hint faults, %d PTEs made PROT_NONE by the scanner\n",
				vm["linux", "pgpromote_success"], vm["linux", "pgdemote_kswapd"] + vm["linux", "pgdemote_direct"],
				vm["linux", "pgdemote_kswapd"], vm["linux", "pgdemote_direct"], vm["linux", "numa_hint_faults"],
				vm["linux", "numa_pte_updates"]
}' "$OUT/xval.csv" "$OUT/xval-sched.csv" "$OUT/xval-obs.csv" "$OUT/guestslow.txt" "$OUT/meter.txt" \
	"$OUT/real.tap" >"$OUT/table.txt"
[ -s "$OUT/xval.stretch" ] &&
	echo "xval pace (--trace-stretch FROM:TO:K over the meter trace): $(cat "$OUT/xval.stretch")" >>"$OUT/table.txt"
np=$(head -n1 "$OUT/share.dat" | awk '{ print (NF - 1) / 2 }')
gnuplot -e "dat='$OUT/share.dat'; out='$OUT/share.png'; np=$np" "$here/plot.gp" 2>"$OUT/plot.err" ||
	{ echo "analyse: gnuplot failed:" >&2; cat "$OUT/plot.err" >&2; exit 1; }
