#!/bin/sh
# make eval-real: tiering measured on the real stack. Boots the nested test
# host once, metered (tools/meter), with a small DRAM node (1 GiB, node 0),
# a 128 MiB CPU-less node and a 1 GiB NVDIMM, and runs tests/bench/real.sh
# there: each guest workload under each policy. Then, from the meter's
# marks around each workload: the share of the guest's memory traffic
# served by the slow tier (the NVDIMM, as devdax or as Linux's kmem node), the bytes
# migrated, and a modelled slowdown (the simulator's latency model, see
# tools/sim/model.c, applied to the metered line fills and write-backs).
# The meter counts only between each workload's start and end marks
# (gate=on), so the boots in between run at nearly unmetered speed.
# Writes OUT/{table.txt,results.csv,share.png} (default build/eval/real).
#   usage: eval-real.sh [OUT]     QUICK=1: two workloads (no shift, no redis)
# REAL_POLICIES, REAL_WORKLOADS and REAL_SCALE override the defaults below;
# REAL_TIMEOUT the test host's limit in seconds, REAL_VM_TIMEOUT one VM's
# (tests/bench/real.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$top/build/eval/real}
qemu=${TESTHOST_QEMU:-qemu-system-x86_64}
qver=$("$qemu" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
if [ "${qver:-0}" -lt 10 ]; then
	echo "eval-real: the traffic meter needs QEMU >= 10; $qemu is ${qver:-missing} (tools/install-deps.sh, or TESTHOST_QEMU)" >&2
	exit 1
fi
# The four policies of the comparison; REAL_POLICIES can add hmmv-static
# (hmmv's tiers, dram-first, no engine: about 2.5 min more) and
# hmmv-pages (the engine in page mode on Linux's kmem node, after linux:
# both online the NVDIMM, which the devdax runs cannot follow; about 15
# min more, its tracking faults emulated: the QUICK run with it instead of
# hmmv-engine took the test host 1621 s).
policies=${REAL_POLICIES:-all-dram,slow-first,hmmv-engine,linux}
# The whole run must stay within 30 min on a 2-core machine: under the
# engine the nested guest runs the hot-set workload tens of times slower
# (its tracking faults are emulated), so the work is one scale step, and
# the test host is stopped early enough to leave room for the analysis.
if [ "${QUICK:-}" = 1 ]; then
	workloads=${REAL_WORKLOADS:-hotset,sqlite}
	limit=1500
else
	workloads=${REAL_WORKLOADS:-hotset,shift,sqlite,redis}
	limit=1680
fi
scale=${REAL_SCALE:-1}
limit=${REAL_TIMEOUT:-$limit}
rm -rf "$OUT"
mkdir -p "$OUT"
echo "eval-real: policies $policies; workloads $workloads (scale $scale); output in $OUT"
start=$(date +%s)
# The meter traces the NVDIMM's pages every 100 ms (nvdimm.trace, its
# touches nvdimm.touch, code fetched from it included) and all RAM's pages
# between marks (ram.trace): the analysis takes the guest's own traffic
# from the frames its RAM was in.
TESTHOST_DRAM_MB=1024 TESTHOST_SLOW_MB=128 TESTHOST_NVDIMM_MB=1024 \
	TESTHOST_METER="$OUT/meter.txt" TESTHOST_METER_CODE=1 \
	TESTHOST_METER_ARGS="${TESTHOST_METER_ARGS:-interval=2000,gate=on},trace=$OUT/nvdimm.trace,touch=$OUT/nvdimm.touch,trace_range=nvdimm,mark_trace=$OUT/ram.trace,mark_trace_span=0:1152M" \
	TESTHOST_CMDLINE="REAL_POLICIES=$policies REAL_WORKLOADS=$workloads REAL_SCALE=$scale${REAL_VM_TIMEOUT:+ REAL_VM_TIMEOUT=$REAL_VM_TIMEOUT}" \
	sh "$top/tests/testhost/run.sh" -t "$limit" ../bench/real >"$OUT/real.tap" 2>"$OUT/real.err"
rc=$?
echo "eval-real: test host ran $(( $(date +%s) - start )) s, status $rc"
[ -s "$OUT/meter.txt" ] || { echo "eval-real: no meter report" >&2; cat "$OUT/real.err" >&2; exit 1; }
sh "$top/tools/evalreal/analyse.sh" "$OUT" || exit 1
cat "$OUT/table.txt"
grep '^not ok' "$OUT/real.tap" && { echo "eval-real: some runs failed (see $OUT/real.tap)" >&2; exit 1; }
exit $rc
