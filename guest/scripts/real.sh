#!/bin/sh
# Guest side of make eval-real (tools/evalreal): runs the workloads named by
# real.w=W1,W2,... on the kernel command line (hotset, shift, sqlite, redis), each
# a fixed amount of work scaled by real.scale=N (default 1), each between
# two traffic-meter marks ("W-start", "W-end"), and prints
# "real-result: W THROUGHPUT UNIT" per workload. sqlite and redis need
# real.cpio appended to the initrd (guest/build-real.sh).
w=hotset
scale=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	real.w=*) w=${arg#real.w=} ;;
	real.scale=*) scale=${arg#real.scale=} ;;
	esac
done

now() { cut -d' ' -f1 /proc/uptime; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; printf "%.1f", (d > 0 ? n / d : 0) }'; }

# GUPS over a 64 MiB hot set among 128 MiB written once, a fixed number of
# updates (2^19 per scale): updates per second. The updates are a phase of
# their own: "real-phase: hotset updates OFFSET SECONDS", when they began
# (seconds after the workload's start mark) and how long they took. The
# policies' pace differs between writing the memory and updating it, and
# tools/evalreal/analyse.sh replays each phase at its own.
# run_hotset T0 NAME [shift]: with "shift", half of the updates go to a
# second hot set of the same size (also written once at the start): the
# hot set shifts, phases "before" and "after" the shift.
run_hotset()
{
	local n=$((524288 * scale)) out
	out=$(hotset -m 64 -c 128 -n $n ${3:+-S $((n / 2))})
	# Where the hot set lies (guest-physical 2 MiB frames): runs compare.
	echo "$out" | sed -n "s/^hotset: frames /real-frames: $2 /p"
	echo "$out" | sed -n 's/ shift=/ /; s/^hotset: done updates=\([0-9]*\) seconds=\([0-9.]*\) start=\([0-9.]*\)\(.*\)/\1 \2 \3\4/p' |
		awk -v t0="$1" -v w="$2" '{ printf "real-result: %s %.1f updates/s\n", w, ($2 > 0 ? $1 / $2 : 0)
			if (NF < 4) printf "real-phase: %s updates %.3f %s\n", w, $3 - t0, $2
			else printf "real-phase: %s before %.3f %s\nreal-phase: %s after %.3f %.3f\n",
				w, $3 - t0, $4, w, $3 - t0 + $4, $2 - $4 }'
}

# "real-phase: W NAME OFFSET SECONDS" for a phase that began at uptime $3
# and ended at $4, the workload's start mark at $2.
phase()
{
	awk -v w="$1" -v t0="$2" -v a="$3" -v b="$4" -v name="$5" \
		'BEGIN { if (a != "" && b != "" && b >= a) printf "real-phase: %s %s %.3f %.3f\n", w, name, a - t0, b - a }'
}

# An in-memory database of 512-byte rows, then transactions of 50 random
# row updates each: rows inserted plus rows updated, per second. The
# inserts and the updates are phases of their own (the sqlite3 shell
# reads the clock between them).
run_sqlite()
{
	local m=$1 rows=$((40000 * scale)) tx=$((100 * scale)) t0 t1 c
	awk -v rows=$rows -v tx=$tx 'BEGIN {
		c = ".shell cat /proc/uptime"
		print "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);"
		print c
		print "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " rows ") INSERT INTO t SELECT x, randomblob(512) FROM c;"
		print c
		for (i = 0; i < tx; i++) {
			print "BEGIN;"
			for (j = 0; j < 50; j++)
				print "UPDATE t SET v = randomblob(512) WHERE k = abs(random()) % " rows " + 1;"
			print "COMMIT;"
		}
		print c
		print "SELECT count(*) FROM t;"
	}' >/tmp/sqlite.sql
	t0=$(now)
	sqlite3 :memory: </tmp/sqlite.sql >/tmp/sqlite.out || return 1
	t1=$(now)
	echo "real-result: sqlite $(rate $((rows + tx * 50)) "$t0" "$t1") rows/s"
	c=$(awk 'NR <= 3 { printf "%s ", $1 }' /tmp/sqlite.out)
	set -- $c
	phase sqlite "$m" "$1" "$2" insert
	phase sqlite "$m" "$2" "$3" updates
}

# redis-server on the guest's loopback, driven by redis-benchmark: SET then
# GET of 1 KiB values over 30000 keys, requests per second (mean of both).
# The SETs and the GETs are phases of their own.
run_redis()
{
	local m=$1 n=$((10000 * scale)) i t op
	ip link set lo up
	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize yes --pidfile /tmp/redis.pid --logfile /tmp/redis.log || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli ping 2>/dev/null | grep -q PONG && break
		sleep 1
	done
	: >/tmp/redis.out
	for op in set get; do
		t=$(now)
		redis-benchmark -q -n $n -t $op -d 1024 -r 30000 -c 4 -P 8 2>/dev/null |
			tr '\r' '\n' >>/tmp/redis.out
		phase redis "$m" "$t" "$(now)" $op
	done
	awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i == "requests") { s += $(i - 1); k++ } }
		END { if (k) printf "real-result: redis %.1f requests/s\n", s / k }' /tmp/redis.out
	kill "$(cat /tmp/redis.pid)" 2>/dev/null
}

for x in $(echo "$w" | tr ',' ' '); do
	# The phases are timed from the mark itself: a process started
	# after it (now) starts up to 2 s late under emulation.
	metermark "$x-start" | tee /tmp/mark
	t0=$(sed -n 's/^meter-time: [^ ]* //p' /tmp/mark)
	[ -n "$t0" ] || t0=$(now)
	case "$x" in
	hotset) run_hotset "$t0" hotset ;;
	shift) run_hotset "$t0" shift shift ;;
	sqlite) run_sqlite "$t0" ;;
	redis) run_redis "$t0" ;;
	*) echo "real-result: $x unknown" ;;
	esac
	metermark "$x-end"
done
