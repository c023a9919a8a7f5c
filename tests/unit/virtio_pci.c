// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge and virtio-pci transport without KVM: configuration
 * cycles, BAR sizing and moves, capability list, MSI-X and INTx delivery,
 * and virtio-rng through it.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/virtio_ids.h>

#include "devices/devices.h"
#include "devices/virtio_rng.h"
#include "tests/tap.h"
#include "tests/unit/virtio_drv.h"

#define BUF	0x200000ULL

struct rig {
	struct guest_mem mem;
	struct io_bus pio, mmio;
	struct devices devs;
	struct vdrv d;
};

static void test_bridge(struct rig *r)
{
	struct vdrv h = r->d;
	uint32_t v = 0xdeadbeef;

	h.slot = 0;
	tap_is(drv_cfg_read(&h, PCI_VENDOR_ID, 4), 0x29c08086, "host bridge at 00.0");
	tap_is(drv_cfg_read(&h, PCI_CLASS_REVISION, 4) >> 16, 0x0600, "class is host bridge");
	h.slot = 9;
	tap_is(drv_cfg_read(&h, PCI_VENDOR_ID, 2), 0xffff, "empty slot reads all-ones");
	/* Config space access disabled (bit 31 clear): all-ones. */
	io_bus_dispatch(&r->pio, 0xcf8, (uint8_t *)&v, 4, true);
	v = 0;
	io_bus_dispatch(&r->pio, 0xcf8, (uint8_t *)&v, 4, true);
	io_bus_dispatch(&r->pio, 0xcfc, (uint8_t *)&v, 4, false);
	tap_is(v, 0xffffffff, "config cycle without the enable bit reads all-ones");
	tap_ok(io_bus_dispatch(&r->pio, 0xcf9, (uint8_t *)&v, 1, false) == -ENOENT,
	       "port 0xcf9 (reset control) left to the platform");
}

static void test_bar(struct rig *r)
{
	uint32_t bar = drv_cfg_read(&r->d, PCI_BASE_ADDRESS_0, 4), size;
	uint64_t moved = 0xd0000000ULL;

	tap_ok(bar >= 0xc0000000U && bar + 0x8000ULL <= 0xfec00000ULL,
	       "BAR 0 placed in the PCI hole (0x%x)", bar);
	drv_cfg_write(&r->d, PCI_COMMAND, 0, 2);
	drv_cfg_write(&r->d, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	size = ~(drv_cfg_read(&r->d, PCI_BASE_ADDRESS_0, 4) & ~0xfU) + 1;
	tap_is(size, 0x8000, "BAR sizing reports 32 KiB");
	drv_cfg_write(&r->d, PCI_BASE_ADDRESS_0, (uint32_t)moved, 4);
	drv_cfg_write(&r->d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	tap_ok(io_bus_dispatch(&r->mmio, bar, (uint8_t *)&size, 4, false) == -ENOENT,
	       "old BAR address no longer decoded");
	r->d.bar = moved;
	tap_ok(drv_probe(&r->d, r->d.slot) == 0 && r->d.common == moved,
	       "device answers at the moved BAR");
	tap_is(drv_cfg_read(&r->d, PCI_INTERRUPT_LINE, 1), 15 + r->d.slot,
	       "INTx line is GSI 15 + slot");
}

/* The VIRTIO_PCI_CAP_PCI_CFG window reaches the BAR through config space. */
static void test_cfg_window(struct rig *r)
{
	uint32_t cap, win = 0;

	for (cap = drv_cfg_read(&r->d, PCI_CAPABILITY_LIST, 1); cap;
	     cap = drv_cfg_read(&r->d, cap + 1, 1))
		if (drv_cfg_read(&r->d, cap, 1) == PCI_CAP_ID_VNDR &&
		    drv_cfg_read(&r->d, cap + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			win = cap;
	tap_ok(win != 0, "VIRTIO_PCI_CAP_PCI_CFG capability present");
	drv_cfg_write(&r->d, win + 4, 0, 1);
	drv_cfg_write(&r->d, win + 8, VIRTIO_PCI_COMMON_NUMQ, 4);
	drv_cfg_write(&r->d, win + 12, 2, 4);
	tap_is(drv_cfg_read(&r->d, win + 16, 2), 1, "window reads num_queues from the BAR");
	drv_cfg_write(&r->d, win + 8, VIRTIO_PCI_COMMON_Q_SELECT, 4);
	drv_cfg_write(&r->d, win + 16, 5, 2);
	tap_is(drv_rd(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_SELECT, 2), 5,
	       "window write lands in the common configuration");
	drv_cfg_write(&r->d, win + 12, 3, 4);
	drv_cfg_write(&r->d, win + 16, 0, 2);
	tap_is(drv_rd(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_SELECT, 2), 5,
	       "odd window length ignored");
	drv_wr(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
}

static int rng_read(struct rig *r, uint32_t len, uint32_t *used)
{
	struct drv_buf b = { BUF, len, true };

	memset(memory_translate(&r->mem, BUF, len), 0, len);
	drv_add(&r->d, 0, &b, 1, true);
	if (drv_wait(&r->d, 0, 1) < 1)
		return -1;
	drv_used(&r->d, 0, used);
	/* The used entry precedes the interrupt: wait for the pass to end. */
	pthread_mutex_lock(&r->devs.rng->vdev.lock);
	pthread_mutex_unlock(&r->devs.rng->vdev.lock);
	return 0;
}

static bool nonzero(struct rig *r, uint32_t len)
{
	uint8_t *p = memory_translate(&r->mem, BUF, len);
	uint32_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != 0;
	return n > len / 2;
}

static void test_rng_irq(struct rig *r)
{
	struct virtio_dev *vdev = &r->devs.rng->vdev;
	uint32_t used = 0, msix = 0;
	uint64_t irqs;
	uint8_t cap;

	tap_is(drv_cfg_read(&r->d, PCI_DEVICE_ID, 2), 0x1040 + VIRTIO_ID_RNG, "virtio-rng id");
	tap_ok(drv_setup(&r->d, 1ULL << VIRTIO_F_VERSION_1, 1, 64) & VIRTIO_CONFIG_S_DRIVER_OK,
	       "rng driver ok");
	/* INTx: the ISR says "queue" and reading it clears it. */
	irqs = vdev->nr_irqs;
	tap_ok(!rng_read(r, 4096, &used) && used == 4096 && nonzero(r, 4096),
	       "rng fills a 4 KiB buffer with random bytes");
	tap_ok(vdev->nr_irqs > irqs && virtio_pci_of(vdev)->intx_level, "INTx asserted without MSI-X");
	tap_is(drv_rd(&r->d, r->d.isr, 1), 1, "ISR reports a queue interrupt");
	tap_ok(!virtio_pci_of(vdev)->intx_level && drv_rd(&r->d, r->d.isr, 1) == 0, "ISR read clears it and INTx");
	/* MSI-X: vector 1 for the queue, masked first, then unmasked. */
	for (cap = (uint8_t)drv_cfg_read(&r->d, PCI_CAPABILITY_LIST, 1); cap;
	     cap = (uint8_t)drv_cfg_read(&r->d, cap + 1u, 1))
		if (drv_cfg_read(&r->d, cap, 1) == PCI_CAP_ID_MSIX)
			msix = cap;
	tap_ok(msix && (drv_cfg_read(&r->d, msix + 2, 2) & 0x7ff) == 1, "MSI-X with 2 vectors");
	drv_cfg_write(&r->d, msix + 2, PCI_MSIX_FLAGS_ENABLE, 2);
	drv_wr(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	drv_wr(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_MSIX, 1, 2);
	tap_is(drv_rd(&r->d, r->d.common + VIRTIO_PCI_COMMON_Q_MSIX, 2), 1, "queue vector 1 accepted");
	drv_wr(&r->d, r->d.common + VIRTIO_PCI_COMMON_MSIX, 7, 2);
	tap_is(drv_rd(&r->d, r->d.common + VIRTIO_PCI_COMMON_MSIX, 2), 0xffff,
	       "out-of-range config vector reads back NO_VECTOR");
	drv_wr(&r->d, r->d.bar + 0x4000 + 16, 0xfee00000, 4);
	drv_wr(&r->d, r->d.bar + 0x4000 + 24, 0x41, 4);
	irqs = vdev->nr_irqs;
	rng_read(r, 512, &used);
	tap_ok(vdev->nr_irqs == irqs && (drv_rd(&r->d, r->d.bar + 0x5000, 8) & 2),
	       "masked vector: no interrupt, pending bit set");
	drv_wr(&r->d, r->d.bar + 0x4000 + 28, 0, 4);
	tap_ok(vdev->nr_irqs == irqs + 1 && !(drv_rd(&r->d, r->d.bar + 0x5000, 8) & 2),
	       "unmasking delivers the pending interrupt");
	rng_read(r, 512, &used);
	tap_is(vdev->nr_irqs, irqs + 2, "unmasked vector interrupts directly");
	tap_ok(!virtio_pci_of(vdev)->intx_level, "no INTx while MSI-X is on");
}

int main(void)
{
	struct memory_config mc = { .ram_size = 16 << 20 };
	struct devices_config dc = { .rng = true };
	struct rig r;
	struct devices_env env = { .vm_fd = -1, .mem = &r.mem, .pio = &r.pio, .mmio = &r.mmio };
	char why[256];

	memory_init(&r.mem, &mc);
	io_bus_init(&r.pio);
	io_bus_init(&r.mmio);
	if (devices_init(&r.devs, &dc, &env, why, sizeof(why))) {
		tap_ok(0, "devices_init: %s", why);
		return tap_done(0);
	}
	r.d = (struct vdrv){ .pio = &r.pio, .mmio = &r.mmio, .mem = &r.mem };
	tap_ok(drv_probe(&r.d, 1) == 0, "virtio capabilities found in slot 1");
	test_bridge(&r);
	test_bar(&r);
	test_cfg_window(&r);
	test_rng_irq(&r);
	devices_exit(&r.devs);
	tap_is(r.pio.nr + r.mmio.nr, 0, "exit unregisters every port and BAR");
	io_bus_exit(&r.pio);
	io_bus_exit(&r.mmio);
	memory_exit(&r.mem);
	return tap_done(0);
}
