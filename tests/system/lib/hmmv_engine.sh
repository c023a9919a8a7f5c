# Shared body of tests/system/hmmv_*.sh (sourced, busybox sh): boots
# Debian's kernel on hmmv with 448 MiB of guest RAM (all of it fits on the
# test host's 502 MiB /dev/dax0.0), a DRAM quota of 128 MiB, everything
# launched on the slow tier (--placement nvm-first), the
# guest running hotset (guest/progs/hotset.c) over HOT MiB inside COLD
# MiB written once; the guest names its hot set's 2 MiB guest-physical
# frames (from /proc/self/pagemap) and the test compares them with the
# chunk placement the control socket reports (2 MiB chunks: frame = chunk).
sock=/tmp/hmmv-vm.sock
out=/tmp/hmmv-guest.out
err=/tmp/hmmv-guest.err
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# hmmv_start HOTSET_ARGS [hmmv run flags...]: boots the guest in the background.
hmmv_start()
{
	local args=$1
	shift
	rm -f $sock $out $err
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 448M --dram 128M \
		--nvm ${HMMV_NVM:-/dev/dax0.0} --placement nvm-first --control $sock "$@" \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=$args" \
		</dev/null >$out 2>$err &
	pid=$!
	i=0
	while [ ! -S $sock ] && [ $i -lt 300 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.2; i=$((i + 1))
	done
}

placement()
{
	hmmv stat $sock --request placement 2>/dev/null | sed -n 's/^placement [0-9]* //p'
}

# The Nth "hotset: frames" line's frames (F:P pairs).
frames()
{
	sed -n 's/^hotset: frames [0-9]*: //p' $out | tr -d '\r' | sed -n "${1}p"
}

# Percent of the hot set's 4 KiB pages in DRAM, page by page (dram-pages:
# each chunk's DRAM pages): of a frame's P hot pages at least D - (512 - P)
# are among its D DRAM pages (the guest names frames, not pages).
dram_share_pages()
{
	echo "$(hmmv stat $sock --request dram-pages 2>/dev/null) $1" | awk '{
		n = $2; for (i = 1; i <= n; i++) D[i - 1] = $(i + 2)
		for (i = n + 3; i <= NF; i++) {
			split($i, a, ":"); tot += a[2]
			lo = D[a[1]] - (512 - a[2]); d += lo > 0 ? lo : 0 }
		print tot ? int(d * 100 / tot) : 0 }'
}

# num FIELD: a number field of the JSON in $j (hmmv stat --request
# "engine json", as the test last read it).
num()
{
	echo "$j" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# Percent of the hot set's 4 KiB pages whose chunk is in DRAM.
dram_share()
{
	echo "$(placement) $1" | awk '{ for (i = 2; i <= NF; i++) {
		split($i, a, ":"); tot += a[2]
		if (substr($1, a[1] + 1, 1) == "d") d += a[2] }
		print tot ? int(d * 100 / tot) : 0 }'
}

# wait_line PATTERN SECONDS: until the guest printed PATTERN; 1 on timeout.
wait_line()
{
	local i=0
	while ! grep -q "$1" $out 2>/dev/null; do
		[ $i -lt $(($2 * 5)) ] && kill -0 $pid 2>/dev/null || return 1
		sleep 0.2; i=$((i + 1))
	done
}

# capture FRAMES LIMIT: seconds until >= CAPTURE_PCT (default 90) percent
# of FRAMES' pages are in DRAM (SHARE: dram_share, or dram_share_pages),
# polled every 2 s for up to LIMIT + 10 s; prints the seconds (or "never").
capture()
{
	local t0 now share
	t0=$(date +%s)
	while kill -0 $pid 2>/dev/null; do
		now=$(date +%s)
		share=$(${SHARE:-dram_share} "$1")
		echo "# $((now - t0)) s: ${share:-?}% of the hot set in DRAM" >&2
		if [ "${share:-0}" -ge "${CAPTURE_PCT:-90}" ]; then
			echo $((now - t0))
			return
		fi
		[ $((now - t0)) -gt $(($2 + 10)) ] && break
		sleep 2
	done
	echo never
}

hmmv_finish()
{
	wait $pid
	rc=$?
	grep 'hotset\|hmmv-guest\|hmmv_hotset' $out | cut -c1-160 | sed 's/^/# guest: /'
	# A guest that did not power off: how its console ended.
	[ "$rc" = 0 ] || tail -n 12 $out | tr -d '\r' | cut -c1-160 | sed 's/^/# console: /'
	sed 's/^/# stderr: /' $err
}
