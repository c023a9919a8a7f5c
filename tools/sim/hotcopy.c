// SPDX-License-Identifier: GPL-2.0
/*
 * Which part of a move's destination the last-level cache holds already.
 *
 * A move reads its source frames into the cache and frees them. A later
 * move into that tier that lands on one of those frames writes lines the
 * cache still holds: a write-allocate cache fills nothing for them, and a
 * meter behind it counts the copy's write-backs only. Measured in the test
 * host (tests/system/meter_copy.sh): promotions each into the DRAM frame a
 * demotion had just freed filled 5.6% of their bytes, promotions made
 * after twelve demotions 94.1%. hmmv's DRAM tier is full, so each
 * promotion takes the frame its demotion freed.
 *
 * Which free frame a move gets is the allocator's: the kernel's page
 * allocator hands out the frames freed last (sim->alloc_lifo); HeMem's
 * free lists are taken here as any free frame, a freed one with the chance
 * its share of the tier's free memory gives; hmmv's own frames, the lowest
 * free first, are frames.c's (sim->chunk_frames).
 *
 * A cache clock counts the bytes brought into the cache (the accesses'
 * fills, at each interval's end, and the copies'); lines read a clock
 * distance d before, the guest having hit h bytes of other lines since
 * (resident.c), are held while d + h is under the cache's size. A run of
 * freed frames was read over twice its bytes (its copy's source and
 * destination interleaved), so a share of it is held:
 * (llc - d - h) / (2 x bytes), between 0 and 1.
 */
#include <string.h>

#include "tools/sim/sim.h"

/* Bytes of a run of @bytes freed at cache clock @stamp, hits mark @mark, still held. */
double sim_hot_held(const struct sim *s, double stamp, uint32_t mark, double bytes)
{
	double age = s->llc_clock - stamp + sim_resident_since(s, mark);
	double f = (s->m->llc_bytes - age) / (2 * bytes);

	f = f < 1 ? f : 1;
	return f > 0 ? f * bytes : 0;
}

static double hot_held(const struct sim *s, const struct sim_hot *h)
{
	return sim_hot_held(s, h->stamp, h->mark, h->bytes);
}

/* Drops the runs the cache no longer holds any of, and the emptied ones. */
static void hot_prune(const struct sim *s, struct sim_hotq *q)
{
	uint32_t i, n = 0;

	for (i = 0; i < q->n; i++)
		if (q->run[i].bytes > 0 && hot_held(s, &q->run[i]) > 0)
			q->run[n++] = q->run[i];
	q->n = n;
}

/* The frames freed last first. */
static double hot_take_lifo(const struct sim *s, struct sim_hotq *q, double bytes)
{
	double held = 0, t, b;
	uint32_t i;

	for (i = q->n; i-- > 0 && bytes > 0;) {
		b = q->run[i].bytes;
		t = bytes < b ? bytes : b;
		held += hot_held(s, &q->run[i]) * t / b;
		q->run[i].bytes -= t;
		bytes -= t;
	}
	return held;
}

/* Any free frame: the freed ones in their share of @free bytes. */
static double hot_take_any(const struct sim *s, struct sim_hotq *q, double bytes,
			   double free)
{
	double all = 0, held = 0, share;
	uint32_t i;

	for (i = 0; i < q->n; i++) {
		all += q->run[i].bytes;
		held += hot_held(s, &q->run[i]);
	}
	if (all <= 0)
		return 0;
	share = free > all ? bytes / free : bytes / all;
	share = share < 1 ? share : 1;
	for (i = 0; i < q->n; i++)
		q->run[i].bytes -= q->run[i].bytes * share;
	return held * share;
}

/*
 * A move of @bytes into @tier, which had @free bytes free: the bytes of
 * its destination the cache holds.
 */
double sim_hot_take(struct sim *s, struct simvm *v, int tier, double bytes, double free)
{
	struct sim_hotq *q = &v->hot[tier];
	double held;

	if (s->m->llc_bytes <= 0 || bytes <= 0)
		return 0;
	hot_prune(s, q);
	held = s->alloc_lifo ? hot_take_lifo(s, q, bytes) : hot_take_any(s, q, bytes, free);
	hot_prune(s, q);
	return held < bytes ? held : bytes;
}

/*
 * A move out of @tier freed @bytes of frames, read into the cache just now
 * (the clock already past the copy). A run freed right after the last
 * (nothing else brought into the cache meanwhile) extends it.
 */
void sim_hot_free(struct sim *s, struct simvm *v, int tier, double bytes, double copied)
{
	struct sim_hotq *q = &v->hot[tier];
	struct sim_hot *last = q->n ? &q->run[q->n - 1] : NULL;

	if (s->m->llc_bytes <= 0 || bytes <= 0)
		return;
	if (last && last->stamp + copied >= s->llc_clock && last->bytes > 0) {
		last->bytes += bytes;
		last->stamp = s->llc_clock;
		last->mark = sim_resident_mark(s);
		return;
	}
	if (q->n == SIM_HOT_RUNS) {
		memmove(q->run, q->run + 1, (SIM_HOT_RUNS - 1) * sizeof(q->run[0]));
		q->n--;
	}
	q->run[q->n++] = (struct sim_hot){ .bytes = bytes, .stamp = s->llc_clock,
					   .mark = sim_resident_mark(s) };
}
