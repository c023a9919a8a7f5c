#!/bin/sh
# hmmv never hangs on its way out: 20 times, a 512 MiB guest with
# --dram 128M --nvm /dev/dax0.0 fills the 300 MiB above DRAM, all on the
# devdax (tiny_kernel: seconds, no Linux boot), and powers off; each exit,
# from the guest's last console line to hmmv's end, must take under 30 s.
# A run with no 'filled' after 120 s or an exit past 60 s is cut, with the
# kernel stacks of hmmv's threads as TAP comments. The engine is off (--hmmv off): with it the fill runs under
# dirty logging and takes ten times longer; its own stop is the engine
# tests' business.
# testhost-timeout: 600
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
now() { cut -d' ' -f1 /proc/uptime; }
# secs A B: B - A in seconds, two decimals (from /proc/uptime).
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# stacks: where hmmv's threads are (user and kernel), then kill it.
stacks()
{
	local t
	for t in /proc/$pid/task/*; do
		echo "# thread $(cat $t/comm) state $(cut -d' ' -f3 $t/stat) wchan $(cat $t/wchan):"
		sed 's/^/#   /' $t/stack
	done
	kill -9 $pid
}

runs=20
echo 1..$((runs + 1))
tiny_kernel /tmp/tiny.elf 128 300
worst=0
for i in $(seq $runs); do
	# Gone before the start, so an old 'filled' is never read.
	rm -f /tmp/exit.out
	t0=$(now)
	hmmv run -k /tmp/tiny.elf -m 512M --dram 128M --nvm /dev/dax0.0 --hmmv off \
		</dev/null >/tmp/exit.out 2>/tmp/exit.err &
	pid=$!
	cut=
	while ! grep -q filled /tmp/exit.out 2>/dev/null && kill -0 $pid 2>/dev/null; do
		if [ "$(secs $t0 $(now) | cut -d. -f1)" -ge 120 ]; then
			echo "# run $i: no 'filled' after 120 s"
			stacks
			cut=1
			break
		fi
		sleep 0.05
	done
	t1=$(now)
	while [ -z "$cut" ] && [ -d /proc/$pid ] && [ "$(cut -d' ' -f3 /proc/$pid/stat)" != Z ]; do
		if [ "$(secs $t1 $(now) | cut -d. -f1)" -ge 60 ]; then
			echo "# run $i: still exiting after 60 s"
			stacks
			cut=1
			break
		fi
		sleep 0.05
	done
	wait $pid
	rc=$?
	t2=$(now)
	e=$(secs $t1 $t2)
	echo "# run $i: start to 'filled' $(secs $t0 $t1) s, exit $e s, status $rc"
	sed 's/^/# stderr: /' /tmp/exit.err
	[ -z "$cut" ] && [ $rc = 0 ] && grep -q filled /tmp/exit.out &&
		[ "$(echo $e | cut -d. -f1)" -lt 30 ]
	ok $? "run $i: the guest filled 300 MiB, powered off and hmmv exited 0 in $e s (< 30 s)"
	[ "$(echo $e | cut -d. -f1)" -gt "$worst" ] && worst=$(echo $e | cut -d. -f1)
done
# The devdax must be free again: a last run takes its lock.
hmmv run -k /tmp/tiny.elf -m 512M --dram 128M --nvm /dev/dax0.0 --hmmv off </dev/null >/dev/null 2>&1
ok $? "the devdax is usable after $runs exits (worst exit ${worst}s)"
