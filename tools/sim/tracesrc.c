// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files as an access source (hmmv/trace.h), bounded before anything
 * is simulated: the whole file is read and validated once, the simulator
 * works in 4 KiB pages whatever the file's page_shift, presence bits are
 * scaled to transfers, and a stretch of intervals without any access is
 * handed out as one empty interval, not one by one.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/sim/source.h"

/* The file whole (trace_file_read(): a FIFO cannot hang us). */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	int r = trace_file_read(path, buf, len);

	return r == -ENXIO ? -ENODEV : r;	/* source_strerror: "not a regular file" */
}

/* A VM's size in 4 KiB pages for a file page of 2^shift bytes. */
static uint64_t pages_4k(uint64_t n, uint32_t shift)
{
	if (shift >= 12)
		return n << (shift - 12);
	return (n + (1ull << (12 - shift)) - 1) >> (12 - shift);
}

/* Sizes: per-page state for every VM and policy must stay bounded. */
static int trace_sizes(struct source *s)
{
	uint64_t total = 0, maxp = 0;
	uint32_t i;

	if (s->hdr.interval_ns > SIM_MAX_INTERVAL_NS)
		return -ERANGE;
	for (i = 0; i < s->hdr.nvms; i++) {
		uint64_t p = s->hdr.vm_pages[i];

		if (p > SIM_MAX_PAGES || (p = pages_4k(p, s->shift)) > SIM_MAX_PAGES)
			return -EFBIG;
		maxp = s->hdr.vm_pages[i] > maxp ? s->hdr.vm_pages[i] : maxp;
		s->hdr.vm_pages[i] = p;
		total += p;
	}
	if (total > SIM_MAX_PAGES)
		return -EFBIG;
	s->stage_cap = (uint32_t)maxp;
	if (!s->cut.page_count)
		return 0;
	if (s->hdr.nvms != 1 || s->cut.page_first >= s->hdr.vm_pages[0] ||
	    s->cut.page_count > s->hdr.vm_pages[0] - s->cut.page_first)
		return -EDOM;
	s->hdr.vm_pages[0] = s->cut.page_count;
	return 0;
}

/* Whether trace interval @i is replayed (--trace-intervals). */
static int in_cut(const struct source *s, uint32_t i)
{
	return i >= s->cut.ival_from && (!s->cut.ival_to || i < s->cut.ival_to);
}

/*
 * How many intervals trace interval @i is replayed as (--trace-stretch):
 * interval j of a range stretched k times as floor((j + 1) k) - floor(j k),
 * so that the range takes round-down(k x its length) in all.
 */
static uint32_t stretch_parts(const struct source *s, uint64_t i)
{
	const struct trace_stretch *t;
	uint32_t k;

	for (k = 0; k < s->cut.nstretch; k++) {
		t = &s->cut.stretch[k];
		if (i >= t->from && i < t->to)
			return (uint32_t)(floor((double)(i - t->from + 1) * t->k) -
					  floor((double)(i - t->from) * t->k));
	}
	return 1;
}

/*
 * One pass over every block: validates the whole file and counts the
 * intervals the simulator will step through (a run of empty ones is one).
 */
static int trace_prescan(struct source *s)
{
	struct trace_block b;
	uint64_t expect = s->cut.ival_from, n = 0, last = UINT64_MAX, total = 0;
	uint32_t i;
	int r;

	while ((r = trace_next_block(&s->cur, &b, s->stage, s->stage_cap)) == 1) {
		if (b.interval == last || !in_cut(s, b.interval))
			continue;
		/* An engine trace (TRACE_F_WINDOWS) steps every interval it ran. */
		if (s->cur.hdr.flags & TRACE_F_WINDOWS)
			n += 1 + (b.interval - expect);
		else
			n += stretch_parts(s, b.interval) + (b.interval > expect);
		last = b.interval;
		expect = (uint64_t)b.interval + 1;
	}
	if (r < 0)
		return r == -E2BIG ? -EINVAL : r;
	for (i = 0; i < s->hdr.nvms; i++)
		total += s->hdr.vm_pages[i];
	if (n * total > SIM_MAX_WORK)
		return -EFBIG;
	s->intervals = (uint32_t)n;
	return trace_open_mem(&s->cur, s->buf, s->len);
}

/* --touch-trace: a second trace of the same intervals, read alongside. */
struct touchsrc {
	uint8_t *buf;
	size_t len;
	struct trace_cursor cur;
	struct trace_block pend;
	struct trace_rec *stage;
	int has_pend, ended;
	int slots;		/* writes count time slots (the meter's touch=) */
	int times;		/* ... and say when the first was (TRACE_F_TOUCH_TIMES) */
	uint32_t nslot;		/* slots in an interval (1 ms each) */
	struct trace_rec *rec[TRACE_MAX_VMS], *full[TRACE_MAX_VMS];
	uint32_t n[TRACE_MAX_VMS], nfull[TRACE_MAX_VMS];
};

/* A trace's buffers: records and stretch copies per VM, stage, file. */
static void bufs_free(struct trace_rec **rec, struct trace_rec **full,
		      struct trace_rec *stage, uint8_t *buf)
{
	uint32_t i;

	for (i = 0; i < TRACE_MAX_VMS; i++) {
		free(rec[i]);
		free(full[i]);
	}
	free(stage);
	free(buf);
}

static void touch_free(struct source *s)
{
	struct touchsrc *t = s->touch;

	if (!t)
		return;
	bufs_free(t->rec, t->full, t->stage, t->buf);
	free(t);
	s->touch = NULL;
}

void tracesrc_free(struct source *s)
{
	touch_free(s);
	bufs_free(s->rec, s->full, s->stage, s->buf);
	free(s);
}

static int any_writes(const struct trace_rec *r, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		if (r[k].writes)
			return 1;
	return 0;
}

/*
 * The touch trace: same header as the main file, validated whole. Its
 * writes, where any is non-zero, are the time slots each page was touched
 * in (the meter's touch=); an older one has none. With
 * TRACE_F_TOUCH_TIMES they also say which slot came first (1 ms slots, 4
 * KiB pages).
 */
static int touch_load(struct source *s, const char *path)
{
	const struct trace_hdr *m = &s->cur.hdr;
	struct touchsrc *t;
	uint32_t i;
	int r;

	if (m->flags & (TRACE_F_PRESENCE | TRACE_F_WINDOWS | TRACE_F_TOUCH_TIMES))
		return -EPERM;
	t = s->touch = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	r = read_file(path, &t->buf, &t->len);
	r = r ? r : trace_open_mem(&t->cur, t->buf, t->len);
	if (r)
		return r;
	t->times = t->cur.hdr.flags == TRACE_F_TOUCH_TIMES;
	t->nslot = (uint32_t)(m->interval_ns / 1000000);
	if (t->times && (m->page_shift != 12 || !t->nslot))
		return -EXDEV;
	if ((t->cur.hdr.flags && !t->times) || t->cur.hdr.page_shift != m->page_shift ||
	    t->cur.hdr.nvms != m->nvms || t->cur.hdr.interval_ns != m->interval_ns ||
	    memcmp(t->cur.hdr.vm_pages, m->vm_pages, m->nvms * sizeof(m->vm_pages[0])))
		return -EXDEV;
	if (!(t->stage = malloc((size_t)s->stage_cap * sizeof(*t->stage))))
		return -ENOMEM;
	while ((r = trace_next_block(&t->cur, &t->pend, t->stage, s->stage_cap)) == 1)
		t->slots |= any_writes(t->stage, t->pend.nrec);
	if (r < 0)
		return r == -E2BIG ? -EINVAL : r;
	for (i = 0; i < s->hdr.nvms; i++) {
		size_t sz = s->hdr.vm_pages[i] * sizeof(struct trace_rec);

		if (!(t->rec[i] = malloc(sz)) || !(t->full[i] = malloc(sz)))
			return -ENOMEM;
	}
	return trace_open_mem(&t->cur, t->buf, t->len);
}

int source_open_touch(struct source *s, const char *path)
{
	int r;

	if (!s->file || s->touch)
		return -EINVAL;
	r = touch_load(s, path);
	if (r)
		touch_free(s);
	return r;
}

int source_open_trace(struct source **out, const char *path,
		      uint32_t presence_lines)
{
	return source_open_trace_cut(out, path, presence_lines, NULL);
}

int source_open_trace_cut(struct source **out, const char *path,
			  uint32_t presence_lines, const struct trace_cut *cut)
{
	struct source *s = calloc(1, sizeof(*s));
	uint32_t i;
	int r;

	if (!s)
		return -ENOMEM;
	if (cut)
		s->cut = *cut;
	s->expect = s->cut.ival_from;
	s->file = 1;
	s->presence_lines = presence_lines;
	r = read_file(path, &s->buf, &s->len);
	if (!r)
		r = trace_open_mem(&s->cur, s->buf, s->len);
	if (!r) {
		s->hdr = s->cur.hdr;
		s->shift = s->hdr.page_shift;
		s->hdr.page_shift = 12;
		r = trace_sizes(s);
	}
	if (!r && !(s->stage = malloc((size_t)s->stage_cap * sizeof(*s->stage))))
		r = -ENOMEM;
	/* An engine's sample has no traffic to spread (TRACE_F_WINDOWS). */
	if (!r && s->cut.nstretch && (s->hdr.flags & TRACE_F_WINDOWS))
		r = -EPERM;
	if (!r)
		r = trace_prescan(s);
	for (i = 0; !r && i < s->hdr.nvms; i++) {
		size_t sz = s->hdr.vm_pages[i] * sizeof(struct trace_rec);

		if (!(s->rec[i] = malloc(sz)) ||
		    (s->cut.nstretch && !(s->full[i] = malloc(sz))))
			r = -ENOMEM;
	}
	if (r) {
		tracesrc_free(s);
		return r;
	}
	*out = s;
	return 0;
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/*
 * Whether 4 KiB page *@page is in the cut (--trace-pages), renumbered from
 * 0 if so: applied as records are converted, so that a block wider than
 * the cut never fills more than the cut's pages.
 */
static int in_cut_pages(const struct source *s, uint32_t *page)
{
	if (!s->cut.page_count)
		return 1;
	if (*page < s->cut.page_first || *page - s->cut.page_first >= s->cut.page_count)
		return 0;
	*page -= s->cut.page_first;
	return 1;
}

/*
 * Records of the file's pages as 4 KiB page records, ascending; @flags
 * are the header flags of the file they come from (the main trace's or the
 * touch trace's, which share their pages and cut).
 */
static uint32_t convert(const struct source *s, uint32_t flags, const struct trace_rec *in,
			uint32_t n, struct trace_rec *out)
{
	uint32_t k, j, m = 0;

	for (k = 0; k < n; k++) {
		struct trace_rec r = in[k];

		if (flags & TRACE_F_PRESENCE) {
			r.reads = r.reads ? s->presence_lines : 0;
			r.writes = r.writes ? s->presence_lines : 0;
		}
		/* A touch trace's slots, not when the first was. */
		if (flags & TRACE_F_TOUCH_TIMES)
			r.writes = TRACE_TOUCH_SLOTS(r.writes);
		if (s->shift < 12) {
			/* Several file pages in one 4 KiB page: summed. */
			r.page >>= 12 - s->shift;
			if (!in_cut_pages(s, &r.page))
				continue;
			if (m && out[m - 1].page == r.page) {
				out[m - 1].reads = sat_add(out[m - 1].reads, r.reads);
				out[m - 1].writes = sat_add(out[m - 1].writes, r.writes);
			} else {
				out[m++] = r;
			}
			continue;
		}
		/* A file page of 2^e 4 KiB pages: counts spread evenly. */
		for (j = 0; j < 1u << (s->shift - 12); j++) {
			uint32_t e = s->shift - 12, mask = (1u << e) - 1;
			struct trace_rec o = {
				.page = (r.page << e) + j,
				.reads = (r.reads >> e) + (j < (r.reads & mask)),
				.writes = (r.writes >> e) + (j < (r.writes & mask)),
			};

			if ((o.reads || o.writes) && in_cut_pages(s, &o.page))
				out[m++] = o;
		}
	}
	return m;
}

static int fetch(struct source *s)
{
	int r;

	if (s->has_pend || s->ended)
		return 0;
	/* Outside the cut: skipped before it, the end after it. */
	do {
		r = trace_next_block(&s->cur, &s->pend, s->stage, s->stage_cap);
	} while (r == 1 && s->pend.interval < s->cut.ival_from);
	if (r < 0)
		return r;
	if (r == 1 && !in_cut(s, s->pend.interval))
		r = 0;
	s->ended = !r;
	s->has_pend = r;
	return 0;
}

/*
 * Part j of n of the records f: each page's counts spread evenly over the
 * parts, starting at a part of its own (a page touched once is in one
 * part, and not every such page in the same one). Returns the count.
 */
static uint32_t split(const struct trace_rec *f, uint32_t nf, uint64_t n,
		      uint64_t j, struct trace_rec *o)
{
	uint32_t k, m = 0;

	for (k = 0; k < nf; k++) {
		uint64_t off = (f[k].page * 2654435761ull) % n;
		uint64_t rd = (f[k].reads * (j + 1) + off) / n - (f[k].reads * j + off) / n;
		uint64_t wr = (f[k].writes * (j + 1) + off) / n - (f[k].writes * j + off) / n;

		if (!rd && !wr)
			continue;
		o[m].page = f[k].page;
		o[m].reads = (uint32_t)rd;
		o[m++].writes = (uint32_t)wr;
	}
	return m;
}

/*
 * Part j of n of touch records with times (SIM_TOUCH_AT): a page's first
 * slot in the part its time falls in, at its place there; its other slots,
 * which came after it, spread evenly over that part and the later ones,
 * their times not known; touches as split() spreads them.
 */
static uint32_t split_touch(const struct trace_rec *f, uint32_t nf, uint64_t n,
			    uint64_t j, struct trace_rec *o)
{
	uint32_t k, m = 0, at, sl, w;
	uint64_t off, p0, np, i;
	double pos;

	for (k = 0; k < nf; k++) {
		at = SIM_TOUCH_AT(f[k].writes);
		sl = TRACE_TOUCH_SLOTS(f[k].writes);
		off = (f[k].page * 2654435761ull) % n;
		pos = at ? (double)(at - 1) / SIM_TOUCH_UNIT * (double)n : 0;
		p0 = at && (uint64_t)pos < n ? (uint64_t)pos : at ? n - 1 : 0;
		np = n - p0;
		if (!at) {
			w = (uint32_t)((sl * (j + 1) + off) / n - (sl * j + off) / n);
		} else if (j < p0) {
			w = 0;
		} else {
			i = j - p0;
			w = (uint32_t)(((sl - 1) * (i + 1) + off % np) / np -
				       ((sl - 1) * i + off % np) / np);
		}
		if (at && j == p0) {
			w++;
			pos -= (double)p0;
			at = 1 + (uint32_t)(pos < 1 ? pos * SIM_TOUCH_UNIT : SIM_TOUCH_UNIT - 1);
		} else {
			at = 0;
		}
		o[m].reads = (uint32_t)((f[k].reads * (j + 1) + off) / n -
					(f[k].reads * j + off) / n);
		if (!o[m].reads && !w)
			continue;
		o[m].page = f[k].page;
		o[m++].writes = w ? w | at << 16 : 0;
	}
	return m;
}

/* The touches handed out with @iv (the current ones, or a part of them). */
static void touch_out(struct source *s, struct ival *iv, int whole)
{
	struct touchsrc *t = s->touch;
	uint32_t vm;

	if (!t)
		return;
	iv->has_touch = 1;
	iv->touch_slots = t->slots;
	iv->touch_times = t->times;
	for (vm = 0; vm < s->hdr.nvms; vm++) {
		if (!whole)
			t->n[vm] = (t->times ? split_touch : split)(t->full[vm], t->nfull[vm],
								   s->parts, s->part, t->rec[vm]);
		iv->touch[vm] = t->rec[vm];
		iv->ntouch[vm] = t->n[vm];
	}
}

/* Part s->part of a stretched interval, touches too. */
static void stretch_part(struct source *s, struct ival *iv)
{
	uint32_t vm;

	for (vm = 0; vm < s->hdr.nvms; vm++)
		iv->n[vm] = split(s->full[vm], s->nfull[vm], s->parts, s->part,
				  s->rec[vm]);
	touch_out(s, iv, 0);
	iv->tindex = s->part_tindex;
	iv->parts = s->parts;
	s->part++;
}

/* A stretched interval's records (and touches), kept whole; its first part out. */
static void stretch_begin(struct source *s, struct ival *iv, uint32_t parts)
{
	struct touchsrc *t = s->touch;
	uint32_t vm;

	for (vm = 0; vm < s->hdr.nvms; vm++) {
		memcpy(s->full[vm], s->rec[vm], iv->n[vm] * sizeof(struct trace_rec));
		s->nfull[vm] = iv->n[vm];
		if (t) {
			memcpy(t->full[vm], t->rec[vm], t->n[vm] * sizeof(struct trace_rec));
			t->nfull[vm] = t->n[vm];
		}
	}
	s->parts = parts;
	s->part = 0;
	s->part_tindex = iv->tindex;
	stretch_part(s, iv);
}

/*
 * A touch trace's first slots (TRACE_F_TOUCH_TIMES) as places in the
 * interval (SIM_TOUCH_AT), each at its slot's middle.
 */
static void touch_times(const struct touchsrc *t, struct trace_rec *r, uint32_t n)
{
	uint32_t k, first, sl, at;

	for (k = 0; t->times && k < n; k++) {
		first = TRACE_TOUCH_FIRST(r[k].writes);
		sl = TRACE_TOUCH_SLOTS(r[k].writes);
		first = first < t->nslot ? first : t->nslot - 1;
		at = 1 + (uint32_t)((first + 0.5) / t->nslot * SIM_TOUCH_UNIT);
		r[k].writes = sl ? sl | at << 16 : 0;
	}
}

/* No touches (a step that stands for a run of empty intervals). */
static void touch_clear(struct source *s)
{
	uint32_t vm;

	for (vm = 0; s->touch && vm < s->hdr.nvms; vm++)
		s->touch->n[vm] = 0;
}

/* The touch trace's blocks of trace interval @e; earlier ones are passed over. */
static int touch_take(struct source *s, uint64_t e)
{
	struct touchsrc *t = s->touch;
	int r;

	if (!t)
		return 0;
	touch_clear(s);
	for (;;) {
		if (!t->has_pend && !t->ended) {
			r = trace_next_block(&t->cur, &t->pend, t->stage, s->stage_cap);
			if (r < 0)
				return r;
			t->has_pend = r;
			t->ended = !r;
		}
		if (!t->has_pend || t->pend.interval > e)
			return 0;
		if (t->pend.interval == e) {
			/* Its slots kept whole: touch_times() reads the first. */
			t->n[t->pend.vm] = convert(s, t->cur.hdr.flags & ~TRACE_F_TOUCH_TIMES,
						   t->stage, t->pend.nrec, t->rec[t->pend.vm]);
			touch_times(t, t->rec[t->pend.vm], t->n[t->pend.vm]);
		}
		t->has_pend = 0;
	}
}

/*
 * The next interval: every block of the next trace interval (or a part of
 * it, stretched), or, when the trace skips intervals, one empty interval
 * for the whole stretch; with the touches of the same interval.
 */
int tracesrc_next(struct source *s, struct ival *iv)
{
	uint32_t parts;
	int r;

	if (s->part < s->parts) {
		stretch_part(s, iv);
		return 1;
	}
	r = fetch(s);
	if (r)
		return r;
	iv->tindex = (uint32_t)(s->expect - s->cut.ival_from);
	if (!s->has_pend || s->pend.interval > s->expect) {
		touch_clear(s);
		touch_out(s, iv, 1);
		if (!s->has_pend)
			return 1;
		/* Each empty interval of an engine trace was a sampling step. */
		if (s->hdr.flags & TRACE_F_WINDOWS)
			s->expect++;
		else
			s->expect = s->pend.interval;
		return 1;
	}
	while (s->has_pend && s->pend.interval == s->expect) {
		iv->n[s->pend.vm] = convert(s, s->hdr.flags, s->stage, s->pend.nrec,
					    s->rec[s->pend.vm]);
		s->has_pend = 0;
		r = fetch(s);
		if (r)
			return r;
	}
	r = touch_take(s, s->expect);
	if (r)
		return r;
	touch_out(s, iv, 1);
	parts = stretch_parts(s, s->expect);
	s->expect++;
	if (parts > 1)
		stretch_begin(s, iv, parts);
	return 1;
}
