#!/bin/sh
# make demo-pool (run by tests/system/demo.sh with hmmv.demo=pool on the
# test host's command line, or directly): two guests share one hmmv pool
# of 128 MiB of DRAM, a quarter of their 2 x 256 MiB. "steady" runs a
# 32 MiB hot set all along; "grower" starts with 8 MiB and grows to 72 MiB
# after a minute (guest time: nested and on a busy host, minutes more). Every few seconds a line shows each VM's quota and DRAM
# use: DRAM flows to grower when its hot set grows. From a terminal,
# `hmmv stat POOL --watch` redraws the pool instead. Inputs:
# HMMV_GUEST_KERNEL, HMMV_GUEST_INITRD.
set -u
kernel=${HMMV_GUEST_KERNEL:-/guest/vmlinuz}
initrd=${HMMV_GUEST_INITRD:-/guest/initrd.img}
dir=$(mktemp -d "${TMPDIR:-/tmp}/hmmv-demo-pool.XXXXXX") || exit 1
chmod 700 "$dir"
sock=$dir/pool.sock

hmmv pool --dram 128M --socket "$sock" 2>"$dir/pool.err" &
pool=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
echo "demo-pool: hmmv pool --dram 128M --socket $sock"

# vm NAME SCRIPT [HOTSET_ARGS]: a 256 MiB guest, slow tier a file, on the pool.
vm()
{
	truncate -s 256M "$dir/$1.img"
	echo "demo-pool: hmmv run -m 256M --dram 128M --nvm $dir/$1.img --placement nvm-first --pool $sock --name $1 (guest: $2)"
	hmmv run -k "$kernel" -i "$initrd" -m 256M --dram 128M --nvm "$dir/$1.img" \
		--placement nvm-first --pool "$sock" --name "$1" \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=$2 ${3:+hmmv.hotset=$3}" \
		</dev/null >"$dir/$1.out" 2>"$dir/$1.err" &
}
vm steady hmmv_hotset 32,96,400
steady=$!
vm grower hotset_grow
grower=$!

if [ -t 1 ] && [ -z "${HMMV_TESTHOST:-}" ]; then
	hmmv stat "$sock" --watch 2 &
	watch=$!
fi
line()
{
	hmmv stat "$sock" --json 2>/dev/null | tr '{' '\n' | awk -v t="$1" '
		/"name":/ { match($0, /"name":"[^"]*"/); n = substr($0, RSTART + 8, RLENGTH - 9)
			match($0, /"quota":[0-9]*/); q = substr($0, RSTART + 8, RLENGTH - 8)
			match($0, /"dram":[0-9]*/); d = substr($0, RSTART + 7, RLENGTH - 7)
			match($0, /"hot":[0-9]*/); h = substr($0, RSTART + 6, RLENGTH - 6)
			s = s sprintf("  %s: quota %3d MiB, DRAM %3d MiB, hot %3d MiB;", n,
				      q / 1048576, d / 1048576, h / 1048576) }
		END { if (s != "") printf "demo-pool: %3d s:%s\n", t, s }'
}
t0=$(date +%s)
grown=
while kill -0 $grower 2>/dev/null || kill -0 $steady 2>/dev/null; do
	sleep 5
	[ -n "${watch:-}" ] || line $(( $(date +%s) - t0 ))
	if [ -z "$grown" ] && [ "$(grep -c '^hotset: frames' "$dir/grower.out" 2>/dev/null)" -ge 2 ]; then
		grown=1
		echo "demo-pool: grower's hot set grew to 72 MiB"
	fi
done
wait $steady; rs=$?
wait $grower; rg=$?
[ -n "${watch:-}" ] && kill $watch 2>/dev/null
kill $pool
wait $pool
echo "demo-pool: steady exited $rs, grower exited $rg (0: powered off); the pool said:"
sed 's/^/demo-pool:   /' "$dir/pool.err"
for v in steady grower; do
	echo "demo-pool: $v's stderr and the end of its console:"
	sed 's/^/demo-pool:   /' "$dir/$v.err"
	tail -n 25 "$dir/$v.out" | tr -d '\r' | sed 's/^/demo-pool:   /'
done
rm -rf "$dir"
[ $rs = 0 ] && [ $rg = 0 ]
