#!/bin/sh
# Boots a fresh nested test host (QEMU TCG, emulated AMD SVM: a working
# /dev/kvm; an emulated NVDIMM -> /dev/dax0.0; a CPU-less NUMA node 1) and
# runs one system test, tests/system/NAME.sh, inside it. Prints the test's
# TAP on stdout, its stderr on stderr. Exits 0 only when the test ran to its
# end, exited 0 and printed a plan; on failure, timeout or a missing plan it
# prints the tail of the test host's console log and exits 1. QEMU is always
# reaped. Needs 'make testhost' first (the make targets do it).
#   usage: run.sh [-t SECONDS] NAME      run one system test
#          run.sh --shell                 a shell in the test host
# Timeout: -t, else $TESTHOST_TIMEOUT, else a "# testhost-timeout: N" line in
# the script, else 300 s; times $TESTHOST_TIMEOUT_SCALE. $TESTHOST_KEEP=1
# keeps the run folder; $TESTHOST_CMDLINE adds to the kernel command line;
# $TESTHOST_SMP sets the test host's CPUs (default 1). With 2 CPUs under
# multi-threaded TCG, guests of the test host's KVM triple-faulted at
# random (a console-flooding guest within 40 s in one of two runs on a
# busy machine; the test host itself reset once); under single-threaded TCG with 2 CPUs
# they did not, but every cross-CPU IPI waited for QEMU's 100 ms round-
# robin slice and guests crawled. One CPU has neither problem.
# $TESTHOST_TCG_THREAD (multi or single) matters only with more CPUs.
# $TESTHOST_FREEZE_S (default 45): a test host whose heartbeat (ttyS3) is
# silent that long has frozen; it is booted again, twice at most (boot()).
# $TESTHOST_QEMU names the QEMU binary (default qemu-system-x86_64 on PATH).
# Memory: $TESTHOST_DRAM_MB (node 0, with the CPUs; default 2048),
# $TESTHOST_SLOW_MB (CPU-less node 1; default 512), $TESTHOST_NVDIMM_MB (the
# NVDIMM; default 512). Traffic meter (tools/meter, QEMU >= 10):
# $TESTHOST_METER=FILE loads it and leaves its report in FILE;
# $TESTHOST_METER_ARGS adds plugin arguments (llc=8M,ways=16,interval=500);
# with $TESTHOST_METER_CODE=1, a touch= trace counts code fetched from the
# NVDIMM too (touch_code= names its backing file, which only run.sh knows).
# A test with a host-side checker tests/system/NAME.hostcheck always runs
# metered; the checker (sh NAME.hostcheck METERFILE TAPFILE METERTRACE METERTOUCH METERMARKS)
# prints further TAP lines after the test host's, and counts in the test's
# plan; METERTRACE is the meter's per-page trace of the NVDIMM (trace=),
# METERTOUCH its touches (touch=, code fetches included), METERMARKS the
# per-page traffic of all RAM (nodes 0 and 1) between marks (mark_trace=).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
TH=${TESTHOST_DIR:-$top/build/testhost}
timeout_s=
shell=
while [ $# -gt 0 ]; do
	case "$1" in
	-t) timeout_s=${2:?-t needs seconds}; shift 2 ;;
	--shell) shell=1; shift ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
name=${1:-}
if [ -z "$shell" ] && [ -z "$name" ]; then
	echo "usage: run.sh [-t SECONDS] NAME | run.sh --shell" >&2
	exit 2
fi
for f in "$TH/vmlinux" "$TH/initramfs.img"; do
	[ -f "$f" ] || { echo "run.sh: $f missing; run 'make testhost'" >&2; exit 2; }
done
script=$top/tests/system/$name.sh
if [ -z "$shell" ] && [ ! -f "$script" ]; then
	echo "run.sh: no system test $script" >&2
	exit 2
fi
if [ -z "$timeout_s" ]; then
	timeout_s=${TESTHOST_TIMEOUT:-}
fi
if [ -z "$timeout_s" ] && [ -z "$shell" ]; then
	timeout_s=$(sed -n 's/^# testhost-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -n1)
fi
timeout_s=${timeout_s:-300}
# A busy machine runs emulation slower: TESTHOST_TIMEOUT_SCALE=N stretches
# every timeout N times.
scale=${TESTHOST_TIMEOUT_SCALE:-1}
freeze_s=${TESTHOST_FREEZE_S:-45}
case "$scale$timeout_s$freeze_s" in
*[!0-9]*) echo "run.sh: timeouts must be whole seconds (-t, TESTHOST_TIMEOUT, TESTHOST_TIMEOUT_SCALE, TESTHOST_FREEZE_S)" >&2; exit 2 ;;
esac
[ "$scale" -gt 0 ] || { echo "run.sh: TESTHOST_TIMEOUT_SCALE must be at least 1" >&2; exit 2; }
timeout_s=$((timeout_s * scale))

qemu=${TESTHOST_QEMU:-qemu-system-x86_64}
smp=${TESTHOST_SMP:-1}
case "$smp" in
1|2|3|4) ;;
*) echo "run.sh: TESTHOST_SMP must be 1 to 4" >&2; exit 2 ;;
esac
dram_mb=${TESTHOST_DRAM_MB:-2048}
slow_mb=${TESTHOST_SLOW_MB:-512}
nv_mb=${TESTHOST_NVDIMM_MB:-512}
case "$dram_mb$slow_mb$nv_mb" in
*[!0-9]*) echo "run.sh: TESTHOST_DRAM_MB, TESTHOST_SLOW_MB and TESTHOST_NVDIMM_MB must be whole MiB" >&2; exit 2 ;;
esac
ram_mb=$((dram_mb + slow_mb))
# q35 keeps all RAM below 4 GiB up to 2816 MiB: the meter's ranges rely on it.
if [ "$dram_mb" -lt 256 ] || [ "$slow_mb" -lt 128 ] || [ "$ram_mb" -ge 2816 ] ||
   [ "$nv_mb" -lt 256 ] || [ $((nv_mb % 2)) != 0 ]; then
	echo "run.sh: test host memory: node 0 >= 256 MiB, node 1 >= 128 MiB, together < 2816 MiB; NVDIMM >= 256 MiB, even" >&2
	exit 2
fi
hostcheck=$top/tests/system/$name.hostcheck
[ -n "$shell" ] || [ ! -f "$hostcheck" ] || TESTHOST_METER=${TESTHOST_METER:-metered}
meter=${TESTHOST_METER:-}
if [ -n "$meter" ]; then
	qver=$("$qemu" --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	# Measured: 7.2 reports RAMBlock offsets, 10.0 guest-physical addresses.
	if [ "${qver:-0}" -lt 10 ]; then
		if [ -f "$hostcheck" ]; then
			echo "1..0 # SKIP the traffic meter needs QEMU >= 10 ($qemu is ${qver:-unknown}; TESTHOST_QEMU)"
			exit 0
		fi
		echo "run.sh: the traffic meter needs QEMU >= 10; $qemu is ${qver:-unknown} (TESTHOST_QEMU)" >&2
		exit 2
	fi
	[ -f "$top/build/meter/meter.so" ] || { echo "run.sh: build/meter/meter.so missing; run 'make meter'" >&2; exit 2; }
fi

work=$(mktemp -d "$TH/run.XXXXXX") || exit 1
qpid=
tpid=
cleanup()
{
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null
		wait "$qpid" 2>/dev/null
	fi
	if [ -n "$tpid" ]; then
		wait "$tpid" 2>/dev/null
	fi
	[ "${TESTHOST_KEEP:-}" = 1 ] && echo "run.sh: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# Sparse backing file of the emulated NVDIMM, private to this run.
truncate -s "${nv_mb}M" "$work/nvdimm.img" || exit 1
: >"$work/tap.txt"

# Node 0: the CPUs and most RAM. Node 1: CPU-less memory (the slow NUMA
# tier). Node 2: the NVDIMM's own proximity domain.
set -- -M q35,nvdimm=on -cpu max -accel tcg,thread="${TESTHOST_TCG_THREAD:-multi}" -smp "$smp" \
	-m "${ram_mb}M,slots=2,maxmem=$((ram_mb + nv_mb + 1024))M" \
	-object memory-backend-ram,id=ram0,size="${dram_mb}M" \
	-object memory-backend-ram,id=ram1,size="${slow_mb}M" \
	-numa node,nodeid=0,cpus=0-$((smp - 1)),memdev=ram0 \
	-numa node,nodeid=1,memdev=ram1 \
	-object memory-backend-file,id=nv0,share=on,mem-path="$work/nvdimm.img",size="${nv_mb}M",align=2M \
	-numa node,nodeid=2 \
	-device nvdimm,id=nvd0,memdev=nv0,node=2 \
	-kernel "$TH/vmlinux" -initrd "$TH/initramfs.img" \
	-nodefaults -no-reboot -display none -no-user-config
# The meter's ranges: RAM sits below 4 GiB in node order (checked above),
# the NVDIMM at the start of the device-memory region at 4 GiB (the
# calibration test checks both against the test host's own view).
if [ -n "$meter" ]; then
	# A host-side checker also gets the NVDIMM's per-page trace and its
	# touches, code fetched from the NVDIMM included (touch_code= names
	# the backing file, which only run.sh knows).
	[ -f "$hostcheck" ] && [ -z "$shell" ] &&
		TESTHOST_METER_ARGS="trace=$work/meter.trace,touch=$work/meter.touch,touch_code=$work/nvdimm.img,trace_range=nvdimm,mark_trace=$work/meter.marks,mark_trace_span=0:${ram_mb}M${TESTHOST_METER_ARGS:+,$TESTHOST_METER_ARGS}"
	case "${TESTHOST_METER_CODE:-},${TESTHOST_METER_ARGS:-}" in
	1,*touch_code=*) ;;
	1,*touch=*) TESTHOST_METER_ARGS="$TESTHOST_METER_ARGS,touch_code=$work/nvdimm.img" ;;
	esac
	set -- "$@" -plugin "$top/build/meter/meter.so,out=$work/meter.txt,range=dram:0:${dram_mb}M,range=slow:${dram_mb}M:${slow_mb}M,range=nvdimm:0x100000000:${nv_mb}M${TESTHOST_METER_ARGS:+,$TESTHOST_METER_ARGS}"
fi
# Quiet (every console byte is an exit), no K8 aperture scan, no crypto
# self-tests: seconds saved per boot under emulation. no_timer_check: on a
# busy machine the emulated timer can miss the kernel's IO-APIC check
# window, which panics the boot.
cmdline="console=ttyS0 quiet panic=-1 iommu=noaperture cryptomgr.notests=1 no_timer_check ${TESTHOST_CMDLINE:-}"

if [ -n "$shell" ]; then
	"$qemu" "$@" -append "$cmdline th.shell=1" \
		-serial mon:stdio -serial null -serial null
	exit $?
fi

# One boot of the test host. A fourth serial port carries the test host's
# heartbeat (/init writes its uptime every few seconds): when it stops for
# $freeze_s while QEMU runs, the test host has frozen (below), and QEMU is
# stopped rather than left to the timeout.
boot()
{
	local last=-1 size still=0

	: >"$work/tap.txt"
	: >"$work/alive.txt"
	timeout -k 5 "$timeout_s" "$qemu" "$@" -monitor none \
		-append "$cmdline th.test=$name" \
		-serial file:"$work/console.log" -serial file:"$work/tap.txt" \
		-serial file:"$work/stderr.txt" -serial file:"$work/alive.txt" \
		</dev/null >"$work/qemu.log" 2>&1 &
	qpid=$!
	# A terminal sees the TAP as it comes (tail ends by itself once QEMU is
	# gone); prove gets it once, at the end, since a frozen boot's partial
	# TAP must not reach it.
	if [ -t 1 ]; then
		tail -n +1 -s 0.2 -f --pid="$qpid" "$work/tap.txt" 2>/dev/null | tr -d '\r' &
		tpid=$!
	fi
	froze=
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		size=$(wc -c <"$work/alive.txt")
		if [ "$size" = "$last" ] && [ "$size" -gt 0 ]; then
			still=$((still + 1))
		else
			still=0
		fi
		last=$size
		if [ "$still" -ge "$freeze_s" ]; then
			froze=1
			kill "$qpid" 2>/dev/null
			break
		fi
	done
	wait "$qpid"
	qrc=$?
	qpid=
	if [ -n "$tpid" ]; then
		wait "$tpid"
		tpid=
	fi
}

# The test host froze (its clock, processes and console stopped together,
# its kernel silent) in 5 of 44 boot_console_stall runs and in 7 of 12 80 s
# runs of a console-flooding guest, under Debian's kernels 6.1.0-56 and -57
# and multi- or single-threaded TCG: a defect of the emulated machine, not
# of the test, whose guest runs in the test host's KVM (one flood run froze
# on two boots in a row). A frozen boot is tried again, at most twice, and
# says so on stderr; a third freeze fails the test.
tries=0
while :; do
	boot "$@"
	tries=$((tries + 1))
	[ -n "$froze" ] && [ "$tries" -lt 3 ] || break
	echo "# testhost: the test host froze (no heartbeat for $freeze_s s, last at uptime $(tail -n1 "$work/alive.txt" | tr -d '\r') s); booting it again; its last TAP and console lines:" >&2
	tr -d '\r' <"$work/tap.txt" | tail -n 3 | sed 's/^/#   tap: /' >&2
	tr -d '\r' <"$work/console.log" | tail -n 3 | sed 's/^/#   console: /' >&2
	[ -t 1 ] && echo "# testhost: the test host froze; TAP again from a fresh boot"
done
tr -d '\r' <"$work/tap.txt" >"$work/tap"
[ -t 1 ] || cat "$work/tap"
tr -d '\r' <"$work/stderr.txt" >&2

why=
rc=$(sed -n 's/^# testhost: exit \([0-9]*\)$/\1/p' "$work/tap" | tail -n1)
if [ -n "$froze" ]; then
	why="the test host froze on $tries boots (no heartbeat for $freeze_s s)"
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	why="timed out after $timeout_s s"
elif [ -z "$rc" ]; then
	why="the test host stopped before the test ended (qemu status $qrc)"
elif [ "$rc" != 0 ]; then
	why="$name.sh exited $rc"
elif ! grep -Eq '^1\.\.[0-9]+' "$work/tap"; then
	why="$name.sh printed no TAP plan"
fi
if [ -n "$meter" ] && [ "$meter" != metered ]; then
	cp "$work/meter.txt" "$meter" 2>/dev/null ||
		echo "# testhost: no meter report (see the console log)" >&2
fi
if [ -z "$why" ] && [ -f "$hostcheck" ]; then
	sh "$hostcheck" "$work/meter.txt" "$work/tap" "$work/meter.trace" "$work/meter.touch" "$work/meter.marks" ||
		why="$name.hostcheck failed"
fi
# A failed test leaves a digest in $TH/failed/NAME.txt (its failed lines,
# its last comments, why the test host failed): prove's summary gives only
# the numbers, and make test prints the digests after it, where a CI log's
# tail shows them.
if [ -n "$why" ] || grep -q '^not ok' "$work/tap"; then
	mkdir -p "$TH/failed" && {
		grep '^not ok' "$work/tap"
		grep '^#' "$work/tap" | tail -n 24
		[ -z "$why" ] || echo "# testhost: FAILED: $why"
		[ -z "$why" ] || tr -d '\r' <"$work/console.log" 2>/dev/null | tail -n 12 | sed 's/^/#   /'
	} >"$TH/failed/$name.txt"
fi
[ -z "$why" ] && exit 0

echo "# testhost: FAILED: $why" >&2
if [ -s "$work/qemu.log" ]; then
	sed 's/^/# qemu: /' "$work/qemu.log" >&2
fi
if [ -s "$work/console.log" ]; then
	echo "# testhost: last lines of the test host's console:" >&2
	tr -d '\r' <"$work/console.log" | tail -n 40 | sed 's/^/#   /' >&2
else
	echo "# testhost: the test host's console is empty" >&2
fi
exit 1
