#!/bin/sh
# Console output never blocks a vCPU, and SIGTERM always stops hmmv: hmmv's
# stdout is a FIFO nobody reads any more while the guest floods its console,
# so the pipe is full; SIGTERM must still end hmmv with status 4 within
# seconds (it used to hang with a vCPU blocked in write(), serial lock held).
# testhost-timeout: 240
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
fifo=/tmp/stall.fifo

echo 1..3
rm -f $fifo /tmp/stall.cap
mkfifo $fifo
# A one-page pipe that stays open: hmmv's writes stall rather than fail.
pipe_hold $fifo 4096 >/tmp/stall.cap &
holder=$!
while [ ! -s /tmp/stall.cap ] && kill -0 $holder 2>/dev/null; do sleep 0.1; done
cap=$(cat /tmp/stall.cap)
exec 3<$fifo
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=flood" \
	</dev/null >$fifo 2>/tmp/stall.err &
pid=$!
# Read until the flood begins, then read no more.
timeout 200 grep -q -m1 "hmmv-info flood" <&3
# How fast it floods, so as to wait until the pipe is surely full.
rate=$(timeout 5 cat <&3 | wc -c)
rate=$((rate / 5))
[ $rate -gt 0 ]
ok $? "the guest floods its console ($rate bytes/s, pipe of ${cap:-?} bytes)"
wait_s=$((2 * ${cap:-65536} / (rate + 1) + 2))
[ $wait_s -gt 120 ] && wait_s=120
echo "# waiting ${wait_s} s for the pipe to fill"
sleep $wait_s
kill -TERM $pid
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
alive=0
kill -0 $pid 2>/dev/null && alive=1
[ $alive = 0 ]
ok $? "SIGTERM with stdout stalled ends hmmv within 20 s (waited $((i / 10)) s)"
[ $alive = 1 ] && kill -KILL $pid
wait $pid
rc=$?
[ $alive = 0 ] && [ $rc = 4 ]
ok $? "exit status 4 after SIGTERM (got $rc)"
sed 's/^/# /' /tmp/stall.err
exec 3<&-
kill $holder
wait $holder 2>/dev/null
rm -f $fifo /tmp/stall.cap
