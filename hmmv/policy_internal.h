/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy core's state, shared by its chunk half (policy.c, which also
 * creates and frees the page state) and its page half (policy_pages.c,
 * which calls into policy.c, never the other way). Nothing outside
 * hmmv/policy*.c includes it.
 */
#ifndef HMMV_POLICY_INTERNAL_H
#define HMMV_POLICY_INTERNAL_H

#include <stdint.h>

#include "hmmv/policy.h"

#define NIL UINT32_MAX
#define MAX_ELAPSED 64		/* EWMA steps applied at most per sample */
#define SETTLED_AFTER 3		/* decisions that could promote nothing */

struct chunk_state {
	uint32_t temp;
	uint32_t last_sample;	/* interval of the previous sample */
	uint32_t last_move;	/* interval of the last completed move */
	uint32_t hits;		/* this interval's observation */
	uint32_t nsamples;	/* samples taken: the block rotation */
	uint8_t level;
	uint8_t tier;
	uint8_t sampled;	/* sampled this interval */
	uint8_t inflight;	/* a move is out; target is !tier */
	uint8_t urgent;		/* sample next interval first (unit_verify()) */
};

#define PG_DRAM		1u	/* the unit is in DRAM */
#define PG_INFLIGHT	2u	/* a move is out; target is the other tier */
#define PG_MOVED	4u	/* moved at interval moved[] (mod 256) */
#define PG_CAND		8u	/* listed in cand[] */
#define PG_RETRY	16u	/* refused on stale heat: listed again next interval */
#define PG_UNSEEN	32u	/* in DRAM, seen in no window at its latest look */

/* Page mode: the state of every unit of page_unit pages (policy_pages.c). */
struct policy_pages {
	uint16_t *temp;		/* POLICY_PAGE_TEMP_ONE per window touched */
	uint8_t *flags;		/* PG_* */
	uint8_t *moved;		/* interval of the last move, mod 256 */
	uint32_t *cand;		/* slow units observed warm this interval (and retries) */
	uint32_t ncand, maxcand;
	uint32_t *sorted;	/* scratch: candidates, hottest first */
	uint32_t *vict;		/* scratch: victims, coldest first */
	uint32_t *stale;	/* scratch, per chunk: units whose heat unit_verify() doubts */
	uint32_t *dense;	/* scratch, per chunk: pages seen (policy_early_order()) */
	uint32_t *slot;		/* scratch, per count of pages seen (0..sample_pages) */
	uint32_t hist[POLICY_PAGE_TEMP_MAX + 1];	/* every unit by temp */
	uint32_t dhist[POLICY_PAGE_TEMP_MAX + 1];	/* DRAM units by temp */
	uint32_t nunits;
	uint32_t dram;		/* units in DRAM */
	uint32_t promoting;	/* promotions out */
	uint32_t demoting;	/* demotions out */
	uint32_t quota;		/* DRAM quota in units */
	uint32_t early;		/* units promoted early this interval */
	uint32_t settled;	/* decisions in a row that could promote nothing */
	uint32_t surge;		/* the last decision promoted beyond the headroom */
};

struct policy {
	struct policy_params par;
	uint32_t nchunks;
	uint32_t quota;
	uint32_t now;		/* current interval, starts at 1 */
	uint32_t maxb;		/* hottest bucket seen at the last decide */
	uint32_t cursor;	/* where the next sample_set scan starts */
	uint32_t stride;	/* the round robin's step between chunks */
	uint32_t faults;	/* the last interval's refaults (policy_note_faults) */
	uint32_t fpc;		/* faults per sampled chunk, EWMA, x16 */
	uint32_t last_sampled;	/* chunks sampled last interval */
	struct chunk_state *c;
	uint16_t *blk;		/* per chunk and block: its last hits */
	uint32_t nblocks;	/* blocks per chunk */
	uint32_t *next;		/* bucket lists, scratch for decide() */
	uint32_t *promo;	/* scratch: promotions of one batch */
	struct policy_pages *pg;	/* page mode only */
	struct policy_stats st;
};

/* policy.c: one EWMA step of weight 2^-shift towards score (chunks and units). */
uint32_t policy_ewma_step(uint32_t temp, uint32_t score, uint32_t shift);
/*
 * policy.c: intervals since chunk's previous sample, 1 to MAX_ELAPSED: the
 * EWMA steps its sample stands for (its temperature's and its units').
 */
uint32_t policy_elapsed(const struct policy *p, uint32_t chunk);
/* policy.c: chunk temperatures and levels from this interval's samples. */
void policy_update_chunks(struct policy *p);

#endif
