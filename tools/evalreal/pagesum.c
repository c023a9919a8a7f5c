// SPDX-License-Identifier: GPL-2.0
/*
 * pagesum TRACE PAGES FROM TO: the fills and write-backs (trace records'
 * reads and writes) a trace holds for the pages listed in PAGES ("FIRST
 * COUNT" runs of trace pages, one per line) in intervals FROM..TO-1,
 * printed as "FILLS WRITEBACKS". make eval-real's analysis takes the
 * guest's share of the NVDIMM traffic of the Linux-tiering run with it
 * (tools/evalreal/analyse.sh).
 * pagesum --steps TRACE STEPS FROM TO: the same over the frames a
 * timeline (tools/evalreal/steps.h) lists, block by block: a page's
 * traffic in a block counts when the list begun before the block or the
 * one begun after it holds it (steps_weigh()). Prints "FILLS WRITEBACKS
 * BOTH_FILLS BOTH_WRITEBACKS": that count, then the traffic of the frames
 * both lists hold (held throughout the block: a lower bound).
 * A touch trace with times (TRACE_F_TOUCH_TIMES, the meter's touch=) adds,
 * without --steps, "BLOCKS DESCENTS SPREAD WIDEST": the blocks holding
 * listed pages, the times a listed page's first slot came before the
 * previous listed page's in the same block (a pass over the pages in
 * order makes one at most a block, where it began before the block), the
 * blocks whose listed pages' first slots are not all the same, and the
 * most slots between the listed pages' first and last first slot in one
 * block (the meter_calib test's check of the times).
 * Exit 0, 2 on bad arguments, 1 on a bad file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/trace.h"
#include "tools/evalreal/steps.h"

/* A touch trace's first slots over the listed pages (the header comment). */
struct times_sum {
	uint64_t blocks, descents, spread, widest;
};

static void times_add(const uint8_t *held, const struct trace_rec *recs, uint32_t n,
		      struct times_sum *ts)
{
	uint32_t k, prev = 0, at, seen = 0, varies = 0, lo = UINT32_MAX, hi = 0;

	for (k = 0; k < n; k++) {
		if (!steps_held(held, recs[k].page) || !TRACE_TOUCH_SLOTS(recs[k].writes))
			continue;
		at = TRACE_TOUCH_FIRST(recs[k].writes);
		ts->descents += seen && at < prev;
		varies |= seen && at != prev;
		lo = at < lo ? at : lo;
		hi = at > hi ? at : hi;
		prev = at;
		seen = 1;
	}
	ts->blocks += seen;
	ts->spread += varies;
	if (seen && hi - lo > ts->widest)
		ts->widest = hi - lo;
}

/*
 * The traffic of @path's pages in blocks FROM..TO-1: a timeline with
 * @steps, else "FIRST COUNT" runs, one list held throughout.
 */
static int pagesum(const uint8_t *buf, size_t len, const char *path, int steps,
		   uint32_t from, uint32_t to, struct steps_sum *t, struct times_sum *ts,
		   int *times)
{
	struct page_steps s = { 0 };
	struct trace_cursor c;
	struct trace_block b;
	struct trace_rec *recs = NULL;
	uint32_t max = 0, v;
	int r;

	r = trace_open_mem(&c, buf, len);
	*times = !r && !steps && (c.hdr.flags & TRACE_F_TOUCH_TIMES);
	if (!r && steps && c.hdr.nvms != 1)
		r = -EINVAL;
	for (v = 0; !r && v < c.hdr.nvms; v++)
		max = c.hdr.vm_pages[v] > max ? c.hdr.vm_pages[v] : max;
	if (!r)
		r = steps ? steps_load(&s, path, max) : steps_load_runs(&s, path, max);
	recs = r ? NULL : calloc(max ? max : 1, sizeof(*recs));
	if (!r && !recs)
		r = -ENOMEM;
	while (!r && (r = trace_next_block(&c, &b, recs, max)) == 1) {
		r = 0;
		if (b.interval < from || b.interval >= to)
			continue;
		/* A touch trace's slots, without when the first was. */
		if (*times)
			times_add(s.held[0], recs, b.nrec, ts);
		for (v = 0; (c.hdr.flags & TRACE_F_TOUCH_TIMES) && v < b.nrec; v++)
			recs[v].writes = TRACE_TOUCH_SLOTS(recs[v].writes);
		r = steps_weigh(&s, b.interval, recs, b.nrec, t);
	}
	free(recs);
	steps_free(&s);
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	unsigned long from, to;
	struct steps_sum t = { 0 };
	struct times_sum ts = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	char *e1, *e2;
	int r, steps = 0, times = 0;

	if (argc == 6 && !strcmp(argv[1], "--steps")) {
		steps = 1;
		argc--;
		argv++;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: pagesum [--steps] TRACE PAGES|STEPS FROM TO\n");
		return 2;
	}
	from = strtoul(argv[3], &e1, 10);
	to = strtoul(argv[4], &e2, 10);
	if (*e1 || *e2 || !*argv[3] || !*argv[4] || from > to || to > UINT32_MAX) {
		fprintf(stderr, "pagesum: FROM %s TO %s: not an interval range\n", argv[3], argv[4]);
		return 2;
	}
	r = trace_file_read(argv[1], &buf, &len);
	if (r) {
		fprintf(stderr, "pagesum: %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	r = pagesum(buf, len, argv[2], steps, (uint32_t)from, (uint32_t)to, &t, &ts, &times);
	free(buf);
	if (r) {
		fprintf(stderr, "pagesum: %s or %s: %s\n", argv[1], argv[2], strerror(-r));
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64, t.lines[0], t.lines[1]);
	if (steps)
		printf(" %" PRIu64 " %" PRIu64, t.both[0], t.both[1]);
	if (times)
		printf(" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, ts.blocks, ts.descents,
		       ts.spread, ts.widest);
	printf("\n");
	return 0;
}
