# Shared body of tests/system/pool_corun.sh and tests/bench/pool.sh
# (sourced, busybox sh): guests on one hmmv pool, and the DRAM they really
# hold. The caller sets $dir (a private folder) and $sock (the pool's).

# pool_vm NAME MIB DRAM_MIB HOTSET_ARGS: a guest of MIB MiB with a DRAM
# tier of DRAM_MIB, its slow tier a file, launched on it
# (--placement nvm-first), on the pool as NAME, running hotset with
# HOTSET_ARGS; in the background ($! is its PID).
pool_vm()
{
	rm -f $dir/$1.sock $dir/$1.out $dir/$1.err
	truncate -s ${2}M $dir/$1.img
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m ${2}M --dram ${3}M \
		--nvm $dir/$1.img --placement nvm-first --control $dir/$1.sock \
		--pool $sock --name $1 \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=$4" \
		</dev/null >$dir/$1.out 2>$dir/$1.err &
}

# memfd_path PID: hmmv's DRAM memfd as /proc/PID/fd/N (/nonexistent: none).
memfd_path()
{
	local f
	for f in /proc/$1/fd/*; do
		case "$(readlink $f 2>/dev/null)" in
		*memfd:hmmv-dram*) echo $f; return ;;
		esac
	done
	echo /nonexistent
}

# memfd_bytes PATH...: the bytes allocated to each memfd (0 for one that is
# gone), all read by one stat, so that their sum is one moment's.
memfd_bytes()
{
	local f
	stat -L -c '%n %b' "$@" 2>/dev/null >$dir/memfds
	for f in "$@"; do
		awk -v f=$f '$1 == f { b = $2 } END { printf "%d ", b * 512 }' $dir/memfds
	done
}
