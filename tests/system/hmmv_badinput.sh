#!/bin/sh
# Every bad value of the HMM-V engine's flags (hmmv/engine_config.c):
# exit status 2, one line on stderr naming the flag, nothing on stdout,
# no guest booted; and hmmv run --help documents each of them.
# testhost-timeout: 120
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# Flags are checked before the kernel is opened: any path does.
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

echo 1..13
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
bad "--trace-interval" $K --trace-interval 60001

hmmv run --help >/tmp/help.out 2>&1
rc=$?
missing=
for f in hmmv hmmv-interval hmmv-windows hmmv-window-ms hmmv-block-pages hmmv-levels \
	hmmv-rate hmmv-copy trace trace-interval trace-pages; do
	grep -q -- "--$f " /tmp/help.out || missing="$missing --$f"
done
[ $rc = 0 ] && [ -z "$missing" ]
ok $? "hmmv run --help exits 0 and documents every engine flag (missing:${missing:- none})"
