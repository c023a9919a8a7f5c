// SPDX-License-Identifier: GPL-2.0
/*
 * memory_migrate(): the move the engine asks for, without stopping the VM.
 *
 * Write-protect method (MEM_MIGRATE_WP): the chunk is claimed (device
 * accessors and I/O wait, as for any remap), then copied while the vCPUs
 * run; with dirty-log hooks, the pages the guest wrote meanwhile are copied
 * again, a bounded number of rounds. For the final copy only this chunk
 * is made read-only (mprotect(PROT_READ)): KVM drops its second-level
 * entries, guest reads fault back read-only and run on, a guest write
 * fails KVM_RUN with EFAULT and that vCPU waits in memory_wp_wait(). The
 * last dirty pages are copied, the new frame mapped over the chunk
 * read-write (MAP_FIXED) and the writers released.
 *
 * Pause method (MEM_MIGRATE_PAUSE): memory_remap() with every vCPU paused.
 * NUMA-node tiers move in place (move_pages), with neither.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "memory/internal.h"

static uint64_t mig_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct mig {
	struct guest_mem *m;
	const struct mem_migrate_opts *o;
	struct mem_migrate_stats *st;
	uint32_t c;
	uint64_t off;		/* host-range offset of the chunk */
	uint8_t *src;		/* the chunk's guest mapping */
	struct mem_tier *dst;
	uint64_t dst_off;	/* offset of the new frame in dst's file */
	uint64_t *bits;		/* pages to copy again, one bit per page */
	uint32_t pages;
};

struct mig_sched {
	int policy;		/* the mover's own, to go back to */
	struct sched_param param;
	bool boosted;		/* the window runs at SCHED_FIFO */
};

/* Copies the pages set in @bits (all when NULL); returns how many. */
static uint32_t mig_copy(struct mig *g, const uint64_t *bits)
{
	uint64_t t0 = mig_now_ns(), p, run;
	uint32_t n = 0;

	if (!bits) {
		mem_tier_copy_in(g->dst, g->dst_off, g->src, g->m->chunk_size);
		g->st->copy_ns += mig_now_ns() - t0;
		return g->pages;
	}
	/* Runs of adjacent pages in one copy each. */
	for (p = 0; p < g->pages; p++) {
		if (!((bits[p / 64] >> (p % 64)) & 1))
			continue;
		for (run = 1; p + run < g->pages && ((bits[(p + run) / 64] >> ((p + run) % 64)) & 1);
		     run++)
			;
		mem_tier_copy_in(g->dst, g->dst_off + p * MEM_PAGE_SIZE,
				 g->src + p * MEM_PAGE_SIZE, run * MEM_PAGE_SIZE);
		n += (uint32_t)run;
		p += run - 1;
	}
	g->st->copy_ns += mig_now_ns() - t0;
	return n;
}

static int mig_fetch(struct mig *g)
{
	const struct mem_dirty_ops *d = g->o->dirty;

	return d->fetch(g->o->dirty_ctx, g->off, g->m->chunk_size, g->bits);
}

static int mig_fetch_final(struct mig *g)
{
	const struct mem_dirty_ops *d = g->o->dirty;

	if (!d->peek)
		return mig_fetch(g);
	return d->peek(g->o->dirty_ctx, g->off, g->m->chunk_size, g->bits);
}

/*
 * Pre-copy while the vCPUs run: re-arm the chunk's dirty log, copy it
 * whole, then copy again what the log names until a round finds nothing or
 * the rounds run out. Leaves in g->bits the pages still to copy.
 */
static int mig_precopy(struct mig *g)
{
	const struct mem_dirty_ops *d = g->o->dirty;
	uint32_t max = g->o->max_rounds ? g->o->max_rounds : MEM_MIGRATE_DEFAULT_ROUNDS;
	uint32_t n;
	int err;

	err = d->clear(g->o->dirty_ctx, g->off, g->m->chunk_size);
	if (err)
		return err;
	mig_copy(g, NULL);
	g->st->rounds = 1;
	if (g->o->hook)
		g->o->hook(g->o->hook_ctx, MEM_MIGRATE_PRECOPIED);
	while (g->st->rounds < max) {
		err = mig_fetch(g);
		if (err <= 0)
			return err;
		n = mig_copy(g, g->bits);
		g->st->recopied_pages += n;
		g->st->rounds++;
	}
	return 0;
}

static void wp_begin(struct guest_mem *m)
{
	pthread_mutex_lock(&m->lock);
	m->wp_active++;
	atomic_fetch_add_explicit(&m->wp_seq, 1, memory_order_release);
	pthread_mutex_unlock(&m->lock);
}

static void wp_end(struct guest_mem *m)
{
	pthread_mutex_lock(&m->lock);
	m->wp_active--;
	atomic_fetch_add_explicit(&m->wp_seq, 1, memory_order_release);
	pthread_cond_broadcast(&m->wp_cond);
	pthread_mutex_unlock(&m->lock);
}

int memory_wp_wait(struct guest_mem *m, uint64_t seq)
{
	pthread_mutex_lock(&m->lock);
	if (!m->wp_active && atomic_load(&m->wp_seq) == seq) {
		pthread_mutex_unlock(&m->lock);
		return -EFAULT;
	}
	while (m->wp_active)
		pthread_cond_wait(&m->wp_cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

bool memory_wp_mmio(struct guest_mem *m, uint64_t gpa, void *data, uint32_t len,
		    bool write)
{
	if (!len || !memory_translate(m, gpa, len))
		return false;
	pthread_mutex_lock(&m->lock);
	while (m->wp_active)
		pthread_cond_wait(&m->wp_cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
	/* The accessors wait for the chunk's claim to end, too. */
	if (write)
		memory_write(m, gpa, data, len);
	else
		memory_read(m, gpa, data, len);
	return true;
}

/*
 * The protected window is a lock the chunk's writers wait on: the mover
 * must not be preempted inside it by the vCPUs that run on, as happens
 * whenever vCPUs outnumber host CPUs (a timeslice is several ms against a
 * window well under one). Where the process may (CAP_SYS_NICE or
 * RLIMIT_RTPRIO), the mover runs the window at SCHED_FIFO priority 1;
 * elsewhere it runs as before.
 */
static void mig_boost(struct mig_sched *s)
{
	const struct sched_param fifo = { .sched_priority = 1 };

	s->boosted = false;
	if (pthread_getschedparam(pthread_self(), &s->policy, &s->param))
		return;
	if (s->policy == SCHED_FIFO || s->policy == SCHED_RR)
		return;
	s->boosted = !pthread_setschedparam(pthread_self(), SCHED_FIFO, &fifo);
}

/*
 * Ends the window: writers released, the mover's policy restored. Lowering
 * one's own priority is always allowed; should it fail all the same, the
 * mover stays FIFO and the stats say so (the move itself is done).
 */
static void mig_window_end(struct mig *g, const struct mig_sched *s)
{
	int err;

	wp_end(g->m);
	g->st->boosted = s->boosted;
	if (!s->boosted)
		return;
	err = pthread_setschedparam(pthread_self(), s->policy, &s->param);
	if (err)
		g->st->boosted = -err;
}

/*
 * The final copy: writers of this chunk stall from the mprotect to the
 * MAP_FIXED; everything else runs on. With pre-copy only the pages logged
 * since the last round are copied, else the whole chunk.
 */
static int mig_final(struct mig *g, int dstid, uint32_t frame, const struct mem_chunk *old,
		     bool precopied)
{
	struct guest_mem *m = g->m;
	struct mig_sched sched;
	uint64_t t0;
	int err;

	mig_boost(&sched);
	wp_begin(m);
	t0 = mig_now_ns();
	if (mprotect(g->src, m->chunk_size, PROT_READ) < 0) {
		err = -errno;
		mig_window_end(g, &sched);
		return err;
	}
	if (g->o->hook)
		g->o->hook(g->o->hook_ctx, MEM_MIGRATE_PROTECTED);
	/* The chunk is read-only now: a whole copy is right whatever the log. */
	if (precopied && mig_fetch_final(g) >= 0)
		g->st->recopied_pages += mig_copy(g, g->bits);
	else
		mig_copy(g, NULL);
	err = mem_remap_map(m, g->c, dstid, frame, old);
	g->st->writer_stall_ns = mig_now_ns() - t0;
	mig_window_end(g, &sched);
	return err;
}

static bool mig_can_precopy(const struct guest_mem *m, const struct mem_migrate_opts *o)
{
	return o->dirty && o->dirty->clear && o->dirty->fetch &&
	       (m->chunk_size / MEM_PAGE_SIZE) % 64 == 0;
}

static int migrate_wp(struct guest_mem *m, uint32_t c, int dst,
		      const struct mem_migrate_opts *o, struct mem_migrate_stats *st)
{
	struct mig g = {
		.m = m, .o = o, .st = st, .c = c, .off = (uint64_t)c * m->chunk_size,
		.dst = &m->tiers[dst], .pages = (uint32_t)(m->chunk_size / MEM_PAGE_SIZE),
	};
	bool pre = mig_can_precopy(m, o);
	uint64_t t0 = mig_now_ns();
	struct mem_chunk old;
	int64_t frame;
	int err;

	frame = mem_remap_begin(m, c, dst, &old);
	if (frame < 0)
		return (int)frame;
	g.src = m->host + g.off;
	g.dst_off = (uint64_t)frame * m->chunk_size;
	if (pre) {
		g.bits = calloc((g.pages + 63) / 64, sizeof(uint64_t));
		err = g.bits ? mig_precopy(&g) : -ENOMEM;
		/* A dirty log that fails: fall back to one protected copy. */
		pre = !err;
	}
	err = mig_final(&g, dst, (uint32_t)frame, &old, pre);
	free(g.bits);
	if (err) {
		mem_remap_abort(m, c, dst, (uint32_t)frame);
		return err;
	}
	mem_remap_commit(m, c, dst, (uint32_t)frame, &old, mig_now_ns() - t0);
	return 0;
}

int memory_migrate(struct guest_mem *m, uint32_t chunk, int dst,
		   const struct mem_migrate_opts *o, struct mem_migrate_stats *st)
{
	static const struct mem_migrate_opts defaults = { .method = MEM_MIGRATE_WP };
	struct mem_migrate_stats s = { .method = -1 };
	uint64_t t0 = mig_now_ns();
	int err;

	if (!o)
		o = &defaults;
	if (o->method != MEM_MIGRATE_WP && o->method != MEM_MIGRATE_PAUSE)
		return -EINVAL;
	err = memory_move_inplace(m, chunk, dst);
	if (err == -EOPNOTSUPP) {
		s.method = o->method;
		if (o->method == MEM_MIGRATE_WP) {
			err = migrate_wp(m, chunk, dst, o, &s);
		} else {
			err = memory_remap_paused(m, chunk, dst, &s.pause_ns);
			s.copy_ns = s.pause_ns;
		}
	}
	s.total_ns = mig_now_ns() - t0;
	if (st)
		*st = s;
	return err;
}
