/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set-associative, write-back, write-allocate last-level cache model with
 * LRU replacement, used by the traffic meter to turn a CPU's loads and
 * stores into memory traffic: line fills (misses) and dirty write-backs.
 * One instance is used by one thread only.
 */
#ifndef METER_LLC_H
#define METER_LLC_H

#include <stdbool.h>
#include <stdint.h>

struct llc {
	uint64_t *tags;		/* sets * ways, MRU first; (line << 1) | dirty */
	uint32_t sets;
	uint32_t ways;
	unsigned int line_shift;
};

enum llc_result {
	LLC_HIT,
	LLC_MISS,		/* a line fill */
	LLC_MISS_WB,		/* a line fill that evicted a dirty line */
};

/* size and line in bytes; line a power of two; size a multiple of ways*line. */
int llc_init(struct llc *c, uint64_t size, unsigned int ways, unsigned int line);
void llc_free(struct llc *c);
/* line = physical address >> line_shift; *victim gets the evicted dirty line. */
enum llc_result llc_access(struct llc *c, uint64_t line, bool store,
			   uint64_t *victim);
/*
 * Writes back every dirty line: calls fn(line, arg) for each and leaves the
 * lines clean (a cache flush).
 */
void llc_flush(struct llc *c, void (*fn)(uint64_t line, void *arg), void *arg);

#endif
