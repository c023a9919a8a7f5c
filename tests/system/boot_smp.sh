#!/bin/sh
# Boots Debian's kernel on hmmv with -c 1 (host-decompressed kernel) and
# -c 2 (plain bzImage path): the guest sees as many CPUs and as much RAM as
# the flags say, and its poweroff ends hmmv with status 0.
# testhost-timeout: 300
echo 1..10
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

field()
{
	sed -n "s/.*hmmv-info .*$1=\([0-9]*\).*/\1/p" /tmp/boot.out | head -n1
}

# boot CPUS MEM_MIB EXTRA...: one guest running the boot_info script.
boot()
{
	local cpus=$1 mib=$2 rc kb ram total
	shift 2
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m "${mib}M" -c "$cpus" "$@" \
		-p "console=ttyS0 quiet panic=-1 hmmv.run=boot_info" \
		</dev/null >/tmp/boot.out 2>/tmp/boot.err
	rc=$?
	sed 's/^/# /' /tmp/boot.err
	grep 'hmmv-' /tmp/boot.out | sed 's/^/# /'
	ok $([ $rc = 0 ]; echo $?) "-c $cpus -m ${mib}M $*: guest poweroff ends hmmv with 0 (got $rc)"
	[ "$(field nproc)" = "$cpus" ]
	ok $? "-c $cpus: the guest's nproc is $cpus (got '$(field nproc)')"
	kb=$((mib * 1024))
	ram=$(field e820_ram_kb)
	# The map's RAM is -m minus the legacy hole at 640 KiB-1 MiB.
	[ -n "$ram" ] && [ "$ram" -le "$kb" ] && [ "$ram" -ge $((kb - 1024)) ]
	ok $? "-m ${mib}M: the guest's firmware map has ${mib} MiB of RAM less the legacy hole (got ${ram:-?} KiB)"
	total=$(field memtotal_kb)
	[ -n "$total" ] && [ "$total" -le "$kb" ] && [ "$total" -ge $((kb * 7 / 10)) ]
	ok $? "-m ${mib}M: MemTotal is 70-100% of it (got ${total:-?} KiB)"
}

boot 1 384
boot 2 512 --boot bzimage
! grep -q 'Linux version' /tmp/boot.out
ok $? "a quiet boot prints no kernel log on the console"
grep -q '^# hmmv-guest: boot_info exit 0' /tmp/boot.out
ok $? "the guest's init ran the named script and it exited 0"
