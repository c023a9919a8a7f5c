// SPDX-License-Identifier: GPL-2.0
/*
 * What every kind of move shares (memory/remap.c moves chunks, pages.c
 * single pages): the claim that keeps I/O and other moves off a chunk
 * while it moves, and whether a tier's pages can move in place.
 */
#include <errno.h>
#include <stdatomic.h>

#include "memory/internal.h"

/* Claims the chunk for a migration: no I/O in flight, none migrating. */
int mem_chunk_claim(struct guest_mem *m, uint32_t c)
{
	uint32_t zero = 0;

	return atomic_compare_exchange_strong(&m->state[c], &zero, MEM_CHUNK_MIGRATING) ?
	       0 : -EBUSY;
}

void mem_chunk_unclaim(struct guest_mem *m, uint32_t c)
{
	atomic_fetch_and(&m->state[c], ~MEM_CHUNK_MIGRATING);
}

bool mem_tier_inplace(const struct mem_tier *t)
{
	return (t->kind == MEM_BACK_MEMFD || t->kind == MEM_BACK_NODE) && !t->hugetlb;
}
