#!/bin/sh
# make eval: runs every workload through every policy and writes the table
# (text and CSV), the acceptance summary and the plots into OUT.
# Usage: eval.sh HMMV OUT
set -eu

HMMV=$1
OUT=$2
HERE=$(dirname "$0")

rm -rf "$OUT"
mkdir -p "$OUT/runs"

# name|flags. DRAM is 25% of the footprint unless said otherwise.
cat > "$OUT/runs.list" <<'RUNS'
gups|--workload gups --hot-mb 32
gups-fit|--workload gups-fit --hot-mb 48
zipf|--workload zipf
shift|--workload shift --hot-mb 32
scan|--workload scan
mix4|--workload mix4 --share OUT/share
mix4-cxl|--workload mix4 --preset cxl
mix4-mlp1|--workload mix4 --mlp 1
mix4-mlp4|--workload mix4 --mlp 4
RUNS

run_one() {
	name=${1%%|*}
	flags=$(printf '%s' "${1#*|}" | sed "s|OUT/|$OUT/|g")
	# shellcheck disable=SC2086
	"$HMMV" sim $flags --label "$name" --check \
		--csv "$OUT/runs/$name.csv" > "$OUT/runs/$name.txt" 2> "$OUT/runs/$name.err" ||
		{ echo "eval: $name failed:"; cat "$OUT/runs/$name.err"; return 1; }
}

# Two at a time: the simulator is single-threaded and CPU-bound.
fail=0
pids=""
while IFS= read -r line; do
	run_one "$line" &
	pids="$pids $!"
	if [ "$(echo $pids | wc -w)" -ge 2 ]; then
		for p in $pids; do wait "$p" || fail=1; done
		pids=""
	fi
done < "$OUT/runs.list"
for p in $pids; do wait "$p" || fail=1; done
[ "$fail" = 0 ] || { echo "eval: a run failed or a sanity check tripped" >&2; exit 1; }

# The trace path: write a workload as a trace file, replay it, same figures.
"$HMMV" sim --workload gups-fit --hot-mb 48 --intervals 60 \
	--write-trace "$OUT/gups-fit.trace"
"$HMMV" sim --workload gups-fit --hot-mb 48 --intervals 60 --quiet \
	--label x --csv "$OUT/runs/gen.csv"
"$HMMV" sim --trace "$OUT/gups-fit.trace" --quiet --label x \
	--csv "$OUT/runs/replay.csv"
if ! cmp -s "$OUT/runs/gen.csv" "$OUT/runs/replay.csv"; then
	echo "eval: replaying the written trace gave different results" >&2
	exit 1
fi
rm -f "$OUT/gups-fit.trace" "$OUT/runs/gen.csv" "$OUT/runs/replay.csv"

# One table.
head -n 1 "$OUT/runs/gups.csv" > "$OUT/results.csv"
while IFS= read -r line; do
	tail -n +2 "$OUT/runs/${line%%|*}.csv" >> "$OUT/results.csv"
done < "$OUT/runs.list"
{
	printf '%-10s %-15s %-4s %10s %8s %7s %10s %7s %7s\n' workload policy vm \
		Macc/s slowdn hit% migr.MB track% migr%
	tail -n +2 "$OUT/results.csv" | tr ',' ' ' |
		awk '{ printf "%-10s %-15s %-4s %10.2f %8.3f %7.2f %10.1f %7.3f %7.3f\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
} > "$OUT/results.txt"

# Acceptance figures, from the aggregate rows.
awk -F, '
function thr(w, p) { return T[w "," p] }
$3 == "all" { T[$1 "," $2] = $4; K[$1 "," $2] = $8 }
function line(what, got, want, cmp) {
	ok = cmp == ">=" ? got >= want : got <= want
	printf "%-52s %8.3f  (target %s %.2f)  %s\n", what, got, cmp, want, ok ? "MET" : "MISSED"
}
END {
	m = "mix4"
	line("mix4: HMM-V / NUMA balancing throughput", thr(m, "hmm-v") / thr(m, "numa-balancing"), 1.51, ">=")
	line("mix4: HMM-V / Memory Mode throughput", thr(m, "hmm-v") / thr(m, "memory-mode"), 1.31, ">=")
	line("mix4: HMM-V / oracle throughput", thr(m, "hmm-v") / thr(m, "oracle"), 0.90, ">=")
	line("gups-fit (hot set < DRAM): HMM-V / all-DRAM", thr("gups-fit", "hmm-v") / thr("gups-fit", "all-dram"), 0.95, ">=")
	line("mix4: HMM-V tracking overhead (% of runtime)", K["mix4,hmm-v"], 2, "<=")
	line("gups-fit: HMM-V tracking overhead (% of runtime)", K["gups-fit,hmm-v"], 2, "<=")
	printf "\n(sensitivity, for information: CXL slow tier; 1 and 4 misses in flight per vCPU)\n"
	split("mix4-cxl mix4-mlp1 mix4-mlp4", v, " ")
	for (i = 1; i <= 3; i++) {
		m = v[i]
		line(m ": HMM-V / NUMA balancing throughput", thr(m, "hmm-v") / thr(m, "numa-balancing"), 1.51, ">=")
		line(m ": HMM-V / Memory Mode throughput", thr(m, "hmm-v") / thr(m, "memory-mode"), 1.31, ">=")
		line(m ": HMM-V / oracle throughput", thr(m, "hmm-v") / thr(m, "oracle"), 0.90, ">=")
	}
}' "$OUT/results.csv" > "$OUT/acceptance.txt"
echo "sanity: no policy beat all-DRAM or the oracle in any run (checked by --check)" \
	>> "$OUT/acceptance.txt"

# Plot data: workloads x policies, aggregate slowdown.
policies="all-slow first-touch numa-balancing memory-mode hemem memtis oracle-2m oracle hmm-v"
{
	printf 'workload'
	for p in $policies; do printf ' %s' "$p"; done
	printf '\n'
	while IFS= read -r line; do
		w=${line%%|*}
		printf '%s' "$w"
		for p in $policies; do
			awk -F, -v w="$w" -v p="$p" \
				'$1 == w && $2 == p && $3 == "all" { printf " %s", $5 }' \
				"$OUT/results.csv"
		done
		printf '\n'
	done < "$OUT/runs.list"
} > "$OUT/slowdown.dat"
gnuplot -e "out='$OUT'" "$HERE/plot.gp"
echo "eval: results in $OUT (results.txt, results.csv, acceptance.txt, *.png)"
cat "$OUT/acceptance.txt"
