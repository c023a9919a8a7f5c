#!/bin/sh
# make bench-trace, run inside the nested test host (not a timed test): the
# guest's hotset throughput (GUPS updates over a 32 MiB hot set in 15 s,
# guest/progs/hotset.c) untraced, then under hmmv run --trace with the
# default sampling (32 pages of each chunk per interval) and with every
# page sampled; each traced figure as a ratio to the untraced run of the
# same boot sequence. Nested TCG costs are not hardware costs: compare the
# ratios, not the rates, and only within one run.
# testhost-timeout: 900
echo 1..3
n=0
run()
{
	local what=$1 out
	shift
	n=$((n + 1))
	out=$(hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 512M "$@" \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=hotset" </dev/null 2>&1 |
		sed -n 's/^hotset: done updates=\([0-9]*\).*/\1/p' | tr -d '\r')
	if [ -n "$out" ]; then
		echo "ok $n - $what: $out updates"
	else
		echo "not ok $n - $what: no result"
	fi
	eval "u_$n=${out:-0}"
}
run "untraced"
run "--trace (32 pages sampled per chunk)" --trace /tmp/b32.trace
run "--trace --trace-pages 512 (every page)" --trace /tmp/b512.trace --trace-pages 512
awk -v b=$u_1 -v s=$u_2 -v f=$u_3 'BEGIN {
	if (b > 0)
		printf "# bench-trace hotset throughput ratio to untraced: sampled %.3f, every page %.3f\n", s / b, f / b
}'
ls -l /tmp/b32.trace /tmp/b512.trace | sed 's/^/# /'
rm -f /tmp/b32.trace /tmp/b512.trace
