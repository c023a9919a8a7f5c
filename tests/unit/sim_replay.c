// SPDX-License-Identifier: GPL-2.0
/*
 * An engine trace (TRACE_F_WINDOWS, hmmv/engine.h) as the simulator reads
 * it: every interval the engine ran is one step, empty ones included (a
 * presence trace folds a run of empty intervals into one), and the window
 * counts reach the policy as they are (no presence scaling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

static int write_trace(const char *path, uint32_t flags)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .flags = flags, .page_shift = 12, .nvms = 1,
		.interval_ns = 100000000ULL, .vm_pages = { 1024 },
	};
	struct trace_rec a = { .page = 5, .reads = 3 }, b = { .page = 700, .reads = 2 };
	FILE *f = fopen(path, "wb");
	int r;

	if (!f)
		return -1;
	r = trace_write_header(f, &h);
	r = r ? r : trace_write_block(f, &h, 0, 0, &a, 1);
	r = r ? r : trace_write_block(f, &h, 3, 0, &b, 1);
	r = r ? r : trace_write_end(f);
	return fclose(f) || r ? -1 : 0;
}

/* Steps through the trace: how many intervals, and the reads seen. */
static int steps(const char *path, uint32_t *reads)
{
	struct source *src;
	struct ival iv;
	int n = 0, r;

	*reads = 0;
	if (source_open_trace(&src, path, 64) < 0)
		return -1;
	while ((r = source_next(src, &iv)) == 1) {
		n++;
		if (iv.n[0])
			*reads += iv.rec[0][0].reads;
	}
	source_close(src);
	return r < 0 ? -1 : n;
}

int main(void)
{
	char path[] = "/tmp/sim_replay.XXXXXX";
	uint32_t reads;
	int fd = mkstemp(path), n;

	tap_plan(4);
	if (fd >= 0)
		close(fd);
	tap_ok(fd >= 0 && write_trace(path, TRACE_F_WINDOWS) == 0, "an engine trace: intervals 0 and 3");
	n = steps(path, &reads);
	tap_ok(n == 4 && reads == 5, "replayed as 4 steps, window counts as they are (%d steps, %u reads)",
	       n, reads);
	tap_ok(write_trace(path, TRACE_F_PRESENCE) == 0, "the same as a presence trace");
	n = steps(path, &reads);
	tap_ok(n == 3 && reads == 128, "folded to 3 steps, presence scaled (%d steps, %u reads)", n, reads);
	unlink(path);
	return tap_done(1);
}
