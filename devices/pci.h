/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI host bridge on bus 0, configuration mechanism 1 (ports 0xCF8/0xCFC).
 * Devices keep a 256-byte configuration space image with a write mask;
 * memory BARs are placed in the PCI hole and follow whatever the guest
 * programs, registered on the MMIO bus while memory decoding is on.
 */
#ifndef HMMV_DEVICES_PCI_H
#define HMMV_DEVICES_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

#define PCI_CFG_ADDR_PORT	0xCF8
#define PCI_CFG_DATA_PORT	0xCFC
#define PCI_NR_SLOTS		32
#define PCI_MAX_DEV_SLOT	8	/* device slots 1..8 */
#define PCI_MMIO_START		0xC0000000ULL
#define PCI_MMIO_END		0xFEC00000ULL	/* IOAPIC and LAPIC above */
#define PCI_NR_BARS		6
/* INTx of slot s (INTA) is IOAPIC pin / GSI 15 + s: see the DSDT's _PRT. */
#define PCI_INTX_GSI(slot)	(15U + (slot))

struct pci_dev;

/* Told when a BAR appears at, or disappears from, a guest address. */
typedef void (*pci_bar_fn)(void *opaque, int bar, uint64_t addr, bool mapped);
/* Told after the guest wrote configuration bytes [off, off+len). */
typedef void (*pci_cfg_fn)(void *opaque, uint32_t off, uint32_t len);

struct pci_dev {
	uint8_t cfg[256];
	uint8_t wmask[256];
	uint32_t bar_size[PCI_NR_BARS];
	uint64_t bar_mapped_at[PCI_NR_BARS];
	bool bar_mapped[PCI_NR_BARS];
	uint8_t next_cap;		/* where the next capability goes */
	uint8_t slot;
	io_handler_t bar_io;		/* MMIO handler of BAR 0 */
	pci_bar_fn bar_moved;
	pci_cfg_fn cfg_written;
	pci_cfg_fn cfg_reading;		/* before a read of [off, off+len) */
	void *opaque;
};

struct pci_bus {
	pthread_mutex_t lock;
	uint32_t cf8;
	struct io_bus *pio, *mmio;
	struct pci_dev bridge;
	struct pci_dev *dev[PCI_NR_SLOTS];
	uint64_t next_mmio;
	bool registered;
};

int pci_bus_init(struct pci_bus *b, struct io_bus *pio, struct io_bus *mmio);
void pci_bus_exit(struct pci_bus *b);

/* Fills the type 0 header; the capability list starts at 0x40. */
void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint32_t class_rev, uint16_t subsys_id);
/* Appends a capability (@cap[0] = id, @cap[1] is overwritten with next). */
int pci_cap_add(struct pci_dev *d, const void *cap, uint8_t len,
		const uint8_t *wmask);
/* Declares 32-bit memory BAR @bar of @size bytes (a power of two). */
void pci_bar_init(struct pci_dev *d, int bar, uint32_t size);
/* Places BARs in the hole, plugs @d into the first free slot. */
int pci_dev_add(struct pci_bus *b, struct pci_dev *d);
void pci_dev_remove(struct pci_bus *b, struct pci_dev *d);

/* Configuration access by (slot, offset), as the 0xCFC handler does. */
void pci_cfg_access(struct pci_bus *b, uint32_t slot, uint32_t off,
		    uint8_t *data, uint32_t len, bool is_write);

#endif
