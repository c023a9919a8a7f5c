// SPDX-License-Identifier: GPL-2.0
/* Address-range registry and dispatch for port I/O and MMIO exits. */
#include <errno.h>
#include <string.h>

#include "devices/bus.h"

int io_bus_init(struct io_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	return -pthread_mutex_init(&bus->lock, NULL);
}

void io_bus_exit(struct io_bus *bus)
{
	pthread_mutex_destroy(&bus->lock);
}

static bool io_range_overlaps(const struct io_range *r, uint64_t base, uint64_t len)
{
	return base < r->base + r->len && r->base < base + len;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_t fn, void *dev)
{
	int i, ret = 0;

	if (!len || base + len < base || !fn)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < bus->nr; i++)
		if (io_range_overlaps(&bus->ranges[i], base, len))
			ret = -EBUSY;
	if (!ret && bus->nr == IO_BUS_MAX)
		ret = -ENOSPC;
	if (!ret)
		bus->ranges[bus->nr++] = (struct io_range){ base, len, fn, dev };
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

int io_bus_unregister(struct io_bus *bus, uint64_t base)
{
	int i, ret = -ENOENT;

	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < bus->nr; i++) {
		if (bus->ranges[i].base != base)
			continue;
		bus->ranges[i] = bus->ranges[--bus->nr];
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&bus->lock);
	return ret;
}

int io_bus_dispatch(struct io_bus *bus, uint64_t addr, uint8_t *data,
		    uint32_t len, bool is_write)
{
	struct io_range r = { 0 };
	int i;

	pthread_mutex_lock(&bus->lock);
	for (i = 0; i < bus->nr; i++) {
		if (addr >= bus->ranges[i].base &&
		    addr - bus->ranges[i].base < bus->ranges[i].len) {
			r = bus->ranges[i];
			break;
		}
	}
	pthread_mutex_unlock(&bus->lock);
	if (!r.fn) {
		if (!is_write)
			memset(data, 0xff, len);
		return -ENOENT;
	}
	r.fn(r.dev, addr - r.base, data, len, is_write);
	return 0;
}
