#!/bin/sh
# Chooses HMM-V's defaults on the TRAINING set only: every configuration
# of a small grid runs the training workloads; the score of a configuration
# is the geometric mean over them of HMM-V's throughput over oracle-2m's
# (the best any 2 MiB placement can do), measured in the same run.
# MODE=4k: the page mode (policy hmm-v-4k) against oracle, the best any
# 4 KiB placement can do, over its own grid.
# Usage: [MODE=4k] tune.sh HMMV TRACEDIR OUT   (TRACEDIR: xz/sort/python.trace
# and .touch)
set -eu

HMMV=$1
TR=$2
OUT=$3
HERE=$(dirname "$0")
mkdir -p "$OUT"
POL=hmm-v
REF=oracle-2m
if [ "${MODE:-2m}" = 4k ]; then
	POL=hmm-v-4k
	REF=oracle
fi

# Each at the DRAM shares of TUNE_DRAM (the simulator's default, 25%, if
# unset), scored together.
workloads() {
	for d in ${TUNE_DRAM:-25}; do
		for t in xz sort python; do echo "$t/$d|$(sh "$HERE/traced.sh" "$TR/$t.trace") --dram-pct $d"; done
		echo "gups/$d|--workload gups --hot-mb 32 --dram-pct $d"
		echo "zipf/$d|--workload zipf --dram-pct $d"
		echo "shift/$d|--workload shift --hot-mb 32 --dram-pct $d"
	done
}

# Reference: oracle-2m, once per workload.
workloads | while IFS='|' read -r name flags; do
	# shellcheck disable=SC2086
	"$HMMV" sim $flags --policies $REF --quiet --label "$name" --csv "$OUT/ref.csv"
done

# The grid (a first round over sample pages 32-128, levels 3-4, decay 1-2,
# hyst-min 2-8 and 2 or 4 windows found 2 windows and hyst-min 2 best
# throughout; this is the second round). Page mode (a first round over
# units of 1-64 pages, blocks of 128-512, levels 1-3, margins 0-16 and
# 1024-16384 moves found units of 1 or 4, margin 8 and 4096 moves best):
# unit, block, levels, and the windows and their shortening; TUNE_WMS,
# TUNE_HYST, TUNE_HEADROOM, TUNE_SETTLED and TUNE_TRACK add the first
# window's length, the margin, the early promotion's headroom, the settled
# sampling, the tracking budget and TUNE_DECAY the temperature's decay
# (policy_params_pages() tells the rounds run), TUNE_HYSTPCT the margin's
# percentage. Chunk mode: TUNE_SP, TUNE_LEVELS, TUNE_DECAY, TUNE_HYSTPCT
# and TUNE_WS (windows/shift) replace its grid's blocks, levels, decay,
# margin and windows.
grid() {
	if [ "$POL" = hmm-v-4k ]; then
		for un in ${TUNE_UNITS:-1 4}; do for sp in ${TUNE_SP:-128 512}; do
		for lv in ${TUNE_LEVELS:-1 2}; do for ws in ${TUNE_WS:-2/0 3/2 4/1 4/2}; do
		for wm in ${TUNE_WMS:-5}; do for hy in ${TUNE_HYST:-16}; do for hr in ${TUNE_HEADROOM:-12}; do for se in ${TUNE_SETTLED:-4}; do
		for tp in ${TUNE_TRACK:-3}; do for dc in ${TUNE_DECAY:-1}; do for hp in ${TUNE_HYSTPCT:-25}; do
			echo "--hmmv-decay-shift $dc --hmmv-4k-unit $un --hmmv-4k-sample-pages $sp --hmmv-4k-levels $lv --hmmv-4k-windows ${ws%/*} --hmmv-4k-window-shift ${ws#*/} --window-ms $wm --hmmv-4k-hyst $hy --hmmv-hyst-pct $hp --hmmv-4k-headroom $hr --hmmv-4k-settled-every $se --hmmv-4k-track-pct $tp"
		done; done; done; done; done; done; done; done; done; done; done
		return
	fi
	for sp in ${TUNE_SP:-64 128}; do for lv in ${TUNE_LEVELS:-3 4}; do for ds in ${TUNE_DECAY:-1 2}; do
	for hp in ${TUNE_HYSTPCT:-10 25 50}; do for ws in ${TUNE_WS:-2/0}; do
		echo "--hmmv-sample-pages $sp --hmmv-levels $lv --hmmv-decay-shift $ds --hmmv-hyst-pct $hp --hmmv-hyst-min 2 --hmmv-windows ${ws%/*} --hmmv-window-shift ${ws#*/}"
	done; done; done; done; done
}

grid | while IFS= read -r cfg; do
	rm -f "$OUT/cfg.csv"
	workloads | while IFS='|' read -r name flags; do
		# shellcheck disable=SC2086
		"$HMMV" sim $flags $cfg --policies $POL --quiet --label "$name" --csv "$OUT/cfg.csv"
	done
	awk -F, -v cfg="$cfg" -v pol="$POL" 'NR == FNR { if ($3 == "all") R[$1] = $4; next }
		$3 == "all" && $2 == pol { s += log($4 / R[$1]); n++; d = d sprintf(" %s=%.2f", $1, $4 / R[$1]) }
		END { printf "%.4f %s |%s\n", exp(s / n), cfg, d }' "$OUT/ref.csv" "$OUT/cfg.csv"
done | sort -rn > "$OUT/tune.txt"
head -5 "$OUT/tune.txt"
