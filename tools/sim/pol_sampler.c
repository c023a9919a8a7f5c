// SPDX-License-Identifier: GPL-2.0
/*
 * PEBS-sampling tiering systems, modelled from their published mechanisms
 * and source defaults (parameters in engine.c, pol_params_default()).
 * Sampling is drawn per record: a page with c accesses yields
 * Poisson(c / period) samples. Both are given PEBS visibility of guest
 * accesses, which flatters them.
 *
 * HeMem (a library managing one process): one instance per VM with an
 * even share of the DRAM; 2 MiB pages; per page read and write sample
 * counts; a page is hot with >= 8 read or >= 4 write samples; when a page
 * reaches 18 samples all of the instance's counts are halved (cooling);
 * the migration thread promotes hot slow pages into free DRAM or in place
 * of cold (not hot) DRAM pages, at most 10 GB/s, every 10 ms
 * (PEBS_KSWAPD_INTERVAL): within the interval, each tick on the samples
 * taken so far, its moves serving the rest of the interval.
 *
 * MEMTIS (kernel-wide, one view of all DRAM): per 4 KiB page sample
 * counts binned by log2; every adaptation
 * period (in samples) the hot threshold becomes the lowest bin whose pages
 * and all hotter ones fit the DRAM capacity, warm = hot - 1; counts halve
 * every cooling period (in samples); every 500 ms kmigrated promotes hot
 * slow pages and, when DRAM is short, demotes pages that are not hot,
 * coldest first (below warm before warm), within its migration rate cap.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

#define BINS 16

static void sample_cost(struct sim *s, uint32_t vm, double n)
{
	s->vm[vm].a.stall_ns += n * s->m->pebs_ns;
	s->vm[vm].a.track_ns += n * s->m->pebs_ns;
}

/* ---- HeMem ---- */

struct hemem {
	float *rd[TRACE_MAX_VMS], *wr[TRACE_MAX_VMS];	/* per 2 MiB page */
	/* this interval's samples, per 2 MiB page and tick (chunk * ticks + tick) */
	float *trd[TRACE_MAX_VMS], *twr[TRACE_MAX_VMS];
	uint32_t nch[TRACE_MAX_VMS];
	uint32_t ticks;					/* migration thread runs an interval */
	uint32_t rr;					/* round-robin start */
};

static int hemem_init(struct sim *s)
{
	struct hemem *h = calloc(1, sizeof(*h));
	uint32_t i;

	if (!h)
		return -ENOMEM;
	s->priv = h;
	h->ticks = s->pp->hemem_tick_ms > 0 ?
		   (uint32_t)llround(s->interval_ns / (s->pp->hemem_tick_ms * 1e6)) : 1;
	h->ticks = h->ticks ? h->ticks : 1;
	for (i = 0; i < s->nvms; i++) {
		h->nch[i] = (s->vm[i].pages + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES;
		h->rd[i] = calloc(h->nch[i], sizeof(float));
		h->wr[i] = calloc(h->nch[i], sizeof(float));
		h->trd[i] = calloc((size_t)h->nch[i] * h->ticks, sizeof(float));
		h->twr[i] = calloc((size_t)h->nch[i] * h->ticks, sizeof(float));
		if (!h->rd[i] || !h->wr[i] || !h->trd[i] || !h->twr[i])
			return -ENOMEM;
	}
	sim_place_first_touch(s);
	return 0;
}

static void hemem_fini(struct sim *s)
{
	struct hemem *h = s->priv;
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		free(h->rd[i]);
		free(h->wr[i]);
		free(h->trd[i]);
		free(h->twr[i]);
	}
	free(h);
	s->priv = NULL;
}

static int hemem_hot(const struct sim *s, const struct hemem *h, uint32_t v,
		     uint32_t c)
{
	return h->rd[v][c] >= s->pp->hemem_hot_rd || h->wr[v][c] >= s->pp->hemem_hot_wr;
}

/* n samples into @row (one chunk's ticks), each at a tick drawn uniformly. */
static void hemem_spread(struct sim *s, float *row, uint32_t ticks, uint32_t n)
{
	uint32_t t;

	for (; n; n--) {
		t = (uint32_t)(rng_u01(&s->rng) * ticks);
		row[t < ticks ? t : ticks - 1]++;
	}
}

/* The interval's PEBS samples: Poisson(accesses / period) per record. */
static void hemem_sample(struct sim *s, struct hemem *h, const struct ival *iv)
{
	double per = s->pp->hemem_period;
	uint32_t v, k, c, sr, sw, T = h->ticks;

	for (v = 0; v < iv->nvms; v++) {
		double n = 0;

		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];

			sr = rng_poisson(&s->rng, r->reads / per);
			sw = rng_poisson(&s->rng, r->writes / per);
			c = r->page / SIM_CHUNK_PAGES;
			hemem_spread(s, &h->trd[v][(size_t)c * T], T, sr);
			hemem_spread(s, &h->twr[v][(size_t)c * T], T, sw);
			n += sr + sw;
		}
		sample_cost(s, v, n);
	}
}

/* Tick t's samples counted (and taken out); cooling as counts reach the threshold. */
static void hemem_count(struct sim *s, struct hemem *h, uint32_t t)
{
	double maxc;
	uint32_t v, c;
	size_t i;

	for (v = 0; v < s->nvms; v++)
		for (c = 0; c < h->nch[v]; c++) {
			i = (size_t)c * h->ticks + t;
			h->rd[v][c] += h->trd[v][i];
			h->wr[v][c] += h->twr[v][i];
			h->trd[v][i] = 0;
			h->twr[v][i] = 0;
		}
	/* Cooling: halve everything while some page is past the threshold. */
	for (v = 0; v < s->nvms; v++)
		for (;;) {
			maxc = 0;
			for (c = 0; c < h->nch[v]; c++)
				if (h->rd[v][c] + h->wr[v][c] > maxc)
					maxc = h->rd[v][c] + h->wr[v][c];
			if (maxc < s->pp->hemem_cool)
				break;
			for (c = 0; c < h->nch[v]; c++) {
				h->rd[v][c] /= 2;
				h->wr[v][c] /= 2;
			}
		}
}

/* DRAM pages of chunk c (a chunk may be partly in DRAM after first touch). */
static uint32_t chunk_dram(const struct sim *s, uint32_t v, uint32_t c)
{
	uint32_t p, n = 0, end = (c + 1) * SIM_CHUNK_PAGES;

	end = end < s->vm[v].pages ? end : s->vm[v].pages;
	for (p = c * SIM_CHUNK_PAGES; p < end; p++)
		n += s->vm[v].loc[p] == SIM_DRAM;
	return n;
}

static uint32_t chunk_pages(const struct sim *s, uint32_t v, uint32_t c)
{
	uint32_t left = s->vm[v].pages - c * SIM_CHUNK_PAGES;

	return left < SIM_CHUNK_PAGES ? left : SIM_CHUNK_PAGES;
}

static int hemem_victim(struct sim *s, struct hemem *h, uint32_t v, uint32_t *cc)
{
	uint32_t c;

	for (c = 0; c < h->nch[v]; c++)
		if (chunk_dram(s, v, c) && !hemem_hot(s, h, v, c)) {
			*cc = c;
			return 1;
		}
	return 0;
}

static void hemem_move(struct sim *s, uint32_t v, uint32_t c, int tier, double at)
{
	sim_set_tier_at(s, v, c * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, tier, at);
	s->vm[v].a.stall_ns += s->m->remap_ns;
	s->vm[v].a.mig_ns += s->m->remap_ns;
}

/*
 * Promote hot chunk c if room can be made within the VM's share: cold
 * DRAM chunks are demoted, counting the pages each actually holds, until
 * the whole chunk fits. Returns the bytes copied, or -1 if it cannot fit.
 */
static double hemem_promote(struct sim *s, struct hemem *h, uint32_t v,
			    uint32_t c, uint64_t share, double at)
{
	double chunk = SIM_CHUNK_PAGES * (double)SIM_PAGE, moved = 0;
	uint32_t need = chunk_pages(s, v, c) - chunk_dram(s, v, c), cv;

	while (s->vm[v].dram_pages + need > share) {
		if (!hemem_victim(s, h, v, &cv))
			return -1;
		hemem_move(s, v, cv, SIM_NVM, at);
		moved += chunk;
	}
	hemem_move(s, v, c, SIM_DRAM, at);
	return moved + chunk;
}

/* One run of the migration thread, its moves @at of the interval in. */
static void hemem_migrate(struct sim *s, struct hemem *h, double budget, double at)
{
	double chunk = SIM_CHUNK_PAGES * (double)SIM_PAGE, left, moved;
	uint64_t share = s->dram_pages / s->nvms;
	uint32_t v, c, k;

	for (v = 0; v < s->nvms; v++) {
		left = budget;
		for (k = 0; k < h->nch[v] && left >= chunk; k++) {
			c = (h->rr + k) % h->nch[v];
			if (chunk_dram(s, v, c) == chunk_pages(s, v, c) ||
			    !hemem_hot(s, h, v, c))
				continue;
			moved = hemem_promote(s, h, v, c, share, at);
			if (moved < 0)
				break;
			left -= moved;
		}
	}
	h->rr++;
}

static void hemem_end(struct sim *s, const struct ival *iv)
{
	struct hemem *h = s->priv;
	uint32_t t;

	hemem_sample(s, h, iv);
	for (t = 0; t < h->ticks; t++) {
		hemem_count(s, h, t);
		hemem_migrate(s, h, s->pp->hemem_rate_gbps * s->interval_ns / h->ticks,
			      (double)(t + 1) / h->ticks);
	}
	sim_account_moved(s, iv);
}

const struct sim_ops pol_hemem = {
	.name = "hemem", .init = hemem_init, .account = sim_account_at_end,
	.end = hemem_end, .fini = hemem_fini,
};

/* ---- MEMTIS ---- */

struct memtis {
	float *cnt[TRACE_MAX_VMS];	/* per 4 KiB page */
	double since_cool, since_adapt;
	uint32_t hot, warm;
};

static uint32_t bin_of(float c)
{
	uint32_t b;

	if (c < 1)
		return 0;
	b = 1 + (uint32_t)log2f(c);
	return b < BINS ? b : BINS - 1;
}

static int memtis_init(struct sim *s)
{
	struct memtis *mt = calloc(1, sizeof(*mt));
	uint32_t i;

	if (!mt)
		return -ENOMEM;
	s->alloc_lifo = 1;	/* the kernel's page allocator */
	s->priv = mt;
	for (i = 0; i < s->nvms; i++) {
		mt->cnt[i] = calloc(s->vm[i].pages, sizeof(float));
		if (!mt->cnt[i])
			return -ENOMEM;
	}
	mt->hot = 1;
	mt->warm = 0;
	sim_place_first_touch(s);
	return 0;
}

static void memtis_fini(struct sim *s)
{
	struct memtis *mt = s->priv;
	uint32_t i;

	for (i = 0; i < s->nvms; i++)
		free(mt->cnt[i]);
	free(mt);
	s->priv = NULL;
}

static void memtis_adapt(struct sim *s, struct memtis *mt)
{
	uint64_t hist[BINS] = { 0 }, cum = 0;
	uint32_t v, p, b;

	for (v = 0; v < s->nvms; v++)
		for (p = 0; p < s->vm[v].pages; p++)
			hist[bin_of(mt->cnt[v][p])]++;
	for (b = BINS - 1; b > 1; b--) {
		if (cum + hist[b] > s->dram_pages)
			break;
		cum += hist[b];
	}
	mt->hot = b + 1 < BINS ? b + 1 : BINS - 1;
	if (cum + hist[b] <= s->dram_pages)
		mt->hot = b > 1 ? b : 1;
	mt->warm = mt->hot - 1;
}

static void memtis_sample(struct sim *s, struct memtis *mt, const struct ival *iv)
{
	double per = s->pp->memtis_period;
	uint32_t v, k, p;

	for (v = 0; v < iv->nvms; v++) {
		double n = 0;

		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];
			uint32_t x = rng_poisson(&s->rng, ((double)r->reads + r->writes) / per);

			mt->cnt[v][r->page] += x;
			n += x;
		}
		sample_cost(s, v, n);
		mt->since_cool += n;
		mt->since_adapt += n;
	}
	if (mt->since_cool >= s->pp->memtis_cooling) {
		for (v = 0; v < s->nvms; v++)
			for (p = 0; p < s->vm[v].pages; p++)
				mt->cnt[v][p] /= 2;
		mt->since_cool = 0;
		mt->since_adapt = s->pp->memtis_adapt;	/* re-adapt now */
	}
	if (mt->since_adapt >= s->pp->memtis_adapt) {
		memtis_adapt(s, mt);
		mt->since_adapt = 0;
	}
}

static void memtis_move(struct sim *s, uint32_t v, uint32_t p, int tier)
{
	sim_set_tier(s, v, p, 1, tier);
	/* kmigrated unmaps in batches: a shootdown per 32 pages. */
	s->vm[v].a.stall_ns += s->m->fault_ns / 32;
	s->vm[v].a.mig_ns += s->m->fault_ns / 32;
}

static void memtis_migrate(struct sim *s, struct memtis *mt, double budget)
{
	uint64_t want = 0, freep = sim_dram_free(s), wm = s->dram_pages / 50;
	uint32_t v, p, b;

	for (v = 0; v < s->nvms; v++)
		for (p = 0; p < s->vm[v].pages; p++)
			want += s->vm[v].loc[p] == SIM_NVM && bin_of(mt->cnt[v][p]) >= mt->hot;
	/* Demote coldest first until promotions and the 2% watermark fit. */
	for (b = 0; b < mt->hot && freep < want + wm && budget >= SIM_PAGE; b++)
		for (v = 0; v < s->nvms; v++)
			for (p = 0; p < s->vm[v].pages && freep < want + wm; p++) {
				if (s->vm[v].loc[p] != SIM_DRAM || bin_of(mt->cnt[v][p]) != b)
					continue;
				memtis_move(s, v, p, SIM_NVM);
				freep++;
				budget -= SIM_PAGE;
			}
	for (b = BINS; b-- > mt->hot;)
		for (v = 0; v < s->nvms; v++)
			for (p = 0; p < s->vm[v].pages; p++) {
				if (freep <= wm || budget < SIM_PAGE)
					return;
				if (s->vm[v].loc[p] != SIM_NVM || bin_of(mt->cnt[v][p]) != b)
					continue;
				memtis_move(s, v, p, SIM_DRAM);
				freep--;
				budget -= SIM_PAGE;
			}
}

static void memtis_end(struct sim *s, const struct ival *iv)
{
	struct memtis *mt = s->priv;
	double per = s->pp->memtis_mig_ms * 1e6 / s->interval_ns;
	uint32_t every = per < 1 ? 1 : per > 0x1p31 ? 1u << 31 : (uint32_t)per;

	memtis_sample(s, mt, iv);
	if ((s->now + 1) % every)
		return;
	memtis_migrate(s, mt, s->pp->memtis_rate_mbps * 1048576.0 *
			      s->pp->memtis_mig_ms / 1000);
}

const struct sim_ops pol_memtis = {
	.name = "memtis", .init = memtis_init, .end = memtis_end,
	.fini = memtis_fini,
};
