#!/bin/sh
# Every bad value of the HMM-V engine's and the DRAM pool's flags:
# exit status 2, one line on stderr naming the flag, nothing on stdout,
# no guest booted; and hmmv run --help documents each of them.
# testhost-timeout: 120
. /tests/system/lib/badinput.sh

echo 1..24
bad "--hmmv" $K --hmmv maybe
bad "--hmmv on" $K --hmmv on
bad "--hmmv-interval" $K --hmmv-interval 5
bad "--hmmv-windows" $K --hmmv-windows 0
bad "--hmmv-window-ms" $K --hmmv-window-ms 1x
bad "--hmmv-window-ms" $K --hmmv-windows 16 --hmmv-window-ms 10
bad "--hmmv-block-pages" $K --hmmv-block-pages 3
bad "--hmmv-levels" $K --hmmv-levels 9
bad "--hmmv-rate" $K --hmmv-rate 0
bad "--hmmv-track-pct" $K --hmmv-track-pct 101
bad "--hmmv-fault-ns" $K --hmmv-fault-ns 49
bad "--hmmv-fault-ns" $K --hmmv-fault-ns 1ms
bad "--hmmv-copy" $K --hmmv-copy fast
bad "--hmmv-move" $K --hmmv-move pages
bad "--hmmv-dirty-log" $K --hmmv-dirty-log on
bad "--hmmv-move" $K --dram 64M --nvm /dev/dax0.0 --hmmv-move page
bad "--trace" $K --trace ""
bad "--trace-interval" $K --trace-interval 60001
# The DRAM pool's flags (hmmv/pool_client.c, vmm/options.c).
bad "--pool" $K --pool /tmp/p.sock
bad "--dram-max" $K --dram 64M --nvm /dev/dax0.0 --pool /tmp/p.sock --dram-max 128M
bad "--name" $K --dram 64M --nvm /dev/dax0.0 --pool /tmp/p.sock --name "two words"
bad "--dram-min" $K --dram-min 16M
bad "--pool" $K --dram 64M,hugetlb --nvm /dev/dax0.0 --pool /tmp/p.sock

hmmv run --help >/tmp/help.out 2>&1
rc=$?
missing=
for f in hmmv hmmv-interval hmmv-windows hmmv-window-ms hmmv-block-pages hmmv-levels \
	hmmv-rate hmmv-track-pct hmmv-fault-ns hmmv-copy hmmv-move hmmv-dirty-log trace trace-interval trace-pages pool name dram-min dram-max; do
	grep -q -- "--$f " /tmp/help.out || missing="$missing --$f"
done
[ $rc = 0 ] && [ -z "$missing" ]
ok $? "hmmv run --help exits 0 and documents every engine and pool flag (missing:${missing:- none})"
