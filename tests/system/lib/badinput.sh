# Shared body of the bad-input system tests (sourced, busybox sh): TAP's
# ok, and bad, which runs hmmv run with a bad value and checks the answer.
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
