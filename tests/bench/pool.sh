#!/bin/sh
# make eval-pool, run inside the nested test host (an evaluation, not a
# test): four VMs co-run against one hmmv pool whose budget is 25% of their
# guest RAM (384 MiB of 4 x 384 MiB), once under --policy hmmv and once
# under --policy equal, on the same guests. Two VMs update a large hot set
# (big-1, big-2: 144 MiB each), two a small one (small-1, small-2: 8 MiB
# each), each beside memory written once and left cold (160 MiB in all per
# guest); all are launched on their slow tier (a file) with --placement
# nvm-first. Equal shares give each VM 96 MiB, less than a big hot set.
#
# Every 5 s it looks at each VM: its quota (the pool), the DRAM it really
# holds (the allocated blocks of its DRAM memfd, read from /proc), and which
# of its hot set's 4 KiB pages sit in DRAM (the guest names its hot set's
# guest-physical frames from /proc/self/pagemap; the control socket gives
# the chunk placement). It reports, per policy, the share of all four hot
# sets in DRAM averaged over the looks after a warm-up, and the mean
# quotas. It fails (exit 1) when
#  - the quotas, or the memfds' real DRAM (all four read at one moment),
#    ever sum above the budget (a VM may hold more than its own quota for
#    a while after a shrink: the pool counts that DRAM as its until the VM
#    acknowledges, so the sum is the invariant; how often a VM held more
#    than a quota seen at two looks is reported);
#  - under --policy hmmv the big VMs' mean quota is not above the small
#    ones';
#  - the hot sets' DRAM share under hmmv is not above the share under equal;
#  - a guest does not run to the end and stop cleanly on SIGTERM.
# EVAL_QUICK=1 (make eval-pool QUICK=1) measures for half as long.
# testhost-timeout: 2400
dir=/tmp/evalpool
sock=$dir/pool.sock
budget=$((384 << 20))
# The guests boot and fill their memory at different speeds on the test
# host's one CPU (minutes apart): the hot sets run far longer than needed,
# the looks start once all four run, WARM seconds of convergence are not
# counted, MEASURE seconds are, then every VM is stopped with SIGTERM.
secs=1800
warm=60
measure=120
[ "${EVAL_QUICK:-0}" = 1 ] && warm=30 measure=60
vms="big-1 big-2 small-1 small-2"
n=0
fail=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
mib() { echo $(( ${1:-0} >> 20 )); }

. /tests/system/lib/pool_vm.sh

# vm NAME HOT_MIB COLD_MIB: a 384 MiB guest on the pool, slow tier a file.
vm()
{
	pool_vm $1 384 256 $2,$3,$secs
	eval pid_$(echo $1 | tr - _)=$!
}
pid() { eval echo \$pid_$(echo $1 | tr - _); }

quota()
{
	sed -n "s/.*\"name\":\"$1\"[^}]*\"quota\":\([0-9]*\).*/\1/p" $dir/pool.json
}

# memfds: the four VMs' DRAM memfds' allocated bytes, one moment's.
memfds()
{
	local v paths=
	for v in $vms; do paths="$paths $(eval echo \$fd_$(echo $v | tr - _))"; done
	memfd_bytes $paths
}

# hot NAME: "IN TOTAL", the VM's hot-set pages in DRAM and in all.
hot()
{
	local fr
	fr=$(sed -n 's/^hotset: frames [0-9]*: //p' $dir/$1.out | tr -d '\r' | head -1)
	echo "$(hmmv stat $dir/$1.sock --request placement 2>/dev/null |
		sed -n 's/^placement [0-9]* //p') $fr" | awk '{
		for (i = 2; i <= NF; i++) {
			split($i, a, ":"); t += a[2]
			if (substr($1, a[1] + 1, 1) == "d") d += a[2] }
		print d + 0, t + 0 }'
}

# run POLICY: one co-run; sets share_POLICY, qbig_POLICY, qsmall_POLICY.
run()
{
	local p=$1 v i t0 now g used q m h in tot ain atot looks=0 over=0 held=0
	local sum_share=0 nsh=0 sum_qb=0 sum_qs=0 rcs=0 prev said=-60
	rm -rf $dir && mkdir -p $dir && chmod 700 $dir
	hmmv pool --dram 384M --socket $sock --policy $p --period-ms 1000 2>$dir/pool.err &
	pool=$!
	i=0
	while [ ! -S $sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	vm big-1 144 16
	vm big-2 144 16
	vm small-1 8 152
	vm small-2 8 152
	# All four hot sets allocated and named (booting four guests on the
	# test host's one CPU takes a while).
	t0=$(date +%s)
	while :; do
		m=0
		for v in $vms; do grep -q '^hotset: frames' $dir/$v.out 2>/dev/null && m=$((m + 1)); done
		now=$(($(date +%s) - t0))
		[ $m = 4 ] || [ $now -ge 900 ] && break
		if [ $now -ge $((said + 60)) ]; then
			said=$now
			echo "# $p $now s: $(free -m | awk '/^Mem:/ { print $7 }') MiB available"
			for v in $vms; do
				echo "# $p $now s: $v: $(tail -n 1 $dir/$v.out | tr -d '\r' | cut -c1-100)"
			done
		fi
		sleep 5
	done
	for v in $vms; do eval fd_$(echo $v | tr - _)=$(memfd_path $(pid $v)); done
	ok $([ $m = 4 ]; echo $?) "$p: all four hot sets running after $now s"
	if [ $m != 4 ]; then
		for v in $vms; do
			echo "# $v:"; tail -n 5 $dir/$v.out | tr -d '\r' | sed 's/^/#   /'
			sed 's/^/#   stderr: /' $dir/$v.err
		done
	fi
	t0=$(date +%s)
	while :; do
		now=$(($(date +%s) - t0))
		m=0
		for v in $vms; do kill -0 $(pid $v) 2>/dev/null && m=$((m + 1)); done
		[ $m = 4 ] && [ $now -lt $((warm + measure)) ] || break
		set -- $(memfds)
		hmmv stat $sock --json >$dir/pool.json 2>/dev/null
		g=$(sed -n 's/.*"granted":\([0-9]*\).*/\1/p' $dir/pool.json)
		[ "${g:-0}" -le $budget ] || over=$((over + 1))
		used=0; ain=0; atot=0
		line="# $p $now s:"
		for v in $vms; do
			q=$(quota $v); m=$1; shift; h=$(hot $v)
			in=${h% *}; tot=${h#* }
			used=$((used + m)); ain=$((ain + in)); atot=$((atot + tot))
			eval prev=\${prevq_$(echo $v | tr - _):-}
			# Above a quota equal at two looks: counted, not failed. A VM
			# gives back after a shrink and the quota may move and come
			# back between looks; the pool counts what it still holds.
			[ -n "$q" ] && [ "$prev" = "$q" ] && [ "$m" -gt "$q" ] && held=$((held + 1))
			eval prevq_$(echo $v | tr - _)=$q
			[ "$tot" -gt 0 ] && h=$((in * 100 / tot)) || h=0
			line="$line $v quota $(mib $q) dram $(mib $m) hot $h%;"
			case $v in
			big*) [ $now -ge $warm ] && sum_qb=$((sum_qb + ${q:-0})) ;;
			small*) [ $now -ge $warm ] && sum_qs=$((sum_qs + ${q:-0})) ;;
			esac
		done
		[ $used -le $budget ] || over=$((over + 1))
		looks=$((looks + 1))
		if [ $now -ge $warm ] && [ $atot -gt 0 ]; then
			sum_share=$((sum_share + ain * 1000 / atot)); nsh=$((nsh + 1))
		fi
		[ $atot -gt 0 ] && m=$((ain * 100 / atot)) || m=0
		echo "$line granted $(mib $g), memfds $(mib $used), all hot sets $m% in DRAM"
		sleep 5
	done
	hmmv stat $sock | sed 's/^/# /'
	for v in $vms; do kill -TERM $(pid $v) 2>/dev/null; done
	for v in $vms; do
		wait $(pid $v)
		i=$?
		# 4: stopped by the signal, with the usual clean-up.
		[ $i = 4 ] || { rcs=$((rcs + 1)); echo "# $v exited $i:"; sed 's/^/#   /' $dir/$v.err; tail -5 $dir/$v.out | sed 's/^/#   /'; }
	done
	kill $pool
	wait $pool
	ok $rcs "$p: the four guests ran their hot sets to the end of the window and stopped cleanly on SIGTERM (exit 4)"
	ok $([ $over = 0 ] && [ $looks -gt 0 ]; echo $?) \
		"$p: in $looks looks the quotas and the memfds' DRAM stayed within 384 MiB ($over over)"
	echo "# $p: a VM held more than a quota seen unchanged at two looks $held times (giving back)"
	[ $nsh -gt 0 ] || nsh=1
	eval share_$p=$((sum_share / nsh))
	eval qbig_$p=$((sum_qb / nsh / 2))
	eval qsmall_$p=$((sum_qs / nsh / 2))
}

echo 1..8
run hmmv
[ "$qbig_hmmv" -gt "$qsmall_hmmv" ]
ok $? "hmmv: the big VMs' mean quota $(mib $qbig_hmmv) MiB is above the small ones' $(mib $qsmall_hmmv) MiB"
run equal
awk -v h=$share_hmmv -v e=$share_equal -v bh=$qbig_hmmv -v sh=$qsmall_hmmv \
	-v be=$qbig_equal -v se=$qsmall_equal 'BEGIN {
	printf "# eval-pool: hot sets in DRAM (mean over the measured looks): hmmv %.1f%%, equal %.1f%%\n", h / 10, e / 10
	printf "# eval-pool: mean quota big/small (MiB): hmmv %d/%d, equal %d/%d\n", bh / 1048576, sh / 1048576, be / 1048576, se / 1048576 }'
[ "$share_hmmv" -gt "$share_equal" ]
ok $? "more of the four hot sets sits in DRAM under hmmv ($share_hmmv per mille) than under equal ($share_equal)"
rm -rf $dir
[ $fail = 0 ]
