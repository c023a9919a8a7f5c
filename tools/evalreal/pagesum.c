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
 * Exit 0, 2 on bad arguments, 1 on a bad file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/trace.h"
#include "tools/evalreal/steps.h"

/*
 * The traffic of @path's pages in blocks FROM..TO-1: a timeline with
 * @steps, else "FIRST COUNT" runs, one list held throughout.
 */
static int pagesum(const uint8_t *buf, size_t len, const char *path, int steps,
		   uint32_t from, uint32_t to, struct steps_sum *t)
{
	struct page_steps s = { 0 };
	struct trace_cursor c;
	struct trace_block b;
	struct trace_rec *recs = NULL;
	uint32_t max = 0, v;
	int r;

	r = trace_open_mem(&c, buf, len);
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
	uint8_t *buf = NULL;
	size_t len = 0;
	char *e1, *e2;
	int r, steps = 0;

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
	r = pagesum(buf, len, argv[2], steps, (uint32_t)from, (uint32_t)to, &t);
	free(buf);
	if (r) {
		fprintf(stderr, "pagesum: %s or %s: %s\n", argv[1], argv[2], strerror(-r));
		return 1;
	}
	printf("%" PRIu64 " %" PRIu64, t.lines[0], t.lines[1]);
	if (steps)
		printf(" %" PRIu64 " %" PRIu64, t.both[0], t.both[1]);
	printf("\n");
	return 0;
}
