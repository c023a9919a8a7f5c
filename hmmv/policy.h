/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMM-V policy core: decides, per VM, which chunks live in DRAM.
 *
 * Pure C: no KVM, no threads, no clock. The VMM's engine and the trace
 * simulator drive it the same way, once per interval:
 *
 *   n = policy_sample_set(p, list, max);   start of interval t: chunks to
 *                                          sample (zap a strided page subset,
 *                                          see policy_sample_pages())
 *   ... clear dirty log of all chunks, let the guest run for the sample
 *       window, harvest the dirty log ...
 *   policy_observe(p, chunk, touched, written)  for every sampled chunk and
 *                                          every chunk with written pages
 *   policy_decide(p, moves, max, &n)       end of interval: moves out
 *   policy_move_done(p, chunk, ok)         for each move once it completed
 *
 * Observations are 4 KiB page counts from the dirty log: for a sampled chunk
 * "touched" counts dirty pages among the zapped subset (every touched page
 * refaults and is logged), "written" counts dirty pages outside it (only
 * writes are logged there); for a chunk not sampled, "touched" must be 0 and
 * "written" counts its dirty pages.
 *
 * Temperature: an exponentially decayed estimate of the chunk's touched
 * 4 KiB pages per sample window, fixed point (POLICY_TEMP_ONE = 1 page).
 * Multi-level queue: a chunk at level L is sampled every 2^L intervals;
 * after a sample its level is the number of temperature buckets between it
 * and the hottest chunk (so the hottest are sampled every interval, each
 * bucket colder half as often), an idle sample sinks it at least one
 * level, and writes that alone would make it one of the hottest lift an
 * unsampled chunk to level 0. Sampling cost follows the hot set, not the
 * VM size.
 * Hot set: chunks are bucketed by log2(temperature) and the hot set is
 * filled from the hottest bucket down to the DRAM quota (O(n), no sort).
 * Moves: promotions hottest first; with DRAM full a promotion must beat the
 * coldest DRAM chunk of a strictly colder bucket by hyst_pct percent plus
 * hyst_min sampled pages (hysteresis); chunks moved recently stay put for
 * min_residency intervals; at most max_moves moves per interval (rate
 * limit), returned as one batch, demotions first so that frames are free
 * for promotions.
 */
#ifndef HMMV_POLICY_H
#define HMMV_POLICY_H

#include <stdint.h>

#define POLICY_BUCKETS		20	/* log2 buckets of temperature */
#define POLICY_MAX_LEVELS	8
#define POLICY_TEMP_SHIFT	8
#define POLICY_TEMP_ONE		(1u << POLICY_TEMP_SHIFT)

enum policy_tier {
	POLICY_SLOW = 0,
	POLICY_DRAM = 1,
};

struct policy_params {
	uint32_t pages_per_chunk;	/* 4 KiB pages per chunk: 512 = 2 MiB */
	uint32_t sample_pages;		/* pages zapped per sampled chunk */
	uint32_t levels;		/* MLQ levels, 1..POLICY_MAX_LEVELS */
	uint32_t decay_shift;		/* EWMA weight 2^-decay_shift */
	uint32_t hyst_pct;		/* promotion beats victim by this % */
	uint32_t hyst_min;		/* ... plus this many sampled pages */
	uint32_t min_residency;		/* intervals before a chunk moves again */
	uint32_t max_moves;		/* moves per interval (rate limit) */
};

struct policy_move {
	uint32_t chunk;
	uint32_t to;			/* enum policy_tier */
};

struct policy_stats {
	uint64_t intervals;
	uint64_t sampled;		/* chunk samples taken */
	uint64_t promoted;
	uint64_t demoted;
	uint64_t refused_hyst;		/* promotions refused by hysteresis */
	uint64_t limited;		/* moves deferred by the rate limit */
};

struct policy;

/* Fills *p with the defaults documented in policy.c. */
void policy_params_default(struct policy_params *p);
/* -EINVAL on bad parameters or nchunks == 0, -ENOMEM. All chunks start SLOW. */
int policy_create(const struct policy_params *par, uint32_t nchunks,
		  struct policy **out);
void policy_destroy(struct policy *p);

/* Where a chunk is now (initial placement, or after an external move). */
int policy_set_tier(struct policy *p, uint32_t chunk, enum policy_tier t);
int policy_tier(const struct policy *p, uint32_t chunk);
/* DRAM quota in chunks (from the pool, or the VM's --dram). */
void policy_set_quota(struct policy *p, uint32_t dram_chunks);
uint32_t policy_quota(const struct policy *p);
uint32_t policy_dram_chunks(const struct policy *p);

/*
 * Starts the next interval; writes up to max chunk numbers due for sampling
 * and returns how many. Chunks beyond max wait for a later interval.
 */
uint32_t policy_sample_set(struct policy *p, uint32_t *chunks, uint32_t max);
/*
 * The zapped subset of a sampled chunk this interval: page indexes
 * phase, phase + stride, ... (stride = pages_per_chunk / sample_pages; the
 * phase rotates every interval so that every page gets its turn).
 */
void policy_sample_pages(const struct policy *p, uint32_t *stride,
			 uint32_t *phase);
/* -EINVAL: bad chunk, counts out of range, or touched on an unsampled chunk. */
int policy_observe(struct policy *p, uint32_t chunk, uint32_t touched,
		   uint32_t written);
/* Ends the interval: at most max moves into moves[], count in *n. */
int policy_decide(struct policy *p, struct policy_move *moves, uint32_t max,
		  uint32_t *n);
/* A move handed out by policy_decide() finished (ok) or was abandoned. */
int policy_move_done(struct policy *p, uint32_t chunk, int ok);

/* Bytes of guest memory per temperature bucket (the pool's input). */
void policy_histogram(const struct policy *p, uint64_t bytes[POLICY_BUCKETS]);
/* Bucket of a temperature: 0 for 0, else 1 + floor(log2(temp)), capped. */
uint32_t policy_bucket(uint32_t temp);
uint32_t policy_temp(const struct policy *p, uint32_t chunk);
uint32_t policy_level(const struct policy *p, uint32_t chunk);
void policy_get_stats(const struct policy *p, struct policy_stats *s);

#endif
