// SPDX-License-Identifier: GPL-2.0
/*
 * Optane Memory Mode: all DRAM is a direct-mapped, 64 B line cache in front
 * of the slow tier, managed by the memory controller; the OS sees only the
 * slow tier's capacity and moves nothing.
 *
 * Host memory comes in 2 MiB frames in allocation order, not guest order:
 * a seeded permutation maps each VM chunk to a host frame. A 4 KiB host page
 * maps onto the cache's page slot (frame address modulo cache size); its 64
 * lines compete only with the same lines of the pages aliasing that slot.
 * Within an interval accesses are independent (the trace's contract), so
 * an access to page i of a slot group hits iff the group's previous access
 * was to the same page: P(hit) = a_i / A_group. This is exact for the
 * independent reference model and optimistic for cyclic scans.
 * Costs: a hit reads DRAM; a miss reads DRAM (tag), then the slow tier,
 * and fills the line into DRAM; the evicted line is written back to the
 * slow tier when dirty, with the probability that the victim (drawn from
 * the other pages of the group) was written. CPU write-backs land in DRAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct mm {
	uint32_t *frame;	/* global chunk -> host frame */
	uint64_t base[TRACE_MAX_VMS + 1];
	double *a, *w;		/* per slot: accesses, writes */
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
	if (!mm->frame || !mm->a || !mm->w)
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
	free(mm);
	s->priv = NULL;
}

static uint64_t slot_of(const struct mm *mm, uint32_t vm, uint32_t page)
{
	uint64_t f = mm->frame[mm->base[vm] + page / SIM_CHUNK_PAGES];

	return (f * SIM_CHUNK_PAGES + page % SIM_CHUNK_PAGES) % mm->slots;
}

static void mm_page(struct sim *s, struct acct *a, double r, double w,
		    double ga, double gw)
{
	const struct model *m = s->m;
	double acc = r + w, hit = ga > 0 ? acc / ga : 1, miss = acc * (1 - hit);
	double dirty = ga > acc ? (gw - w) / (ga - acc) : 0;

	a->accesses += acc;
	a->lat_ns += r * (hit * m->lat_ns[SIM_DRAM] +
			  (1 - hit) * (m->lat_ns[SIM_DRAM] + m->lat_ns[SIM_NVM]));
	a->dram_acc += acc * hit;
	a->dev_rd[SIM_DRAM] += r * SIM_LINE;		/* tag + data read */
	a->dev_wr[SIM_DRAM] += (w + miss) * SIM_LINE;	/* write-backs, fills */
	a->dev_rd[SIM_NVM] += miss * SIM_LINE;		/* line fills */
	a->dev_wr[SIM_NVM] += miss * dirty * SIM_LINE;	/* dirty victims */
	a->dev_rd[SIM_DRAM] += miss * dirty * SIM_LINE;
}

static void mm_account(struct sim *s, const struct ival *iv)
{
	struct mm *mm = s->priv;
	uint32_t v, k;

	memset(mm->a, 0, mm->slots * sizeof(double));
	memset(mm->w, 0, mm->slots * sizeof(double));
	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];
			uint64_t sl = slot_of(mm, v, r->page);

			mm->a[sl] += (double)r->reads + r->writes;
			mm->w[sl] += r->writes;
		}
	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];
			uint64_t sl = slot_of(mm, v, r->page);

			mm_page(s, &s->vm[v].a, r->reads, r->writes, mm->a[sl], mm->w[sl]);
		}
}

const struct sim_ops pol_mm = {
	.name = "memory-mode", .init = mm_init, .account = mm_account,
	.fini = mm_fini,
};
