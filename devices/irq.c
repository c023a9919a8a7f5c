// SPDX-License-Identifier: GPL-2.0
/* GSI routing table, irqfds and INTx lines for the in-kernel irqchip. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "devices/irq.h"

#define IRQ_NR_PINS	24

static void irq_add_chip(struct irq_router *r, uint32_t gsi, uint32_t chip,
			 uint32_t pin)
{
	struct kvm_irq_routing_entry *e = &r->table->entries[r->table->nr++];

	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/* The routes KVM_CREATE_IRQCHIP installs by default on x86. */
static void irq_add_defaults(struct irq_router *r)
{
	uint32_t gsi;

	for (gsi = 0; gsi < IRQ_NR_PINS; gsi++) {
		if (gsi < 8)
			irq_add_chip(r, gsi, KVM_IRQCHIP_PIC_MASTER, gsi);
		else if (gsi < 16)
			irq_add_chip(r, gsi, KVM_IRQCHIP_PIC_SLAVE, gsi - 8);
		irq_add_chip(r, gsi, KVM_IRQCHIP_IOAPIC, gsi);
	}
	r->nr_default = r->table->nr;
}

int irq_router_init(struct irq_router *r, int vm_fd)
{
	size_t sz = sizeof(*r->table) +
		    (2 * IRQ_NR_PINS + IRQ_MAX_MSI) * sizeof(r->table->entries[0]);
	int err;

	memset(r, 0, sizeof(*r));
	r->vm_fd = vm_fd;
	r->table = calloc(1, sz);
	if (!r->table)
		return -ENOMEM;
	err = pthread_mutex_init(&r->lock, NULL);
	if (err) {
		free(r->table);
		r->table = NULL;
		return -err;
	}
	irq_add_defaults(r);
	return 0;
}

void irq_router_exit(struct irq_router *r)
{
	if (!r->table)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->table);
	r->table = NULL;
}

int irq_msi_alloc(struct irq_router *r, uint32_t *gsi)
{
	struct kvm_irq_routing_entry *e;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (r->nr_msi == IRQ_MAX_MSI) {
		ret = -ENOSPC;
	} else {
		*gsi = IRQ_GSI_FIRST_MSI + r->nr_msi++;
		/* Parked until the guest programs it: an MSI that goes nowhere. */
		e = &r->table->entries[r->table->nr++];
		memset(e, 0, sizeof(*e));
		e->gsi = *gsi;
		e->type = KVM_IRQ_ROUTING_MSI;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_msi_route(struct irq_router *r, uint32_t gsi, uint64_t addr,
		  uint32_t data, bool valid)
{
	struct kvm_irq_routing_entry *e;
	uint32_t idx = gsi - IRQ_GSI_FIRST_MSI;
	int ret = 0;

	if (gsi < IRQ_GSI_FIRST_MSI)
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	if (idx >= r->nr_msi) {
		pthread_mutex_unlock(&r->lock);
		return -EINVAL;
	}
	e = &r->table->entries[r->nr_default + idx];
	e->u.msi.address_lo = valid ? (uint32_t)addr : 0;
	e->u.msi.address_hi = valid ? (uint32_t)(addr >> 32) : 0;
	e->u.msi.data = valid ? data : 0;
	if (r->vm_fd >= 0 && ioctl(r->vm_fd, KVM_SET_GSI_ROUTING, r->table) < 0)
		ret = -errno;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int irq_irqfd(struct irq_router *r, uint32_t gsi, int fd, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (r->vm_fd < 0)
		return 0;
	return ioctl(r->vm_fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

int irq_line(struct irq_router *r, uint32_t gsi, bool level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (r->vm_fd < 0)
		return 0;
	return ioctl(r->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}
