#!/bin/sh
# A slow-tier file or device belongs to one VM at a time and never shows a
# guest another VM's data: a second hmmv on the same --nvm file is refused
# (exit 2, one line) while the first runs; a --nvm that is also a --disk
# (here through a symlink) is refused; a guest reading fresh frames of a
# devdax device or file pre-filled with a pattern sees zeros
# (tests/system/mem_fresh.c, which also prints what the clearing costs;
# the test host's 512 MiB NVDIMM gives a 502 MiB /dev/dax0.0).
# testhost-timeout: 300
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
G="-k /guest/vmlinuz -i /guest/initrd.img -m 128M --dram 64M"
# A guest that powers off at once, should hmmv wrongly start it.
P="console=ttyS0 quiet panic=-1 hmmv.run=none"

# refused WORD ARGS...: exit 2 with one line naming WORD, within 120 s.
refused()
{
	local word=$1 rc
	shift
	timeout 120 hmmv run $G "$@" -p "$P" </dev/null >/dev/null 2>/tmp/owner.err
	rc=$?
	sed 's/^/# /' /tmp/owner.err
	[ $rc = 2 ] && [ "$(wc -l </tmp/owner.err)" = 1 ] && grep -q -- "$word" /tmp/owner.err
	ok $? "hmmv run $*: exit 2 (got $rc), one line naming '$word'"
}

# helper PROG ARGS...: re-numbers a helper's TAP into this script's.
helper()
{
	"$@" >/tmp/helper.out 2>&1
	while read -r line; do
		case "$line" in
		"ok "*) ok 0 "${line#ok * - }" ;;
		"not ok "*) ok 1 "${line#not ok * - }" ;;
		"1.."*) ;;
		"# "*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done </tmp/helper.out
}

echo 1..11
truncate -s 128M /tmp/shared.img
: >/tmp/first.out	# exists before the background shell opens it: grep waits quietly
hmmv run $G --nvm /tmp/shared.img -p "console=ttyS0 quiet panic=-1 hmmv.run=hang" \
	</dev/null >/tmp/first.out 2>&1 &
first=$!
i=0
while ! grep -q "hmmv-info waiting" /tmp/first.out && [ $i -lt 600 ] && kill -0 $first 2>/dev/null; do
	sleep 0.2; i=$((i + 1))
done
grep -q "hmmv-info waiting" /tmp/first.out
ok $? "a first VM runs with --nvm /tmp/shared.img"
refused "/tmp/shared.img: in use" --nvm /tmp/shared.img
kill $first
wait $first
rc=$?
[ $rc = 4 ]
ok $? "the first VM ends on SIGTERM (exit $rc)"

truncate -s 128M /tmp/disk.img
ln -sf /tmp/disk.img /tmp/link.img
refused "--nvm /tmp/link.img" --disk /tmp/disk.img --nvm /tmp/link.img
refused "--nvm /tmp/disk.img" --nvm /tmp/disk.img --disk /tmp/link.img
rm -f /tmp/shared.img /tmp/disk.img /tmp/link.img

helper mem_fresh /dev/dax0.0 504M
truncate -s 64M /tmp/fresh.img
helper mem_fresh /tmp/fresh.img 64M
rm -f /tmp/fresh.img
