// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's placement at the start of a replay, as measured (hmmv sim
 * --nb-placement FILE, --hmmv-placement FILE): make eval-real reads where
 * Linux had each page of its guest at a workload's start, so that the
 * NUMA-balancing model predicts the workload from the state the kernel was
 * really in, not from its own replay of the workloads before (a guest
 * booted before the trace starts holds pages the trace never shows being
 * allocated), and where the engine had each chunk, for the hm-v model
 * (pol_hmmv.c reads a chunk's first page). One line per run of pages of a
 * one-VM trace:
 *
 *   FIRST COUNT 0|1
 *
 * pages FIRST..FIRST+COUNT-1 are allocated, in DRAM (0) or on the slow
 * tier (1); pages not named are not allocated yet. Blank lines and lines
 * starting with '#' are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct place_run {
	uint32_t first, count;
	int tier;
	uint32_t line;		/* in the file, for errors */
};

struct sim_placement {
	struct place_run *run;
	uint32_t n, cap;
};

void placement_free(struct sim_placement *pl)
{
	if (!pl)
		return;
	free(pl->run);
	free(pl);
}

/* One line: 0 parsed or blank, -EINVAL malformed, -ENOMEM. */
static int placement_line(void *arg, const char *buf, uint32_t line)
{
	struct sim_placement *pl = arg;
	unsigned long first, count, slow;
	char extra;

	if (sim_line_blank(buf))
		return 0;
	if (sscanf(buf, "%lu %lu %lu %c", &first, &count, &slow, &extra) != 3 ||
	    first > UINT32_MAX || !count || count > UINT32_MAX - first || slow > 1)
		return -EINVAL;
	if (sim_grow((void **)&pl->run, &pl->cap, pl->n, sizeof(*pl->run)))
		return -ENOMEM;
	pl->run[pl->n++] = (struct place_run){ (uint32_t)first, (uint32_t)count,
						slow ? SIM_NVM : SIM_DRAM, line };
	return 0;
}

/*
 * Reads a placement file. -errno of the open or the read, -EISDIR,
 * -EINVAL a malformed line (its number in *line), -ENOMEM.
 */
int placement_load(struct sim_placement **out, const char *path, uint32_t *line)
{
	struct sim_placement *pl = calloc(1, sizeof(*pl));
	int r;

	if (!pl)
		return -ENOMEM;
	r = sim_lines_read(path, placement_line, pl, line);
	if (r) {
		placement_free(pl);
		return r;
	}
	*out = pl;
	return 0;
}

/* -ERANGE (the line in *line) when a run ends past a VM of @pages pages. */
int placement_check(const struct sim_placement *pl, uint64_t pages, uint32_t *line)
{
	uint32_t i;

	for (i = 0; i < pl->n; i++)
		if ((uint64_t)pl->run[i].first + pl->run[i].count > pages) {
			*line = pl->run[i].line;
			return -ERANGE;
		}
	return 0;
}

/*
 * Calls @fn(@arg, page, tier) for every page the placement names, in file
 * order.
 */
void placement_each(const struct sim_placement *pl, void (*fn)(void *arg, uint32_t page, int tier),
		    void *arg)
{
	uint32_t i, k;

	for (i = 0; i < pl->n; i++)
		for (k = 0; k < pl->run[i].count; k++)
			fn(arg, pl->run[i].first + k, pl->run[i].tier);
}
