/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HMM-V policy core: decides, per VM, which chunks live in DRAM.
 *
 * Pure C: no KVM, no threads, no clock. The VMM's engine (hmmv/engine.h)
 * and the trace simulator (tools/sim/pol_hmmv.c) drive it the same way;
 * this is THE sampling model, and both implement exactly it
 * (docs/design.md, "The sampling model"):
 *
 *   n = policy_sample_set(p, list, max)   start of interval t: the chunks
 *                                         due (multi-level queue), at most
 *                                         max of them
 *   policy_sample_block(p, chunk, &first) for each: the block of
 *                                         sample_pages contiguous 4 KiB
 *                                         pages watched this interval
 *   for each of the `windows` windows of the interval (back to back from
 *   its start; window k lasts window_ms >> k * window_shift):
 *       at its start: clear the blocks' dirty bits and zap the blocks
 *                     (one call per run of adjacent blocks);
 *       at its end:   harvest the dirty log: a block page logged = touched
 *                     in this window (read or write);
 *   policy_observe(p, chunk, hits)        every sampled chunk, once: hits =
 *                                         sum over its block's pages of the
 *                                         windows in which the page was
 *                                         touched (0..windows*sample_pages)
 *   policy_decide(p, moves, max, &n)      after the last window: moves out
 *   policy_move_done(p, chunk, ok)        for each move once it completed
 *
 * Nothing outside the sampled blocks is zapped or write-protected: a chunk
 * the queue did not pick costs nothing. An idle policy (policy_idle():
 * all in DRAM within the quota) samples nothing at all. Moves are carried out between the
 * last window of an interval and the first of the next.
 *
 * Temperature: an exponentially decayed estimate of the chunk's page-
 * windows per interval, fixed point (POLICY_TEMP_ONE = one page touched in
 * one window). The estimate is the sum over the chunk's blocks of each
 * block's latest hits (blocks not yet watched counted at the mean of those
 * that were): hot pages sparse in a chunk sit in a few blocks, and one
 * block scaled to the chunk would swing between 0 and many times the
 * truth. A page touched once per interval is seen in about windows *
 * window_ms / interval_ms windows, a page touched all the time in every
 * window: access frequency, not presence (DAMON's nr_accesses), up to
 * the point where a page is touched in every window.
 * Multi-level queue: a chunk at level L is sampled every 2^L intervals,
 * at most max_samples chunks per interval (round robin among those due:
 * the zap calls, one per block and window, are bounded per interval; the
 * turn steps about 0.618 of the chunks at a time, so that an interval's
 * looks are spread over the VM);
 * after a sample its level is the number of temperature buckets between it
 * and the hottest chunk (so the hottest are sampled every interval, each
 * bucket colder half as often), and a sample leaving the estimate at 0
 * sinks it at least one level. Sampling cost follows the hot set, not
 * the VM size.
 * Hot set: chunks are bucketed by log2(temperature) and the hot set is
 * filled from the hottest bucket down to the DRAM quota (O(n), no sort).
 * Moves: promotions hottest first; with DRAM full a promotion must beat the
 * coldest DRAM chunk of the same or a colder bucket by hyst_pct percent
 * plus hyst_min page-windows (hysteresis); chunks moved recently stay put
 * for min_residency intervals; at most max_moves moves per interval (rate
 * limit), returned as one batch, demotions first so that frames are free
 * for promotions.
 *
 * Page mode (page_moves = 1; a slow tier that is a NUMA node, where the
 * kernel moves single 4 KiB pages with move_pages(2), no remap, no
 * pause): the same sampling, but the observation is per page
 * (policy_observe_pages()) and placement is per unit of page_unit aligned
 * pages (1: single pages). Each unit keeps a temperature: an EWMA (weight
 * 1/2 per interval; an observation stands for every interval since its
 * chunk's last, as a chunk's does) of the mean over its pages of the
 * windows they were touched in, POLICY_PAGE_TEMP_ONE per window. The hot
 * set is the hottest units down to the quota (a histogram over all units,
 * O(1) per update); a slow unit observed this interval in the hot set is
 * promoted into free DRAM, or in place of the coldest DRAM unit when it
 * beats it by hyst_pct percent plus page_hyst (a DRAM unit its latest look
 * saw in no window weighed at no heat); a unit promoted stays
 * min_residency intervals, but a demoted one seen hot again may come
 * back at once; at most max_page_moves pages moved per interval
 * (policy_decide_pages()). Chunks keep their temperatures
 * and levels: they still decide what is sampled, and what the pool sees.
 * Early promotion (page_headroom_pct > 0): at the first window's harvest a
 * slow unit seen in it goes to free DRAM at once
 * (policy_promote_early()), before the decision and whatever its
 * temperature (the decision needs it to beat the coldest DRAM unit's); to keep room for
 * that, each decision also demotes DRAM units gone lukewarm (below half a
 * window) until page_headroom_pct percent of the quota is free,
 * as Linux's kswapd demotes cold pages to keep a free watermark for
 * promotions. Settled (settled_every > 1): when for three decisions in a
 * row DRAM was full and no slow unit could beat the coldest DRAM unit by
 * the margin, nothing can improve placement; sampling then takes
 * 1/settled_every of the chunks each interval, in turn, until a decision
 * could promote again: the guest is spared most tracking faults, and a
 * change anywhere is still seen within an interval or two.
 * Tracking budget (track_faults > 0): each zapped block page the guest
 * touches before its next zap (or before the next interval starts) costs
 * it one refault, in a window or between windows alike (the caller counts
 * them: policy_note_faults()); when the faults per sampled chunk (an EWMA
 * over the intervals) say that sampling every due chunk would exceed
 * track_faults, fewer chunks are sampled per interval (the round robin
 * above spreads them), as MEMTIS lengthens its PEBS period to keep its
 * sampler within its CPU quota. Workloads touching few pages never reach
 * it. A decision
 * that promoted more than the headroom (12% of the quota without one: the
 * hot set is moving in) lifts it for the next interval; settled
 * sampling's share replaces it (one bound, not both).
 */
#ifndef HMMV_POLICY_H
#define HMMV_POLICY_H

#include <stdint.h>
#include <stddef.h>

#define POLICY_BUCKETS		24	/* log2 buckets of temperature */
#define POLICY_MAX_LEVELS	8
#define POLICY_TEMP_SHIFT	8
#define POLICY_TEMP_ONE		(1u << POLICY_TEMP_SHIFT)
#define POLICY_MAX_WINDOWS	16
/* The engine's timing, which the simulator models (policy has no clock). */
#define POLICY_DEFAULT_INTERVAL_MS	100
#define POLICY_DEFAULT_WINDOW_MS	5
/*
 * The tracking budget (page mode's default): sampling's refaults cost the
 * guest at most this share of its vCPU time, at a refault's cost on
 * hardware (an EPT violation round trip, ~1 us). MEMTIS caps its sampler
 * likewise, at 3% of a CPU (ksampled_soft_cpu_quota 30 per mille); 3% is
 * also the training set's choice (policy_pages.c, round nine).
 */
#define POLICY_TRACK_PCT	3
#define POLICY_FAULT_NS		1000

/* The same numbering as memory/ (MEM_TIER_DRAM, MEM_TIER_NVM). */
enum policy_tier {
	POLICY_DRAM = 0,
	POLICY_NVM = 1,
};

struct policy_params {
	uint32_t pages_per_chunk;	/* 4 KiB pages per chunk: 512 = 2 MiB */
	uint32_t sample_pages;		/* block watched per sampled chunk */
	uint32_t windows;		/* sampling windows per interval */
	uint32_t window_shift;		/* window k lasts 2^-(k*shift) of window 0 */
	uint32_t levels;		/* MLQ levels, 1..POLICY_MAX_LEVELS */
	uint32_t decay_shift;		/* EWMA weight 2^-decay_shift */
	uint32_t hyst_pct;		/* promotion beats victim by this % */
	uint32_t hyst_min;		/* ... plus this many page-windows */
	uint32_t min_residency;		/* intervals before a chunk moves again */
	uint32_t max_moves;		/* moves per interval (rate limit) */
	uint32_t max_samples;		/* chunks sampled per interval at most */
	uint32_t sample_idle;		/* 1: sample even when idle (traces) */
	uint32_t page_moves;		/* 1: place 4 KiB pages (page mode) */
	uint32_t page_unit;		/* pages placed together (power of 2) */
	uint32_t max_page_moves;	/* page moves per interval */
	uint32_t page_hyst;		/* page promotion margin, temp units */
	uint32_t page_headroom_pct;	/* % of the quota kept free, early promotion */
	uint32_t settled_every;		/* page mode, settled: sample 1/N of the chunks */
	uint32_t track_faults;		/* refaults per interval, 0: no bound */
};

#define POLICY_PAGE_TEMP_ONE	16	/* a page temp: one window touched */
#define POLICY_PAGE_TEMP_MAX	(POLICY_MAX_WINDOWS * POLICY_PAGE_TEMP_ONE)

/*
 * A page move (page mode): pages [page, page + npages) of the VM (page =
 * chunk * pages_per_chunk + offset), npages = page_unit.
 */
struct policy_page_move {
	uint32_t page;
	uint32_t npages;
	uint32_t to;			/* enum policy_tier */
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
	uint64_t idle;			/* intervals idle: nothing sampled */
	uint64_t page_promoted;		/* page mode */
	uint64_t page_demoted;
	uint64_t page_refused;		/* ... refused by the margin */
	uint64_t settled;		/* intervals not sampled: settled */
	uint64_t track_capped;		/* intervals sampling fewer: tracking budget */
	uint64_t verified;		/* page mode: chunks looked at again, a refusal's stale heat */
};

struct policy;

/*
 * Refaults per interval (track_faults) that cost pct percent of
 * vcpus' time over interval_ms, at fault_ns each; 0 for pct 0.
 */
uint32_t policy_track_faults(uint32_t pct, uint32_t interval_ms, uint32_t vcpus,
			     uint32_t fault_ns);
/* Fills *p with the defaults documented in policy.c. */
void policy_params_default(struct policy_params *p);
/* The same for page mode (policy_pages.c): page_moves = 1. */
void policy_params_pages(struct policy_params *p);
/* -EINVAL on bad parameters or nchunks == 0, -ENOMEM. All chunks start NVM. */
int policy_create(const struct policy_params *par, uint32_t nchunks,
		  struct policy **out);
void policy_destroy(struct policy *p);

/* Where a chunk is now (initial placement, or after an external move). */
int policy_set_tier(struct policy *p, uint32_t chunk, enum policy_tier t);
int policy_tier(const struct policy *p, uint32_t chunk);
/* DRAM quota in chunks (from the pool, or the VM's --dram). */
void policy_set_quota(struct policy *p, uint32_t dram_chunks);
uint32_t policy_dram_chunks(const struct policy *p);
/*
 * Nothing to decide: every chunk is in DRAM, none moving, and the quota
 * holds them all. No promotion can help and no demotion is owed, so an
 * idle interval samples nothing (unless sample_idle): the engine then
 * costs the guest nothing, as NUMA balancing's tiering mode leaves
 * top-tier pages unscanned. A quota cut or a chunk sent to the slow tier
 * ends it at the next interval.
 */
int policy_idle(const struct policy *p);

/*
 * Starts the next interval; writes up to max (and max_samples) chunk
 * numbers due for sampling, ascending, and returns how many. Chunks beyond
 * the bound wait for a later interval, and go first then.
 */
uint32_t policy_sample_set(struct policy *p, uint32_t *chunks, uint32_t max);
/*
 * The block watched in a sampled chunk this interval: pages [*first,
 * *first + sample_pages) of the chunk. It rotates with the chunk's own
 * samples, so that every block gets its turn however rarely the chunk is
 * sampled, and neighbours differ.
 */
void policy_sample_block(const struct policy *p, uint32_t chunk,
			 uint32_t *first);
/*
 * A sampled chunk's hits this interval (see above). -EINVAL: bad chunk,
 * chunk not sampled this interval, or hits > windows * sample_pages.
 */
int policy_observe(struct policy *p, uint32_t chunk, uint32_t hits);
/*
 * The refaults the last interval's sampling cost the guest, counted by
 * the caller (the engine in the dirty log: tracker_faults(); the
 * simulator from the trace): every zapped block page touched before its
 * next zap, in a window, between windows or after the last one. Call
 * before the next policy_sample_set(), which bounds them (track_faults).
 */
void policy_note_faults(struct policy *p, uint64_t faults);
/* Ends the interval: at most max moves into moves[], count in *n. */
int policy_decide(struct policy *p, struct policy_move *moves, uint32_t max,
		  uint32_t *n);
/* A move handed out by policy_decide() finished (ok) or was abandoned. */
int policy_move_done(struct policy *p, uint32_t chunk, int ok);

/*
 * Bytes of guest memory per temperature bucket (the pool's input): a
 * chunk's log2 bucket; in page mode, a unit's in the bucket of a chunk as
 * dense, one bucket further per doubling of touch rate its shorter windows
 * tell (policy.c, page_equiv()).
 */
void policy_histogram(const struct policy *p, uint64_t bytes[POLICY_BUCKETS]);
/* Bucket of a temperature: 0 for 0, else 1 + floor(log2(temp)), capped. */
uint32_t policy_bucket(uint32_t temp);
uint32_t policy_temp(const struct policy *p, uint32_t chunk);
uint32_t policy_level(const struct policy *p, uint32_t chunk);
void policy_get_stats(const struct policy *p, struct policy_stats *s);

/*
 * The chunk half's learned state (policy_state.c): temperatures, levels,
 * sample and move times, block hits, the queue's turn; not the tiers,
 * moves in flight or statistics. Chunk mode only (-EOPNOTSUPP in page
 * mode). policy_state_save() writes policy_state_size() bytes (-ENOSPC
 * if @len is short); policy_state_load() takes them into a policy of the
 * same chunk count, block size and levels (-EINVAL otherwise, @p
 * unchanged), its tiers kept.
 */
size_t policy_state_size(const struct policy *p);
int policy_state_save(const struct policy *p, void *buf, size_t len);
int policy_state_load(struct policy *p, const void *buf, size_t len);

/*
 * Page mode (page_moves = 1). Pages start NVM; -EINVAL outside page mode
 * or out of range.
 */
uint32_t policy_page_unit(const struct policy *p);
/* Where the unit starting at page (a multiple of page_unit) is now. */
int policy_set_unit_tier(struct policy *p, uint32_t page, enum policy_tier t);
/* The tier and temperature of the unit holding page. */
int policy_page_tier(const struct policy *p, uint32_t page);
uint32_t policy_page_temp(const struct policy *p, uint32_t page);
/* DRAM quota in pages (policy_set_quota() sets it in whole chunks). */
void policy_set_quota_pages(struct policy *p, uint32_t pages);
/* Pages in DRAM, held or promised. */
uint32_t policy_dram_pages(const struct policy *p);
/*
 * A sampled chunk's observation page by page: hits[i] = windows in which
 * page first + i of its block was touched (0..windows), for the
 * sample_pages pages of the block. Counts for the chunk as
 * policy_observe() of their sum; in page mode it also updates the pages.
 */
int policy_observe_pages(struct policy *p, uint32_t chunk, const uint8_t *hits);
/* Page mode's policy_decide(): at most max page moves, demotions first. */
int policy_decide_pages(struct policy *p, struct policy_page_move *moves,
			uint32_t max, uint32_t *n);
/*
 * Page mode, at the first window's harvest of chunk's block (seen[i]: its
 * page i was touched in that window): its slow units seen go to free
 * DRAM now, at most max moves; the interval's move budget counts them.
 * Nothing without page_headroom_pct.
 */
int policy_promote_early(struct policy *p, uint32_t chunk, const uint8_t *seen,
			 struct policy_page_move *moves, uint32_t max, uint32_t *n);
/*
 * The order in which the first window's harvest goes to
 * policy_promote_early(): seen[i] is the i-th of n sampled chunks' block
 * (as for policy_promote_early()); order[] gets 0..n-1, the chunks with
 * the most pages seen first (ties in the given order), so that free DRAM
 * goes to the densest heat, not to the lowest addresses. -EINVAL.
 */
int policy_early_order(struct policy *p, const uint8_t *const *seen, uint32_t n,
		       uint32_t *order);
/* A move handed out by policy_decide_pages() or policy_promote_early() finished. */
int policy_page_move_done(struct policy *p, uint32_t page, int ok);

#endif
