#!/bin/sh
# Bad memory flags of hmmv run against the test host's real devdax and NUMA
# layout: each is refused before the guest starts with exit 2 and one line
# naming the flag, and leaves nothing behind (no control socket, no
# directory, no file).
# testhost-timeout: 120
echo 1..24
n=0
ok()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

truncate -s 64M /tmp/small.img
export XDG_RUNTIME_DIR=/tmp/xdg
mkdir -p -m 700 $XDG_RUNTIME_DIR
# bad EXPECTED_FLAG_TEXT FLAGS...: exit 2, message names the flag, no leftovers.
bad()
{
	local want=$1 rc lines
	shift
	hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 512M "$@" \
		</dev/null >/tmp/bad.out 2>/tmp/bad.err
	rc=$?
	lines=$(wc -l </tmp/bad.err)
	sed 's/^/# /' /tmp/bad.err
	[ $rc = 2 ] && [ "$lines" = 1 ] && grep -q -- "$want" /tmp/bad.err
	ok $? "$*: exit 2 (got $rc), one line naming '$want'"
	[ -z "$(ls -A $XDG_RUNTIME_DIR)" ] && [ ! -e /tmp/vm.sock ]
	ok $? "$*: nothing left behind"
}

bad "--nvm /dev/dax9.9" --dram 128M --nvm /dev/dax9.9
bad "--nvm /dev/dax0.0" -m 2G --dram 128M --nvm /dev/dax0.0
bad "--dram" --dram 1G --nvm /dev/dax0.0
bad "--chunk" --chunk 4K --dram 128M --nvm /dev/dax0.0
bad "--nvm node=7" --dram 128M --nvm node=7
bad "--dram node=5" --dram 512M,node=5
bad "--dram" --dram 129M --nvm /dev/dax0.0
bad "--nvm /tmp/small.img" --dram 128M --nvm /tmp/small.img
bad "--dram" --dram 128M
bad "--chunk" --chunk 3M
bad "--placement" --placement sideways --nvm /dev/dax0.0
bad "--control" --control /nonexistent/dir/vm.sock
rm -f /tmp/small.img
