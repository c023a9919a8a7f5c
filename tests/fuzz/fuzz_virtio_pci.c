// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the PCI host bridge and the virtio-pci transport under
 * an arbitrary sequence of configuration cycles, BAR accesses (common
 * config, notify, ISR, MSI-X table and PBA) and queue processing, with
 * virtio-rng as the device and the rest of the input as guest RAM.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/virtio_rng.h"
#include "memory/memory.h"

#define RAM	(128 * 1024)

static struct guest_mem mem;
static struct irq_router irq;
static struct io_bus pio, mmio;
static struct pci_bus pci;
static struct virtio_rng *rng;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct memory_config cfg = { .ram_size = RAM, .chunk_size = RAM };
	struct virtio_env env = { .vm_fd = -1, .mem = &mem, .irq = &irq, .pci = &pci };

	rng = calloc(1, sizeof(*rng));
	if (!rng || memory_init(&mem, &cfg) || irq_router_init(&irq, -1) ||
	    io_bus_init(&pio) || io_bus_init(&mmio) || pci_bus_init(&pci, &pio, &mmio) ||
	    virtio_rng_init(rng, &env) || pci_dev_add(&pci, &virtio_pci_of(&rng->vdev)->pci) != 1)
		abort();
	return 0;
}

/* Each op is 8 bytes: kind, width, 16-bit offset, 32-bit value. */
static void run_op(const uint8_t *op)
{
	uint32_t len = 1u << (op[1] % 4), v;
	uint16_t off;
	uint8_t buf[8];

	memcpy(&off, op + 2, 2);
	memcpy(&v, op + 4, 4);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &v, 4);
	switch (op[0] % 6) {
	case 0:		/* configuration write, any slot */
		pci_cfg_access(&pci, (uint32_t)(off >> 8) % 4, off & 0xff, buf, len, true);
		break;
	case 1:
		pci_cfg_access(&pci, 1, off & 0xff, buf, len, false);
		break;
	case 2:		/* BAR access wherever the BAR currently is */
		io_bus_dispatch(&mmio, virtio_pci_of(&rng->vdev)->pci.bar_mapped_at[0] + off % 0x8000,
				buf, len, op[1] & 4);
		break;
	case 3:
		io_bus_dispatch(&pio, 0xcf8 + (off & 7), buf, len, op[1] & 4);
		break;
	case 4:
		virtio_dev_poll(&rng->vdev);
		break;
	default:	/* a well-formed start, so that later ops reach the queue */
		pci_cfg_access(&pci, 1, 4, (uint8_t[]){ 6, 0 }, 2, true);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nops;
	uint8_t zero[2] = { 0 };

	if (size < 1)
		return 0;
	nops = data[0] % 64;
	data++, size--;
	memset(mem.host, 0, RAM);
	for (; nops && size >= 8; nops--, data += 8, size -= 8)
		run_op(data);
	memcpy(mem.host, data, size < RAM ? size : RAM);
	virtio_dev_poll(&rng->vdev);
	/* Back to power-on state: device reset, memory decode off. */
	virtio_bar_io(&rng->vdev, 0x14, zero, 1, true);
	pci_cfg_access(&pci, 1, 4, zero, 2, true);
	if (virtio_pci_of(&rng->vdev)->pci.bar_mapped[0] || rng->vdev.status)
		abort();
	return 0;
}
