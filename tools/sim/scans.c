// SPDX-License-Identifier: GPL-2.0
/*
 * When NUMA balancing's scanner ran over a VM, and over which of its pages,
 * as measured (hmmv sim --nb-scans FILE): the kernel queues a task's scan
 * once the task has run its scan period of CPU time, and its cursor walks
 * every mapping of the process, so when a scan comes and what it covers
 * depend on the test host's scheduling and on mappings the trace does not
 * show. make eval-real takes both from the Linux run (kprobes on
 * change_prot_numa(), tests/system/scan_watch.c); the NUMA-balancing model
 * then decides which of those pages are armed (slow tier, not armed
 * already), which faults promote and what kswapd demotes. One line per
 * scanned range of a one-VM trace's pages, in time order:
 *
 *   INTERVAL FIRST COUNT
 *
 * by the end of trace interval INTERVAL (counted as --measure counts) the
 * scanner made pages FIRST..FIRST+COUNT-1 PROT_NONE. Blank lines and lines
 * starting with '#' are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct sim_scan {
	uint32_t at, first, count;
	uint32_t line;		/* in the file, for errors */
};

struct sim_scans {
	struct sim_scan *scan;
	uint32_t n, cap;
};

void scans_free(struct sim_scans *sc)
{
	if (!sc)
		return;
	free(sc->scan);
	free(sc);
}

/* One line: 0 parsed or blank, -EINVAL malformed, -EDOM out of order. */
static int scans_line(void *arg, const char *buf, uint32_t line)
{
	struct sim_scans *sc = arg;
	unsigned long long at, first, count;
	char extra;

	if (sim_line_blank(buf))
		return 0;
	if (sscanf(buf, "%llu %llu %llu %c", &at, &first, &count, &extra) != 3 ||
	    at > UINT32_MAX || first > UINT32_MAX || !count || count > UINT32_MAX - first)
		return -EINVAL;
	if (sc->n && at < sc->scan[sc->n - 1].at)
		return -EDOM;
	if (sim_grow((void **)&sc->scan, &sc->cap, sc->n, sizeof(*sc->scan)))
		return -ENOMEM;
	sc->scan[sc->n++] = (struct sim_scan){ (uint32_t)at, (uint32_t)first, (uint32_t)count, line };
	return 0;
}

/*
 * Reads a scans file. -errno of the open or the read, -EISDIR, -EINVAL a
 * malformed line, -EDOM a line earlier than the one before (its number
 * in *line), -ENOMEM.
 */
int scans_load(struct sim_scans **out, const char *path, uint32_t *line)
{
	struct sim_scans *sc = calloc(1, sizeof(*sc));
	int r;

	if (!sc)
		return -ENOMEM;
	r = sim_lines_read(path, scans_line, sc, line);
	if (r) {
		scans_free(sc);
		return r;
	}
	*out = sc;
	return 0;
}

/* -ERANGE (the line in *line) when a range ends past a VM of @pages pages. */
int scans_check(const struct sim_scans *sc, uint64_t pages, uint32_t *line)
{
	uint32_t i;

	for (i = 0; i < sc->n; i++)
		if ((uint64_t)sc->scan[i].first + sc->scan[i].count > pages) {
			*line = sc->scan[i].line;
			return -ERANGE;
		}
	return 0;
}

/*
 * 1 and the pages of scan *@next in *@first and *@count when it is due by
 * the end of interval @now (*@next moves past it); 0 when none is due.
 */
int scans_next(const struct sim_scans *sc, uint32_t *next, uint32_t now,
	       uint32_t *first, uint32_t *count)
{
	if (*next >= sc->n || sc->scan[*next].at > now)
		return 0;
	*first = sc->scan[*next].first;
	*count = sc->scan[(*next)++].count;
	return 1;
}
