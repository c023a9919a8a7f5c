/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make eval-real's frame timelines: the page frames a process held, listed
 * again and again while a trace of their traffic ran (guest_pages --steps,
 * tests/system/guest_pages.c), so that a frame's traffic counts only while
 * the process held it. The file: entries "@ BLOCK", each followed by the
 * frames that joined ("+ FIRST COUNT") and left ("- FIRST COUNT") since
 * the entry before; BLOCK is the first trace block after the listing
 * began, non-decreasing from entry to entry.
 */
#ifndef HMMV_EVALREAL_STEPS_H
#define HMMV_EVALREAL_STEPS_H

#include <stdint.h>

#include "hmmv/trace.h"

struct page_steps {
	uint64_t pages;		/* frames per list */
	uint32_t n;		/* lists */
	uint32_t *at;		/* list i was taken before block at[i] */
	uint8_t **held;		/* list i, one bit a frame */
};

/*
 * Reads @path's lists of frames 0..@pages-1 into @s: 0, -errno when it
 * cannot be read, -EINVAL when a line is malformed, out of range, out of
 * order, or joins a frame held already or leaves one not held.
 */
int steps_load(struct page_steps *s, const char *path, uint64_t pages);
/*
 * One list, held throughout: the "FIRST COUNT" runs of @path
 * (tools/evalreal/runs.h). The same errors.
 */
int steps_load_runs(struct page_steps *s, const char *path, uint64_t pages);
void steps_free(struct page_steps *s);

/*
 * The lists around trace block @block: the last begun before it began
 * (*before) and the first begun after it ended (*after), NULL where there
 * is none; -ENOENT when there are no lists at all.
 */
int steps_around(const struct page_steps *s, uint32_t block,
		 const uint8_t **before, const uint8_t **after);

/* Lines of traffic (fills, write-backs): counted, and of the frames held throughout. */
struct steps_sum {
	uint64_t lines[2], both[2];
};

/*
 * Adds trace block @block's @n records to @t, by the lists around it
 * (steps_around()): a frame's traffic counts when either list holds it (a
 * frame that joined or left within the block was the process's for part
 * of it: a frame that joins comes free from the allocator, with no traffic
 * before, and one that leaves may be handed on within the block), and
 * into both[] when both do (the frames held throughout, a lower bound).
 * -ENOENT without lists, -EINVAL for a page past the lists'.
 */
int steps_weigh(const struct page_steps *s, uint32_t block, const struct trace_rec *recs,
		uint32_t n, struct steps_sum *t);

/* Whether @page is in list @held. */
static inline int steps_held(const uint8_t *held, uint64_t page)
{
	return held[page / 8] >> (page % 8) & 1;
}

#endif
