/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O dispatch: port I/O and MMIO exits are routed to the device that
 * registered the address range. One handler signature for every device.
 */
#ifndef HMMV_DEVICES_BUS_H
#define HMMV_DEVICES_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * @offset is relative to the registered base. For reads the handler fills
 * @data (@len bytes, 1..8); unhandled bytes read as all-ones.
 */
typedef void (*io_handler_t)(void *dev, uint64_t offset, uint8_t *data,
			     uint32_t len, bool is_write);

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_t fn;
	void *dev;
};

#define IO_BUS_MAX 64

struct io_bus {
	pthread_mutex_t lock;	/* serialises registration against lookups */
	int nr;
	struct io_range ranges[IO_BUS_MAX];
};

int io_bus_init(struct io_bus *bus);
void io_bus_exit(struct io_bus *bus);
/* -EBUSY on overlap, -ENOSPC when full, -EINVAL for an empty range. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    io_handler_t fn, void *dev);
int io_bus_unregister(struct io_bus *bus, uint64_t base);
/* Dispatches one access; -ENOENT when no device claims @addr. */
int io_bus_dispatch(struct io_bus *bus, uint64_t addr, uint8_t *data,
		    uint32_t len, bool is_write);

#endif
