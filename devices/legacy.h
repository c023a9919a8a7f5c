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

struct vm;
struct serial;
struct i8042;
struct acpi_pm;

#define SERIAL_COM1_BASE	0x3f8
#define SERIAL_COM1_IRQ		4

int serial_create(struct serial **out, struct vm *vm, uint16_t base, uint32_t irq);
void serial_destroy(struct serial *s);
/* Room in the receive FIFO (bytes the host may queue now). */
size_t serial_rx_room(struct serial *s);
/* Queues host input for the guest; returns how many bytes were taken. */
size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/* Port 0x64 command 0xfe (pulse reset) stops the VM with VM_EXIT_RESET. */
int i8042_create(struct i8042 **out, struct vm *vm);
void i8042_destroy(struct i8042 *k);

/* A PM1a_CNT write of SLP_EN with \_S5's type stops it with VM_EXIT_POWEROFF. */
int acpi_pm_create(struct acpi_pm **out, struct vm *vm);
void acpi_pm_destroy(struct acpi_pm *pm);

#endif
