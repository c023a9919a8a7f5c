#!/bin/sh
# The HMM-V engine follows a hot set that moves: 72 MiB of GUPS updates
# (56% of the 128 MiB DRAM quota) move after 40 s to another 72 MiB the
# guest wrote once at the start; within 30 s of the shift at least 90% of
# the new hot set's pages are in DRAM (the old one's are demoted to make
# room: DRAM holds 128 MiB, both sets 144 MiB).
# testhost-timeout: 600
. /tests/system/lib/hmmv_engine.sh
echo 1..4
hmmv_start 72,160,100,40
wait_line '^hotset: frames' 200
ok $? "the guest names its first hot set's frames"
wait_line '^hotset: shifted' 200
# The new frames line follows once the guest has read its page map.
i=0
while [ -z "$(frames 2)" ] && [ $i -lt 300 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.2; i=$((i + 1))
done
[ -n "$(frames 2)" ]
ok $? "the hot set shifted and the guest names the new frames"
f=$(frames 2)
echo "# first hot set $(dram_share "$(frames 1)")% in DRAM at the shift"
secs=$(capture "$f" 30)
[ "$secs" != never ] && [ "$secs" -le 30 ]
ok $? "at least 90% of the new hot set in DRAM ${secs} s after the shift (limit 30 s)"
hmmv stat $sock | sed 's/^/# /'
hmmv_finish
ok $rc "the guest ran hotset and powered off (hmmv exit $rc)"
