/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt delivery for devices: MSI routes (KVM_SET_GSI_ROUTING) fired
 * through irqfds, and legacy INTx lines on IOAPIC pins (KVM_IRQ_LINE).
 * KVM_SET_GSI_ROUTING replaces the whole table, so this router owns it and
 * re-installs the in-kernel irqchip's default PIC/IOAPIC routes with it.
 * With vm_fd < 0 (unit tests, fuzzers) every call succeeds and does nothing.
 */
#ifndef HMMV_DEVICES_IRQ_H
#define HMMV_DEVICES_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_GSI_FIRST_MSI	24	/* after the IOAPIC's 24 pins */
#define IRQ_MAX_MSI		256

struct kvm_irq_routing;

struct irq_router {
	int vm_fd;
	pthread_mutex_t lock;
	uint32_t nr_msi;		/* GSIs handed out */
	struct kvm_irq_routing *table;	/* defaults + one slot per MSI GSI */
	uint32_t nr_default;
};

int irq_router_init(struct irq_router *r, int vm_fd);
void irq_router_exit(struct irq_router *r);
/* Reserves an MSI GSI; -ENOSPC when none is left. */
int irq_msi_alloc(struct irq_router *r, uint32_t *gsi);
/* Points @gsi at an MSI message, or at nothing when @valid is false. */
int irq_msi_route(struct irq_router *r, uint32_t gsi, uint64_t addr,
		  uint32_t data, bool valid);
/* Binds (or unbinds) eventfd @fd to @gsi with KVM_IRQFD. */
int irq_irqfd(struct irq_router *r, uint32_t gsi, int fd, bool assign);
/* Drives a level-triggered IOAPIC pin. */
int irq_line(struct irq_router *r, uint32_t gsi, bool level);

#endif
