#!/bin/sh
# Chooses HMM-V's defaults on the TRAINING set only: every configuration
# of a small grid runs the training workloads; the score of a configuration
# is the geometric mean over them of HMM-V's throughput over oracle-2m's
# (the best any 2 MiB placement can do), measured in the same run.
# Usage: tune.sh HMMV TRACEDIR OUT     (TRACEDIR holds xz/sort/python.trace)
set -eu

HMMV=$1
TR=$2
OUT=$3
mkdir -p "$OUT"

workloads() {
	for t in xz sort python; do echo "$t|--trace $TR/$t.trace"; done
	echo "gups|--workload gups --hot-mb 32"
	echo "zipf|--workload zipf"
	echo "shift|--workload shift --hot-mb 32"
}

# Reference: oracle-2m, once per workload.
workloads | while IFS='|' read -r name flags; do
	# shellcheck disable=SC2086
	"$HMMV" sim $flags --policies oracle-2m --quiet --label "$name" --csv "$OUT/ref.csv"
done

# The grid (a first round over sample pages 32-128, levels 3-4, decay 1-2,
# hyst-min 2-8 and 2 or 4 windows found 2 windows and hyst-min 2 best
# throughout; this is the second round).
for sp in 64 128; do
for lv in 3 4; do
for ds in 1 2; do
for hp in 10 25 50; do
for w in 2; do
	cfg="--hmmv-sample-pages $sp --hmmv-levels $lv --hmmv-decay-shift $ds --hmmv-hyst-pct $hp --hmmv-hyst-min 2 --hmmv-windows $w"
	rm -f "$OUT/cfg.csv"
	workloads | while IFS='|' read -r name flags; do
		# shellcheck disable=SC2086
		"$HMMV" sim $flags $cfg --policies hmm-v --quiet --label "$name" --csv "$OUT/cfg.csv"
	done
	awk -F, -v cfg="$cfg" 'NR == FNR { if ($3 == "all") R[$1] = $4; next }
		$3 == "all" && $2 == "hmm-v" { s += log($4 / R[$1]); n++; d = d sprintf(" %s=%.2f", $1, $4 / R[$1]) }
		END { printf "%.4f %s |%s\n", exp(s / n), cfg, d }' "$OUT/ref.csv" "$OUT/cfg.csv"
done; done; done; done; done | sort -rn > "$OUT/tune.txt"
head -5 "$OUT/tune.txt"
