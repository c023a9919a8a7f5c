#!/bin/sh
# INTx fallback: with MSI disabled in the guest (pci=nomsi) virtio-blk and
# virtio-rng still work through their legacy interrupt lines (IOAPIC pins
# 16-23, routed by the DSDT's _PRT).
# testhost-timeout: 200
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
log=/tmp/dev_intx.console
img=/tmp/dev_intx.img

echo 1..5
dd if=/dev/urandom of=$img bs=1M count=4 2>/dev/null
sum=$(md5sum $img | cut -d' ' -f1)
: >$log
hmmv run -k /guest/vmlinuz -i /guest/initrd.img -m 256M \
	-p "console=ttyS0 quiet panic=-1 iommu=noaperture pci=nomsi hmmv.run=dev_intx" \
	--console file:$log --disk $img --rng </dev/null
ok $? "guest powers off (exit 0)"
grep -q "dev-intx: msi-irqs 0" $log; ok $? "no MSI vectors in use"
intx=$(sed -n 's/.*dev-intx: intx-irqs \([0-9]*\).*/\1/p' $log)
[ "${intx:-0}" -ge 2 ]; ok $? "both devices on IOAPIC lines (${intx:-0})"
grep -q "dev-intx: vda $sum" $log; ok $? "disk read correctly over INTx"
grep -q "dev-intx: rng-bytes 1024" $log; ok $? "hwrng read over INTx"
grep "dev-intx:" $log | sed 's/^/# /'
rm -f $img
