#!/bin/sh
# testhost-timeout: 600
# Integrity under moves at the maximum rate (issue 12): a Debian guest on 2
# vCPUs, -m 256M --dram 128M --nvm /dev/dax0.0, runs two checksumming
# memfills and re-reads its virtio-blk disk through an emptied page cache
# (guest/scripts/mig_integrity.sh) while mig_churn moves random chunks
# back and forth with the write-protect method for 130 s over the control
# socket. Zero memory mismatches, every disk read equal to what was
# written, and the image holds the fsync'd data.
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
sock=/tmp/mig.sock
log=/tmp/mig.console
img=/tmp/mig.img
echo 1..7
rm -f $sock $img
truncate -s 16M $img
: >$log
t0=$(date +%s)
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M --dram 128M --nvm /dev/dax0.0 \
	-c 2 --disk $img --control $sock --console file:$log \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=mig_integrity" \
	</dev/null 2>/tmp/mig.err &
pid=$!
i=0
while ! grep -q 'mig: start' $log && [ -S $sock -o $i -lt 50 ] && [ $i -lt 1500 ]; do
	sleep 0.2
	i=$((i + 1))
done
grep -q 'mig: start' $log
ok $? "guest wrote its disk data with fsync and started (after $(($(date +%s) - t0)) s)"
mig_churn $sock 128 130 wp >/tmp/mig.churn 2>/tmp/mig.churn.err
crc=$?
sed 's/^/# /' /tmp/mig.churn /tmp/mig.churn.err | head -20
moves=$(sed -n 's/.*moves=\([0-9]*\).*/\1/p' /tmp/mig.churn)
secs=$(sed -n 's/.*seconds=\([0-9]*\).*/\1/p' /tmp/mig.churn)
[ $crc = 0 ] && [ "${secs:-0}" -ge 120 ] && [ "${moves:-0}" -ge 100 ]
ok $? "moves forced for ${secs:-?} s: ${moves:-?} moves, none failed"
wait $pid
rc=$?
echo "# hmmv ran $(($(date +%s) - t0)) s"
# The serial console ends lines with CR LF.
tr -d '\r' <$log >$log.txt
log=$log.txt
grep '^mig:' $log | grep -v 'memfill: round' | sed 's/^/# /'
ok $([ $rc = 0 ]; echo $?) "the guest powered off (hmmv exit $rc)"
[ "$(grep -c 'memfill: done .*mismatches=0$' $log)" = 2 ]
ok $? "two checksumming memfills (2 vCPUs): zero mismatches"
grep -q 'mig: done reads=[1-9][0-9]* read_mismatches=0$' $log
ok $? "every disk read during the moves equals what was written"
gsum=$(sed -n 's/^mig: written \([0-9a-f]\{32\}\).*/\1/p' $log | head -n1)
hsum=$(head -c 16777216 $img | md5sum | cut -d' ' -f1)
[ -n "$gsum" ] && [ "$gsum" = "$hsum" ]
ok $? "the image holds the fsync'd data ($hsum)"
sed 's/^/# /' /tmp/mig.err
! grep -q . /tmp/mig.err
ok $? "hmmv printed nothing on stderr"
rm -f $img $log
