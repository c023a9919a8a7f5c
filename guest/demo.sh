#!/bin/sh
# make demo's guest (run by tests/system/demo.sh, directly or inside the
# test host): boots Debian's kernel on hmmv with 2 vCPUs. With a slow tier
# at hand ($HMMV_NVM) it shows the HMM-V engine at work: the whole guest
# starts on the slow tier (--placement nvm-first, 128 MiB of DRAM for 448
# MiB of RAM), the guest runs a 72 MiB hot set inside 128 MiB it wrote
# once, and every few seconds a line tells where the hot set is; a closing
# line gives the final placement. From a terminal it gives the guest's
# shell instead ('exit' powers off; Ctrl-A x leaves hmmv; hmmv stat SOCKET
# --watch shows the engine from another terminal). Inputs:
# HMMV_GUEST_KERNEL, HMMV_GUEST_INITRD, HMMV_NVM.
set -u
kernel=${HMMV_GUEST_KERNEL:-/guest/vmlinuz}
initrd=${HMMV_GUEST_INITRD:-/guest/initrd.img}
params="console=ttyS0 quiet panic=-1"
sock=${TMPDIR:-/tmp}/hmmv-demo-$$.sock
out=${TMPDIR:-/tmp}/hmmv-demo-$$.out
interactive=1
if [ ! -t 0 ] || [ -n "${HMMV_TESTHOST:-}" ]; then
	interactive=
fi
set -- -k "$kernel" -i "$initrd" -c 2 --control "$sock"
if [ -z "${HMMV_NVM:-}" ]; then
	[ -n "$interactive" ] || params="$params hmmv.run=demo"
	echo "demo: no slow tier: a plain 512 MiB guest"
	echo "demo: hmmv run $* -m 512M -p \"$params\""
	hmmv run "$@" -m 512M -p "$params"
	rc=$?
	echo "demo: hmmv exited with $rc (0: the guest powered off)"
	exit $rc
fi
set -- "$@" -m 448M --dram 128M --nvm "$HMMV_NVM" --placement nvm-first
echo "demo: 448 MiB guest, all of it launched on $HMMV_NVM; 128 MiB of DRAM for the HMM-V engine to fill"
if [ -n "$interactive" ]; then
	echo "demo: hmmv run $* -p \"$params\"  (watch it: hmmv stat $sock --watch)"
	hmmv run "$@" -p "$params"
	rc=$?
	echo "demo: hmmv exited with $rc (0: the guest powered off)"
	exit $rc
fi
params="$params hmmv.run=hmmv_hotset hmmv.hotset=72,128,45"
echo "demo: hmmv run $* -p \"$params\""
hmmv run "$@" -p "$params" </dev/null >"$out" 2>&1 &
pid=$!

# Percent of the guest's hot set (the frames it named) whose chunk is in DRAM.
share()
{
	local f
	f=$(sed -n 's/^hotset: frames [0-9]*: //p' "$out" | tr -d '\r' | head -1)
	[ -n "$f" ] || { echo "?"; return; }
	echo "$(hmmv stat "$sock" --request placement 2>/dev/null |
		sed -n 's/^placement [0-9]* //p') $f" |
		awk '{ for (i = 2; i <= NF; i++) { split($i, a, ":"); t += a[2]
			if (substr($1, a[1] + 1, 1) == "d") d += a[2] }
			print t ? int(d * 100 / t) : "?" }'
}

# One line: DRAM use, the engine's moves, the hot set's share in DRAM.
report()
{
	hmmv stat "$sock" 2>/dev/null | awk -v t="$1" -v s="$2" '
		/^  placement/ { pl = $2 " " $3 " " $4 " " $5 " " $6 " " $7 }
		/^  promotions/ { pr = $2 } /^  demotions/ { de = $2 }
		END { if (pl != "") printf "demo: %3d s: %s; %s promotions, %s demotions; hot set %s%% in DRAM\n", t, pl, pr, de, s }'
}

t0=$(date +%s)
seen=
while kill -0 $pid 2>/dev/null; do
	sleep 3
	if [ -z "$seen" ] && grep -q '^hotset: frames' "$out"; then
		seen=1
		echo "demo: the guest's hot set: $(sed -n 's/^hotset: frames \([0-9]*\):.*/\1/p' "$out" | head -1) chunks of 2 MiB"
	fi
	s=$(share)
	line=$(report $(( $(date +%s) - t0 )) "$s")
	[ -n "$line" ] || continue
	echo "$line"
	last=$s
	place=$(echo "$line" | sed 's/^demo: *[0-9]* s: \([^;]*\);.*/\1/')
done
wait $pid
rc=$?
grep '^hotset: done' "$out" | sed 's/^/demo: guest: /'
echo "demo: final placement: ${place:-?}; ${last:-?}% of the hot set in DRAM; hmmv exited with $rc (0: the guest powered off)"
rm -f "$out"
[ $rc = 0 ]
