#!/bin/sh
# guest_pages (tests/system/guest_pages.c, make eval-real's lists of the
# guest's page frames): with --steps, each list also goes to a timeline of
# the frames that joined and left since the list before, which rebuilds
# the process's frames exactly; bad arguments are refused.
# testhost-timeout: 300
. /tests/system/lib/hmmv_engine.sh
echo 1..7
log=/tmp/gp-steps.log
acc=/tmp/gp-steps.acc
rm -f $log $acc $acc.pfn $acc.moves /tmp/gp-after.log /tmp/gp-after.acc*
# The end of RAM below 4 GiB, as tests/bench/real.sh takes it.
ram_end=$(grep -i ': System RAM$' /proc/iomem | sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) .*/\2/p' |
	awk '{ v = 0; for (i = 1; i <= length($1); i++) v = v * 16 + index("0123456789abcdef", substr($1, i, 1)) - 1
	       if (v < 4294967296 && v + 1 > m) m = v + 1 } END { printf "%.0f", m }')
rm -f $sock $out $err
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 128M --dram 128M,node=any --control $sock \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=8,32,25" \
	</dev/null >$out 2>$err &
pid=$!
wait_line '^hotset: frames' 300
ok $? "the guest runs its hot set"
guest_pages --steps $log $pid memfd:hmmv- 0 $ram_end $acc
ok $? "a first list with --steps, exit 0"
# Stopped, the guest holds its frames still: a second list, then the
# frames as they are, to compare with the timeline.
kill -STOP $pid
guest_pages --steps $log $pid memfd:hmmv- 0 $ram_end $acc &&
	guest_pages $pid memfd:hmmv- 0 $ram_end >/tmp/gp-now.runs &&
	guest_pages --steps-after /tmp/gp-after.log $pid memfd:hmmv- 0 $ram_end /tmp/gp-after.acc
ok $? "a second list with --steps, the frames as they are, and a list with --steps-after"
kill -CONT $pid
awk '$1 == "@" { k++ } $1 == "+" && k == 1 { j += $3 } $1 == "-" && k == 1 { l++ }
     END { printf "# first list: %d frames joined, %d runs left\n", j, l
	   exit !(k == 2 && j > 8192 && l == 0) }' $log
ok $? "two entries in the timeline; the first joins the guest's frames (over 8192, its hot set's and more) and leaves none"
# Replayed, the timeline holds exactly the frames the last list saw.
awk 'FNR == NR { for (i = 0; i < $2; i++) now[$1 + i] = 1; n += $2; next }
     $1 == "+" { for (i = 0; i < $3; i++) { if (f[$2 + i]) bad++; f[$2 + i] = 1 } }
     $1 == "-" { for (i = 0; i < $3; i++) { if (!f[$2 + i]) bad++; delete f[$2 + i] } }
     END { for (p in f) { m++; if (!(p in now)) bad++ }
	   printf "# %d frames now, %d in the timeline, %d differences\n", n, m, bad
	   exit !(n > 0 && m == n && !bad) }' /tmp/gp-now.runs $log
ok $? "the timeline replayed holds the process's frames, frame for frame"
# --steps-after (no ticks): the same entries, from its own state.
awk '$1 == "@" { k++ } $1 == "-" { l++ } END { exit !(k == 1 && l == 0) }' /tmp/gp-after.log &&
	awk 'FNR == NR { n += $2; next } $1 == "+" { m += $3 } END { printf "# --steps-after: %d frames, %d listed\n", n, m; exit !(n > 0 && m == n) }' \
		/tmp/gp-now.runs /tmp/gp-after.log
ok $? "--steps-after: one entry, joining the process's frames"
guest_pages --steps $log $pid memfd:hmmv- 0 $ram_end 2>/tmp/gp-err.txt
[ $? = 2 ] && grep -q 'needs UNION' /tmp/gp-err.txt
ok $? "--steps without UNION: usage error, exit 2"
hmmv_finish
