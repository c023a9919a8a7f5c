// SPDX-License-Identifier: GPL-2.0
/* The PC platform devices, wired to the VM's stop protocol and console. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/legacy.h"
#include "vmm/console.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

static void platform_stop(void *ctx, enum legacy_stop why)
{
	vm_request_stop(ctx, why == LEGACY_STOP_RESET ? VM_EXIT_RESET : VM_EXIT_POWEROFF);
}

static void platform_output(void *ctx, const uint8_t *buf, size_t len)
{
	struct vm *vm = ctx;

	console_write(vm->console, buf, len);
}

static int platform_fail(struct vm *vm, int err, const char *what)
{
	snprintf(vm->why, sizeof(vm->why), "%s: %s", what, strerror(-err));
	return err;
}

int platform_create(struct vm *vm)
{
	const struct legacy_env env = {
		.pio = &vm->pio, .irq = &vm->devices.irq,
		.stop = platform_stop, .output = platform_output, .ctx = vm,
	};
	int r;

	r = serial_create(&vm->serial, &env, SERIAL_COM1_BASE, SERIAL_COM1_IRQ);
	if (r < 0)
		return platform_fail(vm, r, "serial port");
	r = i8042_create(&vm->i8042, &env);
	if (r < 0)
		return platform_fail(vm, r, "i8042");
	r = acpi_pm_create(&vm->pm, &env);
	if (r < 0)
		return platform_fail(vm, r, "ACPI PM ports");
	return 0;
}

void platform_destroy(struct vm *vm)
{
	acpi_pm_destroy(vm->pm);
	i8042_destroy(vm->i8042);
	serial_destroy(vm->serial);
	vm->pm = NULL;
	vm->i8042 = NULL;
	vm->serial = NULL;
}

size_t platform_console_room(struct vm *vm)
{
	return serial_rx_room(vm->serial);
}

void platform_console_input(struct vm *vm)
{
	uint8_t buf[512];
	size_t room = serial_rx_room(vm->serial);
	ssize_t n;

	n = console_read(vm->console, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n == -ECANCELED)
		vm_request_stop(vm, VM_EXIT_SIGNAL);	/* Ctrl-A x */
	else if (n > 0)
		serial_receive(vm->serial, buf, (size_t)n);
}
