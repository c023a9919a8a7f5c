#!/bin/sh
# make sweep: is any baseline much stronger with one parameter changed?
# Each baseline runs with its defaults and with one flag changed at a time
# on a fixed set of cells; prints the geometric mean of throughput over
# all-DRAM, and the change against the defaults. Usage: sweep.sh HMMV OUT
set -eu

HMMV=$1
OUT=$2
mkdir -p "$OUT"
rm -f "$OUT/sweep.csv"

CELLS="--workload=gups|--hot-mb=16 --workload=mix4|--vm-mb=64 --workload=clusters|--hot-mb=16
--workload=zipf --workload=phases|--hot-mb=16 --workload=bighot"

variants() {
	cat <<'V'
numa-balancing|defaults|
numa-balancing|hot threshold 1 ms|--nb-hot-threshold-ms 1
numa-balancing|hot threshold 10 ms|--nb-hot-threshold-ms 10
numa-balancing|hot threshold 1000 ms|--nb-hot-threshold-ms 1000
numa-balancing|rate limit 65536 MB/s|--nb-rate-limit-mbps 65536
numa-balancing|rate limit 256 MB/s|--nb-rate-limit-mbps 256
numa-balancing|watermark_scale_factor 10|--nb-wmark-scale 10
numa-balancing|watermark_scale_factor 300|--nb-wmark-scale 300
numa-balancing|watermark_scale_factor 3000|--nb-wmark-scale 3000
numa-balancing|threshold adjusted every 1 s|--nb-scan-period-max-ms 1000
numa-balancing|scan period 250 ms|--nb-scan-period-ms 250
numa-balancing|scan period 1000 ms|--nb-scan-period-ms 1000
numa-balancing|scan size 1024 MB|--nb-scan-size-mb 1024
numa-balancing|scan size 64 MB|--nb-scan-size-mb 64
hemem|defaults|
hemem|sample period 1000|--hemem-period 1000
hemem|sample period 20000|--hemem-period 20000
hemem|hot read 4 write 2|--hemem-hot-read 4 --hemem-hot-write 2
hemem|hot read 16 write 8|--hemem-hot-read 16 --hemem-hot-write 8
hemem|cooling 9|--hemem-cool 9
hemem|cooling 36|--hemem-cool 36
hemem|rate 1 GB/s|--hemem-rate-gbps 1
hemem|rate 50 GB/s|--hemem-rate-gbps 50
hemem|migration thread every 1 ms|--hemem-tick-ms 1
hemem|once an interval (100 ms)|--hemem-tick-ms 0
memtis|defaults|
memtis|sample period 50|--memtis-period 50
memtis|sample period 1000|--memtis-period 1000
memtis|cooling 500k samples|--memtis-cooling 500000
memtis|cooling 8M samples|--memtis-cooling 8000000
memtis|adaptation 25k samples|--memtis-adapt 25000
memtis|adaptation 400k samples|--memtis-adapt 400000
memtis|kmigrated 500 ms|--memtis-mig-ms 500
memtis|kmigrated 25 ms|--memtis-mig-ms 25
memtis|rate 512 MB/s|--memtis-rate-mbps 512
memtis|rate 8192 MB/s|--memtis-rate-mbps 8192
V
}

variants | grep "^${SWEEP_ONLY:-}" | while IFS='|' read -r pol name flags; do
	for c in $CELLS; do
		wl=$(echo "$c" | tr '|=' '  ')
		case $wl in *bighot*) wl="--workload gups --hot-mb 80" ;; esac
		for d in 10 25; do
			# shellcheck disable=SC2086
			"$HMMV" sim --vm-mb 128 $wl --intervals 80 --dram-pct $d $flags \
				--policies all-dram,$pol --quiet --label "$pol|$name" \
				--csv "$OUT/sweep.csv"
		done
	done
done
awk -F, '$3 == "all" { if ($2 == "all-dram") ref = $4; else { L[$1] += log($4 / ref); N[$1]++; if (!($1 in s)) { s[$1] = 1; K[++n] = $1 } } }
END {
	printf "%-16s %-30s %9s %9s\n", "baseline", "setting", "/all-dram", "vs dflt"
	for (i = 1; i <= n; i++) {
		split(K[i], a, "|"); g = exp(L[K[i]] / N[K[i]])
		if (a[2] == "defaults") d[a[1]] = g
		printf "%-16s %-30s %9.3f %9.3f\n", a[1], a[2], g, g / d[a[1]]
	}
}' "$OUT/sweep.csv" | tee "$OUT/sweep.txt"
