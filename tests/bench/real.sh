#!/bin/sh
# make eval-real, inside the nested test host (tools/evalreal/eval-real.sh
# boots it metered, with a small DRAM node and a large NVDIMM). Runs the
# guest workloads (guest/scripts/real.sh) once per policy, in one VM each:
#   all-dram     all guest RAM in DRAM (node 0): the bound
#   slow-first   --dram 128M --nvm /dev/dax0.0 --placement nvm-first
#   hmmv-static  --dram 128M --nvm /dev/dax0.0 (dram-first, no migration)
#   hmmv-engine  the same with hmmv's engine on (--hmmv on), when hmmv has
#                it; its --trace is replayed by hmmv sim (cross-validation)
#   linux        the NVDIMM onlined as a CPU-less kmem node, NUMA balancing
#                in tiering mode, demotion on; guest RAM unbound
#                (--dram ...,node=any) and node 0 left with the same 128 MiB
#                budget (memhog): Linux alone places it
#   hmmv-pages   the same kmem node as hmmv's slow tier (--dram 128M,node=0
#                --nvm node=N), Linux's tiering off: the engine alone places
#                the guest, moving 4 KiB pages (page mode); after linux, as
#                onlining the NVDIMM cannot be undone here
# Settings come from the kernel command line (init's environment):
# REAL_POLICIES, REAL_WORKLOADS, REAL_SCALE, REAL_VM_TIMEOUT (seconds a
# VM may run, 600 x scale by default: one that hangs is stopped and its
# run fails, rather than stalling the whole test host). Prints TAP;
# "# meter-mark:", "# meter-time:" (the guest's clock at the mark),
# "# real-frames:" (the hot set's guest-physical frames), "# real-result:",
# "# real-vmstat:" and, at each mark, "# real-markstat:" (the moves so
# far) lines carry the figures; "# real-refault-ns:" what a
# tracking refault costs here, which the engine runs budget with;
# "# real-guestfast:" and "# real-guestpages:" where each run's guest was
# in RAM and (kmem runs) on the NVDIMM.
# testhost-timeout: 2400
policies=${REAL_POLICIES:-all-dram,slow-first,hmmv-static,hmmv-engine,linux}
workloads=${REAL_WORKLOADS:-hotset,shift,sqlite,redis}
scale=${REAL_SCALE:-1}
vm_limit=${REAL_VM_TIMEOUT:-$((600 * scale))}
MEM=512M
DRAM=128M
BUDGET_MIB=136		# DRAM left free for Linux: the 128 MiB plus watermarks
VMSTAT="pgpromote_success pgdemote_kswapd pgdemote_direct pgmigrate_success numa_hint_faults numa_pages_migrated numa_pte_updates pgpromote_candidate compact_isolated compact_stall compact_daemon_wake thp_fault_alloc thp_collapse_alloc"
# No proactive compaction in any run: kcompactd migrates pages within RAM,
# the guest's among them, with no bearing on tiering (in one Linux run it
# moved about 2000 of the guest's pages during sqlite, whose copies were
# most of the guest's RAM traffic there), and the frames it leaves behind
# go to whoever allocates next. Compaction on demand stays (VMSTAT counts
# it: compact_stall direct, compact_daemon_wake kcompactd, and the huge
# pages that usually ask for it).
echo 0 >/proc/sys/vm/compaction_proactiveness 2>/dev/null

set -- $(echo "$policies" | tr ',' ' ')
echo "1..$(($# + 1))"
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

cat /guest/initrd.img /guest/real.cpio >/tmp/initrd-real.img
ok $? "guest initrd with the real programs (sqlite3, redis)"
# Where the devdax starts in the NVDIMM: the meter traces the NVDIMM's pages
# (tools/evalreal/analyse.sh), hmmv's slow-tier frame f is at start + f x 2 MiB.
dax_start=$(cat /sys/bus/dax/devices/dax0.0/resource 2>/dev/null)
dax_size=$(cat /sys/bus/dax/devices/dax0.0/size 2>/dev/null)
echo "# real-dax: $dax_start $dax_size"

vmstat_get()
{
	for k in $VMSTAT; do
		awk -v k="$k" '$1 == k { v = $2 } END { printf "%s ", v + 0 }' /proc/vmstat
	done
}

engine=
snap_nv=
snap_where=
# The end of RAM below 4 GiB (nodes 0 and 1; the meter's mark_trace= span).
ram_end=$(grep -i ': System RAM$' /proc/iomem | sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) .*/\2/p' |
	awk '{ v = 0; for (i = 1; i <= length($1); i++) v = v * 16 + index("0123456789abcdef", substr($1, i, 1)) - 1
	       if (v < 4294967296 && v + 1 > m) m = v + 1 } END { printf "%.0f", m }')
hmmv run --help 2>&1 | grep -q -- '--hmmv ' && engine=1
# What a tracking refault costs here (tests/system/refault.c): far more
# than on bare metal, as every exit of the nested guest is emulated. The
# engine's tracking budget takes it (--hmmv-fault-ns), so that its
# sampling costs the guest the share of time it would on real hardware,
# and the replays of analyse.sh take the same.
# Printed as passed (within hmmv run's limits), or "unmeasured".
fault_ns=$(refault 2>/dev/null | sed -n 's/^# refault-ns: \([0-9]*\)$/\1/p')
[ "${fault_ns:-0}" -gt 10000000 ] && fault_ns=10000000
[ "${fault_ns:-0}" -ge 50 ] || fault_ns=
faultflag=${fault_ns:+--hmmv-fault-ns $fault_ns}
echo "# real-refault-ns: ${fault_ns:-unmeasured}"
# Static placements keep hmmv's engine off (it defaults to on with --nvm).
static=${engine:+--hmmv off}

# "KEY=N ..." of the engine's last hmmv stat --json, for the keys of the
# sed alternation $1.
stat_fields()
{
	tr ',{}' '\n\n\n' </tmp/stat.last |
		sed -n "s/^\"\\($1\\)\":\\([0-9]*\\)\$/\\1=\\2/p" | tr '\n' ' '
}

# The counters of moves so far, at a mark: the engine's (its last hmmv stat)
# and the kernel's (/proc/vmstat), so that each workload's own moves are
# known (the cross-validation compares them with the replay's).
mark_stat()
{
	local v
	[ -s /tmp/stat.last ] &&
		stat_fields 'promoted_bytes\|demoted_bytes\|early_promotions\|pages_zapped\|zap_calls\|zap_ns\|refaults\|move_failed\|pingpong\|intervals\|track_capped_intervals\|recopied_pages'
	set -- $VMSTAT
	for v in $(vmstat_get); do
		printf '%s=%s ' "$1" "$v"
		shift
	done
}

# The meter marks on the console of VM $1 past the first $seen: the
# engine's interval count as last polled, $2 (/tmp/ival.poll, for marks
# without a time: ival_out) and the test host's counters, and the guest's
# pages there (snap_mark); $seen moves on.
poll_marks()
{
	local marks now mv
	# One read of the console for both the count and the names (read
	# twice, a mark printed in between was reported twice), and whole
	# names only (a line still being written is taken next time).
	marks=$(tr -d '\r' </tmp/vm.out 2>/dev/null |
		sed -n 's/.*meter-mark: \([^ ]*-\(start\|end\)\)$/\1/p')
	now=$(printf '%s' "$marks" | grep -c .)
	[ "${now:-0}" -gt "$seen" ] && [ -s /tmp/stat.last ] || return 0
	mv=$(mark_stat)
	printf '%s\n' "$marks" | tail -n +$((seen + 1)) | while read -r m; do
		echo "$m ${2:-0}" >>/tmp/ival.poll
		echo "# real-markstat: $m $mv"
		# The Linux run: the passes NUMA balancing's scanner has
		# made over the VM's memory (its scan period doubles at the
		# first promotion of each: tools/sim/pol_numa.c).
		[ -n "$snap_where" ] &&
			echo "# real-numa: $m $(awk '$1 == "mm->numa_scan_seq" { print "seq=" $3 }' /proc/$1/sched 2>/dev/null)"
		snap_mark "$1" "$m"
	done
	seen=$now
}

# The engine's last figures (hmmv stat --json) while the VM runs, every
# quarter second; at each new meter mark on the console, poll_marks, so
# that the replay of its trace can be cut to the workload's marks as the
# meter is; once more after the VM is gone, for the marks it printed as it
# shut down (the last workload's end; the guest's pages as last listed). A
# VM still running after REAL_VM_TIMEOUT s is stopped (vm_stopped set).
stat_poll()
{
	local seen=0 t0 polls=0 t1 iv
	t0=$(date +%s)
	vm_stopped=
	while kill -0 "$1" 2>/dev/null; do
		# A VM that hangs is asked to stop (hmmv exits on SIGTERM, its
		# trace and stats written), killed 30 s later; its run fails.
		# Not reaped before the caller's wait: the pid is still the VM's.
		if [ $(($(date +%s) - t0)) -ge $vm_limit ]; then
			[ -n "$vm_stopped" ] || kill -TERM "$1" 2>/dev/null
			[ $(($(date +%s) - t0)) -ge $((vm_limit + 30)) ] && kill -KILL "$1" 2>/dev/null
			vm_stopped=1
		fi
		t1=$(uptime_ms)
		if hmmv stat /tmp/real.sock --json >/tmp/stat.new 2>/dev/null; then
			mv /tmp/stat.new /tmp/stat.last
			iv=$(sed -n 's/.*"intervals":\([0-9]*\).*/\1/p' /tmp/stat.last)
			[ -n "$iv" ] && echo "$(( (t1 + $(uptime_ms)) / 2 )) $iv" >>/tmp/ival.clock
		fi
		poll_marks "$1" "$iv"
		polls=$((polls + 1))
		[ $((polls % 4)) = 0 ] && snap_guest "$1"
		sleep 0.25
	done
	poll_marks "$1" "$iv"
}

# CLOCK_BOOTTIME in ms (/proc/uptime, 10 ms steps), the clock of
# scan_watch's "# real-clock:" lines. The hundredths always have two
# digits: 1HH - 100 reads "08" as 8, not as octal.
uptime_ms()
{
	local up rest
	read -r up rest </proc/uptime
	echo $(( ${up%.*} * 1000 + (1${up#*.} - 100) * 10 ))
}

# "# real-ival: MARK N", the engine's interval count at each mark: from
# the stat polls (/tmp/ival.clock, "MS N") interpolated at the time the
# mark reached the console ("# real-clock: MARK MS" of scan_watch, looked
# for every 100 ms), or for a mark without a time, the count last polled
# before the mark was seen (/tmp/ival.poll): a poll comes every quarter
# second, but the guest's pages are listed between polls, and a mark seen
# late took a count up to 2 s (20 intervals) after it.
ival_out()
{
	awk 'FILENAME ~ /clock$/ { t[++n] = $1; v[n] = $2; next }
	     FILENAME ~ /scan.out$/ { if ($2 == "real-clock:") at[$3] = $4; next }
	     { m = $1; x = $2
	       if ((m in at) && n) {
		     c = at[m]
		     if (c <= t[1]) x = v[1]
		     else if (c >= t[n]) x = v[n]
		     else for (i = 1; i < n; i++)
			     if (c < t[i + 1]) {
				     x = v[i] + (t[i + 1] > t[i] ? (v[i + 1] - v[i]) * (c - t[i]) / (t[i + 1] - t[i]) : 0)
				     break
			     }
	       }
	       printf "# real-ival: %s %d\n", m, x + 0.5 }' \
		/tmp/ival.clock /tmp/scan.out /tmp/ival.poll 2>/dev/null
}

# run_vm POLICY HMMV-FLAGS...: one guest, every workload; prints its figures.
run_vm()
{
	local policy=$1 before after rc pid watch marks where
	shift
	before=$(vmstat_get)
	rm -f /tmp/stat.last
	echo "# real-run: $policy: hmmv run -m $MEM $*"
	rm -f /tmp/vm.out /tmp/scan.out /tmp/ival.poll
	: >/tmp/ival.clock
	hmmv run -k /guest/vmlinuz -i /tmp/initrd-real.img -m $MEM "$@" --control /tmp/real.sock \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=real real.w=$workloads real.scale=$scale" \
		</dev/null >/tmp/vm.out 2>&1 &
	pid=$!
	# When each mark came (tests/system/scan_watch.c), and in the Linux
	# run when and over which guest pages the kernel's scanner ran, on
	# the same clock.
	marks=--marks
	[ -n "$snap_where" ] && marks=
	scan_watch $marks $pid /tmp/vm.out >/tmp/scan.out 2>&1 &
	watch=$!
	where=
	if [ -n "$snap_where" ]; then
		where_watch $pid &
		where=$!
	fi
	stat_poll $pid
	wait $pid
	rc=$?
	kill -TERM $watch 2>/dev/null
	wait $watch || echo "# real-scan-error: $(tail -n 1 /tmp/scan.out)"
	[ -z "$where" ] || wait $where
	grep '^# real-\(scan\|scan-lost\|clock\|guestva\): ' /tmp/scan.out
	ival_out
	# The engine's interval count as polled, on the marks' clock (the
	# analysis times the engine's moves by it: its intervals stall while
	# it moves, up to seconds): the first and last poll of each count.
	awk 'NR == 1 || $2 != last { if (n) print "# real-ivalclock:", pt, last; print "# real-ivalclock:", $1, $2; n = 0; last = $2; next }
	     { pt = $1; n = 1 }
	     END { if (n) print "# real-ivalclock:", pt, last }' /tmp/ival.clock 2>/dev/null
	if [ -n "$vm_stopped" ]; then
		echo "# real-run: $policy: stopped after $vm_limit s (REAL_VM_TIMEOUT), hmmv status $rc"
		[ $rc = 0 ] && rc=1
	fi
	after=$(vmstat_get)
	if [ -s /tmp/stat.last ]; then
		echo "# real-hmmv: $policy $(stat_fields 'promoted_bytes\|demoted_bytes\|promotions\|demotions\|move_failed\|pingpong\|track_capped_intervals\|refaults\|zap_calls\|zap_ns\|precopy_rounds\|recopied_pages\|remaps\|remap_ns')"
	fi
	tr -d '\r' </tmp/vm.out | sed -n 's/^\(meter-mark: \|meter-time: \|real-result: \|real-phase: \|real-frames: \)/# &/p'
	guest_pages_out "$policy"
	echo "# real-vmstat: $policy $(echo $VMSTAT) $before$after" |
		awk '{ n = (NF - 3) / 3; printf "# real-vmstat: %s", $3
			for (i = 1; i <= n; i++) printf " %s=%d", $(3 + i), $(3 + 2 * n + i) - $(3 + n + i)
			printf "\n" }'
	if [ $rc != 0 ]; then
		tr -d '\r' </tmp/vm.out | tail -n 20 | sed 's/^/#   /'
	fi
	return $rc
}

# The NVDIMM as a CPU-less kmem node (once: the devdax is gone after it).
kmem_online()
{
	[ -e /tmp/kmem.done ] && return 0
	daxctl reconfigure-device --mode=system-ram dax0.0 >/tmp/daxctl.log 2>&1 ||
		{ cat /tmp/daxctl.log | sed 's/^/#   /'; return 1; }
	: >/tmp/kmem.done
}

linux_setup()
{
	kmem_online || return 1
	echo 2 >/proc/sys/kernel/numa_balancing || return 1
	echo 1 >/sys/kernel/mm/numa/demotion_enabled || return 1
	for nd in /sys/devices/system/node/node*; do
		echo "# real-node: ${nd##*/} $(awk '/MemTotal/ { t = $4 } /MemFree/ { f = $4 } END { printf "total %d MiB free %d MiB", t / 1024, f / 1024 }' $nd/meminfo) cpus '$(cat $nd/cpulist)'"
	done
	# Node 1 is DRAM-class to Linux: leave it next to nothing (all of it
	# locked would call the OOM killer); node 0 the budget, the test host's
	# own evictable pages there pushed out first (--movable): left in
	# place, the kernel demotes them later to make room for the guest,
	# which then gets more DRAM than the budget.
	memhog 1 24 >/tmp/memhog1.out &
	hog1=$!
	memhog 0 $BUDGET_MIB --movable >/tmp/memhog0.out &
	hog0=$!
	# Locking hundreds of MiB takes a while under emulation: wait for both.
	for i in $(seq 1 300); do
		[ -s /tmp/memhog1.out ] && [ -s /tmp/memhog0.out ] && break
		sleep 1
	done
	sed 's/^/# /' /tmp/memhog1.out /tmp/memhog0.out
	[ -s /tmp/memhog0.out ] || { echo "# real-linux: memhog did not take node 0's memory"; return 1; }
	for nd in /sys/devices/system/node/node*; do
		echo "# real-node: ${nd##*/} after memhog: $(awk '/MemFree/ { f = $4 } /Active\(anon\)|Inactive\(anon\)|Active\(file\)|Inactive\(file\)/ { l += $4 } END { printf "free %d MiB, LRU %d MiB", f / 1024, l / 1024 }' $nd/meminfo)"
	done
	echo "# real-linux: numa_balancing=$(cat /proc/sys/kernel/numa_balancing) demotion_enabled=$(cat /sys/kernel/mm/numa/demotion_enabled)"
}

# Where each run's guest was, for the guest's own share of the metered
# traffic (tools/evalreal/analyse.sh): every page frame that held a page of
# its RAM (hmmv's memfds, memfd:hmmv-dram and memfd:hmmv-slow; not the
# devdax, whose traffic is all the guest's) between a workload's marks,
# taken every second and at the marks, a union per workload
# (tests/system/guest_pages.c, "FIRST COUNT" runs): in RAM (/tmp/gf.W,
# from physical 0, which the meter's mark_trace= covers) and, where the
# NVDIMM is a kmem node (snap_nv: the Linux and page-mode runs), on the
# NVDIMM (/tmp/gp.W, from the devdax's start). The meter counts all
# traffic, the test host's own (its kernel's, the hmmv process's) too.
# Each list of RAM frames also goes to the run's timeline (/tmp/gf.steps:
# the frames that joined and left since the list before), between two
# ticks of the meter, each of which starts a block of its per-step trace
# of RAM: the analysis counts a frame's traffic only in the steps next to
# a list that holds it. The NVDIMM's lists, right after, go to a timeline
# of their own (/tmp/gp.steps), entry for entry.
snap_guest()
{
	kill -0 "$1" 2>/dev/null || return 0
	guest_pages --steps /tmp/gf.steps "$1" memfd:hmmv- 0 "$ram_end" /tmp/gf.acc 2>>/tmp/gp.err
	[ -n "$snap_nv" ] || return 0
	guest_pages --steps-after /tmp/gp.steps "$1" memfd:hmmv- "$dax_start" "$dax_size" /tmp/gp.acc 2>>/tmp/gp.err
}

# At mark $2: a workload's unions and counts of moved pages start afresh,
# or end (the pages' last places, /tmp/g?.acc.pfn, carry on).
snap_mark()
{
	local w=${2%-end} g
	case "$2" in
	*-start)
		rm -f /tmp/gf.acc /tmp/gf.acc.moves /tmp/gp.acc /tmp/gp.acc.moves
		snap_guest "$1"
		;;
	*-end)
		snap_guest "$1"
		for g in gf gp; do
			[ -f /tmp/$g.acc ] && mv /tmp/$g.acc "/tmp/$g.$w"
			[ -f /tmp/$g.acc.moves ] && mv /tmp/$g.acc.moves "/tmp/$g.$w.moves"
		done
		;;
	esac
}

# The Linux run: where each guest page is as each workload starts
# (/tmp/gw.W; hmmv sim --nb-placement: the NUMA model starts from it),
# taken as soon as the start mark reaches the console of VM $1. The
# polls wait for each list of the guest's frames, 4-10 s apiece in the
# test host, and taken there it came seconds into the workload (run H of
# 2026-12-07: it held what kswapd had demoted 10 s into sqlite).
where_watch()
{
	local seen=0 m
	while kill -0 "$1" 2>/dev/null; do
		for m in $(tr -d '\r' </tmp/vm.out 2>/dev/null |
			   sed -n 's/.*meter-mark: \([^ ]*\)-start$/\1/p' | tail -n +$((seen + 1))); do
			seen=$((seen + 1))
			guest_pages --where "$1" memfd:hmmv-dram "$dax_start" "$dax_size" \
				>"/tmp/gw.$m" 2>>/tmp/gp.err
		done
		sleep 0.1
	done
}

# The unions of run $1, compressed, one "# real-guestfast: POLICY WORKLOAD"
# (RAM) or "# real-guestpages: POLICY WORKLOAD" (NVDIMM) line per 76
# characters, and "# real-guestmoves: POLICY WORKLOAD MOVED RESIDENT
# ON_NVDIMM" (pages: the guest's the kernel moved to or from the NVDIMM
# between the marks; at the end mark, the guest's resident, and those on
# the NVDIMM), and "# real-placement: POLICY WORKLOAD" where each page of
# the guest was as the workload started ("FIRST COUNT 0|1" runs of guest
# pages, 1 on the NVDIMM; the Linux run); and the run's timeline of RAM
# frames, "# real-guesteps: POLICY" lines, and of NVDIMM frames, "#
# real-guestepsnv: POLICY" lines (snap_guest).
# File $2, gzipped and in base64, as "# real-$1 " lines (analyse.sh's
# tap_file reads them back).
tap_file()
{
	gzip -c "$2" | base64 | sed "s/^/# real-$1 /"
}

guest_pages_out()
{
	local w
	for w in $(echo "$workloads" | tr ',' ' '); do
		[ -f "/tmp/gf.$w" ] && tap_file "guestfast: $1 $w" "/tmp/gf.$w"
		[ -f "/tmp/gp.$w" ] && tap_file "guestpages: $1 $w" "/tmp/gp.$w"
		[ -f "/tmp/gp.$w.moves" ] && echo "# real-guestmoves: $1 $w $(cat "/tmp/gp.$w.moves")"
		[ -s "/tmp/gw.$w" ] && tap_file "placement: $1 $w" "/tmp/gw.$w"
		rm -f /tmp/gf.$w /tmp/gf.$w.moves /tmp/gp.$w /tmp/gp.$w.moves /tmp/gw.$w
	done
	[ -s /tmp/gf.steps ] && tap_file "guesteps: $1" /tmp/gf.steps
	[ -s /tmp/gp.steps ] && tap_file "guestepsnv: $1" /tmp/gp.steps
	[ -s /tmp/gp.err ] && sed 's/^/# real-guestpages-error: /' /tmp/gp.err
	rm -f /tmp/gf.steps /tmp/gp.steps /tmp/gf.acc /tmp/gf.acc.pfn /tmp/gf.acc.moves
	rm -f /tmp/gp.acc /tmp/gp.acc.pfn /tmp/gp.acc.moves /tmp/gp.err
}

linux_teardown()
{
	kill $hog0 $hog1 2>/dev/null
	wait $hog0 $hog1 2>/dev/null
}

nw=$(echo "$workloads" | tr ',' '\n' | grep -c .)
for p in "$@"; do
	case "$p" in
	all-dram) run_vm $p --dram $MEM,node=0 ;;
	slow-first) run_vm $p --dram $DRAM --nvm /dev/dax0.0 --placement nvm-first $static ;;
	hmmv-static) run_vm $p --dram $DRAM --nvm /dev/dax0.0 $static ;;
	hmmv-engine)
		if [ -n "$engine" ]; then
			rm -f /tmp/engine.trace
			run_vm $p --dram $DRAM --nvm /dev/dax0.0 --hmmv on --trace /tmp/engine.trace $faultflag
			# Cross-validation (tools/evalreal/analyse.sh): the engine's
			# trace of this run goes out with the TAP, for hmmv sim.
			[ -s /tmp/engine.trace ] &&
				tap_file "trace:" /tmp/engine.trace
		else
			echo "# real-skip: hmmv-engine: this hmmv has no --hmmv (the engine is not merged yet)"
		fi
		;;
	linux)
		if linux_setup; then
			snap_nv=1 snap_where=1
			run_vm $p --dram $MEM,node=any
			snap_nv= snap_where=
			linux_teardown
		else
			echo "# real-linux: setting up Linux tiering failed"
		fi
		;;
	hmmv-pages)
		if [ -n "$engine" ] && kmem_online; then
			echo 0 >/proc/sys/kernel/numa_balancing
			echo 0 >/sys/kernel/mm/numa/demotion_enabled
			nv=$(cat /sys/bus/dax/devices/dax0.0/target_node 2>/dev/null)
			echo "# real-pages: the NVDIMM is node ${nv:-?}; numa_balancing=$(cat /proc/sys/kernel/numa_balancing) demotion_enabled=$(cat /sys/kernel/mm/numa/demotion_enabled)"
			snap_nv=1
			run_vm $p --dram $DRAM,node=0 --nvm node=${nv:-missing} --hmmv on --hmmv-move page $faultflag
			snap_nv=
		else
			echo "# real-pages: no engine, or onlining the NVDIMM failed"
		fi
		;;
	*) echo "# real-skip: $p: unknown policy" ;;
	esac >/tmp/real.$p 2>&1
	cat /tmp/real.$p
	got=$(grep -c '^# real-result: .* [0-9.]* ' /tmp/real.$p)
	if grep -q "^# real-skip: $p: this hmmv" /tmp/real.$p; then
		echo "ok $((n += 1)) - $p # SKIP the engine is not in this hmmv"
	elif [ "$p" = linux ]; then
		pro=$(sed -n 's/^# real-vmstat: .* pgpromote_success=\([0-9]*\).*/\1/p' /tmp/real.$p)
		dk=$(sed -n 's/^# real-vmstat: .* pgdemote_kswapd=\([0-9]*\).*/\1/p' /tmp/real.$p)
		dd=$(sed -n 's/^# real-vmstat: .* pgdemote_direct=\([0-9]*\).*/\1/p' /tmp/real.$p)
		dem=$((${dk:-0} + ${dd:-0}))
		[ "$got" = "$nw" ] && [ "${pro:-0}" -gt 0 ] && [ "$dem" -gt 0 ]
		ok $? "linux: $got of $nw workloads ran; Linux tiering active: ${pro:-0} pages promoted, $dem demoted"
	elif [ "$p" = hmmv-pages ]; then
		pro=$(sed -n 's/^# real-hmmv: .* promotions=\([0-9]*\).*/\1/p' /tmp/real.$p)
		[ "$got" = "$nw" ] && [ "${pro:-0}" -gt 0 ]
		ok $? "hmmv-pages: $got of $nw workloads ran; the engine made ${pro:-0} page promotions"
	else
		[ "$got" = "$nw" ]
		ok $? "$p: $got of $nw workloads ran"
	fi
done
