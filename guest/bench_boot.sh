#!/bin/sh
# make bench-boot (a benchmark, not a test): boots Debian's kernel on hmmv
# BENCH_RUNS times (default 5) by each path, interleaved, and reports the
# median and spread (min..max) of the time from hmmv's start to the
# kernel's first message, to the guest's init and to hmmv's exit after the
# guest's poweroff; the ratio host-decompressed / bzImage; the one-time cost
# of decompressing into an empty cache; and hmmv's resident memory outside
# guest RAM. Prints TAP (one test: every boot powered off) with the figures
# as diagnostics. Inputs as guest/demo.sh: HMMV_GUEST_KERNEL/INITRD.
# testhost-timeout: 1200
set -u
kernel=${HMMV_GUEST_KERNEL:-/guest/vmlinuz}
initrd=${HMMV_GUEST_INITRD:-/guest/initrd.img}
runs=${BENCH_RUNS:-5}
# Extra memory flags for every boot, e.g. "--dram 256M,hugetlb" (2 MiB
# pages: far fewer nested page faults); hugetlb pages are reserved here,
# on node 0, where hmmv takes DRAM's (the host-wide count would spread
# them over the CPU-less node too).
memflags=${BENCH_MEMFLAGS:-}
case "$memflags" in
*hugetlb*) echo 160 >/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages \
	2>/dev/null ;;
esac
tmp=$(mktemp -d /tmp/bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Every console character costs exits, so two boots per sample: one shows
# the kernel's NOTICE banner ("Linux version", its first message) through
# the early console and is stopped there; one boots quietly (as the tests
# do) to init and poweroff.
first_params="console=ttyS0 earlyprintk=ttyS0 loglevel=6"
params="console=ttyS0 quiet panic=-1 hmmv.run=boot_info"

echo 1..1
echo "# bench-boot: $(uname -r) host, $(nproc) CPUs, $runs runs per path, -m 256M -c 1 $memflags"
bootclock -- hmmv run -k "$kernel" --prepare --cache "$tmp/cold" >"$tmp/cold.txt"
echo "# bench-boot: cold cache: decompressing the kernel took $(sed 's/.*exit_ms=\([0-9]*\).*/\1/' "$tmp/cold.txt") ms (once per kernel)"
hmmv run -k "$kernel" --prepare

fails=0
i=1
while [ "$i" -le "$runs" ]; do
	for mode in auto bzimage; do
		# shellcheck disable=SC2086
		bootclock -f -- hmmv run -k "$kernel" -i "$initrd" -m 256M -c 1 $memflags \
			--boot "$mode" -p "$first_params" >>"$tmp/$mode.first.txt"
		# shellcheck disable=SC2086
		bootclock -o "$tmp/log.$mode.$i" -- hmmv run -k "$kernel" -i "$initrd" \
			-m 256M -c 1 $memflags --boot "$mode" -p "$params" >>"$tmp/$mode.txt"
		echo "# $mode run $i: $(tail -n1 "$tmp/$mode.first.txt" | cut -d' ' -f1) $(tail -n1 "$tmp/$mode.txt" | cut -d' ' -f2-)"
		tail -n1 "$tmp/$mode.txt" | grep -q ' status=0 ' || fails=$((fails + 1))
	done
	i=$((i + 1))
done
echo "# bench-boot: console lines per quiet boot: $(wc -l <"$tmp/log.auto.1")"

# stat FILE FIELD: "median (min..max)" of FIELD over the runs, in ms.
stat()
{
	sed "s/.*$2=\([-0-9]*\).*/\1/" "$1" | sort -n | awk '
		{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%d (%d..%d)", m, v[1], v[NR] }'
}
med()
{
	stat "$1" "$2" | cut -d' ' -f1
}

printf '# %-22s %-22s %-22s %s\n' "path" "first message ms" "init ms" "exit ms"
for mode in auto bzimage; do
	name=$mode
	[ "$mode" = auto ] && name="host-decompressed"
	printf '# %-22s %-22s %-22s %s\n' "$name" "$(stat "$tmp/$mode.first.txt" first_msg_ms)" \
		"$(stat "$tmp/$mode.txt" init_ms)" "$(stat "$tmp/$mode.txt" exit_ms)"
done
a=$(med "$tmp/auto.txt" init_ms)
b=$(med "$tmp/bzimage.txt" init_ms)
echo "# bench-boot: time to init, host-decompressed / bzImage = $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }') (goal <= 0.60)"
echo "# bench-boot: hmmv RSS outside guest RAM (RssAnon+RssFile, max over the boot): $(stat "$tmp/auto.txt" rss_kb) KiB host-decompressed, $(stat "$tmp/bzimage.txt" rss_kb) KiB bzImage; guest RAM touched (RssShmem): $(med "$tmp/auto.txt" shmem_kb) / $(med "$tmp/bzimage.txt" shmem_kb) KiB"
if [ "$fails" = 0 ]; then
	echo "ok 1 - every benchmark boot powered off with status 0"
else
	echo "not ok 1 - $fails benchmark boots did not power off with status 0"
fi
