/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmmv capture: a real program's memory accesses, through a modelled LLC,
 * as an access trace (hmmv/trace.h).
 *
 * llc: a set-associative, write-back, write-allocate last-level cache with
 * LRU replacement over 64 B lines. What leaves it is what the memory tiers
 * see: a miss is one 64 B fill (read), a dirty eviction one write-back.
 *
 * pagemap: per interval, fills and write-backs per 4 KiB virtual page;
 * at the end the touched 2 MiB virtual regions are packed, in address
 * order, into one compact guest-physical space (offsets within a region
 * kept, as a guest backing its heap with huge pages would lay it out).
 */
#ifndef HMMV_TOOLS_CAPTURE_H
#define HMMV_TOOLS_CAPTURE_H

#include <stdint.h>
#include <stdio.h>

#include "hmmv/trace.h"

#define LLC_LINE_SHIFT	6

struct llc {
	uint32_t sets, ways;
	uint64_t *tag;		/* sets x ways, MRU first; line + 1, 0 = empty */
	uint8_t *dirty;		/* parallel to tag */
};

enum { LLC_HIT = 0, LLC_MISS = 1, LLC_WRITEBACK = 2 };

/* -EINVAL unless bytes is a whole number of sets of `ways` lines, -ENOMEM. */
int llc_init(struct llc *c, uint64_t bytes, uint32_t ways);
void llc_free(struct llc *c);
/*
 * One access to line (address >> 6). Returns LLC_HIT, or LLC_MISS, or'ed
 * with LLC_WRITEBACK when a dirty line was evicted (its number in *victim).
 */
int llc_access(struct llc *c, uint64_t line, int write, uint64_t *victim);

struct pagemap;

int pagemap_create(struct pagemap **out);
void pagemap_destroy(struct pagemap *m);
/* Counts one fill (write = 0) or write-back (write = 1) of a virtual page. */
int pagemap_count(struct pagemap *m, uint64_t vpage, int write);
/* Counts one access to a virtual page, a cache hit or not (a touch). */
int pagemap_touch(struct pagemap *m, uint64_t vpage);
/* Closes the current interval (an empty one is kept). */
int pagemap_end_interval(struct pagemap *m);
uint32_t pagemap_intervals(const struct pagemap *m);
/* Transfers recorded in all closed intervals. */
uint64_t pagemap_transfers(const struct pagemap *m);
/*
 * Writes the trace: one VM, the packed layout (the regions with a
 * transfer), counts multiplied by scale (rounded, at least 1 where the raw
 * count is not 0); paced: the closed intervals re-cut into as many of
 * equal transfers, a closed interval's counts shared among those it
 * overlaps. touch, if not NULL: the touches of the same pages and
 * intervals as a second trace (reads = touches; hmmv sim --touch-trace).
 * -EINVAL, -EIO, -ENOMEM.
 */
int pagemap_write(struct pagemap *m, FILE *f, FILE *touch, uint64_t interval_ns,
		  double scale, int paced);

#endif

/* The lackey log consumer: LLC filter, interval clock, page counts. */
struct capture {
	struct llc llc;
	struct pagemap *map;
	uint64_t interval;	/* data accesses per interval */
	uint64_t skip;		/* data accesses before recording starts */
	uint64_t max;		/* recorded data accesses, then stop */
	uint64_t seen;		/* data accesses so far (skipped included) */
	uint64_t fetches;	/* instruction fetches so far */
	char part[128];		/* a line split across two buffers */
	size_t npart;
	int done;		/* max reached */
};

/*
 * Feeds lackey output ("I  addr,size", " L|S|M addr,size"; other lines,
 * such as valgrind's "==pid==" messages, are ignored). Returns 0 or -errno;
 * sets c->done once max data accesses were recorded.
 */
int capture_feed(struct capture *c, const char *buf, size_t len);
/* Recorded data accesses so far. */
uint64_t capture_recorded(const struct capture *c);
