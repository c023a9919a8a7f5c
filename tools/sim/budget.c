// SPDX-License-Identifier: GPL-2.0
/*
 * The DRAM the kernel left a VM over time, as measured (hmmv sim --nb-dram
 * FILE): on a host whose other processes allocate and free on the DRAM
 * node, the share of it the VM can hold moves, and when it falls kswapd
 * demotes the VM's pages to make room, whatever NUMA balancing would have
 * done. make eval-real takes it from the Linux run's lists of the guest's
 * RAM frames. One line per change, in time order:
 *
 *   INTERVAL MIB
 *
 * from trace interval INTERVAL on (counted as --measure counts) the VM may
 * hold MIB of DRAM; before the first line, --dram-mb. Blank lines and lines
 * starting with '#' are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/sim/sim.h"

struct sim_budget_step {
	uint32_t at;
	uint64_t pages;
};

struct sim_budget {
	struct sim_budget_step *step;
	uint32_t n, cap;
};

void budget_free(struct sim_budget *b)
{
	if (!b)
		return;
	free(b->step);
	free(b);
}

/* One line: 0 parsed or blank, -EINVAL malformed, -EDOM out of order. */
static int budget_line(void *arg, const char *buf, uint32_t line)
{
	struct sim_budget *b = arg;
	unsigned long long at;
	double mib;
	char extra;

	if (sim_line_blank(buf))
		return 0;
	if (sscanf(buf, "%llu %lf %c", &at, &mib, &extra) != 2 || at > UINT32_MAX ||
	    !(mib >= 0 && mib < 0x1p40))
		return -EINVAL;
	if (b->n && at < b->step[b->n - 1].at)
		return -EDOM;
	if (sim_grow((void **)&b->step, &b->cap, b->n, sizeof(*b->step)))
		return -ENOMEM;
	b->step[b->n++] = (struct sim_budget_step){ (uint32_t)at, (uint64_t)(mib * 256) };
	return 0;
}

/*
 * Reads a budget file. -errno of the open or the read, -EISDIR, -EINVAL a
 * malformed line, -EDOM a line earlier than the one before (its number in
 * *line), -ENOMEM.
 */
int budget_load(struct sim_budget **out, const char *path, uint32_t *line)
{
	struct sim_budget *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	r = sim_lines_read(path, budget_line, b, line);
	if (r) {
		budget_free(b);
		return r;
	}
	*out = b;
	return 0;
}

/* The DRAM pages of interval @now: the last step at or before it, else @dflt. */
uint64_t budget_at(const struct sim_budget *b, uint32_t now, uint64_t dflt)
{
	uint32_t lo = 0, hi = b->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->step[mid].at <= now)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? b->step[lo - 1].pages : dflt;
}
