/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform devices hmmv's vmm/ creates for every VM: the 16550 UART
 * on COM1 (the guest's ttyS0), the i8042's reset line, and the ACPI PM1a
 * event/control ports through which the guest powers off.
 */
#ifndef HMMV_DEVICES_LEGACY_H
#define HMMV_DEVICES_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/irq.h"

struct serial;
struct i8042;
struct acpi_pm;

/* Why a platform device asks the VM to stop. */
enum legacy_stop {
	LEGACY_STOP_POWEROFF,	/* ACPI S5 */
	LEGACY_STOP_RESET,	/* the i8042 reset line */
};

/*
 * What vmm/ hands the platform devices: the port bus they sit on, the
 * irqchip that carries their interrupt line, a stop request and a sink for
 * the UART's output. The callbacks run on a vCPU thread with the device's
 * lock held: they must not block.
 */
struct legacy_env {
	struct io_bus *pio;
	struct irq_router *irq;
	void (*stop)(void *ctx, enum legacy_stop why);
	void (*output)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

/* The PM1a register block (port I/O) that devices/acpi_pm.c serves and
 * vmm/acpi.c's FADT and \_S5 describe to the guest. */
#define ACPI_PM1A_EVT		0x600	/* 4 bytes: status, enable */
#define ACPI_PM1A_CNT		0x604	/* 2 bytes: control */
#define ACPI_PM1_CNT_SCI_EN	(1u << 0)
#define ACPI_PM1_CNT_SLP_EN	(1u << 13)
#define ACPI_PM1_SLP_TYP(v)	(((v) >> 10) & 7)
#define ACPI_S5_SLP_TYP		5	/* what \_S5 tells the guest to write */

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_COM1_IRQ		4

int serial_create(struct serial **out, const struct legacy_env *env, uint16_t base,
		  uint32_t irq);
void serial_destroy(struct serial *s);
/* Room in the receive FIFO (bytes the host may queue now). */
size_t serial_rx_room(struct serial *s);
/* Queues host input for the guest; returns how many bytes were taken. */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/* Port 0x64 command 0xfe (pulse reset) asks for LEGACY_STOP_RESET. */
int i8042_create(struct i8042 **out, const struct legacy_env *env);
void i8042_destroy(struct i8042 *k);

/* A PM1a_CNT write of SLP_EN with \_S5's type asks for LEGACY_STOP_POWEROFF. */
int acpi_pm_create(struct acpi_pm **out, const struct legacy_env *env);
void acpi_pm_destroy(struct acpi_pm *pm);

#endif
