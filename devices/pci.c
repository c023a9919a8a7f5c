// SPDX-License-Identifier: GPL-2.0
/* PCI host bridge, configuration mechanism 1, BAR placement and decoding. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "devices/pci.h"

static void pci_put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void pci_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t pci_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint32_t class_rev, uint16_t subsys_id)
{
	memset(d, 0, sizeof(*d));
	pci_put16(d->cfg + PCI_VENDOR_ID, vendor);
	pci_put16(d->cfg + PCI_DEVICE_ID, device);
	pci_put32(d->cfg + PCI_CLASS_REVISION, class_rev);
	pci_put16(d->cfg + PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_put16(d->cfg + PCI_SUBSYSTEM_ID, subsys_id);
	d->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	d->cfg[PCI_INTERRUPT_PIN] = 1;		/* INTA */
	/* Memory decode, bus mastering, INTx disable are the guest's to set. */
	pci_put16(d->wmask + PCI_COMMAND, PCI_COMMAND_MEMORY |
		  PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->next_cap = 0x40;
}

int pci_cap_add(struct pci_dev *d, const void *cap, uint8_t len,
		const uint8_t *wmask)
{
	uint8_t off = d->next_cap, *prev;

	if (len < 2 || off + len > 256)
		return -ENOSPC;
	memcpy(d->cfg + off, cap, len);
	if (wmask)
		memcpy(d->wmask + off, wmask, len);
	d->cfg[off + 1] = 0;
	if (!(d->cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
		d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
		d->cfg[PCI_CAPABILITY_LIST] = off;
	} else {
		/* Walk to the last capability and link the new one. */
		for (prev = d->cfg + d->cfg[PCI_CAPABILITY_LIST]; prev[1];
		     prev = d->cfg + prev[1])
			;
		prev[1] = off;
	}
	d->next_cap = (uint8_t)((off + len + 3) & ~3);
	return off;
}

void pci_bar_init(struct pci_dev *d, int bar, uint32_t size)
{
	d->bar_size[bar] = size;
	pci_put32(d->wmask + PCI_BASE_ADDRESS_0 + 4 * bar, ~(size - 1));
}

static uint64_t pci_bar_addr(const struct pci_dev *d, int bar)
{
	return pci_get32(d->cfg + PCI_BASE_ADDRESS_0 + 4 * bar) &
	       PCI_BASE_ADDRESS_MEM_MASK;
}

static void pci_bar_unmap(struct pci_bus *b, struct pci_dev *d, int bar)
{
	if (!d->bar_mapped[bar])
		return;
	io_bus_unregister(b->mmio, d->bar_mapped_at[bar]);
	d->bar_mapped[bar] = false;
	if (d->bar_moved)
		d->bar_moved(d->opaque, bar, d->bar_mapped_at[bar], false);
}

/* Makes the MMIO bus match the BAR registers and the command register. */
static void pci_dev_update_bars(struct pci_bus *b, struct pci_dev *d)
{
	bool decode = d->cfg[PCI_COMMAND] & PCI_COMMAND_MEMORY;
	uint64_t addr;
	int bar;

	for (bar = 0; bar < PCI_NR_BARS; bar++) {
		if (!d->bar_size[bar])
			continue;
		addr = pci_bar_addr(d, bar);
		if (d->bar_mapped[bar] && (!decode || addr != d->bar_mapped_at[bar]))
			pci_bar_unmap(b, d, bar);
		/* During sizing the BAR reads back as all-ones: not an address. */
		if (!decode || d->bar_mapped[bar] || !addr ||
		    addr + d->bar_size[bar] > PCI_MMIO_END)
			continue;
		if (io_bus_register(b->mmio, addr, d->bar_size[bar], d->bar_io,
				    d->opaque))
			continue;	/* overlaps another BAR: stays unmapped */
		d->bar_mapped[bar] = true;
		d->bar_mapped_at[bar] = addr;
		if (d->bar_moved)
			d->bar_moved(d->opaque, bar, addr, true);
	}
}

static void pci_cfg_write(struct pci_bus *b, struct pci_dev *d, uint32_t off,
			  const uint8_t *data, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		d->cfg[off + i] = (uint8_t)((d->cfg[off + i] & ~d->wmask[off + i]) |
					    (data[i] & d->wmask[off + i]));
	if (off < PCI_BASE_ADDRESS_0 + 4 * PCI_NR_BARS && off + len > PCI_COMMAND)
		pci_dev_update_bars(b, d);
	if (d->cfg_written)
		d->cfg_written(d->opaque, off, len);
}

void pci_cfg_access(struct pci_bus *b, uint32_t slot, uint32_t off,
		    uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_dev *d;

	pthread_mutex_lock(&b->lock);
	d = slot < PCI_NR_SLOTS ? b->dev[slot] : NULL;
	if (!d || off >= 256 || len > 256 - off) {
		if (!is_write)
			memset(data, 0xff, len);
	} else if (is_write) {
		pci_cfg_write(b, d, off, data, len);
	} else {
		if (d->cfg_reading)
			d->cfg_reading(d->opaque, off, len);
		memcpy(data, d->cfg + off, len);
	}
	pthread_mutex_unlock(&b->lock);
}

static void pci_addr_io(void *opaque, uint64_t off, uint8_t *data,
			uint32_t len, bool is_write)
{
	struct pci_bus *b = opaque;

	/* Only whole-dword accesses reach 0xCF8; bytes belong to 0xCF8-0xCFB. */
	if (len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&b->lock);
	if (is_write)
		memcpy(&b->cf8, data, 4);
	else
		memcpy(data, &b->cf8, 4);
	pthread_mutex_unlock(&b->lock);
}

static void pci_data_io(void *opaque, uint64_t off, uint8_t *data,
			uint32_t len, bool is_write)
{
	struct pci_bus *b = opaque;
	uint32_t cf8, bus, slot, fn, reg;

	pthread_mutex_lock(&b->lock);
	cf8 = b->cf8;
	pthread_mutex_unlock(&b->lock);
	bus = (cf8 >> 16) & 0xff;
	slot = (cf8 >> 11) & 0x1f;
	fn = (cf8 >> 8) & 7;
	reg = (cf8 & 0xfc) + (uint32_t)off;
	if (!(cf8 & 0x80000000U) || bus || fn || off + len > 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pci_cfg_access(b, slot, reg, data, len, is_write);
}

int pci_bus_init(struct pci_bus *b, struct io_bus *pio, struct io_bus *mmio)
{
	int err;

	memset(b, 0, sizeof(*b));
	err = pthread_mutex_init(&b->lock, NULL);
	if (err)
		return -err;
	b->pio = pio;
	b->mmio = mmio;
	b->next_mmio = PCI_MMIO_START;
	/* Host bridge: Q35's DRAM controller identity, class host bridge. */
	pci_dev_init(&b->bridge, 0x8086, 0x29c0, 0x06000000U, 0);
	b->bridge.cfg[PCI_INTERRUPT_PIN] = 0;
	b->dev[0] = &b->bridge;
	err = io_bus_register(pio, PCI_CFG_ADDR_PORT, 1, pci_addr_io, b);
	if (err)
		goto fail;
	err = io_bus_register(pio, PCI_CFG_DATA_PORT, 4, pci_data_io, b);
	if (err) {
		io_bus_unregister(pio, PCI_CFG_ADDR_PORT);
		goto fail;
	}
	b->registered = true;
	return 0;
fail:
	pthread_mutex_destroy(&b->lock);
	return err;
}

void pci_bus_exit(struct pci_bus *b)
{
	int s;

	if (!b->registered)
		return;
	for (s = 1; s < PCI_NR_SLOTS; s++)
		if (b->dev[s])
			pci_dev_remove(b, b->dev[s]);
	io_bus_unregister(b->pio, PCI_CFG_ADDR_PORT);
	io_bus_unregister(b->pio, PCI_CFG_DATA_PORT);
	pthread_mutex_destroy(&b->lock);
	b->registered = false;
}

int pci_dev_add(struct pci_bus *b, struct pci_dev *d)
{
	uint64_t addr;
	int s, bar, ret = -ENOSPC;

	pthread_mutex_lock(&b->lock);
	for (s = 1; s <= PCI_MAX_DEV_SLOT; s++)
		if (!b->dev[s])
			break;
	if (s > PCI_MAX_DEV_SLOT)
		goto out;
	for (bar = 0; bar < PCI_NR_BARS; bar++) {
		if (!d->bar_size[bar])
			continue;
		addr = (b->next_mmio + d->bar_size[bar] - 1) & ~(uint64_t)(d->bar_size[bar] - 1);
		if (addr + d->bar_size[bar] > PCI_MMIO_END)
			goto out;
		pci_put32(d->cfg + PCI_BASE_ADDRESS_0 + 4 * bar, (uint32_t)addr);
		b->next_mmio = addr + d->bar_size[bar];
	}
	d->slot = (uint8_t)s;
	d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)PCI_INTX_GSI(s);
	b->dev[s] = d;
	ret = s;
out:
	pthread_mutex_unlock(&b->lock);
	return ret;
}

void pci_dev_remove(struct pci_bus *b, struct pci_dev *d)
{
	int bar;

	pthread_mutex_lock(&b->lock);
	for (bar = 0; bar < PCI_NR_BARS; bar++)
		pci_bar_unmap(b, d, bar);
	if (d->slot && b->dev[d->slot] == d)
		b->dev[d->slot] = NULL;
	pthread_mutex_unlock(&b->lock);
}
