// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's own lines in the last-level cache, where moves change what
 * a trace recorded without them shows (--touch-trace: the touches, cache
 * hits included, show which lines the guest works in).
 *
 * A cache is indexed by physical address and copies pass through it. A
 * page the guest works in has lines held at its frame when it moves: the
 * copy reads those from the cache, not from the source tier, and the
 * guest's next touches of them, hits in the trace, miss at the new frame
 * once the copy's own lines there are gone. Copies also push the guest's
 * other lines out: a touch the trace shows as a hit misses where the
 * copies since brought the cache's size in. Measured once in the test
 * host (a 4 MiB hot set, 3.8 MiB of it in six chunks moved to the
 * NVDIMM): the NVDIMM filled 4.3 MiB more than the copies wrote.
 *
 * Two cache clocks: the trace's (its fills) and the run's (its fills,
 * copies and misses: sim->llc_clock, hotcopy.c). Per page: both clocks at
 * its last touch, or for the run's at its last move (the copy wrote its
 * lines there), and the lines of it held then. A page's lines: as many
 * distinct ones as its touches reach drawn at random from its 64, and at
 * least the lines it filled.
 *
 * A line is held while less than the cache's size came after it in the
 * cache's order (an LRU cache): the bytes brought in since its touch, and
 * the lines held already that were touched since (hits move a line ahead
 * of it as a fill does). The guest's hits are its touches less its fills,
 * counted once per page at the page's latest touch (sim_retouch). Over
 * half a second of make eval-real's slow-first trace they came to 0.3 MiB
 * in the hot set and the shift, 1.7 in sqlite, 3.7 in redis: up to half
 * of the 8 MiB cache that a clock of fills alone gives the moves' frames.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

#define PAGE_LINES	((double)(SIM_PAGE / SIM_LINE))

struct sim_resident {
	double *seen;		/* per page: the trace's clock at its last touch */
	double *at;		/* the run's clock then, or at its last move */
	float *lines;		/* its lines held then, 0: never touched */
	uint32_t *stamp;	/* the interval of that touch + 1, 0: none */
	float *hits;		/* the bytes it hit then */
	uint32_t *at_mark;	/* the intervals stamped before at was set */
};

/*
 * The guest's hits by the interval that stamped them (a page's latest
 * touch only): those since a mark (sim_resident_mark()) are a suffix sum,
 * kept in a Fenwick tree over the intervals.
 */
struct sim_retouch {
	double *fen;		/* per interval, its pages' hits (bytes) as a
				 * Fenwick tree, 1-based over cap, a power of 2 */
	uint32_t n, cap;
};

/* Distinct lines of @of reached by @n touches at random. */
static double distinct(double n, double of)
{
	if (of <= 1)
		return n > 0 ? of : 0;
	return of * (1 - pow(1 - 1 / of, n));
}

static void fen_add(struct sim_retouch *rt, uint32_t i, double x)
{
	uint32_t j;

	for (j = i + 1; j <= rt->cap; j += j & -j)
		rt->fen[j - 1] += x;
}

/* The sum of the first @i intervals' hits. */
static double fen_prefix(const struct sim_retouch *rt, uint32_t i)
{
	double sum = 0;

	for (; i > 0; i -= i & -i)
		sum += rt->fen[i - 1];
	return sum;
}

/*
 * Room for one more interval: twice the size. The nodes kept cover what
 * they did; of the new ones only the last spans the old intervals, all of
 * them, and the rest span new ones, empty.
 */
static int retouch_grow(struct sim_retouch *rt)
{
	uint32_t cap = rt->cap ? 2 * rt->cap : 256;
	double *f = realloc(rt->fen, cap * sizeof(*f));

	if (!f)
		return -ENOMEM;
	memset(f + rt->cap, 0, (cap - rt->cap) * sizeof(*f));
	rt->fen = f;
	f[cap - 1] = fen_prefix(rt, rt->cap);
	rt->cap = cap;
	return 0;
}

/* A new interval of stamps: its index, or -errno. */
static int64_t retouch_next(struct sim *s)
{
	struct sim_retouch *rt = s->retouch;

	if (!rt) {
		rt = s->retouch = calloc(1, sizeof(*rt));
		if (!rt)
			return -ENOMEM;
	}
	if (rt->n == rt->cap && retouch_grow(rt) < 0)
		return -ENOMEM;
	return rt->n++;
}

/* A mark: the hits of the intervals stamped from now on come after it. */
uint32_t sim_resident_mark(const struct sim *s)
{
	return s->retouch ? s->retouch->n : 0;
}

/* The bytes of lines the cache held that the guest touched since @mark. */
double sim_resident_since(const struct sim *s, uint32_t mark)
{
	const struct sim_retouch *rt = s->retouch;

	if (!rt || mark >= rt->n)
		return 0;
	return fen_prefix(rt, rt->n) - fen_prefix(rt, mark);
}

/*
 * A line touched at clock reading @then, and before the intervals from
 * @mark on, is held at clock reading @now.
 */
static int held(const struct sim *s, double now, double then, uint32_t mark)
{
	return now - then + sim_resident_since(s, mark) < s->m->llc_bytes;
}

static void resident_free(struct sim_resident *r)
{
	if (!r)
		return;
	free(r->seen);
	free(r->at);
	free(r->lines);
	free(r->stamp);
	free(r->hits);
	free(r->at_mark);
	free(r);
}

void sim_resident_destroy(struct sim *s)
{
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		resident_free(s->vm[i].res);
		s->vm[i].res = NULL;
	}
	if (s->retouch) {
		free(s->retouch->fen);
		free(s->retouch);
		s->retouch = NULL;
	}
}

static struct sim_resident *resident_of(struct simvm *v)
{
	struct sim_resident *r;

	if (v->res)
		return v->res;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->seen = calloc(v->pages, sizeof(*r->seen));
	r->at = calloc(v->pages, sizeof(*r->at));
	r->lines = calloc(v->pages, sizeof(*r->lines));
	r->stamp = calloc(v->pages, sizeof(*r->stamp));
	r->hits = calloc(v->pages, sizeof(*r->hits));
	r->at_mark = calloc(v->pages, sizeof(*r->at_mark));
	if (!r->seen || !r->at || !r->lines || !r->stamp || !r->hits || !r->at_mark) {
		resident_free(r);
		return NULL;
	}
	v->res = r;
	return r;
}

/*
 * A move of @npages from @page to @tier, before its copy: the bytes of the
 * lines of those not there yet that the cache holds at their old frames
 * (the copy's reads of them hit). Their lines are the copy's from now on.
 */
double sim_resident_move(struct sim *s, struct simvm *v, uint32_t page, uint32_t npages,
			 int tier)
{
	struct sim_resident *r = v->res;
	double lines = 0;
	uint32_t p;

	if (!r || s->m->llc_bytes <= 0)
		return 0;
	for (p = page; p < page + npages && p < v->pages; p++) {
		if (!r->lines[p] || v->loc[p] == tier)
			continue;
		if (held(s, s->llc_clock, r->at[p], r->at_mark[p]))
			lines += r->lines[p];
		r->at[p] = s->llc_clock;
		r->at_mark[p] = sim_resident_mark(s);
	}
	return lines * SIM_LINE;
}

/*
 * The interval's touches: a page whose lines the trace's cache held but the
 * run's no longer does (moved, or pushed out by copies) fills each line
 * touched again at the page's tier. Before the interval's times are taken.
 */
void sim_resident_refill(struct sim *s, const struct ival *iv)
{
	const struct trace_rec *t;
	struct sim_resident *r;
	struct simvm *v;
	uint32_t i, k, p;

	if (!iv->has_touch || s->m->llc_bytes <= 0)
		return;
	for (i = 0; i < iv->nvms; i++) {
		v = &s->vm[i];
		r = v->res;
		for (k = 0; r && k < iv->ntouch[i]; k++) {
			t = &iv->touch[i][k];
			p = t->page;
			if (!r->lines[p] || !held(s, s->llc_trace_clock, r->seen[p], r->stamp[p]) ||
			    held(s, s->llc_clock, r->at[p], r->at_mark[p]))
				continue;
			acct_read(&v->a, s->m, v->loc[p], distinct(t->reads, r->lines[p]));
		}
	}
}

/* The fills of @page in @iv's records of VM @vm (both ascending by page). */
static uint32_t fills_of(const struct ival *iv, uint32_t vm, uint32_t page, uint32_t *k)
{
	while (*k < iv->n[vm] && iv->rec[vm][*k].page < page)
		(*k)++;
	return *k < iv->n[vm] && iv->rec[vm][*k].page == page ? iv->rec[vm][*k].reads : 0;
}

/* VM @i's touches in @iv, stamped as interval @cur: the lines each page holds now. */
static void resident_stamp(struct sim *s, struct sim_resident *r, const struct ival *iv,
			   uint32_t i, uint32_t cur)
{
	const struct trace_rec *t;
	uint32_t k, p, j = 0;
	double n, f, had, hit;

	for (k = 0; k < iv->ntouch[i]; k++) {
		t = &iv->touch[i][k];
		p = t->page;
		had = held(s, s->llc_trace_clock, r->seen[p], r->stamp[p]) ? r->lines[p] : 0;
		n = distinct(t->reads, PAGE_LINES);
		f = fills_of(iv, i, p, &j);
		n = n > f ? n : f;
		/* Its hits: lines touched, less those it filled. */
		hit = (n - f) * SIM_LINE;
		if (r->stamp[p])
			fen_add(s->retouch, r->stamp[p] - 1, -r->hits[p]);
		fen_add(s->retouch, cur, hit);
		r->stamp[p] = cur + 1;
		r->at_mark[p] = cur + 1;
		r->hits[p] = (float)hit;
		/* Touches at random: new lines among those not held. */
		n = had + n * (1 - had / PAGE_LINES);
		r->lines[p] = (float)(n < PAGE_LINES ? n : PAGE_LINES);
		r->seen[p] = s->llc_trace_clock;
		r->at[p] = s->llc_clock;
	}
}

/*
 * After the interval (the run's cache clock past its fills): the trace's
 * clock past the trace's fills, and the lines each touched page holds.
 * 0, or -ENOMEM.
 */
int sim_resident_touch(struct sim *s, const struct ival *iv)
{
	struct sim_resident *r;
	int64_t cur;
	uint32_t i, k;

	if (!iv->has_touch || s->m->llc_bytes <= 0)
		return 0;
	for (i = 0; i < iv->nvms; i++)
		for (k = 0; k < iv->n[i]; k++)
			s->llc_trace_clock += (double)iv->rec[i][k].reads * SIM_LINE;
	/* The traced run's host, its share of the trace interval. */
	s->llc_trace_clock += s->m->llc_trace_other_bytes / (iv->parts ? iv->parts : 1);
	cur = retouch_next(s);
	if (cur < 0)
		return (int)cur;
	for (i = 0; i < iv->nvms; i++) {
		if (!iv->ntouch[i])
			continue;
		r = resident_of(&s->vm[i]);
		if (!r)
			return -ENOMEM;
		resident_stamp(s, r, iv, i, (uint32_t)cur);
	}
	return 0;
}
