#!/bin/sh
# make eval-real: tiering measured on the real stack. Boots the nested test
# host once, metered (tools/meter), with a small DRAM node (1 GiB, node 0),
# a 128 MiB CPU-less node and a 1 GiB NVDIMM, and runs tests/bench/real.sh
# there: each guest workload under each policy. Then, from the meter's
# marks around each workload: the share of the memory traffic served by
# the slow tier (the NVDIMM, as devdax or as Linux's kmem node), the bytes
# migrated, and a modelled slowdown (the simulator's latency model, see
# tools/sim/model.c, applied to the metered line fills and write-backs).
# The meter counts only between each workload's start and end marks
# (gate=on), so the boots in between run at nearly unmetered speed.
# Writes OUT/{table.txt,results.csv,share.png} (default build/eval/real).
#   usage: eval-real.sh [OUT]     QUICK=1: fewer workloads, less work
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$top/build/eval/real}
qemu=${TESTHOST_QEMU:-qemu-system-x86_64}
qver=$("$qemu" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
if [ "${qver:-0}" -lt 10 ]; then
	echo "eval-real: the traffic meter needs QEMU >= 10; $qemu is ${qver:-missing} (tools/install-deps.sh, or TESTHOST_QEMU)" >&2
	exit 1
fi
policies=${REAL_POLICIES:-all-dram,slow-first,hmmv-static,hmmv-engine,linux}
if [ "${QUICK:-}" = 1 ]; then
	workloads=${REAL_WORKLOADS:-hotset,sqlite}
	scale=${REAL_SCALE:-1}
else
	workloads=${REAL_WORKLOADS:-hotset,sqlite,redis}
	scale=${REAL_SCALE:-2}
fi
rm -rf "$OUT"
mkdir -p "$OUT"
echo "eval-real: policies $policies; workloads $workloads (scale $scale); output in $OUT"
start=$(date +%s)
TESTHOST_DRAM_MB=1024 TESTHOST_SLOW_MB=128 TESTHOST_NVDIMM_MB=1024 \
	TESTHOST_METER="$OUT/meter.txt" \
	TESTHOST_METER_ARGS="${TESTHOST_METER_ARGS:-interval=2000,gate=on},trace=$OUT/nvdimm.trace,trace_range=nvdimm" \
	TESTHOST_CMDLINE="REAL_POLICIES=$policies REAL_WORKLOADS=$workloads REAL_SCALE=$scale" \
	sh "$top/tests/testhost/run.sh" -t 1800 ../bench/real >"$OUT/real.tap" 2>"$OUT/real.err"
rc=$?
echo "eval-real: test host ran $(( $(date +%s) - start )) s, status $rc"
[ -s "$OUT/meter.txt" ] || { echo "eval-real: no meter report" >&2; cat "$OUT/real.err" >&2; exit 1; }
sh "$top/tools/evalreal/analyse.sh" "$OUT" || exit 1
cat "$OUT/table.txt"
grep '^not ok' "$OUT/real.tap" && { echo "eval-real: some runs failed (see $OUT/real.tap)" >&2; exit 1; }
exit $rc
