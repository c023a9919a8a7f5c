// SPDX-License-Identifier: GPL-2.0
/*
 * Optane Memory Mode (2LM): all DRAM is a direct-mapped, write-back cache
 * of 64 B lines in front of the slow tier, managed by the memory
 * controller; the OS sees only the slow tier's capacity and moves nothing.
 *
 * Host memory comes in 2 MiB frames in allocation order, not guest order:
 * a seeded permutation maps each VM chunk to a host frame. Line l of host
 * page P lives in cache set (P mod cache pages, l): a page slot's 64 line
 * slots each hold one line of one of the pages aliasing that slot.
 *
 * Per interval, a page with c transfers touches L = min(c, 64) distinct
 * lines, x = c / L times each. On one line slot, accesses of the aliasing
 * pages come in random order (the trace spreads them uniformly), n of
 * them in all: page i's x accesses hit when the previous access to that
 * line slot was its own, x (x - 1) / n in expectation, plus the first
 * access of the interval when the line was left there by the previous
 * interval (the slot's tag: the page that touched it last, drawn in
 * proportion to accesses). So a cyclic scan larger than the cache misses
 * every time, and a set that fits hits across intervals.
 * Costs: a hit reads DRAM; a read miss reads DRAM (tag), then the slow
 * tier, and fills the line into DRAM; a write miss allocates without a
 * fill. The evicted line is written back when dirty: the victim is dirty
 * with the written share of the other pages' accesses (the slot's dirty
 * bit for the line left from the previous interval).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

#define LINES (SIM_PAGE / SIM_LINE)

struct mm {
	uint32_t *frame;	/* global chunk -> host frame */
	uint64_t base[TRACE_MAX_VMS + 1];
	double *a, *w;		/* per slot this interval: accesses, writes */
	double *pick;		/* per slot: draw for the new tag */
	uint64_t *tag;		/* per slot: global page + 1 left there, 0 none */
	uint8_t *dirty;		/* per slot: that page's lines are dirty */
	uint64_t slots;
};

static int mm_init(struct sim *s)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	uint64_t n = 0, i, j;
	uint32_t v, t;

	if (!mm)
		return -ENOMEM;
	s->priv = mm;
	for (v = 0; v < s->nvms; v++) {
		mm->base[v] = n;
		n += (s->vm[v].pages + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES;
	}
	mm->base[s->nvms] = n;
	mm->slots = s->dram_pages ? s->dram_pages : 1;
	mm->frame = malloc(n * sizeof(uint32_t));
	mm->a = calloc(mm->slots, sizeof(double));
	mm->w = calloc(mm->slots, sizeof(double));
	mm->pick = calloc(mm->slots, sizeof(double));
	mm->tag = calloc(mm->slots, sizeof(uint64_t));
	mm->dirty = calloc(mm->slots, 1);
	if (!mm->frame || !mm->a || !mm->w || !mm->pick || !mm->tag || !mm->dirty)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		mm->frame[i] = (uint32_t)i;
	for (i = n - 1; i > 0; i--) {
		j = rng_next(&s->rng) % (i + 1);
		t = mm->frame[i];
		mm->frame[i] = mm->frame[j];
		mm->frame[j] = t;
	}
	return 0;
}

static void mm_fini(struct sim *s)
{
	struct mm *mm = s->priv;

	free(mm->frame);
	free(mm->a);
	free(mm->w);
	free(mm->pick);
	free(mm->tag);
	free(mm->dirty);
	free(mm);
	s->priv = NULL;
}

static uint64_t host_page(const struct mm *mm, uint32_t vm, uint32_t page)
{
	return (uint64_t)mm->frame[mm->base[vm] + page / SIM_CHUNK_PAGES] *
	       SIM_CHUNK_PAGES + page % SIM_CHUNK_PAGES;
}

/* Hits of a page's c accesses on its L line slots, as the comment above. */
static double mm_hits(const struct mm *mm, uint64_t sl, uint64_t id, double c)
{
	double L = c < LINES ? c : LINES, x = c / L;
	double others = mm->a[sl] - c, n = x + others / LINES;

	return L * (x * (x - 1) / n + (mm->tag[sl] == id ? x / n : 0));
}

static void mm_page(struct sim *s, struct mm *mm, struct acct *a,
		    const struct trace_rec *r, uint64_t sl, uint64_t id)
{
	const struct model *m = s->m;
	double r_ = r->reads, w = r->writes, acc = r_ + w;
	double hit = mm_hits(mm, sl, id, acc) / acc, rmiss, wmiss, dirty;

	hit = hit < 0 ? 0 : hit > 1 ? 1 : hit;
	rmiss = r_ * (1 - hit);
	wmiss = w * (1 - hit);
	if (mm->a[sl] > acc)
		dirty = (mm->w[sl] - w) / (mm->a[sl] - acc);
	else
		dirty = mm->tag[sl] && mm->tag[sl] != id ? mm->dirty[sl] : 0;
	a->accesses += acc;
	a->lat_ns[SIM_DRAM] += r_ * m->lat_ns[SIM_DRAM];
	a->lat_ns[SIM_NVM] += rmiss * m->lat_ns[SIM_NVM];
	a->dram_acc += acc * hit;
	a->dev_rd[SIM_DRAM] += r_ * SIM_LINE;			/* tag + data */
	a->dev_wr[SIM_DRAM] += (w + rmiss) * SIM_LINE;		/* writes, fills */
	a->dev_rd[SIM_NVM] += rmiss * m->gran[SIM_NVM];		/* random fills */
	a->dev_wr[SIM_NVM] += (rmiss + wmiss) * dirty * m->gran[SIM_NVM];
	a->dev_rd[SIM_DRAM] += (rmiss + wmiss) * dirty * SIM_LINE;	/* victim */
}

/* The page that touched a slot last: drawn in proportion to accesses. */
static void mm_tag(struct sim *s, struct mm *mm, uint64_t sl, uint64_t id,
		   const struct trace_rec *r)
{
	double acc = (double)r->reads + r->writes;

	mm->pick[sl] -= acc;
	if (mm->pick[sl] < 0 && mm->pick[sl] + acc >= 0) {
		mm->tag[sl] = id;
		mm->dirty[sl] = r->writes > 0;
	}
}

static void mm_account(struct sim *s, const struct ival *iv)
{
	struct mm *mm = s->priv;
	uint64_t sl, id;
	uint32_t v, k;

	if (!s->dram_pages) {		/* no DRAM, no cache: all from NVM */
		sim_account_placed(s, iv);
		return;
	}
	memset(mm->a, 0, mm->slots * sizeof(double));
	memset(mm->w, 0, mm->slots * sizeof(double));
	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];

			sl = host_page(mm, v, r->page) % mm->slots;
			mm->a[sl] += (double)r->reads + r->writes;
			mm->w[sl] += r->writes;
		}
	for (sl = 0; sl < mm->slots; sl++)
		mm->pick[sl] = mm->a[sl] * rng_u01(&s->rng);
	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];

			id = host_page(mm, v, r->page) + 1;
			sl = (id - 1) % mm->slots;
			mm_page(s, mm, &s->vm[v].a, r, sl, id);
		}
	/* Tags for the next interval, after every page has been charged. */
	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			id = host_page(mm, v, iv->rec[v][k].page) + 1;
			mm_tag(s, mm, (id - 1) % mm->slots, id, &iv->rec[v][k]);
		}
}

const struct sim_ops pol_mm = {
	.name = "memory-mode", .init = mm_init, .account = mm_account,
	.fini = mm_fini,
};
