// SPDX-License-Identifier: GPL-2.0
/* hmmv capture: per-interval transfers per page, packed into a trace. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/capture/capture.h"

#define REGION_SHIFT	9	/* 512 pages: 2 MiB */

struct slot {
	uint64_t key;		/* vpage + 1, 0 = empty */
	uint32_t reads, writes;
	uint32_t touches;	/* every access, cache hits included */
	uint32_t xfer;		/* a transfer ever: the page is in the trace's layout */
};

struct prec {
	uint64_t vpage;
	uint32_t reads, writes, touches;
};

struct pagemap {
	struct slot *tab;
	uint64_t cap, used;	/* cap a power of two */
	uint64_t *touched;	/* vpages touched this interval */
	uint64_t ntouched, touched_cap;
	struct prec *rec;	/* closed intervals, back to back */
	uint64_t nrec, rec_cap;
	uint64_t *start;	/* first record of each closed interval */
	uint32_t nint, int_cap;
	uint64_t transfers;
};

static int grow(void **p, uint64_t *cap, uint64_t need, size_t sz)
{
	uint64_t n = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * sz);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int pagemap_create(struct pagemap **out)
{
	struct pagemap *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->cap = 1u << 16;
	m->tab = calloc(m->cap, sizeof(*m->tab));
	if (!m->tab) {
		free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void pagemap_destroy(struct pagemap *m)
{
	if (!m)
		return;
	free(m->tab);
	free(m->touched);
	free(m->rec);
	free(m->start);
	free(m);
}

static uint64_t hash(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ull;
	return k ^ (k >> 29);
}

static struct slot *lookup(struct slot *tab, uint64_t cap, uint64_t key)
{
	uint64_t i = hash(key) & (cap - 1);

	while (tab[i].key && tab[i].key != key)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static int rehash(struct pagemap *m)
{
	uint64_t ncap = m->cap * 2, i;
	struct slot *t = calloc(ncap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->tab[i].key)
			*lookup(t, ncap, m->tab[i].key) = m->tab[i];
	free(m->tab);
	m->tab = t;
	m->cap = ncap;
	return 0;
}

/* Vpage's slot, entered in this interval's list on its first count. */
static int slot_of(struct pagemap *m, uint64_t vpage, struct slot **out)
{
	struct slot *s;
	int r;

	if (vpage == UINT64_MAX)
		return -EINVAL;
	s = lookup(m->tab, m->cap, vpage + 1);
	if (!s->key) {
		if ((m->used + 1) * 2 > m->cap) {
			r = rehash(m);
			if (r)
				return r;
			s = lookup(m->tab, m->cap, vpage + 1);
		}
		s->key = vpage + 1;
		m->used++;
	}
	if (!s->reads && !s->writes && !s->touches) {
		r = grow((void **)&m->touched, &m->touched_cap, m->ntouched + 1,
			 sizeof(*m->touched));
		if (r)
			return r;
		m->touched[m->ntouched++] = vpage;
	}
	*out = s;
	return 0;
}

int pagemap_count(struct pagemap *m, uint64_t vpage, int write)
{
	struct slot *s;
	int r = slot_of(m, vpage, &s);

	if (r)
		return r;
	s->xfer = 1;
	if (write)
		s->writes += s->writes < UINT32_MAX;
	else
		s->reads += s->reads < UINT32_MAX;
	return 0;
}

int pagemap_touch(struct pagemap *m, uint64_t vpage)
{
	struct slot *s;
	int r = slot_of(m, vpage, &s);

	if (r)
		return r;
	s->touches += s->touches < UINT32_MAX;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int pagemap_end_interval(struct pagemap *m)
{
	uint64_t i, n = m->ntouched, cap = m->int_cap;
	int r;

	r = grow((void **)&m->start, &cap, (uint64_t)m->nint + 1, sizeof(*m->start));
	if (!r)
		r = grow((void **)&m->rec, &m->rec_cap, m->nrec + n, sizeof(*m->rec));
	if (r)
		return r;
	m->int_cap = (uint32_t)cap;
	m->start[m->nint++] = m->nrec;
	qsort(m->touched, n, sizeof(*m->touched), cmp_u64);
	for (i = 0; i < n; i++) {
		struct slot *s = lookup(m->tab, m->cap, m->touched[i] + 1);

		m->rec[m->nrec++] = (struct prec){ m->touched[i], s->reads, s->writes,
						   s->touches };
		m->transfers += (uint64_t)s->reads + s->writes;
		s->reads = 0;
		s->writes = 0;
		s->touches = 0;
	}
	m->ntouched = 0;
	return 0;
}

uint32_t pagemap_intervals(const struct pagemap *m)
{
	return m->nint;
}

uint64_t pagemap_transfers(const struct pagemap *m)
{
	return m->transfers;
}

/* The 2 MiB regions with a transfer, ascending, unique; count in *n. */
static uint64_t *regions(const struct pagemap *m, uint64_t *n)
{
	uint64_t *r = malloc((m->used + 1) * sizeof(*r)), i, k = 0;

	if (!r)
		return NULL;
	for (i = 0; i < m->cap; i++)
		if (m->tab[i].key && m->tab[i].xfer)
			r[k++] = (m->tab[i].key - 1) >> REGION_SHIFT;
	qsort(r, k, sizeof(*r), cmp_u64);
	*n = 0;
	for (i = 0; i < k; i++)
		if (!*n || r[*n - 1] != r[i])
			r[(*n)++] = r[i];
	return r;
}

/* Vpage's place in the packed layout; NO_PAGE outside it (touched, never transferred). */
#define NO_PAGE		UINT32_MAX

static uint32_t packed(const uint64_t *reg, uint64_t n, uint64_t vpage)
{
	uint64_t lo = 0, hi = n, want = vpage >> REGION_SHIFT;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (reg[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n || reg[lo] != want)
		return NO_PAGE;
	return (uint32_t)((lo << REGION_SHIFT) | (vpage & ((1u << REGION_SHIFT) - 1)));
}

static uint32_t scaled(double c, double scale)
{
	double v;

	if (!(c > 0))		/* never touched: no count; touched: 1 at least */
		return 0;
	v = nearbyint(c * scale);
	if (v < 1)
		return 1;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* One past the last record of closed interval t. */
static uint64_t ival_end(const struct pagemap *m, uint32_t t)
{
	return t + 1 < m->nint ? m->start[t + 1] : m->nrec;
}

/* Transfers of closed interval t. */
static uint64_t ival_transfers(const struct pagemap *m, uint32_t t)
{
	uint64_t i, end = ival_end(m, t), x = 0;

	for (i = m->start[t]; i < end; i++)
		x += (uint64_t)m->rec[i].reads + m->rec[i].writes;
	return x;
}

/* Where the trace goes: the transfers, and (touch not NULL) the touches. */
struct pm_out {
	FILE *f, *touch;
	const struct trace_hdr *h;
	double scale;
	struct trace_rec *out, *tout;
};

/*
 * One output interval's blocks: the pages with transfers into the trace,
 * those touched into the touch trace (reads = touches, as the meter's).
 */
static int emit(const struct pm_out *o, uint32_t t, uint32_t n, uint32_t nt)
{
	int r = trace_write_block(o->f, o->h, t, 0, o->out, n);

	if (!r && o->touch)
		r = trace_write_block(o->touch, o->h, t, 0, o->tout, nt);
	return r;
}

/*
 * Page p's records for an output interval, its counts not yet scaled: one
 * in the trace if it had a transfer, one in the touch trace if touched.
 */
static void put_recs(const struct pm_out *o, uint32_t p, double rd, double wr,
		     double tc, uint32_t *n, uint32_t *nt)
{
	if (rd > 0 || wr > 0)
		o->out[(*n)++] = (struct trace_rec){ p, scaled(rd, o->scale),
						     scaled(wr, o->scale) };
	if (tc > 0)
		o->tout[(*nt)++] = (struct trace_rec){ p, scaled(tc, o->scale), 0 };
}

/* One output interval of the pacing: its counts per page, as they add up. */
struct pace {
	double *rd, *wr, *tc;	/* per packed page */
	uint32_t *pages;	/* counted, in the order first counted */
	uint32_t npages;
};

static void pace_add(struct pace *pc, uint32_t page, double rd, double wr, double tc)
{
	if (page == NO_PAGE)
		return;
	if (!pc->rd[page] && !pc->wr[page] && !pc->tc[page])
		pc->pages[pc->npages++] = page;
	pc->rd[page] += rd;
	pc->wr[page] += wr;
	pc->tc[page] += tc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int pace_emit(struct pace *pc, const struct pm_out *o, uint32_t t)
{
	uint32_t k, p, n = 0, nt = 0;

	qsort(pc->pages, pc->npages, sizeof(*pc->pages), cmp_u32);
	for (k = 0; k < pc->npages; k++) {
		p = pc->pages[k];
		put_recs(o, p, pc->rd[p], pc->wr[p], pc->tc[p], &n, &nt);
		pc->rd[p] = 0;
		pc->wr[p] = 0;
		pc->tc[p] = 0;
	}
	pc->npages = 0;
	return emit(o, t, n, nt);
}

/* Closed interval t's records from i to end, each count times fr, into pc. */
static void pace_share(struct pace *pc, const struct pagemap *m, const uint64_t *reg,
		       uint64_t nreg, uint32_t t, double fr)
{
	uint64_t i, end = ival_end(m, t);
	const struct prec *q;

	for (i = m->start[t]; fr > 0 && i < end; i++) {
		q = &m->rec[i];
		pace_add(pc, packed(reg, nreg, q->vpage), q->reads * fr,
			 q->writes * fr, q->touches * fr);
	}
}

/*
 * The closed intervals re-cut into as many of equal transfers: output
 * interval j holds the transfers [j Q, (j + 1) Q) of the whole run, Q the
 * mean; a closed interval overlapping several gives each its share of
 * every page's counts (the same work spread over them). The simulator's
 * clock is the memory's work (a transfer's cost on all-DRAM), so equal
 * transfers make equal time: a burst of misses lasts several intervals
 * of the policies' clocks, a stretch without misses next to none (its
 * touches go with the output interval it falls in).
 */
static int write_paced(const struct pagemap *m, const struct pm_out *o,
		       const uint64_t *reg, uint64_t nreg)
{
	struct pace pc = { 0 };
	double q = (double)m->transfers / m->nint, lo, hi, x0 = 0, x, fr;
	uint32_t t, j, vp = o->h->vm_pages[0];
	int r = -ENOMEM;

	pc.rd = calloc(vp, sizeof(*pc.rd));
	pc.wr = calloc(vp, sizeof(*pc.wr));
	pc.tc = calloc(vp, sizeof(*pc.tc));
	pc.pages = malloc((size_t)vp * sizeof(*pc.pages));
	if (!pc.rd || !pc.wr || !pc.tc || !pc.pages)
		goto out;
	for (t = 0, j = 0, r = 0; t < m->nint && !r; t++, x0 += x) {
		x = (double)ival_transfers(m, t);
		if (!(x > 0))
			pace_share(&pc, m, reg, nreg, t, 1);
		/* Each output interval this one overlaps: its share, then out. */
		while (x > 0 && !r) {
			lo = x0 > j * q ? x0 : j * q;
			hi = x0 + x < (j + 1) * q || j + 1 == m->nint ? x0 + x : (j + 1) * q;
			fr = hi > lo ? (hi - lo) / x : 0;
			pace_share(&pc, m, reg, nreg, t, fr);
			/* j goes on into the next closed interval; the last takes the rest. */
			if (j + 1 == m->nint || x0 + x < (j + 1) * q)
				break;
			r = pace_emit(&pc, o, j++);
		}
	}
	while (!r && j < m->nint)	/* the last, and any rounding left */
		r = pace_emit(&pc, o, j++);
out:
	free(pc.rd);
	free(pc.wr);
	free(pc.tc);
	free(pc.pages);
	return r;
}

static int write_intervals(const struct pagemap *m, const struct pm_out *o,
			   const uint64_t *reg, uint64_t nreg)
{
	const struct prec *q;
	uint32_t t, n, nt, p;
	uint64_t i, end;
	int r;

	for (t = 0; t < m->nint; t++) {
		end = ival_end(m, t);
		for (n = 0, nt = 0, i = m->start[t]; i < end; i++) {
			q = &m->rec[i];
			p = packed(reg, nreg, q->vpage);
			if (p != NO_PAGE)
				put_recs(o, p, q->reads, q->writes, q->touches, &n, &nt);
		}
		r = emit(o, t, n, nt);
		if (r)
			return r;
	}
	return 0;
}

static int write_header(const struct pm_out *o)
{
	int r = trace_write_header(o->f, o->h);

	if (!r && o->touch)
		r = trace_write_header(o->touch, o->h);
	return r;
}

static int write_end(const struct pm_out *o)
{
	int r = trace_write_end(o->f);

	if (!r && o->touch)
		r = trace_write_end(o->touch);
	return r;
}

int pagemap_write(struct pagemap *m, FILE *f, FILE *touch, uint64_t interval_ns,
		  double scale, int paced)
{
	struct trace_hdr h = { .version = TRACE_VERSION, .page_shift = 12,
			       .nvms = 1, .interval_ns = interval_ns };
	struct pm_out o = { .f = f, .touch = touch, .h = &h, .scale = scale };
	uint64_t nreg = 0, *reg;
	int r;

	if (!m->nint || !m->used || !interval_ns || !(scale > 0))
		return -EINVAL;
	reg = regions(m, &nreg);
	o.out = malloc((m->used + 1) * sizeof(*o.out));
	o.tout = malloc((m->used + 1) * sizeof(*o.tout));
	r = -ENOMEM;
	if (reg && o.out && o.tout) {
		r = -EINVAL;
		if (nreg && nreg <= (UINT32_MAX >> REGION_SHIFT)) {
			h.vm_pages[0] = nreg << REGION_SHIFT;
			r = write_header(&o);
			if (!r)
				r = paced ? write_paced(m, &o, reg, nreg) :
					    write_intervals(m, &o, reg, nreg);
			if (!r)
				r = write_end(&o);
		}
	}
	free(reg);
	free(o.out);
	free(o.tout);
	return r;
}
