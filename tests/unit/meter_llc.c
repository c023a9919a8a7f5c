// SPDX-License-Identifier: GPL-2.0
/* The traffic meter's cache model (tools/meter/llc.c): fills, LRU, write-backs. */
#include "tests/tap.h"
#include "tools/meter/llc.h"

#include <errno.h>

struct flushed {
	uint64_t n;
	uint64_t last;
};

static void count_flush(uint64_t line, void *arg)
{
	struct flushed *f = arg;

	f->n++;
	f->last = line;
}

/* Touches lines [first, first+n) and returns the misses. */
static uint64_t sweep(struct meter_llc *c, uint64_t first, uint64_t n, bool store,
		      uint64_t *wbs)
{
	uint64_t i, miss = 0, victim;
	enum meter_llc_result r;

	for (i = first; i < first + n; i++) {
		r = meter_llc_access(c, i, store, &victim);
		miss += r != METER_LLC_HIT;
		*wbs += r == METER_LLC_MISS_WB;
	}
	return miss;
}

int main(void)
{
	struct flushed f = { 0, 0 };
	uint64_t wbs = 0, miss, victim;
	struct meter_llc c;

	tap_plan(9);
	tap_ok(meter_llc_init(&c, 1000, 16, 64) == -EINVAL, "a size not a multiple of ways*line is refused");
	tap_ok(meter_llc_init(&c, 1 << 20, 16, 48) == -EINVAL, "a line not a power of two is refused");
	/* 64 KiB, 4 ways, 64-byte lines: 1024 lines in 256 sets. */
	tap_ok(meter_llc_init(&c, 64 << 10, 4, 64) == 0 && c.sets == 256, "64 KiB 4-way: 256 sets");
	tap_ok(sweep(&c, 0, 1024, false, &wbs) == 1024, "a cold sweep of the capacity misses every line");
	tap_ok(sweep(&c, 0, 1024, false, &wbs) == 0, "a second sweep of the capacity hits every line");
	miss = sweep(&c, 1024, 2048, true, &wbs);
	tap_ok(miss == 2048 && wbs == 1024,
	       "stores over twice the capacity: every line filled, the first 1024 written back (%llu)",
	       (unsigned long long)wbs);
	meter_llc_flush(&c, count_flush, &f);
	tap_ok(f.n == 1024, "a flush writes back every dirty line still cached (%llu)",
	       (unsigned long long)f.n);
	f.n = 0;
	meter_llc_flush(&c, count_flush, &f);
	tap_ok(f.n == 0, "a second flush finds nothing dirty");
	/* LRU: set 0 holds 2048, 2304, 2560, 2816 (oldest first); 2048 is
	 * touched again, so a new line evicts 2304, not it. */
	meter_llc_access(&c, 2048, false, &victim);
	meter_llc_access(&c, 0, false, &victim);
	tap_ok(meter_llc_access(&c, 2048, false, &victim) == METER_LLC_HIT &&
	       meter_llc_access(&c, 2304, false, &victim) != METER_LLC_HIT,
	       "the least recently used line of a set is the one evicted");
	meter_llc_free(&c);
	return tap_done(9);
}
