#!/bin/sh
# Turns make eval-real's raw output (OUT/real.tap from tests/bench/real.sh,
# OUT/meter.txt from the meter) into OUT/results.csv, OUT/table.txt and
# OUT/share.png. The k-th "meter-mark" line of the TAP is the meter's mark k.
#   usage: analyse.sh OUT
set -eu
OUT=${1:?usage: analyse.sh OUT}
here=$(cd "$(dirname "$0")" && pwd)
# The simulator's default model (tools/sim/model.c): latencies in ns,
# bandwidths in GB/s (= bytes/ns), work per memory transfer, misses in
# flight; the guest has one vCPU.
awk -v LAT_F=81 -v LAT_S=305 -v BWR_F=100 -v BWW_F=60 -v BWR_S=39.6 -v BWW_S=13.8 \
    -v CPU=20 -v MLP=2 -v VCPUS=1 -v csv="$OUT/results.csv" -v dat="$OUT/share.dat" '
FNR == NR {
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
/^# real-hmmv: / {
	for (i = 4; i <= NF; i++) { split($i, kv, "="); hm[$3, kv[1]] = kv[2] }
}
/^# real-sim: / {
	split($3, f, ",")
	if (f[2] != "policy" && (f[3] == "all" || !((f[2]) in simhit))) simhit[f[2]] = f[6]
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
			tot = rf + wf + rs + ws
			share = tot > 0 ? (rs + ws) / tot : 0
			# Kernel migrations are 4 KiB pages; hmmv counts the bytes of its moves
			# (over the whole VM run, both directions).
			mig = ((p, "pgmigrate_success") in vm) ? vm[p, "pgmigrate_success"] * 4096 : 0
			if ((p, "promoted_bytes") in hm)
				mig = hm[p, "promoted_bytes"] + hm[p, "demoted_bytes"]
			sd = model(rf, rs, wf, ws) / model(rf + rs, 0, wf + ws, 0)
			sdw[p, w] = sd
			printf "%-8s %-12s %14s %-10s %10.1f %10.1f %6.1f%% %10.1f %9.3f\n", w, p,
				thr[p, w] == "" ? "-" : thr[p, w], unit[w] == "" ? "-" : unit[w],
				(rf + wf) / 2^20, (rs + ws) / 2^20, 100 * share, mig / 2^20, sd
			printf "%s,%s,%s,%s,%.0f,%.0f,%.4f,%.0f,%.4f\n", w, p, thr[p, w], unit[w],
				rf + wf, rs + ws, share, mig, sd >> csv
			sh[p, w] = share
			aslow[p] += rs + ws; atot[p] += tot
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
		else if ((("hmmv-static", w) in sdw) && (("linux", w) in sdw))
			printf "headline %s: no hmmv-engine run (engine not merged); Linux tiering / hmmv static = %.3f\n", w,
				sdw["linux", w] / sdw["hmmv-static", w]
	}
	# Cross-validation: the simulator on the trace of the engine run (whole
	# run, boot included) against the metered share (the workload windows).
	xv["hmm-v"] = "hmmv-engine"; xv["numa-balancing"] = "linux"; xv["all-slow"] = "slow-first"
	for (sp in xv) {
		p = xv[sp]
		if (!(sp in simhit) || !(p in atot) || atot[p] == 0) continue
		ms = 100 * aslow[p] / atot[p]
		printf "xval: sim %s predicts %.1f%% slow; metered %s %.1f%%: %+.1f points\n",
			sp, 100 - simhit[sp], p, ms, 100 - simhit[sp] - ms
	}
	for (i = 1; i <= np; i++)
		if (pols[i] == "linux")
			printf "linux tiering: %d pages promoted, %d demoted (kswapd %d, direct %d), %d NUMA hint faults\n",
				vm["linux", "pgpromote_success"], vm["linux", "pgdemote_kswapd"] + vm["linux", "pgdemote_direct"],
				vm["linux", "pgdemote_kswapd"], vm["linux", "pgdemote_direct"], vm["linux", "numa_hint_faults"]
}' "$OUT/meter.txt" "$OUT/real.tap" >"$OUT/table.txt"
np=$(head -n1 "$OUT/share.dat" | awk '{ print (NF - 1) / 2 }')
gnuplot -e "dat='$OUT/share.dat'; out='$OUT/share.png'; np=$np" "$here/plot.gp" 2>"$OUT/plot.err" ||
	{ echo "analyse: gnuplot failed:" >&2; cat "$OUT/plot.err" >&2; exit 1; }
