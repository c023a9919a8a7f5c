#!/bin/sh
# Files hmmv opens by name are safe in a shared (1777) directory and never
# hang it (issue 14 items 4, 5): --trace and --console file: refuse a
# planted symlink (its target untouched) and create their files 0600
# (0640 with --group-readable); -k, -i, --console file:, --trace and
# hmmv sim --trace refuse a FIFO at once with exit 2 and one line, and
# leave no control socket behind.
# testhost-timeout: 300
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
D=/tmp/shared
K="-k /guest/vmlinuz -m 128M"
CTL=/tmp/io.sock
rm -rf $D
mkdir -p $D
chmod 1777 $D
echo precious >$D/secret
chmod 600 $D/secret
mkfifo $D/fifo

# bounded EXPECTED_RC WORD DESC CMD...: the command ends within 20 s with
# EXPECTED_RC and exactly one stderr line containing WORD.
bounded()
{
	local want=$1 word=$2 desc=$3 pid i rc lines
	shift 3
	"$@" </dev/null >/tmp/io.out 2>/tmp/io.err &
	pid=$!
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $pid 2>/dev/null; then
		kill -9 $pid
		wait $pid
		rc=hung
	else
		wait $pid
		rc=$?
	fi
	lines=$(wc -l </tmp/io.err)
	[ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q -- "$word" /tmp/io.err
	ok $? "$desc: exit $want (got $rc), one line naming '$word'"
	sed 's/^/# /' /tmp/io.err
}

echo 1..12
ln -s $D/secret $D/trace.link
ln -s $D/secret $D/console.link
bounded 2 trace.link "--trace onto a planted symlink" \
	hmmv run $K --control $CTL --trace $D/trace.link
bounded 2 console.link "--console file: onto a planted symlink" \
	hmmv run $K --control $CTL --console file:$D/console.link
[ "$(cat $D/secret)" = precious ]
ok $? "the symlinks' target is untouched"

bounded 2 fifo "-k FIFO" hmmv run -k $D/fifo -m 128M
bounded 2 fifo "-i FIFO" hmmv run $K -i $D/fifo
bounded 2 fifo "--trace FIFO" hmmv run $K --control $CTL --trace $D/fifo
bounded 2 fifo "--console file:FIFO" hmmv run $K --control $CTL --console file:$D/fifo
[ ! -e $CTL ]
ok $? "no control socket is left behind"
bounded 2 fifo "hmmv sim --trace FIFO" hmmv sim --trace $D/fifo

# Files created by a run that really starts (stopped at once by SIGTERM).
created()
{
	local flags=$1 pid i
	rm -f $D/run.log $D/run.trace $CTL
	hmmv run $K -p "console=ttyS0 quiet panic=-1" $flags --control $CTL \
		--console file:$D/run.log --trace $D/run.trace </dev/null 2>/tmp/io.err &
	pid=$!
	i=0
	while ! [ -s $D/run.trace ] && kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM $pid
	wait $pid
	sed 's/^/# /' /tmp/io.err
}
umask 0
created ""
[ "$(stat -c %a $D/run.log)" = 600 ] && [ "$(stat -c %a $D/run.trace)" = 600 ]
ok $? "--console file: and --trace create 0600 files with umask 0 ($(stat -c %a $D/run.log) $(stat -c %a $D/run.trace))"
created --group-readable
[ "$(stat -c %a $D/run.log)" = 640 ] && [ "$(stat -c %a $D/run.trace)" = 640 ]
ok $? "with --group-readable they are 0640 ($(stat -c %a $D/run.log) $(stat -c %a $D/run.trace))"
umask 022
hmmv run --help 2>&1 | grep -q -- --group-readable
ok $? "hmmv run --help documents --group-readable"
rm -rf $D
