#!/bin/sh
# make bench-hmmv, run inside the nested test host (a benchmark, not a
# timed test): the HMM-V engine's costs and effect, all from one run.
#  1. tracking overhead: the guest's hotset throughput (GUPS over 32 MiB
#     for 20 s) with the engine on, DRAM large enough that nothing moves
#     (--dram = -m, a slow tier given so the engine runs), as a ratio to
#     --hmmv off on the same configuration: the engine is idle there (all
#     in DRAM within the quota: no sampling, no dirty logging), and its
#     figures must show it; then the cost of tracking while DRAM is
#     contested, with one chunk fewer of DRAM (--dram = -m - 2 MiB: one
#     chunk on the slow tier, so the engine samples), with dirty logging
#     on only while sampling (the default) and on throughout
#     (--hmmv-dirty-log always); and with one interval a minute and
#     logging on throughout (next to no sampling), which separates the
#     cost of 4 KiB second-level mappings from the cost of sampling;
#  2. scaling: tracker-induced faults (pages zapped + re-armed) per
#     interval for the same hot set in a 256 MiB and a 1 GiB guest, each
#     with DRAM one chunk short (so that the engine tracks);
#  3. capture: the whole 448 MiB guest launched on /dev/dax0.0 with 128
#     MiB of DRAM, a 72 MiB hot set: seconds until 90% of it is in DRAM,
#     and the bytes moved meanwhile, once with --hmmv-copy wp and once
#     with pause;
#  4. stalls: the engine's per-move writer stalls (wp) and whole-VM pauses
#     (pause) in those captures, p50 and p99, as ratios to a 2 MiB memcpy
#     from memory in this test host; target writer-stall p99 <= 10x (a
#     miss fails the run).
# Nested TCG costs are not hardware costs: compare ratios within one run.
# testhost-timeout: 1800
sock=/tmp/bench-hmmv.sock
out=/tmp/bench-hmmv.out
echo 1..12
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# json KEY: a number from the last engine snapshot.
json()
{
	sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" /tmp/bench-hmmv.json | head -1
}

# boot HOTSET_ARGS FLAGS...: starts the guest ($pid) and waits for its hot
# set to run.
boot()
{
	local args=$1
	shift
	rm -f $sock $out /tmp/bench-hmmv.json
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img --control $sock "$@" \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=$args" \
		</dev/null >$out 2>&1 &
	pid=$!
	while ! grep -q '^hotset: frames' $out 2>/dev/null && kill -0 $pid 2>/dev/null; do
		sleep 0.5
	done
}

# run HOTSET_ARGS FLAGS...: boots, snapshots the engine 5 s before the
# hot set ends, sets $updates.
run()
{
	local args=$1 i=0
	shift
	boot $args "$@"
	sleep 15
	hmmv stat --json $sock >/tmp/bench-hmmv.json 2>/dev/null
	hmmv stat $sock 2>/dev/null | grep -A12 '^engine' | sed 's/^/#   /'
	wait $pid
	updates=$(sed -n 's/^hotset: done updates=\([0-9]*\).*/\1/p' $out | tr -d '\r')
}

run 32,64,20 -m 448M --dram 448M --nvm /dev/dax0.0 --hmmv off
off=${updates:-0}
[ "$off" -gt 0 ]
ok $? "engine off, all in DRAM: $off updates"
run 32,64,20 -m 448M --dram 448M --nvm /dev/dax0.0
on=${updates:-0}
iv=$(json intervals); idl=$(json idle_intervals); fz=$(json pages_zapped)
[ "$on" -gt 0 ] && [ "${iv:-0}" -gt 0 ] && [ "${idl:-0}" = "$iv" ] && [ "${fz:-x}" = 0 ]
ok $? "engine on, nothing to move: $on updates; idle for ${idl:-?} of ${iv:-0} intervals, ${fz:-?} pages zapped"
run 32,64,20 -m 448M --dram 446M --nvm /dev/dax0.0
active=${updates:-0}
iv=$(json intervals); idl=$(json idle_intervals); fz=$(json pages_zapped)
[ "$active" -gt 0 ] && [ "${fz:-0}" -gt 0 ]
ok $? "engine on, DRAM one chunk short: $active updates; it tracked: ${iv:-0} intervals (${idl:-?} idle), ${fz:-0} pages zapped"
run 32,64,20 -m 448M --dram 446M --nvm /dev/dax0.0 --hmmv-dirty-log always
always=${updates:-0}
sw=$(json dirty_log_switches)
[ "$always" -gt 0 ] && [ "${sw:-9}" -le 1 ]
ok $? "the same with dirty logging on throughout: $always updates (${sw:-?} switches)"
run 32,64,20 -m 448M --dram 446M --nvm /dev/dax0.0 --hmmv-interval 60000 \
	--hmmv-dirty-log always
logonly=${updates:-0}
[ "$logonly" -gt 0 ]
ok $? "the same with one interval a minute (dirty logging, hardly any sampling): $logonly updates"
awk -v a=$on -v b=$off -v t=$active -v w=$always -v l=$logonly 'BEGIN { if (b > 0) printf "# bench-hmmv tracking overhead: throughput on/off %.3f (target >= 0.90; the engine idle); while tracking (DRAM one chunk short) %.3f, logging on throughout %.3f, dirty logging alone %.3f\n", a / b, t / b, w / b, l / b }'

for mib in 256 1024; do
	size=${mib}M
	run 32,64,20 -m $size --dram $((mib - 2))M --nvm /dev/dax0.0
	iv=$(json intervals); rf=$(json refaults)
	zc=$(json zap_calls)
	per=$(awk -v r=${rf:-0} -v i=${iv:-0} 'BEGIN { if (i) printf "%.0f", r / i }')
	calls=$(awk -v c=${zc:-0} -v i=${iv:-0} 'BEGIN { if (i) printf "%.1f", c / i }')
	eval "per_$size=${per:-0}"
	[ -n "$per" ]
	ok $? "$size guest: ${per:-?} tracker-induced faults per interval, ${calls:-?} zap calls per interval (${iv:-0} intervals)"
done
awk -v a=$per_256M -v b=$per_1024M 'BEGIN { if (a > 0) printf "# bench-hmmv scaling: faults per interval 1 GiB / 256 MiB = %.2f (4x the RAM)\n", b / a }'

# dist NAME: "P50 P99" of the engine's per-move distribution NAME (ns).
dist()
{
	sed -n "s/.*\"$1\":{\"p50\":\([0-9]*\),\"p99\":\([0-9]*\).*/\1 \2/p" \
		/tmp/bench-hmmv.json | head -1
}

# capture METHOD: the time to 90%, polled every second, with
# --hmmv-copy METHOD; the engine's stall figures once the hot set is in
# (or at the end); sets $p50 and $p99 (ns) of its writer stalls (wp) or
# whole-VM pauses (pause).
capture()
{
	local f s t0 secs=never pb db d
	boot 72,192,75 -m 448M --dram 128M --nvm /dev/dax0.0 --placement nvm-first \
		--hmmv-copy $1
	f=$(sed -n 's/^hotset: frames [0-9]*: //p' $out | tr -d '\r' | head -1)
	t0=$(date +%s)
	while kill -0 $pid 2>/dev/null; do
		s=$(echo "$(hmmv stat $sock --request placement 2>/dev/null | sed -n 's/^placement [0-9]* //p') $f" |
			awk '{ for (i = 2; i <= NF; i++) { split($i, a, ":"); t += a[2]
				if (substr($1, a[1] + 1, 1) == "d") d += a[2] }
				print t ? int(d * 100 / t) : 0 }')
		hmmv stat --json $sock >/tmp/bench-hmmv.json 2>/dev/null
		if [ "${s:-0}" -ge 90 ]; then
			secs=$(( $(date +%s) - t0 ))
			break
		fi
		[ $(( $(date +%s) - t0 )) -gt 70 ] && break
		sleep 1
	done
	pb=$(json promoted_bytes); db=$(json demoted_bytes)
	[ $1 = wp ] && d=$(dist writer_stall_ns) || d=$(dist pause_ns)
	p50=${d% *}; p99=${d#* }
	[ "$secs" != never ]
	ok $? "capture ($1): 90% of the 72 MiB hot set in DRAM after $secs s; moved $(( (${pb:-0} + ${db:-0}) >> 20 )) MiB (${pb:-0} B promoted, ${db:-0} B demoted)"
	wait $pid
	ok $? "the capture guest ($1) powered off"
}

# Stalls: the engine's own per-move figures in the two captures, as ratios
# to a 2 MiB memcpy from memory measured in this test host.
mc=$(mem_bench_remap --memcpy | sed -n 's/^memcpy_ns=//p')
capture wp
ws50=${p50:-0}; ws99=${p99:-0}
capture pause
vp50=${p50:-0}; vp99=${p99:-0}
awk -v m=${mc:-0} -v a=$ws50 -v b=$ws99 -v c=$vp50 -v d=$vp99 'BEGIN { if (m > 0)
	printf "# bench-hmmv stalls (capture, engine figures; memcpy 2 MiB %.0f us): writer stall p50 %.2fx p99 %.2fx (target p99 <= 10x); whole-VM pause p50 %.2fx p99 %.2fx\n", m / 1e3, a / m, b / m, c / m, d / m }'
[ "${mc:-0}" -gt 0 ] && [ "$ws99" -gt 0 ] && [ "$ws99" -le $((10 * mc)) ]
ok $? "writer stall p99 $((ws99 / 1000)) us is at most 10x a 2 MiB memcpy ($((${mc:-0} / 1000)) us)"
[ -z "${fail:-}" ]
