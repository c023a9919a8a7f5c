/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform devices of a VM (devices/legacy.h: COM1, the i8042 reset
 * line, the ACPI PM ports) wired to vmm/: their stop requests end the VM,
 * the UART's output goes to the console, console input goes to the UART.
 * devices/ never calls into vmm/; this file hands it what it needs.
 */
#ifndef HMMV_VMM_PLATFORM_H
#define HMMV_VMM_PLATFORM_H

#include <stddef.h>

struct vm;

/* After the console is open and devices_init set up the irqchip router. */
int platform_create(struct vm *vm);
/* After the vCPUs are joined; safe after a failed or partial create. */
void platform_destroy(struct vm *vm);
/* Moves available console input into the UART (main thread only). */
void platform_console_input(struct vm *vm);
/* Room in the UART's receive FIFO. */
size_t platform_console_room(struct vm *vm);

#endif
