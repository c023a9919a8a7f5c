// SPDX-License-Identifier: GPL-2.0
/*
 * memory_migrate(): the move the engine asks for, by the method it chose.
 * First version: in place where both tiers allow it, else a remap under
 * the whole-VM pause (WP is not there yet and falls back to the pause).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "memory/internal.h"

static uint64_t mig_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int memory_migrate(struct guest_mem *m, uint32_t chunk, int dst,
		   const struct mem_migrate_opts *o, struct mem_migrate_stats *st)
{
	struct mem_migrate_stats s = { .method = -1 };
	uint64_t t0 = mig_now_ns();
	int err;

	(void)o;
	err = memory_move_inplace(m, chunk, dst);
	if (err == -EOPNOTSUPP) {
		s.method = MEM_MIGRATE_PAUSE;
		err = memory_remap_paused(m, chunk, dst, &s.pause_ns);
		s.copy_ns = s.pause_ns;
	}
	s.total_ns = mig_now_ns() - t0;
	if (st)
		*st = s;
	return err;
}
