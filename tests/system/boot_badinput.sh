#!/bin/sh
# Every bad input to hmmv run: one line on stderr naming what is wrong,
# exit status 2, nothing on stdout. No guest is booted.
# testhost-timeout: 120
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

echo "hello" >/tmp/notkernel
: >/tmp/empty
K="-k /guest/vmlinuz"

# bad EXPECT_WORD ARGS...: exit 2, exactly one stderr line containing the word.
bad()
{
	local word=$1 rc lines
	shift
	hmmv run "$@" </dev/null >/tmp/bad.out 2>/tmp/bad.err
	rc=$?
	lines=$(wc -l </tmp/bad.err)
	[ $rc = 2 ] && [ "$lines" = 1 ] && grep -q -- "$word" /tmp/bad.err &&
		[ ! -s /tmp/bad.out ]
	ok $? "hmmv run $*: exit 2 (got $rc), one line naming '$word'"
	sed 's/^/# /' /tmp/bad.err
}

echo 1..31
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
# The HMM-V engine's flags (hmmv/engine_config.c).
bad "--hmmv" $K --hmmv maybe
bad "--hmmv on" $K --hmmv on
bad "--hmmv-interval" $K --hmmv-interval 5
bad "--hmmv-windows" $K --hmmv-windows 0
bad "--hmmv-window-ms" $K --hmmv-window-ms 1x
bad "--hmmv-window-ms" $K --hmmv-windows 16 --hmmv-window-ms 10
bad "--hmmv-block-pages" $K --hmmv-block-pages 3
bad "--hmmv-levels" $K --hmmv-levels 9
bad "--hmmv-rate" $K --hmmv-rate 0
bad "--hmmv-copy" $K --hmmv-copy fast
bad "--trace" $K --trace ""

hmmv run --help >/tmp/help.out 2>&1
rc=$?
missing=
for f in kernel initrd params mem cpus console boot cache prepare hmmv hmmv-interval \
	hmmv-windows hmmv-window-ms hmmv-block-pages hmmv-levels hmmv-rate hmmv-copy trace; do
	grep -q -- "--$f" /tmp/help.out || missing="$missing --$f"
done
[ $rc = 0 ] && [ -z "$missing" ]
ok $? "hmmv run --help exits 0 and documents every flag (missing:${missing:- none})"
grep -q "a bare number is bytes" /tmp/help.out
ok $? "hmmv run --help states the one size rule"
