#!/bin/sh
# Guest side of make eval-real (tools/evalreal): runs the workloads named by
# real.w=W1,W2,... on the kernel command line (hotset, sqlite, redis), each
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
run_hotset()
{
	local out
	out=$(hotset -m 64 -c 128 -n $((524288 * scale)))
	echo "$out" | sed -n 's/^hotset: done updates=\([0-9]*\) seconds=\([0-9.]*\) start=\([0-9.]*\).*/\1 \2 \3/p' |
		awk -v t0="$1" '{ printf "real-result: hotset %.1f updates/s\nreal-phase: hotset updates %.3f %s\n",
			($2 > 0 ? $1 / $2 : 0), $3 - t0, $2 }'
}

# An in-memory database of 512-byte rows, then transactions of 50 random
# row updates each: rows inserted plus rows updated, per second.
run_sqlite()
{
	local rows=$((40000 * scale)) tx=$((100 * scale)) t0 t1
	awk -v rows=$rows -v tx=$tx 'BEGIN {
		print "CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB);"
		print "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " rows ") INSERT INTO t SELECT x, randomblob(512) FROM c;"
		for (i = 0; i < tx; i++) {
			print "BEGIN;"
			for (j = 0; j < 50; j++)
				print "UPDATE t SET v = randomblob(512) WHERE k = abs(random()) % " rows " + 1;"
			print "COMMIT;"
		}
		print "SELECT count(*) FROM t;"
	}' >/tmp/sqlite.sql
	t0=$(now)
	sqlite3 :memory: </tmp/sqlite.sql >/tmp/sqlite.out || return 1
	t1=$(now)
	echo "real-result: sqlite $(rate $((rows + tx * 50)) "$t0" "$t1") rows/s"
}

# redis-server on the guest's loopback, driven by redis-benchmark: SET then
# GET of 1 KiB values over 30000 keys, requests per second (mean of both).
run_redis()
{
	local n=$((10000 * scale)) i
	ip link set lo up
	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize yes --pidfile /tmp/redis.pid --logfile /tmp/redis.log || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli ping 2>/dev/null | grep -q PONG && break
		sleep 1
	done
	redis-benchmark -q -n $n -t set,get -d 1024 -r 30000 -c 4 -P 8 2>/dev/null |
		tr '\r' '\n' | awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i == "requests") { s += $(i - 1); k++ } }
			END { if (k) printf "real-result: redis %.1f requests/s\n", s / k }'
	kill "$(cat /tmp/redis.pid)" 2>/dev/null
}

for x in $(echo "$w" | tr ',' ' '); do
	metermark "$x-start"
	t0=$(now)
	case "$x" in
	hotset) run_hotset "$t0" ;;
	sqlite) run_sqlite ;;
	redis) run_redis ;;
	*) echo "real-result: $x unknown" ;;
	esac
	metermark "$x-end"
done
