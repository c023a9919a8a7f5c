#!/bin/sh
# --dram SIZE,hugetlb on a host whose 2 MiB huge pages are spread over its
# NUMA nodes (as /proc/sys/vm/nr_hugepages spreads them): hmmv binds DRAM
# to the nodes with CPUs, so it counts the free huge pages there, not the
# host's, and refuses at launch in one line when they are short, where it
# used to start and die of SIGBUS at the first move onto a page node 0
# could not supply. With enough on node 0 it takes all of the DRAM tier's
# huge pages at launch and keeps them when chunks leave DRAM; the engine
# (devdax slow tier, chunk moves) brings a hot set into DRAM, and its zaps
# of DRAM chunks' blocks succeed (widened to the whole huge page), so
# their reads are seen.
# testhost-timeout: 400
. /tests/system/lib/hmmv_engine.sh
echo 1..8
hp=/sys/devices/system/node/node%s/hugepages/hugepages-2048kB
nr() { printf "$hp/nr_hugepages" "$1"; }
fr() { cat "$(printf "$hp/free_hugepages" "$1")"; }

echo 0 >/proc/sys/vm/nr_hugepages
echo 32 >"$(nr 0)"
echo 64 >"$(nr 1)"
hmmv run -k /guest/vmlinuz -m 448M --dram 128M,hugetlb --nvm /dev/dax0.0 \
	</dev/null >/tmp/h.out 2>/tmp/h.err
rc=$?
sed 's/^/# /' /tmp/h.err
[ $rc = 2 ] && [ "$(wc -l </tmp/h.err)" = 1 ] &&
	grep -q -- '--dram hugetlb: 32 free 2 MiB huge pages on DRAM node(s) 0, 64 needed' /tmp/h.err
ok $? "96 free huge pages, 32 on node 0: exit 2 (got $rc), one line naming node 0"
[ "$(fr 0)" = 32 ] && [ "$(fr 1)" = 64 ]
ok $? "... and no huge page taken (node 0: $(fr 0) free, node 1: $(fr 1))"

echo 72 >"$(nr 0)"
rm -f $sock $out $err
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 448M --dram 128M,hugetlb \
	--nvm /dev/dax0.0 --placement nvm-first --control $sock \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=48,160,60" \
	</dev/null >$out 2>$err &
pid=$!
wait_line '^hotset: frames' 200
f0=$(fr 0)
[ -n "$(frames 1)" ] && [ "$f0" = 8 ] && [ "$(fr 1)" = 64 ]
ok $? "the guest runs; all 64 of DRAM's huge pages taken at launch on node 0 ($f0 of 72 left free, node 1 $(fr 1) of 64)"
secs=$(capture "$(frames 1)" 40)
[ "$secs" != never ]
ok $? "at least 90% of the hot set in DRAM after ${secs} s (limit 40 s)"
j=$(hmmv stat $sock --request "engine json")
echo "# $j" | cut -c1-600
zp=$(num pages_zapped); zf=$(num pages_zap_failed)
[ "${zp:-0}" -gt 0 ] && [ "${zf:-x}" = 0 ]
ok $? "the engine's zaps succeed on huge-page DRAM: ${zp:-?} pages zapped, ${zf:-?} failed"
c=$(placement | awk '{ print index($1, "d") - 1 }')
r=$(hmmv stat $sock --request "remap $c nvm" 2>&1)
f1=$(fr 0)
case "$r" in ok*) [ "$f1" = 8 ] ;; *) false ;; esac
ok $? "chunk $c sent to the slow tier ($r): its huge page kept ($f1 free on node 0)"
hmmv_finish
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
! grep -q . $err
ok $? "hmmv printed nothing on stderr"
