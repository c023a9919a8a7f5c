#!/bin/sh
# Console output never blocks a vCPU, and SIGTERM always stops hmmv: hmmv's
# stdout is a FIFO nobody reads any more while the guest floods its console,
# so the pipe is full; SIGTERM must still end hmmv with status 4 within
# seconds (it used to hang with a vCPU blocked in write(), serial lock held).
# testhost-timeout: 300
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
fifo=/tmp/stall.fifo

echo 1..3
rm -f $fifo
mkfifo $fifo
# fd 3 keeps a reader on the pipe: hmmv's writes stall rather than fail.
exec 3<>$fifo
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 hmmv.run=flood" \
	</dev/null >$fifo 2>/tmp/stall.err &
pid=$!
# Read until the flood begins, then read no more.
timeout 200 grep -q -m1 "hmmv-info flood" <&3
ok $? "the guest floods its console"
sleep 10	# the pipe (64 KiB) and more fill in well under this
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
rm -f $fifo
