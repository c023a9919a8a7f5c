// SPDX-License-Identifier: GPL-2.0
/*
 * The remap primitive: move a chunk to a frame of another tier by copying
 * it and mapping the new frame over the chunk's host address. The memslot
 * keeps pointing at the same host range; mmap(MAP_FIXED) unmaps the old
 * pages, and KVM's MMU notifier drops the second-level entries for them, so
 * the guest's next access faults in the new frame.
 */
#include <errno.h>
#include <numaif.h>
#include <sys/mman.h>
#include <time.h>

#include "memory/internal.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Checks and reserves a frame of @dst for chunk @c; under m->lock. */
static int64_t remap_prepare(struct guest_mem *m, uint32_t c, int dst)
{
	const struct mem_chunk *ch = &m->chunks[c];
	int64_t frame;
	int err;

	if (ch->tier == dst && ch->file == dst)
		return -EALREADY;
	if (!mem_chunk_fits(m, c, dst))
		return -ENOSPC;
	err = mem_chunk_claim(m, c);
	if (err)
		return err;
	frame = mem_frames_alloc(&m->tiers[dst].frames);
	if (frame < 0)
		mem_chunk_unclaim(m, c);
	return frame;
}

static int map_frame(struct guest_mem *m, uint32_t c, int file, uint32_t frame)
{
	struct mem_tier *t = &m->tiers[file];
	uint64_t cs = m->chunk_size;
	void *p;

	p = mmap(m->host + (uint64_t)c * cs, cs, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, t->fd, (off_t)(frame * cs));
	if (p == MAP_FAILED)
		return -errno;
	mem_tier_advise(t, p, cs, cs);
	return t->hugetlb ? mem_tier_bind(t, file, p, cs, 0) : 0;
}

/* Gives the old frame's memory back and returns it to its allocator. */
static void frame_retire(struct guest_mem *m, int file, uint32_t frame)
{
	struct mem_tier *t = &m->tiers[file];
	uint64_t cs = m->chunk_size, off = (uint64_t)frame * cs;

	/* Before the frame is free, so no new owner can lose data to it. */
	mem_tier_release(t, off, cs);
	/* An in-place move may have rebound this range; restore the policy. */
	if (t->view && !t->hugetlb)
		mem_tier_bind(t, file, t->view + off, cs, 0);
	pthread_mutex_lock(&m->lock);
	mem_frames_free(&t->frames, frame);
	pthread_mutex_unlock(&m->lock);
}

int64_t mem_remap_begin(struct guest_mem *m, uint32_t c, int dst, struct mem_chunk *old)
{
	int64_t frame;

	if (c >= m->nr_chunks || dst < 0 || dst >= MEM_NR_TIERS ||
	    m->tiers[dst].kind == MEM_BACK_NONE)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	frame = remap_prepare(m, c, dst);
	*old = m->chunks[c];
	pthread_mutex_unlock(&m->lock);
	return frame;
}

int mem_remap_map(struct guest_mem *m, uint32_t c, int dst, uint32_t frame,
		  const struct mem_chunk *old)
{
	int err = map_frame(m, c, dst, frame);

	if (!err)
		return 0;
	/* Put the old frame back in case MAP_FIXED got halfway. */
	map_frame(m, c, old->file, old->frame);
	return err;
}

void mem_remap_abort(struct guest_mem *m, uint32_t c, int dst, uint32_t frame)
{
	frame_retire(m, dst, frame);
	mem_chunk_unclaim(m, c);
}

void mem_remap_commit(struct guest_mem *m, uint32_t c, int dst, uint32_t frame,
		      const struct mem_chunk *old, uint64_t ns)
{
	pthread_mutex_lock(&m->lock);
	mem_pages_settle(m, c, old->tier);
	m->tiers[old->tier].nr_chunks--;
	m->tiers[dst].nr_chunks++;
	m->chunks[c] = (struct mem_chunk){ .tier = (uint8_t)dst, .file = (uint8_t)dst,
					   .frame = frame };
	m->nr_remaps++;
	m->remap_ns += ns;
	pthread_mutex_unlock(&m->lock);
	frame_retire(m, old->file, old->frame);
	mem_chunk_unclaim(m, c);
}

int memory_remap(struct guest_mem *m, uint32_t c, int dst)
{
	uint64_t cs = m->chunk_size, t0 = now_ns();
	struct mem_chunk old;
	int64_t frame;
	int err;

	frame = mem_remap_begin(m, c, dst, &old);
	if (frame < 0)
		return (int)frame;
	mem_tier_copy_in(&m->tiers[dst], (uint64_t)frame * cs, m->host + (uint64_t)c * cs, cs);
	err = mem_remap_map(m, c, dst, (uint32_t)frame, &old);
	if (err) {
		mem_remap_abort(m, c, dst, (uint32_t)frame);
		return err;
	}
	mem_remap_commit(m, c, dst, (uint32_t)frame, &old, now_ns() - t0);
	return 0;
}

int memory_remap_paused(struct guest_mem *m, uint32_t c, int dst, uint64_t *pause_ns)
{
	const struct mem_pause_ops *ops = m->pause_ops;
	uint64_t t0 = now_ns();
	int err;

	if (ops) {
		err = ops->pause(m->pause_ctx);
		if (err)
			return err;
	}
	err = memory_remap(m, c, dst);
	if (ops)
		ops->resume(m->pause_ctx);
	if (pause_ns)
		*pause_ns = now_ns() - t0;
	return err;
}

/* Moves the chunk's pages to @dst's nodes and rebinds its file range. */
static int inplace_mbind(struct guest_mem *m, uint32_t c, int dst)
{
	struct bitmask *mask = mem_tier_nodes(&m->tiers[dst], dst);
	void *addr = m->host + (uint64_t)c * m->chunk_size;
	int err = 0;

	if (!mask)
		return -EOPNOTSUPP;
	/*
	 * mbind moves only mapped pages: map the whole chunk first (pages a
	 * remap left unmapped would otherwise stay on the old node).
	 */
	if (madvise(addr, m->chunk_size, MADV_POPULATE_READ) < 0) {
		err = -errno;
		numa_bitmask_free(mask);
		return err;
	}
	/* MOVE_ALL also moves pages our copy view maps; it needs CAP_SYS_NICE. */
	if (mbind(addr, m->chunk_size, MPOL_BIND, mask->maskp, mask->size + 1,
		  MPOL_MF_MOVE_ALL) &&
	    mbind(addr, m->chunk_size, MPOL_BIND, mask->maskp, mask->size + 1,
		  MPOL_MF_MOVE))
		err = -errno;
	numa_bitmask_free(mask);
	return err;
}

int memory_move_inplace(struct guest_mem *m, uint32_t c, int dst)
{
	struct mem_chunk *ch;
	int err;

	if (c >= m->nr_chunks || dst < 0 || dst >= MEM_NR_TIERS ||
	    m->tiers[dst].kind == MEM_BACK_NONE)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	ch = &m->chunks[c];
	err = !mem_tier_inplace(&m->tiers[ch->file]) || !mem_tier_inplace(&m->tiers[dst]) ?
	      -EOPNOTSUPP : ch->tier == dst ? -EALREADY :
	      !mem_chunk_fits(m, c, dst) ? -ENOSPC : mem_chunk_claim(m, c);
	pthread_mutex_unlock(&m->lock);
	if (err)
		return err;
	err = inplace_mbind(m, c, dst);
	pthread_mutex_lock(&m->lock);
	if (!err) {
		mem_pages_settle(m, c, ch->tier);
		m->tiers[ch->tier].nr_chunks--;
		m->tiers[dst].nr_chunks++;
		ch->tier = (uint8_t)dst;
	}
	pthread_mutex_unlock(&m->lock);
	mem_chunk_unclaim(m, c);
	return err;
}
