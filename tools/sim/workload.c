// SPDX-License-Identifier: GPL-2.0
/*
 * Access sources: synthetic workload generators and recorded trace files,
 * both yielding one interval of page-level records per VM at a time.
 *
 * Generators draw per-page counts from the workload's access distribution
 * (independent reference model within an interval: Poisson counts with the
 * page's expected rate), which is also what the trace format promises:
 * counts spread uniformly over the interval.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/source.h"

enum { WL_GUPS, WL_ZIPF, WL_SCAN, WL_WEIGHTS };

void wl_params_default(struct wl_params *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = "gups";
	w->vm_bytes = 256ull << 20;
	w->hot_bytes = 32ull << 20;
	w->hot_frac = 0.9;
	w->accesses = 0;	/* 0: the caller derives it from the model */
	w->intervals = 200;
	w->interval_ns = 100000000;
	w->shift_every = 50;
	w->seed = 1;
}

static uint32_t chunk_align(uint32_t page)
{
	return page / SIM_CHUNK_PAGES * SIM_CHUNK_PAGES;
}

/* Hot set at a seeded, chunk-aligned offset: not where first-touch puts DRAM. */
static void gups_init(struct vmgen *g, uint64_t *rng, uint32_t pages,
		      uint32_t hot, double hf, double acc)
{
	g->kind = WL_GUPS;
	g->pages = pages;
	g->hot_pages = hot;
	g->hot_frac = hf;
	g->accesses = acc;
	g->hot_first = chunk_align((uint32_t)((pages - hot) * (0.25 + 0.7 * rng_u01(rng))));
}

static int cmp_dbl_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Zipf(0.99) over 1 KiB items hashed to pages: hot items are scattered. */
static int zipf_init(struct vmgen *g, uint64_t *rng, uint32_t pages, double acc)
{
	uint32_t items = pages * 4, i, j, *perm;
	double h = 0, *p;

	g->kind = WL_ZIPF;
	g->pages = pages;
	g->accesses = acc;
	g->w = calloc(pages, sizeof(double));
	p = malloc(items * sizeof(double));
	perm = malloc(items * sizeof(uint32_t));
	if (!g->w || !p || !perm) {
		free(p);
		free(perm);
		return -ENOMEM;
	}
	for (i = 0; i < items; i++) {
		p[i] = 1.0 / pow(i + 1, 0.99);
		h += p[i];
		perm[i] = i;
	}
	qsort(p, items, sizeof(double), cmp_dbl_desc);
	for (i = items - 1; i > 0; i--) {
		uint32_t t;

		j = rng_next(rng) % (i + 1);
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < items; i++)
		g->w[perm[i] / 4] += p[i] / h;
	free(p);
	free(perm);
	return 0;
}

static void gups_shift(struct vmgen *g, uint32_t interval, uint64_t seed)
{
	uint64_t r;
	double f;

	if (!g->shift_every || !interval || interval % g->shift_every)
		return;
	r = seed ^ (interval / g->shift_every) * 0x9e37ull;
	f = rng_u01(&r);
	g->hot_first = chunk_align((uint32_t)((g->pages - g->hot_pages) * f));
}

static uint32_t gen_gups(struct vmgen *g, uint64_t *rng, struct trace_rec *out)
{
	double lh = g->accesses * g->hot_frac / g->hot_pages;
	double lc = g->pages > g->hot_pages ?
		    g->accesses * (1 - g->hot_frac) / (g->pages - g->hot_pages) : 0;
	uint32_t p, n = 0, c;

	for (p = 0; p < g->pages; p++) {
		int hot = p >= g->hot_first && p < g->hot_first + g->hot_pages;

		c = rng_poisson(rng, hot ? lh : lc);
		if (!c)
			continue;
		/* An update: the line is read, then written back. */
		out[n++] = (struct trace_rec){ p, c, c };
	}
	return n;
}

/* A GET reads 4 lines (bucket, item); 10% are SETs, writing them back. */
static uint32_t gen_zipf(struct vmgen *g, uint64_t *rng, struct trace_rec *out)
{
	double ops = g->accesses / 4.4;
	uint32_t p, n = 0, r, w;

	for (p = 0; p < g->pages; p++) {
		r = rng_poisson(rng, ops * g->w[p]);
		w = rng_poisson(rng, 0.1 * ops * g->w[p]);
		if (!r && !w)
			continue;
		out[n++] = (struct trace_rec){ p, 4 * r, 4 * w };
	}
	return n;
}

/* Streaming read of the whole footprint, 64 lines per page, wrapping. */
static uint32_t gen_scan(struct vmgen *g, struct trace_rec *out)
{
	uint32_t per = (uint32_t)(g->accesses / 64), p, n = 0;
	uint32_t first = (uint32_t)(g->cursor % g->pages), wrap = 0;

	if (per > g->pages)
		per = g->pages;
	if (first + per > g->pages)
		wrap = first + per - g->pages;
	/* Pages ascending: the wrapped part at the start comes first. */
	for (p = 0; p < wrap; p++)
		out[n++] = (struct trace_rec){ p, 64, 0 };
	for (p = first; p < first + per - wrap; p++)
		out[n++] = (struct trace_rec){ p, 64, 0 };
	g->cursor += per;
	return n;
}

/*
 * Weighted generators: every update goes to page p with probability w[p].
 * They place hot data where chunk-granular policies do not find it whole
 * and leave memory that is never touched (tools/sim/README.md).
 */
static void add_range(double *w, uint32_t first, uint32_t n, double share)
{
	uint32_t p;

	for (p = first; p < first + n; p++)
		w[p] += share / n;
}

/* Clusters of 1..16 pages (4-64 KiB) at random page offsets, hot pages in all. */
static void add_clusters(double *w, uint64_t *rng, uint32_t pages, uint32_t hot,
			 double share)
{
	uint8_t *used = calloc(pages, 1);
	uint32_t left = hot, len, at, p, tries = 0;

	while (used && left && tries++ < 16 * pages) {
		len = 1 + (uint32_t)(rng_next(rng) % 16);
		len = len < left ? len : left;
		at = (uint32_t)(rng_next(rng) % (pages - len + 1));
		for (p = at; p < at + len && !used[p]; p++)
			;
		if (p < at + len)
			continue;	/* overlaps: draw again */
		memset(used + at, 1, len);
		left -= len;
	}
	for (p = 0; used && p < pages; p++)
		if (used[p])
			w[p] += share / (hot - left);
	free(used);
}

/* Region of n pages at a random page (not chunk) offset. */
static uint32_t any_offset(uint64_t *rng, uint32_t pages, uint32_t n)
{
	return (uint32_t)((pages - n) * rng_u01(rng));
}

static int weights_init(struct vmgen *g, uint64_t *rng, const char *k,
			uint32_t pages, uint32_t hot, double hf, double acc)
{
	uint32_t cold = hot < pages / 2 ? hot : pages / 2;

	*g = (struct vmgen){ .kind = WL_WEIGHTS, .pages = pages, .accesses = acc,
			     .hot_pages = hot };
	g->w = calloc(pages, sizeof(double));
	if (!g->w)
		return -ENOMEM;
	if (!strcmp(k, "clusters")) {
		/* Scattered hot clusters; cold traffic in a region of the hot
		 * set's size; everything else never touched. */
		add_clusters(g->w, rng, pages, hot, hf);
		add_range(g->w, any_offset(rng, pages, cold), cold, 1 - hf);
	} else if (!strcmp(k, "unaligned")) {
		add_range(g->w, any_offset(rng, pages, hot), hot, hf);
		add_range(g->w, 0, pages, 1 - hf);
	} else if (!strcmp(k, "coldconf")) {
		/* Hot set as gups; cold traffic confined to a region its size. */
		add_range(g->w, chunk_align((uint32_t)((pages - hot) * rng_u01(rng))), hot, hf);
		add_range(g->w, any_offset(rng, pages, cold), cold, 1 - hf);
	} else {	/* phases: clusters, then a contiguous set twice the size */
		g->w2 = calloc(pages, sizeof(double));
		if (!g->w2)
			return -ENOMEM;
		add_clusters(g->w, rng, pages, hot, hf);
		add_range(g->w, any_offset(rng, pages, cold), cold, 1 - hf);
		hot = 2 * hot < pages ? 2 * hot : pages;
		add_range(g->w2, any_offset(rng, pages, hot), hot, hf);
		add_range(g->w2, 0, pages, 1 - hf);
	}
	return 0;
}

static uint32_t gen_weights(struct vmgen *g, uint64_t *rng, uint32_t interval,
			    struct trace_rec *out)
{
	const double *w = g->w;
	uint32_t p, n = 0, c;

	if (g->w2 && g->shift_every && (interval / g->shift_every) % 2)
		w = g->w2;
	for (p = 0; p < g->pages; p++) {
		if (w[p] <= 0)
			continue;
		c = rng_poisson(rng, g->accesses * w[p]);
		if (c)
			out[n++] = (struct trace_rec){ p, c, c };
	}
	return n;
}

static int gen_setup(struct source *s, const struct wl_params *w)
{
	uint32_t pages = (uint32_t)(w->vm_bytes / SIM_PAGE), i;
	uint32_t hot = (uint32_t)(w->hot_bytes / SIM_PAGE);
	const char *k = w->kind;

	if (w->vm_bytes > (uint64_t)SIM_MAX_PAGES * SIM_PAGE)
		return -EFBIG;
	if (pages < SIM_CHUNK_PAGES || pages % SIM_CHUNK_PAGES || !hot || hot > pages)
		return -EINVAL;
	s->hdr.nvms = 1;
	if (!strcmp(k, "gups") || !strcmp(k, "shift")) {
		gups_init(&s->g[0], &s->rng, pages, hot, w->hot_frac, w->accesses);
		s->g[0].shift_every = strcmp(k, "shift") ? 0 : w->shift_every;
	} else if (!strcmp(k, "gups-fit")) {
		gups_init(&s->g[0], &s->rng, pages, hot, 1.0, w->accesses);
	} else if (!strcmp(k, "zipf")) {
		if (zipf_init(&s->g[0], &s->rng, pages, w->accesses))
			return -ENOMEM;
	} else if (!strcmp(k, "clusters") || !strcmp(k, "unaligned") ||
		   !strcmp(k, "coldconf") || !strcmp(k, "phases")) {
		if (weights_init(&s->g[0], &s->rng, k, pages, hot, w->hot_frac,
				 w->accesses))
			return -ENOMEM;
		s->g[0].shift_every = w->shift_every;
	} else if (!strcmp(k, "scan")) {
		s->g[0] = (struct vmgen){ .kind = WL_SCAN, .pages = pages,
					  .accesses = w->accesses };
	} else if (!strcmp(k, "mix4")) {
		/* Hot sets of 1/16, 1/8, 1/4 and 1/2 of each VM. */
		s->hdr.nvms = 4;
		for (i = 0; i < 4; i++)
			gups_init(&s->g[i], &s->rng, pages, pages >> (4 - i),
				  w->hot_frac, w->accesses);
	} else {
		return -ENOENT;
	}
	return 0;
}

int source_open_workload(struct source **out, const struct wl_params *w)
{
	struct source *s = calloc(1, sizeof(*s));
	uint32_t i;
	int r;

	if (!s)
		return -ENOMEM;
	s->rng = w->seed * 0x2545f4914f6cdd1dull + 1;
	s->intervals = w->intervals;
	s->hdr.version = TRACE_VERSION;
	s->hdr.page_shift = 12;
	s->hdr.interval_ns = w->interval_ns;
	r = gen_setup(s, w);
	if (!r && ((uint64_t)s->g[0].pages * s->hdr.nvms > SIM_MAX_PAGES ||
		   (uint64_t)s->g[0].pages * s->hdr.nvms * w->intervals > SIM_MAX_WORK))
		r = -EFBIG;
	for (i = 0; !r && i < s->hdr.nvms; i++) {
		s->hdr.vm_pages[i] = s->g[i].pages;
		s->rec[i] = malloc(s->g[i].pages * sizeof(struct trace_rec));
		if (!s->rec[i])
			r = -ENOMEM;
	}
	if (r) {
		source_close(s);
		return r;
	}
	*out = s;
	return 0;
}

const char *source_strerror(int r)
{
	switch (r) {
	case -EINVAL:
		return "malformed trace (bad header, record or block order)";
	case -EPROTO:
		return "unsupported trace version";
	case -ENODATA:
		return "truncated trace (no end marker)";
	case -EFBIG:
		return "too large for the simulator (over 16 GiB of memory in all, "
		       "or memory x intervals over 2^31 4 KiB page-intervals)";
	case -ERANGE:
		return "interval_ns over an hour";
	case -ENODEV:
		return "not a regular file";
	case -EDOM:
		return "--trace-pages beyond the trace's pages, or not a one-VM trace";
	case -EPERM:
		return "--trace-stretch or --touch-trace on an engine's, a presence or a touch trace";
	case -EXDEV:
		return "not a trace of the same pages and intervals as --trace";
	default:
		return strerror(-r);
	}
}

const struct trace_hdr *source_hdr(const struct source *s)
{
	return &s->hdr;
}

int source_next(struct source *s, struct ival *iv)
{
	uint32_t i;

	memset(iv, 0, sizeof(*iv));
	iv->index = s->next;
	iv->tindex = s->next;
	iv->nvms = s->hdr.nvms;
	for (i = 0; i < s->hdr.nvms; i++)
		iv->rec[i] = s->rec[i];
	if (s->next >= s->intervals)
		return 0;
	s->next++;
	if (s->file)
		return tracesrc_next(s, iv);
	for (i = 0; i < s->hdr.nvms; i++) {
		struct vmgen *g = &s->g[i];

		if (g->kind == WL_GUPS) {
			gups_shift(g, iv->index, s->rng);
			iv->n[i] = gen_gups(g, &s->rng, s->rec[i]);
		} else if (g->kind == WL_WEIGHTS) {
			iv->n[i] = gen_weights(g, &s->rng, iv->index, s->rec[i]);
		} else if (g->kind == WL_ZIPF) {
			iv->n[i] = gen_zipf(g, &s->rng, s->rec[i]);
		} else {
			iv->n[i] = gen_scan(g, s->rec[i]);
		}
	}
	return 1;
}

void source_close(struct source *s)
{
	uint32_t i;

	if (!s)
		return;
	if (s->file) {
		tracesrc_free(s);
		return;
	}
	for (i = 0; i < TRACE_MAX_VMS; i++) {
		free(s->rec[i]);
		free(s->g[i].w);
		free(s->g[i].w2);
	}
	free(s);
}
