#!/bin/sh
# Two VMs co-run against one hmmv pool whose budget is 25% of their guest
# RAM (128 MiB of 2 x 256 MiB): vm-big updates a 64 MiB hot set, vm-small
# an 8 MiB one, both launched on the slow tier. The pool gives vm-big more
# DRAM; at every look the quotas, and the DRAM the VMs really hold (their
# DRAM memfds' allocated blocks), sum to no more than the budget; kill -9
# of vm-small returns its quota to vm-big within a few periods; a
# restarted pool finds vm-big again.
# testhost-timeout: 600
dir=/tmp/pooltest
sock=$dir/pool.sock
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

. /tests/system/lib/pool_vm.sh

# vm NAME HOTSET_ARGS: a 256 MiB guest, 128 MiB DRAM tier, slow tier a file.
vm()
{
	pool_vm $1 256 128 $2
}

# quota NAME: from the pool's JSON (empty: not registered).
quota()
{
	hmmv stat $sock --json 2>/dev/null | tr '{' '\n' | grep "\"name\":\"$1\"" |
		sed -n 's/.*"quota":\([0-9]*\).*/\1/p'
}
# drams: the DRAM both VMs really hold, "BIG SMALL" in bytes (their DRAM
# memfds' allocated blocks, one moment's; 0 for a VM that is gone).
drams()
{
	memfd_bytes $(memfd_path $big) $(memfd_path $small)
}
mib()
{
	echo $(( ${1:-0} >> 20 ))
}

# Checks the budget: quotas (pool) and real DRAM use (the memfds).
over=0
check_budget()
{
	local g u
	set -- $(drams)
	g=$(hmmv stat $sock --json 2>/dev/null | sed -n 's/.*"granted":\([0-9]*\).*/\1/p')
	u=$(( ${1:-0} + ${2:-0} ))
	[ "${g:-0}" -le $((128 << 20)) ] && [ "$u" -le $((128 << 20)) ] || over=1
	echo "# granted $(mib $g) MiB, used $(mib $u) MiB; quotas: big" \
		"$(mib $(quota vm-big)) MiB, small $(mib $(quota vm-small)) MiB"
}

echo 1..7
mkdir -p $dir && chmod 700 $dir
hmmv pool --dram 128M --socket $sock --period-ms 1000 2>$dir/pool.err &
pool=$!
i=0
while [ ! -S $sock ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
vm vm-big 64,96,200
big=$!
vm vm-small 8,96,200
small=$!
i=0
while [ $i -lt 90 ]; do
	[ -n "$(quota vm-big)" ] && [ -n "$(quota vm-small)" ] && break
	sleep 1; i=$((i + 1))
done
[ -n "$(quota vm-big)" ] && [ -n "$(quota vm-small)" ]
ok $? "both VMs registered with the pool"

# Both guests running their hot sets (the budget is watched meanwhile).
i=0
while [ $i -lt 100 ]; do
	grep -q '^hotset: frames' $dir/vm-big.out && grep -q '^hotset: frames' $dir/vm-small.out &&
		break
	check_budget >/dev/null
	sleep 2; i=$((i + 1))
done
# Converge: up to 60 s of looks, every 3 s. vm-big's 64 MiB of hot memory
# against vm-small's 8: at least 32 MiB more.
i=0
while [ $i -lt 20 ]; do
	check_budget
	qb=$(quota vm-big); qs=$(quota vm-small)
	[ "${qb:-0}" -ge $(( ${qs:-0} + (32 << 20) )) ] && break
	sleep 3; i=$((i + 1))
done
[ "${qb:-0}" -ge $(( ${qs:-0} + (32 << 20) )) ]
ok $? "the VM with the larger hot set gets more DRAM ($(mib $qb) vs $(mib $qs) MiB)"
hmmv stat $sock | sed 's/^/# /'

kill -9 $small
wait $small 2>/dev/null
i=0
while [ $i -lt 8 ]; do
	sleep 1; i=$((i + 1))
	[ -z "$(quota vm-small)" ] && [ "$(quota vm-big)" -gt "$qb" ] && break
done
check_budget
[ -z "$(quota vm-small)" ] && [ "$(quota vm-big)" -gt "$qb" ]
ok $? "kill -9 of vm-small returns its quota: vm-big $(mib $(quota vm-big)) MiB after ${i} s"

kill $pool
wait $pool
sleep 2
grep -q "pool $sock: .*keeping within the last quota" $dir/vm-big.err
ok $? "vm-big says once that its pool is gone, and runs on"
hmmv pool --dram 128M --socket $sock --period-ms 1000 2>>$dir/pool.err &
pool=$!
i=0
while [ $i -lt 30 ] && [ -z "$(quota vm-big)" ]; do sleep 1; i=$((i + 1)); done
check_budget
[ -n "$(quota vm-big)" ] && grep -q "registered again" $dir/vm-big.err
ok $? "a restarted pool is rebuilt from vm-big's re-registration after ${i} s"
[ $over = 0 ]
ok $? "at every look quotas and real DRAM use stayed within the 128 MiB budget"

wait $big
rc=$?
kill $pool
wait $pool
sed 's/^/# vm-big: /' $dir/vm-big.err
sed 's/^/# pool: /' $dir/pool.err
[ $rc = 0 ]
ok $? "vm-big ran its workload and powered off (exit $rc)"
