#!/bin/sh
# hmmv run --trace on the Debian guest running hotset (GUPS over a 32 MiB
# hot set asking for huge pages, guest/progs/hotset.c, which names the
# 2 MiB guest-physical frames holding it): without a slow tier the HMM-V
# engine tracks only and the trace holds its observations (the sampled
# block pages, windows touched): it is well formed, the hot set is visible
# in it (every dense hot chunk seen in several intervals, and more than
# 90% of the other chunks), and hmmv sim replays it with the HMM-V
# policy. Then a run stopped by a signal still
# leaves a complete trace, and a run that cannot start leaves no file.
# (SIGTERM: a background job of a non-interactive sh ignores SIGINT; hmmv
# serves SIGINT, SIGTERM and SIGHUP alike.)
# testhost-timeout: 400
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
val()
{
	sed -n "s/.*\<$1=\([0-9]*\).*/\1/p" /tmp/trace-check.out
}
echo 1..10
T=/tmp/hotset.trace
rm -f $T
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 512M --trace $T \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hotset" \
	</dev/null >/tmp/trace-guest.out 2>/tmp/trace-guest.err
rc=$?
grep 'hotset\|hmmv-guest' /tmp/trace-guest.out | cut -c1-200 | sed 's/^/# /'
sed 's/^/# stderr: /' /tmp/trace-guest.err
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
grep -q '^hotset: done updates=' /tmp/trace-guest.out
ok $? "hotset finished its updates"
# Dense frames: at least half of the chunk is hot set (huge pages: all).
frames=
for f in $(sed -n 's/^hotset: frames [0-9]*: //p' /tmp/trace-guest.out | tr -d '\r'); do
	[ "${f#*:}" -ge 256 ] && frames="$frames ${f%:*}"
done
nf=$(echo $frames | wc -w)
[ "$nf" -ge 12 ] && [ "$nf" -le 16 ]
ok $? "at least 24 of the hot set's 32 MiB fill whole chunks: $nf dense frames (12..16)"
trace_check $T $frames >/tmp/trace-check.out
ok $? "the trace is well formed (header, ordered blocks, end marker)"
sed 's/^/# /' /tmp/trace-check.out
# The engine's queue samples each chunk when it is due, so no interval
# shows every hot chunk: over the whole run, each dense hot chunk must be
# seen in several intervals and more often than 90% of the other chunks.
hs=$(val hot_seen_min); hh=$(val hot_hits_min); op=$(val other_hits_p90)
[ "${hs:-0}" -ge 5 ]
ok $? "every dense hot chunk is seen in at least ${hs:-0} intervals (>= 5)"
[ -n "$hh" ] && [ -n "$op" ] && [ "$hh" -gt "$op" ]
ok $? "the least seen dense hot chunk has ${hh:-?} page-windows, more than 90% of the other chunks (p90 ${op:-?})"
hmmv sim --trace $T --policies hmm-v >/tmp/trace-sim.out 2>&1
rc=$?
sed 's/^/# /' /tmp/trace-sim.out
[ $rc = 0 ] && grep -q '^trace  *hmm-v ' /tmp/trace-sim.out
ok $? "hmmv sim --trace replays it and reports hmm-v (exit $rc)"

# SIGTERM during boot: exit 4, and still a complete trace.
S=/tmp/sigint.trace
rm -f $S
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M --trace $S \
	--trace-interval 50 -p "console=ttyS0 quiet" </dev/null >/dev/null 2>/tmp/trace-int.err &
pid=$!
# Once the trace holds more than its 40-byte header, intervals are recorded.
i=0
while [ "$(stat -c %s $S 2>/dev/null || echo 0)" -le 40 ] && [ $i -lt 600 ] &&
	kill -0 $pid 2>/dev/null; do
	sleep 0.2; i=$((i + 1))
done
sleep 1
kill -TERM $pid
wait $pid
rc=$?
sed 's/^/# stderr: /' /tmp/trace-int.err
trace_check $S >/tmp/trace-check.out
c=$?
sed 's/^/# /' /tmp/trace-check.out
[ $rc = 4 ] && [ $c = 0 ] && [ "$(val blocks)" -ge 1 ]
ok $? "SIGTERM: exit $rc (4), the trace is complete with $(val blocks) blocks"

# A run that fails before the guest starts leaves nothing behind.
rm -f /tmp/never.trace
hmmv run -k /nonexistent --trace /tmp/never.trace >/dev/null 2>/tmp/trace-bad.err
rc=$?
[ $rc = 2 ] && [ ! -e /tmp/never.trace ]
ok $? "a run that cannot boot exits 2 ($rc) and leaves no trace file"
hmmv run -k /guest/vmlinuz --trace /nonexistent/dir/x.trace >/dev/null 2>/tmp/trace-bad.err
rc=$?
sed 's/^/# stderr: /' /tmp/trace-bad.err
[ $rc = 2 ] && [ "$(wc -l </tmp/trace-bad.err)" = 1 ] && grep -q -- '--trace /nonexistent/dir/x.trace' /tmp/trace-bad.err
ok $? "an unwritable --trace FILE: one line naming it, exit 2 ($rc)"
