#!/bin/sh
# virtio-net on a tap device: the test host (10.0.2.1 on the tap) and the
# guest (10.0.2.15) ping and move 4 MiB each way over TCP, checksummed at
# both ends. While the VM holds the tap, a second hmmv on it is refused.
# testhost-timeout: 280
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_net.console
tap=hmmvtap0

echo 1..7
dev_tcpxfer listen-send 5001 4194304 777 >/tmp/host_tx.out 2>&1 &
tx_pid=$!
dev_tcpxfer listen-recv 5002 >/tmp/host_rx.out 2>&1 &
rx_pid=$!
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_net" \
	--console file:$log --net tap=$tap </dev/null 2>/tmp/dev_net.err &
vm=$!
i=0
while [ ! -e /sys/class/net/$tap ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
ip addr add 10.0.2.1/24 dev $tap && ip link set $tap up
ok $? "hmmv created tap $tap and the host configured it"
hmmv run -k /guest/vmlinuz -i /guest/initrd.img --net tap=$tap --console none \
	</dev/null >/dev/null 2>/tmp/dev_net.busy
rc=$?
[ $rc -ne 0 ] && grep -q "busy" /tmp/dev_net.busy
ok $? "second hmmv on the same tap refused: $(cat /tmp/dev_net.busy) (exit $rc)"
wait $vm
ok $? "guest powers off (exit 0)"
kill $tx_pid $rx_pid 2>/dev/null
wait $tx_pid $rx_pid 2>/dev/null
grep -q "dev-net: ping ok" $log; ok $? "guest pings the test host"
sent=$(cat /tmp/host_tx.out)
grep -q "dev-net: rx $sent" $log; ok $? "host to guest: 4 MiB arrive intact ($sent)"
got=$(cat /tmp/host_rx.out)
grep -q "dev-net: tx $got" $log; ok $? "guest to host: 4 MiB arrive intact ($got)"
echo "$got" | grep -q "bytes 4194304 "; ok $? "host received all 4194304 bytes"
grep "dev-net:" $log | sed 's/^/# /'
