// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the I/O bus registry and dispatch. */
#include <errno.h>
#include <string.h>

#include "devices/bus.h"
#include "tests/tap.h"

struct fake {
	uint64_t last_off;
	uint8_t last_val;
	int calls;
};

static void fake_io(void *dev, uint64_t off, uint8_t *data, uint32_t len, bool w)
{
	struct fake *f = dev;

	f->calls++;
	f->last_off = off;
	if (w)
		f->last_val = data[0];
	else
		memset(data, 0x5a, len);
}

int main(void)
{
	struct io_bus bus;
	struct fake a = { 0 }, b = { 0 };
	uint8_t v = 7;

	tap_plan(8);
	io_bus_init(&bus);
	tap_is(io_bus_register(&bus, 0x3f8, 8, fake_io, &a), 0, "register serial range");
	tap_is(io_bus_register(&bus, 0x3fc, 8, fake_io, &b), -EBUSY, "overlap refused");
	tap_is(io_bus_register(&bus, 0x10, 0, fake_io, &b), -EINVAL, "empty range refused");
	tap_is(io_bus_dispatch(&bus, 0x3fa, &v, 1, true), 0, "write dispatched");
	tap_ok(a.last_off == 2 && a.last_val == 7, "handler sees offset and data");
	tap_is(io_bus_dispatch(&bus, 0x400, &v, 1, false), -ENOENT, "unclaimed port");
	tap_is(v, 0xff, "unclaimed read returns all-ones");
	io_bus_unregister(&bus, 0x3f8);
	tap_is(io_bus_dispatch(&bus, 0x3f8, &v, 1, true), -ENOENT, "unregistered range gone");
	io_bus_exit(&bus);
	return tap_done(1);
}
