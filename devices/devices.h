/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every device hmmv gives a guest, behind one interface for vmm/: the
 * configuration parsed from --disk/--net/--rng, and init/exit around the
 * VM's lifetime. Call devices_init after KVM_CREATE_IRQCHIP and the RAM
 * memslots, before any vCPU runs; devices_exit after the vCPUs are joined,
 * on every exit path (it drains disk I/O and fdatasyncs the images).
 */
#ifndef HMMV_DEVICES_DEVICES_H
#define HMMV_DEVICES_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/bus.h"
#include "devices/irq.h"
#include "devices/pci.h"
#include "memory/memory.h"

#define DEVICES_MAX_DISKS	6

#define DEVICES_PATH_MAX	4096

struct disk_config {
	char path[DEVICES_PATH_MAX];
	bool ro;
};

struct devices_config {
	struct disk_config disk[DEVICES_MAX_DISKS];
	int nr_disks;
	const char *tap;	/* --net tap=NAME, or NULL */
	bool rng;
};

/* What devices need from the VM; vm_fd < 0 runs without KVM (tests). */
struct devices_env {
	int vm_fd;
	struct guest_mem *mem;
	struct io_bus *pio, *mmio;
};

struct virtio_blk;
struct virtio_net;
struct virtio_rng;

struct devices {
	struct irq_router irq;
	struct pci_bus pci;
	struct virtio_blk *blk[DEVICES_MAX_DISKS];
	int nr_blk;
	struct virtio_net *net;
	struct virtio_rng *rng;
	bool irq_ok, pci_ok;
	bool usage_error;	/* devices_init failed on the user's file or tap */
};

/*
 * Option parsers for `hmmv run`: --disk PATH[,ro] (repeatable),
 * --net tap=NAME, --rng. -EINVAL with one line in @why on bad input.
 */
int devices_parse_disk(struct devices_config *c, const char *arg, char *why,
		       size_t whylen);
int devices_parse_net(struct devices_config *c, const char *arg, char *why,
		      size_t whylen);
int devices_parse_rng(struct devices_config *c);

/* -errno with one line naming the flag or file in @why; nothing left behind. */
int devices_init(struct devices *d, const struct devices_config *c,
		 const struct devices_env *env, char *why, size_t whylen);
void devices_exit(struct devices *d);

#endif
