#!/bin/sh
# An engine with nothing to decide costs the guest nothing: with every
# chunk in DRAM and a quota that holds them all (--dram = -m) it samples
# nothing and turns dirty logging off (memslot flags 0, huge second-level
# mappings back); a chunk sent to the slow tier over the control socket
# ends that at the next interval: blocks zapped, the guest's refaults
# counted (hmmv stat's refaults), and dirty logging on for each
# interval's windows and moves and off after them (--hmmv-dirty-log
# sampling, the default for chunk moves): two switches an interval.
# testhost-timeout: 400
. /tests/system/lib/hmmv_engine.sh
echo 1..5
rm -f $sock $out $err
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M --dram 256M \
	--nvm /dev/dax0.0 --control $sock \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=hmmv_hotset hmmv.hotset=16,64,40" \
	</dev/null >$out 2>$err &
pid=$!
wait_line '^hotset: frames' 300
ok $? "the guest runs its hot set"
sleep 3
j=$(hmmv stat $sock --request "engine json")
echo "# $j" | cut -c1-400
iv=$(num intervals); idl=$(num idle_intervals); zp=$(num pages_zapped)
fl=$(num slot_flags); rf=$(num refaults)
echo "$j" | grep -q '"idle":true' && [ "${fl:-x}" = 0 ] && [ "${zp:-x}" = 0 ] &&
	[ "${rf:-x}" = 0 ] && [ "${idl:-0}" -gt 0 ] && [ "$idl" = "$iv" ]
ok $? "all in DRAM within the quota: idle for all ${iv:-?} intervals ($idl), memslot flags ${fl:-?}, ${zp:-?} pages zapped, ${rf:-?} refaults"
hmmv stat $sock --request "remap 5 nvm" | grep -q '^ok'
ok $? "chunk 5 sent to the slow tier over the control socket"
sleep 3
j=$(hmmv stat $sock --request "engine json")
echo "# $j" | cut -c1-400
zp=$(num pages_zapped); rf=$(num refaults); iv=$(num intervals); sw=$(num dirty_log_switches)
sleep 2
j=$(hmmv stat $sock --request "engine json")
iv2=$(num intervals); sw2=$(num dirty_log_switches)
div=$((${iv2:-0} - ${iv:-0})); dsw=$((${sw2:-0} - ${sw:-0}))
echo "$j" | grep -q '"idle":false' && [ "${zp:-0}" -gt 0 ] && [ "${rf:-0}" -gt 0 ] &&
	[ "$div" -gt 0 ] && [ "$dsw" -ge "$div" ]
ok $? "no longer idle: ${zp:-?} pages zapped, ${rf:-?} refaults counted, dirty logging switched $dsw times in $div intervals"
hmmv_finish
ok $rc "the guest powered off (hmmv exit $rc)"
