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

struct meter_llc {
	uint64_t *tags;		/* sets * ways, MRU first; (line << 1) | dirty */
	uint32_t sets;
	uint32_t ways;
	unsigned int line_shift;
};

enum meter_llc_result {
	METER_LLC_HIT,
	METER_LLC_MISS,		/* a line fill */
	METER_LLC_MISS_WB,		/* a line fill that evicted a dirty line */
};

/* size and line in bytes; line a power of two; size a multiple of ways*line. */
int meter_llc_init(struct meter_llc *c, uint64_t size, unsigned int ways, unsigned int line);
void meter_llc_free(struct meter_llc *c);
/* line = physical address >> line_shift; *victim gets the evicted dirty line. */
enum meter_llc_result meter_llc_access(struct meter_llc *c, uint64_t line, bool store,
			   uint64_t *victim);
/*
 * Writes back every dirty line: calls fn(line, arg) for each and leaves the
 * lines clean (a cache flush).
 */
void meter_llc_flush(struct meter_llc *c, void (*fn)(uint64_t line, void *arg), void *arg);

#endif
