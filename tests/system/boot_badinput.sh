#!/bin/sh
# Every bad input to hmmv run: one line on stderr naming what is wrong,
# exit status 2, nothing on stdout. No guest is booted.
# testhost-timeout: 120
. /tests/system/lib/badinput.sh

echo "hello" >/tmp/notkernel
: >/tmp/empty

echo 1..20
bad "--bogus" $K --bogus
bad "-z" $K -z
bad "unexpected argument" $K stray
bad "--kernel" -m 256M
bad "--mem" $K -m 12Q
bad "--mem" $K -m 0
bad "--mem" $K -m 3M
bad "bare number is bytes" $K -m 512
bad "--cpus" $K -c 0
bad "--cpus" $K -c two
bad "--mem" $K -m
bad "/nonexistent" -k /nonexistent
bad "not a Linux kernel" -k /tmp/notkernel
bad "not a loadable" -k /bin/busybox
bad "/tmp/empty" $K -i /tmp/empty
bad "/no/initrd" $K -i /no/initrd
bad "too small" $K -i /guest/initrd.img -m 32M
bad "--console" $K --console file:/nonexistent/dir/log
# The engine's and the pool's flags: tests/system/hmmv_badinput.sh.

hmmv run --help >/tmp/help.out 2>&1
rc=$?
missing=
for f in kernel initrd params mem cpus console boot cache prepare dram nvm chunk \
	placement control disk net rng group-readable; do
	grep -q -- "--$f" /tmp/help.out || missing="$missing --$f"
done
[ $rc = 0 ] && [ -z "$missing" ]
ok $? "hmmv run --help exits 0 and documents every flag (missing:${missing:- none})"
grep -q "a bare number is bytes" /tmp/help.out
ok $? "hmmv run --help states the one size rule"
