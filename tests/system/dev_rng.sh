#!/bin/sh
# virtio-rng: the guest's hwrng core uses it and /dev/hwrng yields bytes.
# testhost-timeout: 200
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_rng.console

echo 1..5
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture hmmv.run=dev_rng" \
	--console file:$log --rng </dev/null
ok $? "guest powers off (exit 0)"
grep -q "dev-rng: current virtio_rng" $log; ok $? "hwrng core selected virtio_rng"
grep -q "dev-rng: bytes 4096" $log; ok $? "/dev/hwrng yielded 4096 bytes"
distinct=$(sed -n 's/.*dev-rng: distinct \([0-9]*\).*/\1/p' $log)
[ "${distinct:-0}" -gt 200 ]; ok $? "bytes are varied ($distinct distinct values of 256)"
msi=$(sed -n 's/.*dev-rng: msi-irqs \([0-9]*\).*/\1/p' $log)
[ "${msi:-0}" -gt 0 ]; ok $? "guest uses MSI-X vectors for the device ($msi)"
grep "dev-rng:" $log | sed 's/^/# /'
