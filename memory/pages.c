// SPDX-License-Identifier: GPL-2.0
/*
 * memory_move_pages(): single 4 KiB pages between NUMA-node tiers, in place
 * (move_pages(2)), for the HMM-V engine's page mode. No remap and no
 * pause: the guest's mapping and the chunk's file stay, the kernel copies
 * each page and the MMU notifier drops its second-level entry (the guest
 * refaults it). A page left on the tier other than its chunk's is "away":
 * one bit per page, counted per tier, so that the tiers' used bytes and
 * quotas stay exact. A whole-chunk move brings its pages home
 * (mem_pages_settle()).
 */
#include <errno.h>
#include <numaif.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "memory/internal.h"

static bool page_away(const struct guest_mem *m, uint64_t pg)
{
	return m->away && (m->away[pg / 64] >> (pg % 64)) & 1;
}

static void page_flip(struct guest_mem *m, uint64_t pg, int chunk_tier)
{
	bool was = page_away(m, pg);

	m->away[pg / 64] ^= 1ULL << (pg % 64);
	if (was)
		m->tiers[chunk_tier].pages_away--;
	else
		m->tiers[chunk_tier].pages_away++;
}

uint64_t mem_tier_used(const struct guest_mem *m, int t)
{
	uint64_t used = (uint64_t)m->tiers[t].nr_chunks * m->chunk_size;

	return used - m->tiers[t].pages_away * MEM_PAGE_SIZE +
	       m->tiers[!t].pages_away * MEM_PAGE_SIZE;
}

bool mem_chunk_fits(const struct guest_mem *m, uint32_t c, int dst)
{
	uint64_t ppc = m->chunk_size / MEM_PAGE_SIZE, pg, need = 0;
	int t = m->chunks[c].tier;

	for (pg = c * ppc; pg < (c + 1) * ppc; pg++)
		need += (t ^ page_away(m, pg)) != dst;
	return !need || mem_tier_used(m, dst) + need * MEM_PAGE_SIZE <= m->tiers[dst].quota;
}

void mem_pages_settle(struct guest_mem *m, uint32_t c, int old_tier)
{
	uint64_t pg, first = (uint64_t)c * (m->chunk_size / MEM_PAGE_SIZE);
	uint64_t end = first + m->chunk_size / MEM_PAGE_SIZE;

	for (pg = first; m->away && pg < end; pg++)
		if (page_away(m, pg))
			page_flip(m, pg, old_tier);
}

bool memory_pages_movable(const struct guest_mem *m)
{
	return m->tiers[MEM_TIER_NVM].kind != MEM_BACK_NONE &&
	       mem_tier_inplace(&m->tiers[MEM_TIER_NVM]) &&
	       mem_tier_inplace(&m->tiers[MEM_TIER_DRAM]);
}

int memory_page_tier(struct guest_mem *m, uint64_t page)
{
	uint32_t c;
	int t;

	if (page >= m->ram_size / MEM_PAGE_SIZE)
		return -EINVAL;
	c = (uint32_t)(page * MEM_PAGE_SIZE / m->chunk_size);
	pthread_mutex_lock(&m->lock);
	t = m->chunks[c].tier ^ page_away(m, page);
	pthread_mutex_unlock(&m->lock);
	return t;
}

uint32_t memory_chunk_dram_pages(struct guest_mem *m, uint32_t chunk)
{
	uint64_t ppc = m->chunk_size / MEM_PAGE_SIZE, pg, away = 0;

	if (chunk >= m->nr_chunks)
		return 0;
	pthread_mutex_lock(&m->lock);
	for (pg = chunk * ppc; m->away && pg < (chunk + 1) * ppc; pg++)
		away += page_away(m, pg);
	pg = m->chunks[chunk].tier == MEM_TIER_DRAM ? ppc - away : away;
	pthread_mutex_unlock(&m->lock);
	return (uint32_t)pg;
}

/* Under m->lock: checks, claims the chunk, counts the pages to move. */
static int pages_begin(struct guest_mem *m, uint32_t c, uint64_t page,
		       uint32_t n, int dst)
{
	const struct mem_chunk *ch = &m->chunks[c];
	uint32_t i, need = 0;
	int err;

	if (!mem_tier_inplace(&m->tiers[ch->file]) || !mem_tier_inplace(&m->tiers[dst]))
		return -EOPNOTSUPP;
	if (!m->away) {
		m->away = calloc((m->ram_size / MEM_PAGE_SIZE + 63) / 64, sizeof(*m->away));
		if (!m->away)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		need += (ch->tier ^ page_away(m, page + i)) != dst;
	if (!need)
		return 0;
	if (mem_tier_used(m, dst) + need * MEM_PAGE_SIZE > m->tiers[dst].quota)
		return -ENOSPC;
	/* Claimed as for any move: no whole-chunk move meanwhile. */
	err = mem_chunk_claim(m, c);
	return err ? err : (int)need;
}

/* The first node of @dst's binding: where the pages go. */
static int pages_node(struct guest_mem *m, int dst)
{
	struct bitmask *mask = mem_tier_nodes(&m->tiers[dst], dst);
	int node = -1;
	unsigned int i;

	if (!mask)
		return -EOPNOTSUPP;
	for (i = 0; i < mask->size && node < 0; i++)
		if (numa_bitmask_isbitset(mask, i))
			node = (int)i;
	numa_bitmask_free(mask);
	return node < 0 ? -EOPNOTSUPP : node;
}

/*
 * move_pages(2) of @n addresses to @node, statuses in @st. MOVE_ALL also
 * moves pages our copy view maps (CAP_SYS_NICE); else those stay.
 */
static int pages_syscall(void **addr, int *nodes, int *st, uint32_t n)
{
	if (!move_pages(0, n, addr, nodes, st, MPOL_MF_MOVE_ALL))
		return 0;
	if (errno == EPERM && !move_pages(0, n, addr, nodes, st, MPOL_MF_MOVE))
		return 0;
	return -errno;
}

/*
 * A page never touched is not there to move (-ENOENT): those, and only
 * those, are made (MADV_POPULATE_READ) and moved in a second call.
 */
static int pages_retry_absent(void **addr, int *nodes, int *st, uint32_t n)
{
	void *again[MEM_MOVE_PAGES_MAX];
	int ast[MEM_MOVE_PAGES_MAX];
	uint32_t idx[MEM_MOVE_PAGES_MAX], i, na = 0;
	int err;

	for (i = 0; i < n; i++) {
		if (st[i] != -ENOENT)
			continue;
		if (madvise(addr[i], MEM_PAGE_SIZE, MADV_POPULATE_READ) < 0)
			return -errno;
		again[na] = addr[i];
		idx[na++] = i;
	}
	if (!na)
		return 0;
	err = pages_syscall(again, nodes, ast, na);
	for (i = 0; !err && i < na; i++)
		st[idx[i]] = ast[i];
	return err;
}

int memory_move_pages(struct guest_mem *m, uint64_t page, uint32_t npages, int dst)
{
	uint64_t ppc = m->chunk_size / MEM_PAGE_SIZE;
	void *addr[MEM_MOVE_PAGES_MAX];
	int nodes[MEM_MOVE_PAGES_MAX], st[MEM_MOVE_PAGES_MAX];
	uint32_t c, i, k = 0, done = 0;
	int need, node, err, t;

	if (dst < 0 || dst >= MEM_NR_TIERS || !npages || npages > MEM_MOVE_PAGES_MAX ||
	    page >= m->ram_size / MEM_PAGE_SIZE ||
	    npages > m->ram_size / MEM_PAGE_SIZE - page ||
	    page / ppc != (page + npages - 1) / ppc)
		return -EINVAL;
	c = (uint32_t)(page / ppc);
	node = pages_node(m, dst);
	if (node < 0)
		return node;
	pthread_mutex_lock(&m->lock);
	need = pages_begin(m, c, page, npages, dst);
	t = m->chunks[c].tier;
	for (i = 0; need > 0 && i < npages; i++) {
		if ((t ^ page_away(m, page + i)) == dst)
			continue;
		addr[k] = m->host + (page + i) * MEM_PAGE_SIZE;
		nodes[k++] = node;
	}
	pthread_mutex_unlock(&m->lock);
	if (need <= 0)
		return need < 0 ? need : (int)npages;
	err = pages_syscall(addr, nodes, st, k);
	if (!err)
		err = pages_retry_absent(addr, nodes, st, k);
	pthread_mutex_lock(&m->lock);
	for (i = 0; !err && i < k; i++) {
		if (st[i] != node)
			continue;
		page_flip(m, (uint64_t)((uint8_t *)addr[i] - m->host) / MEM_PAGE_SIZE, t);
		done++;
	}
	pthread_mutex_unlock(&m->lock);
	mem_chunk_unclaim(m, c);
	return err ? err : (int)(npages - k + done);
}
