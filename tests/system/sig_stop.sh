#!/bin/sh
# No signal kills hmmv without clean-up (issue 14 item 6). For each signal
# hmmv turns into a stop (SIGUSR1, SIGALRM, SIGPWR, SIGXCPU, SIGVTALRM,
# SIGPROF, SIGIO and a real-time one): exit status 4, the control socket
# removed, the trace complete (header, blocks, end marker). SIGXFSZ and
# SIGPIPE are ignored: hmmv keeps running. The trace header is on disk as
# soon as tracing starts, even with a 60 s interval and an idle guest.
# testhost-timeout: 400
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
CTL=/tmp/sig.sock
T=/tmp/sig.trace
LOG=/tmp/sig.log

# start: a guest that waits forever, traced; returns once tracing runs.
start()
{
	local i=0
	rm -f $CTL $T $LOG
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=hang" --trace-interval 60000 \
		--control $CTL --trace $T --console file:$LOG </dev/null 2>/tmp/sig.err &
	vm=$!
	while ! [ -s $T ] && kill -0 $vm 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

echo 1..11
start
[ -s $T ] && [ -S $CTL ]
ok $? "the trace header is on disk as soon as tracing starts (60 s interval)"
kill -TERM $vm
wait $vm

for sig in USR1 ALRM PWR XCPU VTALRM PROF IO 40; do
	start
	kill -$sig $vm
	wait $vm
	rc=$?
	sed 's/^/# /' /tmp/sig.err
	trace_check $T >/dev/null 2>&1
	tc=$?
	[ $rc = 4 ] && [ ! -e $CTL ] && [ $tc = 0 ]
	ok $? "SIG$sig: exit 4 (got $rc), control socket removed, trace complete (trace_check $tc)"
done

start
kill -XFSZ $vm
kill -PIPE $vm
sleep 1
kill -0 $vm 2>/dev/null
alive=$?
kill -TERM $vm
wait $vm
rc=$?
[ $alive = 0 ] && [ $rc = 4 ]
ok $? "SIGXFSZ and SIGPIPE are ignored; SIGTERM then stops it with 4 (got $rc)"
hmmv run --help | grep -q "SIGUSR1"
ok $? "hmmv run --help names the signals that stop it"
rm -f $T $LOG
