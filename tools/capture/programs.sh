#!/bin/sh
# Captures one real program's trace for make eval (tools/capture/capture.mk).
# Usage: programs.sh HMMV OUTDIR NAME    writes OUTDIR/NAME.trace and its
# touches, OUTDIR/NAME.touch (hmmv capture --touch-output)
# Inputs are generated here, deterministically (awk with a fixed seed).
# TRAINING: xz sort python  (defaults are chosen on these)
# TEST:     sqlite perl bzip2  (reported only)
set -eu

HMMV=$1
OUT=$2
NAME=$3
WORK=$OUT/work
mkdir -p "$WORK"
# Absolute: the capture runs from / (below).
HMMV=$(cd "$(dirname "$HMMV")" && pwd)/$(basename "$HMMV")
OUT=$(cd "$OUT" && pwd)
WORK=$(cd "$WORK" && pwd)

# A 256 KiB 8-way LLC (lackey covers only ~10 ms of a native run: the
# LLC is scaled down with the part of the footprint such a run reaches);
# 50000 data accesses per interval as recorded, 160 intervals, re-cut into
# 160 of equal transfers (--pace transfers: the simulator's clock is the
# memory's work, so a burst of misses lasts several intervals of the
# policies' clocks, as it would last several of the engine's 100 ms).
# Counts are scaled so that an interval holds 5 x 10^6 transfers, what the
# simulator's all-DRAM VM does in one 100 ms interval (2 vCPUs, the
# synthetic workloads' load): each captured interval stands for a stretch
# of the program doing the same thing (README).
# CAPTURE_ACCESSES (tests): a shorter capture, as many accesses.
CAP="--llc-kb 256 --llc-ways 8 --interval 50000
--max-accesses ${CAPTURE_ACCESSES:-8000000} --max-seconds 900
--transfers 5000000 --pace transfers"

text() {	# $1 lines of word soup, fixed seed
	awk -v n="$1" 'BEGIN { srand(1); for (i = 0; i < n; i++) {
		l = ""; for (j = 0; j < 8; j++) l = l " w" int(rand() * rand() * 50000);
		print i % 1000, l } }'
}

in=$WORK/$NAME.in
case $NAME in
xz)	text 200000 > "$in"
	set -- --skip 500000 --stdin "$in" xz -6 -c ;;
sort)	text 60000 > "$in"
	set -- --skip 1000000 --stdin "$in" sort ;;
python)	set -- --skip 3000000 /usr/bin/python3 -S -c '
import random
random.seed(1)
d = {}
for i in range(300000):
    k = int(random.paretovariate(0.8) * 1000) % 1000003
    d[k] = d.get(k, 0) + 1
print(len(d))' ;;
perl)	set -- --skip 500000 perl -e '
srand(1); my %h;
for my $i (1 .. 400000) { my $k = int(rand() ** 3 * 2000000); $h{$k} .= "x"; }
print scalar(keys %h), "\n";' ;;
bzip2)	text 100000 > "$in"
	set -- --skip 500000 --stdin "$in" bzip2 -9 -c ;;
sqlite)	{
	echo "PRAGMA cache_size=-65536;"
	echo "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);"
	echo "BEGIN;"
	echo "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<40000)"
	echo "INSERT INTO t SELECT x, (x*7919)%100003, printf('%080d', x) FROM c;"
	echo "COMMIT;"
	echo "CREATE INDEX tk ON t(k);"
	i=1
	while [ $i -le 400 ]; do
		echo "BEGIN; UPDATE t SET v=printf('%080d',k+$i) WHERE k BETWEEN $((i * 211 % 90000)) AND $((i * 211 % 90000 + 300));"
		echo "SELECT sum(length(v)) FROM t WHERE k BETWEEN $((i * 97 % 90000)) AND $((i * 97 % 90000 + 2000)); COMMIT;"
		i=$((i + 1))
	done
	} > "$in"
	set -- --skip 500000 --stdin "$in" sqlite3 :memory: ;;
*)	echo "programs.sh: unknown program '$NAME'" >&2; exit 2 ;;
esac
# From /, with a fixed environment, inputs on stdin and no address space
# randomisation: the program's argv, environment, working directory and
# mappings are the same wherever the tree is and whenever it runs, and so
# is its memory's layout under valgrind (the directory's path alone moved
# a capture's pages: xz's differed by one page in 844). Python's whole
# capture still differs now and then, on the same pages, by a few hundred
# of its 8 x 10^8 transfers (in 2 of about 15 captures; not explained).
cd /
# shellcheck disable=SC2086
env -i PATH=/usr/bin:/bin LC_ALL=C PYTHONHASHSEED=0 PERL_HASH_SEED=0 \
	PERL_PERTURB_KEYS=0 setarch "$(uname -m)" -R \
	"$HMMV" capture -o "$OUT/$NAME.trace" \
	--touch-output "$OUT/$NAME.touch" $CAP "$@"
rm -f "$in"
