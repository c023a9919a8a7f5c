#!/bin/sh
# make eval-programs: every real program (training and test) and the
# training set's synthetic workloads through every policy, at DRAM 10, 15,
# 25 and 50% of the footprint, Optane and CXL, seeds 1-3; then, per
# workload and per set, the geometric mean of each policy's throughput over
# those cells, as a ratio to HMM-V's, and HMM-V's worst cells. HMM-V is
# hmm-v-4k (page mode, the slow tier a NUMA node as for the baselines);
# EVAL_HMMV=hmm-v reports the chunk policy instead.
# Usage: eval.sh HMMV TRACEDIR OUT
set -eu

HMMV=$1
TR=$2
OUT=$3
HERE=$(dirname "$0")
rm -rf "$OUT"
mkdir -p "$OUT/runs"

TRAIN_PROGRAMS="xz sort python"
TEST_PROGRAMS="sqlite perl bzip2"
{
	for t in $TRAIN_PROGRAMS; do echo "train|$t|$(sh "$HERE/traced.sh" "$TR/$t.trace")"; done
	echo "train|gups|--workload gups --hot-mb 32 --intervals 100"
	echo "train|zipf|--workload zipf --intervals 100"
	echo "train|shift|--workload shift --hot-mb 32 --intervals 100"
	for t in $TEST_PROGRAMS; do echo "test|$t|$(sh "$HERE/traced.sh" "$TR/$t.trace")"; done
} > "$OUT/workloads.list"

POLICIES=numa-balancing,memory-mode,hemem,memtis,oracle,oracle-2m,hmm-v,hmm-v-4k
H=${EVAL_HMMV:-hmm-v-4k}
echo "set,cell,workload,policy,vm,throughput_macc_s,slowdown,dram_hit_pct,migrated_mb,tracking_pct,migration_pct,slow_traffic_pct,traffic_mb" \
	> "$OUT/matrix.csv"
while IFS='|' read -r set name flags; do
	for dram in 10 15 25 50; do
	for preset in optane cxl; do
	for seed in 1 2 3; do
		cell="$name/$dram%/$preset/s$seed"
		f="$OUT/runs/$name-$dram-$preset-$seed.csv"
		# shellcheck disable=SC2086
		"$HMMV" sim $flags --dram-pct "$dram" --preset "$preset" --seed "$seed" \
			--policies "$POLICIES" --quiet --label "$name" --csv "$f" ||
			{ echo "eval-programs: $cell failed" >&2; exit 1; }
		tail -n +2 "$f" | grep ',all,' | sed "s|^|$set,$cell,|" >> "$OUT/matrix.csv"
	done; done; done
done < "$OUT/workloads.list"

# Per workload, per set: geomean over cells of policy / HMM-V throughput.
awk -F, -v H="$H" 'NR > 1 { T[$2 "," $4] = $6; W[$2] = $3; S[$2] = $1; P[$4] = 1 }
END {
	n = split("numa-balancing memory-mode hemem memtis oracle oracle-2m hmm-v hmm-v-4k", pol, " ")
	for (i = j = 1; i <= n; i++) if (pol[i] != H) pol[j++] = pol[i]
	n = j - 1
	for (c in W) {
		h = T[c "," H]
		best = 0
		for (i = 1; i <= n; i++) {
			r = h / T[c "," pol[i]]
			L[W[c] "," pol[i]] += log(r); G[S[c] "," pol[i]] += log(r)
			if (pol[i] !~ /^(oracle|hmm-v)/ && T[c "," pol[i]] > best) { best = T[c "," pol[i]]; bp = pol[i] }
		}
		N[W[c]]++; NS[S[c]]++; SET[W[c]] = S[c]
		r = h / best
		if (!(W[c] in WORST) || r < WORST[W[c]]) { WORST[W[c]] = r; WC[W[c]] = c " vs " bp }
		if (!(S[c] in SW) || r < SW[S[c]]) { SW[S[c]] = r; SWC[S[c]] = c " vs " bp }
	}
	printf "%s throughput / policy, geometric mean over 24 cells (DRAM 10-50%%, optane/cxl, seeds 1-3)\n", H
	printf "%-6s %-8s", "set", "workload"
	for (i = 1; i <= n; i++) printf " %14s", pol[i]
	printf "  worst vs best baseline\n"
	for (s = 1; s <= 2; s++) {
		set = s == 1 ? "train" : "test"
		for (w in SET) {
			if (SET[w] != set) continue
			printf "%-6s %-8s", set, w
			for (i = 1; i <= n; i++) printf " %14.3f", exp(L[w "," pol[i]] / N[w])
			printf "  %.3f (%s)\n", WORST[w], WC[w]
		}
		printf "%-6s %-8s", set, "GEOMEAN"
		for (i = 1; i <= n; i++) printf " %14.3f", exp(G[set "," pol[i]] / NS[set])
		printf "  %.3f (%s)\n", SW[set], SWC[set]
	}
}' "$OUT/matrix.csv" > "$OUT/summary.txt"
cat "$OUT/summary.txt"
