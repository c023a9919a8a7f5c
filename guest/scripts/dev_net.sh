#!/bin/sh
# virtio-net over the host's tap: address 10.0.2.15, the test host is
# 10.0.2.1. Ping, then a 4 MiB TCP transfer each way with checksums.
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
if ping -c 3 -W 10 10.0.2.1 >/dev/null 2>&1; then
	echo "dev-net: ping ok"
else
	echo "dev-net: ping failed"
fi
echo "dev-net: rx $(tcpxfer connect-recv 10.0.2.1 5001)"
echo "dev-net: tx $(tcpxfer connect-send 10.0.2.1 5002 4194304 12345)"
