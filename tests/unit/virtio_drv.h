/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal virtio-pci guest driver for unit tests: it talks to the devices
 * only as a guest would, through port I/O on 0xCF8/0xCFC, MMIO on the BAR
 * and rings in guest memory, with no KVM.
 */
#ifndef HMMV_TESTS_VIRTIO_DRV_H
#define HMMV_TESTS_VIRTIO_DRV_H

#include <string.h>
#include <time.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "devices/bus.h"
#include "memory/memory.h"

#define DRV_QBASE(q)	(0x10000ULL + 0x10000ULL * (q))

struct vdrv {
	struct io_bus *pio, *mmio;
	struct guest_mem *mem;
	int slot;
	uint64_t bar, common, notify, isr, device;
	uint32_t notify_mult;
	uint16_t qsize[4];
	uint16_t avail_idx[4], used_seen[4], next_desc[4];
};

static inline void drv_cfg_addr(struct vdrv *d, uint32_t off)
{
	uint32_t a = 0x80000000U | (uint32_t)d->slot << 11 | (off & 0xfc);

	io_bus_dispatch(d->pio, 0xcf8, (uint8_t *)&a, 4, true);
}

static inline uint32_t drv_cfg_read(struct vdrv *d, uint32_t off, uint32_t len)
{
	uint32_t v = 0;

	drv_cfg_addr(d, off);
	io_bus_dispatch(d->pio, 0xcfc + (off & 3), (uint8_t *)&v, len, false);
	return v;
}

static inline void drv_cfg_write(struct vdrv *d, uint32_t off, uint32_t v, uint32_t len)
{
	drv_cfg_addr(d, off);
	io_bus_dispatch(d->pio, 0xcfc + (off & 3), (uint8_t *)&v, len, true);
}

static inline uint64_t drv_rd(struct vdrv *d, uint64_t addr, uint32_t len)
{
	uint64_t v = 0;

	io_bus_dispatch(d->mmio, addr, (uint8_t *)&v, len, false);
	return v;
}

static inline void drv_wr(struct vdrv *d, uint64_t addr, uint64_t v, uint32_t len)
{
	io_bus_dispatch(d->mmio, addr, (uint8_t *)&v, len, true);
}

/* Finds the virtio capabilities of the function in @slot; 0 on success. */
static inline int drv_probe(struct vdrv *d, int slot)
{
	uint32_t cap, type, off;

	d->slot = slot;
	if ((drv_cfg_read(d, PCI_VENDOR_ID, 2)) != 0x1af4)
		return -1;
	drv_cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	d->bar = drv_cfg_read(d, PCI_BASE_ADDRESS_0, 4) & ~0xfULL;
	for (cap = drv_cfg_read(d, PCI_CAPABILITY_LIST, 1); cap;
	     cap = drv_cfg_read(d, cap + 1, 1)) {
		if (drv_cfg_read(d, cap, 1) != PCI_CAP_ID_VNDR)
			continue;
		type = drv_cfg_read(d, cap + 3, 1);
		off = drv_cfg_read(d, cap + 8, 4);
		if (type == VIRTIO_PCI_CAP_COMMON_CFG)
			d->common = d->bar + off;
		else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			d->notify = d->bar + off;
			d->notify_mult = drv_cfg_read(d, cap + 16, 4);
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG)
			d->isr = d->bar + off;
		else if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
			d->device = d->bar + off;
	}
	return d->common && d->notify && d->isr ? 0 : -1;
}

/* Resets, negotiates @features and sets up @nq queues of @size; status read back. */
static inline uint8_t drv_setup(struct vdrv *d, uint64_t features, int nq, uint16_t size)
{
	uint64_t c = d->common;
	int q;

	drv_wr(d, c + VIRTIO_PCI_COMMON_STATUS, 0, 1);
	drv_wr(d, c + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	drv_wr(d, c + VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	drv_wr(d, c + VIRTIO_PCI_COMMON_GF, (uint32_t)features, 4);
	drv_wr(d, c + VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	drv_wr(d, c + VIRTIO_PCI_COMMON_GF, (uint32_t)(features >> 32), 4);
	drv_wr(d, c + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	       VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK, 1);
	for (q = 0; q < nq; q++) {
		uint64_t base = DRV_QBASE(q);

		memset(memory_translate(d->mem, base, 0x3000), 0, 0x3000);
		d->qsize[q] = size;
		d->avail_idx[q] = d->used_seen[q] = d->next_desc[q] = 0;
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_SELECT, (uint64_t)q, 2);
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_SIZE, size, 2);
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_DESCLO, base, 4);
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_AVAILLO, base + 0x1000, 4);
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_USEDLO, base + 0x2000, 4);
		drv_wr(d, c + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	}
	drv_wr(d, c + VIRTIO_PCI_COMMON_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	       VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
	       VIRTIO_CONFIG_S_DRIVER_OK, 1);
	return (uint8_t)drv_rd(d, c + VIRTIO_PCI_COMMON_STATUS, 1);
}

static inline uint8_t drv_status(struct vdrv *d)
{
	return (uint8_t)drv_rd(d, d->common + VIRTIO_PCI_COMMON_STATUS, 1);
}

struct drv_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* Writes a chain of @n buffers at the next free descriptors, makes it available. */
static inline uint16_t drv_add(struct vdrv *d, int q, const struct drv_buf *b, int n, bool kick)
{
	uint64_t base = DRV_QBASE(q);
	uint16_t head = d->next_desc[q], idx, slot;
	struct vring_desc desc;
	int i;

	for (i = 0; i < n; i++) {
		idx = (uint16_t)((head + i) % d->qsize[q]);
		desc.addr = b[i].gpa;
		desc.len = b[i].len;
		desc.flags = (uint16_t)((b[i].write ? VRING_DESC_F_WRITE : 0) |
					(i + 1 < n ? VRING_DESC_F_NEXT : 0));
		desc.next = (uint16_t)((idx + 1) % d->qsize[q]);
		memory_write(d->mem, base + 16ULL * idx, &desc, sizeof(desc));
	}
	d->next_desc[q] = (uint16_t)((head + n) % d->qsize[q]);
	slot = d->avail_idx[q] % d->qsize[q];
	memory_write(d->mem, base + 0x1000 + 4 + 2ULL * slot, &head, 2);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	d->avail_idx[q]++;
	memory_write(d->mem, base + 0x1000 + 2, &d->avail_idx[q], 2);
	if (kick)
		drv_wr(d, d->notify + (uint64_t)q * d->notify_mult, (uint64_t)q, 2);
	return head;
}

static inline void drv_kick(struct vdrv *d, int q)
{
	drv_wr(d, d->notify + (uint64_t)q * d->notify_mult, (uint64_t)q, 2);
}

/* Waits up to 5 s for @n more used entries; returns how many arrived. */
static inline int drv_wait(struct vdrv *d, int q, int n)
{
	uint64_t base = DRV_QBASE(q);
	struct timespec ts = { 0, 1000000 };
	uint16_t used = 0;
	int tries;

	for (tries = 0; tries < 5000; tries++) {
		memory_read(d->mem, base + 0x2000 + 2, &used, 2);
		if ((uint16_t)(used - d->used_seen[q]) >= n)
			break;
		nanosleep(&ts, NULL);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	n = (uint16_t)(used - d->used_seen[q]);
	return n;
}

/* Takes the next used entry: returns its id and stores its length. */
static inline uint32_t drv_used(struct vdrv *d, int q, uint32_t *len)
{
	struct vring_used_elem e;
	uint64_t base = DRV_QBASE(q);

	memory_read(d->mem, base + 0x2000 + 4 + 8ULL * (d->used_seen[q] % d->qsize[q]),
		    &e, sizeof(e));
	d->used_seen[q]++;
	*len = e.len;
	return e.id;
}

#endif
