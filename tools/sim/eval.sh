#!/bin/sh
# make eval: the whole matrix -- every workload (real-program traces in
# OUT/traces/*.trace included, with their touches) x DRAM 10, 15, 25, 50% of the footprint x
# Optane and CXL x seeds 1-5 -- through every policy, with --check (DRAM
# bounds of every policy, nobody above all-DRAM or the oracle at idle latency). Writes
# results.csv, matrix.txt (geometric mean and worst cell per policy) and
# the plots into OUT; exits 1 when a run fails or a target is missed,
# naming the cells. QUICK=1: seed 1, DRAM 10 and 25%, Optane, 50 intervals.
# Usage: eval.sh HMMV OUT
set -eu

HMMV=$1
OUT=$2
HERE=$(dirname "$0")
JOBS=${EVAL_JOBS:-2}

if [ "${QUICK:-0}" = 1 ]; then
	SEEDS="1"; DRAMS="10 25"; PRESETS="optane"; IV=50
else
	SEEDS="1 2 3 4 5"; DRAMS="10 15 25 50"; PRESETS="optane cxl"; IV=80
fi

# OUT/traces/ belongs to the trace capture (tools/capture/): kept.
rm -rf "$OUT/runs" "$OUT/cells.list" "$OUT/results.csv" "$OUT/matrix.txt"
mkdir -p "$OUT/runs"

# name|flags: synthetic workloads, 64 MiB per VM (mix4: four of 32 MiB),
# 80 intervals (8 s nominal): the matrix stays within minutes.
{
	cat <<'RUNS'
gups|--workload gups --vm-mb 64 --hot-mb 8
gups-fit|--workload gups-fit --vm-mb 64 --hot-mb 12
zipf|--workload zipf --vm-mb 64
shift|--workload shift --vm-mb 64 --hot-mb 8 --shift-every 20
scan|--workload scan --vm-mb 64
mix4|--workload mix4 --vm-mb 32
clusters|--workload clusters --vm-mb 64 --hot-mb 8
unaligned|--workload unaligned --vm-mb 64 --hot-mb 8
coldconf|--workload coldconf --vm-mb 64 --hot-mb 8
bighot|--workload gups --vm-mb 64 --hot-mb 40
phases|--workload phases --vm-mb 64 --hot-mb 8 --shift-every 20
RUNS
	for t in "$OUT"/traces/*.trace; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .trace)
		[ -f "${t%.trace}.touch" ] ||
			echo "eval: $t has no touches beside it (${t%.trace}.touch, hmmv capture --touch-output): HMM-V's sampling replays its fills, which the engine cannot see" >&2
		echo "trace-$n|$(sh "$HERE/../capture/traced.sh" "$t")"
	done
} > "$OUT/workloads.list"

# One line per cell: label|flags.
while IFS= read -r w; do
	name=${w%%|*}
	flags=${w#*|}
	case $flags in --trace*) iv="" ;; *) iv="--intervals $IV" ;; esac
	for p in $PRESETS; do
		for d in $DRAMS; do
			for s in $SEEDS; do
				echo "$name/$p/$d/$s|$flags $iv --preset $p --dram-pct $d --seed $s"
			done
		done
	done
done < "$OUT/workloads.list" > "$OUT/cells.list"

ncell=$(wc -l < "$OUT/cells.list")
echo "eval: $ncell cells ($(wc -l < "$OUT/workloads.list") workloads), $JOBS at a time"
fail=0
tr '\n' '\0' < "$OUT/cells.list" |
	xargs -0 -P "$JOBS" -n 1 sh "$HERE/eval_cell.sh" "$HMMV" "$OUT" || fail=1

# The trace path: write a workload as a trace file, replay it, same figures.
"$HMMV" sim --workload gups-fit --vm-mb 64 --hot-mb 12 --intervals 30 \
	--write-trace "$OUT/gups-fit.trace"
"$HMMV" sim --workload gups-fit --vm-mb 64 --hot-mb 12 --intervals 30 --quiet \
	--label x --csv "$OUT/runs/gen.csv.x"
"$HMMV" sim --trace "$OUT/gups-fit.trace" --quiet --label x \
	--csv "$OUT/runs/replay.csv.x"
if ! cmp -s "$OUT/runs/gen.csv.x" "$OUT/runs/replay.csv.x"; then
	echo "eval: replaying the written trace gave different results" >&2
	fail=1
fi
rm -f "$OUT/gups-fit.trace" "$OUT/runs/gen.csv.x" "$OUT/runs/replay.csv.x"

# One table: the aggregate rows of every cell.
echo "cell,policy,vm,throughput_macc_s,slowdown,dram_hit_pct,migrated_mb,tracking_pct,migration_pct,slow_traffic_pct,traffic_mb" \
	> "$OUT/results.csv"
cat "$OUT"/runs/*.csv 2>/dev/null | grep -v '^workload,' >> "$OUT/results.csv" || true
ndone=$(awk -F, '$2 == "all-dram" && $3 == "all"' "$OUT/results.csv" | wc -l)
if [ "$ndone" != "$ncell" ]; then
	echo "eval: only $ndone of $ncell cells ran" >&2
	fail=1
fi

awk -F, -f "$HERE/matrix.awk" "$OUT/results.csv" > "$OUT/matrix.txt" || fail=1
cat "$OUT/matrix.txt"

# Plot: geometric-mean slowdown per workload and policy over its cells.
policies="all-slow first-touch numa-balancing memory-mode hemem memtis oracle-2m oracle hmm-v hmm-v-4k"
awk -F, -v pols="$policies" '
$3 == "all" && $2 != "policy" {
	split($1, c, "/"); k = c[1] SUBSEP $2
	L[k] += log($5); N[k]++; if (!(c[1] in seen)) { seen[c[1]] = 1; W[++nw] = c[1] }
}
END {
	np = split(pols, P, " ")
	printf "workload"; for (j = 1; j <= np; j++) printf " %s", P[j]; printf "\n"
	for (i = 1; i <= nw; i++) {
		printf "%s", W[i]
		for (j = 1; j <= np; j++) { k = W[i] SUBSEP P[j]; printf " %.4f", N[k] ? exp(L[k] / N[k]) : 0 }
		printf "\n"
	}
}' "$OUT/results.csv" > "$OUT/slowdown.dat"
gnuplot -e "out='$OUT'" "$HERE/plot.gp" 2>/dev/null || echo "eval: plotting failed (gnuplot)" >&2
echo "eval: results in $OUT (results.csv, matrix.txt, slowdown.png)"
[ "$fail" = 0 ] || { echo "eval: FAILED (a run failed, a check tripped or a target was missed)" >&2; exit 1; }
