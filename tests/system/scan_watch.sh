#!/bin/sh
# scan_watch (tests/system/scan_watch.c, make eval-real's record of NUMA
# balancing's scans): beside a guest running its hot set on plain memory
# (--dram ...,node=any) with NUMA balancing on, it finds the guest's RAM
# mapping at the first mark a console file names, records scans of the
# guest's pages (ranges within its RAM, PTEs changed), and takes its
# kprobes away when stopped, or when the process is gone; with --marks it
# records the marks alone, with no kprobes.
# testhost-timeout: 400
. /tests/system/lib/hmmv_engine.sh
echo 1..9
T=/sys/kernel/tracing
console=/tmp/scan_watch.console
rm -f $sock $out $err $console /tmp/scan_watch.out
echo 1 >/proc/sys/kernel/numa_balancing
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M --dram 256M,node=any --control $sock \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=16,64,25" \
	</dev/null >$out 2>$err &
pid=$!
scan_watch $pid $console >/tmp/scan_watch.out 2>&1 &
watch=$!
wait_line '^hotset: frames' 300
ok $? "the guest runs its hot set"
echo "meter-mark: t-start" >$console
# The scanner starts after the task's first second of CPU time and scans
# every period after it (numa_balancing_scan_period_min_ms, 1 s).
sleep 10
kill -TERM $watch
wait $watch
ok $? "scan_watch stops at SIGTERM, exit 0"
sed 's/^/# /' /tmp/scan_watch.out | head -n 20
grep -q '^# real-clock: t-start [0-9][0-9]*$' /tmp/scan_watch.out
ok $? "the console's mark, with its time"
set -- $(sed -n 's/^# real-guestva: \(0x[0-9a-f]*\) \(0x[0-9a-f]*\)$/\1 \2/p' /tmp/scan_watch.out)
[ $# = 2 ] && [ $(($2 - $1)) = $((256 << 20)) ]
ok $? "the guest's RAM mapping found: 256 MiB at ${1:-?}"
awk '$2 == "real-scan:" { n++; if ($4 + $5 > 65536 || $5 < 1) bad++; if ($6 > 0) armed++ }
     END { printf "# %d scans of the guest, %d arming PTEs, %d out of its pages\n", n, armed, bad
	   exit !(n > 0 && armed > 0 && !bad) }' /tmp/scan_watch.out
ok $? "scans of the guest's pages recorded, within its 65536 pages, some arming PTEs"
! grep -q hmmv_scan $T/kprobe_events && grep -q '\[local\]' $T/trace_clock
ok $? "the kprobes are gone and the trace clock is back to local"
# --marks: the marks' times alone (make eval-real's engine runs).
scan_watch --marks $pid $console >/tmp/scan_watch.out 2>&1 &
watch=$!
sleep 1
echo "meter-mark: t2-start" >>$console
sleep 1
probes=$(grep -c hmmv_scan $T/kprobe_events)
kill -TERM $watch
wait $watch
rc=$?
sed 's/^/# /' /tmp/scan_watch.out | head -n 5
[ $rc = 0 ] && [ "$probes" = 0 ] && grep -q '^# real-clock: t2-start [0-9][0-9]*$' /tmp/scan_watch.out &&
	! grep -q 'real-guestva:\|real-scan:' /tmp/scan_watch.out
ok $? "--marks: the mark with its time, no kprobes, no mapping, no scans"
scan_watch --marks >/dev/null 2>/tmp/scan_watch.err
[ $? = 2 ] && grep -q '^usage: scan_watch \[--marks\] PID CONSOLE$' /tmp/scan_watch.err
ok $? "--marks without PID and CONSOLE: usage, exit 2"
timeout 20 scan_watch 999999 $console >/tmp/scan_watch.out 2>&1
[ $? = 0 ] && ! grep -q 'real-scan:' /tmp/scan_watch.out && ! grep -q hmmv_scan $T/kprobe_events
ok $? "a process that is not there: scan_watch ends by itself, no scans, no kprobes left"
echo 0 >/proc/sys/kernel/numa_balancing
hmmv_finish
