# Shared body of tests/system/mem_guest_*.sh (sourced, busybox sh): boots
# Debian's kernel with -m 512M --dram 128M (MEM_DRAM: another --dram) and
# the slow tier given, the guest running memfill (guest/scripts/memfill.sh),
# while this script remaps random chunks back and forth over the control
# socket (each remap pauses the vCPUs). Then checks: zero mismatches in the
# guest, remaps done, the guest's data found on the slow tier, everything
# cleaned up.
#   mem_guest_run NVM CHECK   CHECK: scan PATH | node N
sock=/tmp/mem-vm.sock
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

rand()
{
	echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 ))
}

tier_of()
{
	hmmv stat $sock --request "chunk $1" 2>/dev/null | sed -n 's/.* tier=\([a-z]*\) .*/\1/p'
}

# One move of a random chunk to the other tier; a full DRAM first gives up
# a random DRAM chunk. Counts into remaps/failed.
remap_random()
{
	local c t out v tries
	c=$(rand 256)
	t=$(tier_of $c)
	[ -n "$t" ] || return
	if [ "$t" = dram ]; then
		out=$(hmmv stat $sock --request "remap $c nvm" 2>/dev/null)
	else
		out=$(hmmv stat $sock --request "remap $c dram" 2>/dev/null)
		case "$out" in
		*"No space"*)
			tries=0
			while :; do
				v=$(rand 256)
				[ "$(tier_of $v)" = dram ] && break
				# hmmv may end meanwhile: then tier_of says nothing.
				tries=$((tries + 1))
				[ -S $sock ] && [ $tries -lt 100 ] || return
			done
			out=$(hmmv stat $sock --request "remap $v nvm" 2>/dev/null)
			case "$out" in ok*) remaps=$((remaps + 1)) ;; esac
			out=$(hmmv stat $sock --request "remap $c dram" 2>/dev/null) ;;
		esac
	fi
	# hmmv ended between two requests: not a remap failure.
	[ -z "$out" ] && [ ! -S $sock ] && return
	case "$out" in
	ok*) remaps=$((remaps + 1)) ;;
	*"Device or resource busy"*) busy=$((busy + 1)) ;;	# I/O in flight: allowed
	*) failed=$((failed + 1)); echo "# remap $c from $t: $out" ;;
	esac
}

# Bytes of the guest's pattern found on the slow tier, per CHECK.
slow_bytes()
{
	local seed=$1 kind=$2 arg=$3
	if [ "$kind" = scan ]; then
		mem_scan "$arg" "$seed" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p'
	else
		# Pages of the slow memfd's mappings that sit on node N.
		awk -v key="N$arg=" '/hmmv-slow/ { for (i = 1; i <= NF; i++)
			if (index($i, key) == 1) s += substr($i, length(key) + 1) }
			END { print s * 4096 }' /proc/$pid/numa_maps
	fi
}

# Streams the guest's new console lines as TAP comments.
shown=0
show_guest()
{
	local total
	total=$(wc -l </tmp/mem-guest.out)
	[ "$total" -gt "$shown" ] || return
	sed -n "$((shown + 1)),${total}p" /tmp/mem-guest.out | sed 's/^/# guest: /'
	shown=$total
}

mem_guest_run()
{
	local nvm=$1 kind=$2 arg=$3 rc seed bytes found need mode
	echo 1..8
	remaps=0; failed=0; busy=0; found=
	rm -f $sock
	t0=$(date +%s)
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 512M --dram "${MEM_DRAM:-128M}" --nvm "$nvm" --hmmv off \
		--control $sock -p "console=ttyS0 quiet panic=-1 hmmv.run=memfill" \
		</dev/null >/tmp/mem-guest.out 2>/tmp/mem-guest.err &
	pid=$!
	i=0
	while [ ! -S $sock ] && [ $i -lt 100 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.2; i=$((i + 1))
	done
	mode=$(stat -c %a $sock 2>/dev/null)
	[ "$mode" = 600 ]
	ok $? "control socket $sock is up, mode 0600 (got '$mode')"
	hmmv stat $sock | sed 's/^/# /'
	hmmv stat --json $sock | grep -q '"name":"dram","backend":"memfd","node":-1,"capacity":134217728,"used":134217728,"chunks":64'
	ok $? "hmmv stat --json: DRAM holds 128 MiB in 64 chunks at launch"
	# The socket goes when hmmv ends (an exited child stays kill -0 able
	# until it is waited for).
	while [ -S $sock ] && kill -0 $pid 2>/dev/null; do
		if [ -z "$found" ] && grep -q 'memfill: holding' /tmp/mem-guest.out; then
			seed=$(sed -n 's/.*holding seed=\(0x[0-9a-f]*\).*/\1/p' /tmp/mem-guest.out)
			bytes=$(sed -n 's/.*holding .*bytes=\([0-9]*\).*/\1/p' /tmp/mem-guest.out)
			found=$(slow_bytes "$seed" "$kind" "$arg")
			hmmv stat $sock | sed 's/^/# /'
			echo "# guest holding its pattern after $(( $(date +%s) - t0 )) s, $remaps remaps"
			continue
		fi
		remap_random
		# Leave the guest time to run: each remap drops the chunk's mappings.
		sleep 0.3
		show_guest
		if [ $(( $(date +%s) - t0 )) -gt 480 ]; then
			echo "# hmmv still running after 480 s; its threads:"
			for t in /proc/$pid/task/*; do
				echo "#   $(cat $t/comm) $(cut -d' ' -f3 $t/stat) $(cat $t/wchan)"
			done
			hmmv stat $sock --request "chunk 0" | sed 's/^/#   /'
			kill $pid
			break
		fi
	done
	show_guest
	echo "# hmmv ended after $(( $(date +%s) - t0 )) s"
	wait $pid
	rc=$?
	sed 's/^/# /' /tmp/mem-guest.err
	ok $([ $rc = 0 ]; echo $?) "the guest ran memfill and powered off (hmmv exit $rc)"
	grep -q '^memfill: done .*rounds=2 mismatches=0' /tmp/mem-guest.out
	ok $? "memfill: zero mismatches over 2 rounds and the hold"
	[ $remaps -ge 20 ] && [ $failed = 0 ]
	ok $? "$remaps remaps under the running guest, $failed failed, $busy deferred for I/O"
	need=$(( ${bytes:-0} / 2 - 64 * 1024 * 1024 ))
	[ -n "$found" ] && [ "$need" -gt 0 ] && [ "$found" -ge "$need" ]
	ok $? "the guest's pattern is on the slow tier ($kind): ${found:-?} bytes, >= $need expected"
	[ ! -e $sock ]
	ok $? "the control socket is gone after exit"
	! grep -q . /tmp/mem-guest.err
	ok $? "hmmv printed nothing on stderr"
}
