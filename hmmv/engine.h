/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HMM-V engine: one thread per VM that runs the sampling model of
 * hmmv/policy.h (the same one the simulator runs) over the tracker's KVM
 * primitives (hmmv/tracker.h), carries out the policy's moves between
 * intervals and feeds the --trace writer and hmmv stat. The split is
 * DAMON's: the tracker only harvests, clears and zaps; the engine owns the
 * interval loop.
 *
 * Each interval: policy_sample_set() picks the chunks due, and
 * policy_sample_block() one block in each; in each of `windows` windows
 * (back to back from the interval's start) the blocks are cleared and
 * zapped at the start and harvested the window's length later; the
 * per-page window counts are summed per chunk into policy_observe(), the
 * trace gets them as records (TRACE_F_WINDOWS: reads = windows in which
 * the page was touched, sampled block pages only), policy_decide() names
 * the moves and the engine makes them before the next interval, telling
 * the policy with policy_move_done().
 */
#ifndef HMMV_ENGINE_H
#define HMMV_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hmmv/policy.h"
#include "hmmv/tracker.h"
#include "memory/memory.h"

#define ENGINE_MIN_INTERVAL_MS	10
#define ENGINE_MAX_INTERVAL_MS	60000
#define ENGINE_MAX_RATE_MIBS	1000000
#define ENGINE_MIN_FAULT_NS	50	/* --hmmv-fault-ns */
#define ENGINE_MAX_FAULT_NS	10000000

enum engine_mode {
	ENGINE_AUTO = 0,	/* on when a slow tier is given */
	ENGINE_ON,
	ENGINE_OFF,
};

enum engine_move {
	ENGINE_MOVE_AUTO = 0,	/* pages where both tiers are NUMA nodes */
	ENGINE_MOVE_CHUNK,	/* whole chunks (remap, or mbind in place) */
	ENGINE_MOVE_PAGE,	/* units of 4 KiB pages (move_pages(2)) */
};

enum engine_copy {
	ENGINE_COPY_WP = 0,	/* write-protect only the moving chunk */
	ENGINE_COPY_PAUSE,	/* pause every vCPU for the copy */
};

enum engine_log {
	ENGINE_LOG_SAMPLING = 0,	/* chunk mode: on while sampling and moving */
	ENGINE_LOG_ALWAYS,		/* on throughout, while not idle */
};

struct engine_config {
	enum engine_mode mode;		/* --hmmv */
	uint32_t interval_ms;		/* --hmmv-interval; 0: default */
	uint32_t window_ms;		/* --hmmv-window-ms; 0: default */
	uint32_t windows;		/* --hmmv-windows; 0: policy default */
	uint32_t sample_pages;		/* --hmmv-block-pages; 0: policy default */
	uint32_t levels;		/* --hmmv-levels; 0: policy default */
	uint32_t rate_mibs;		/* --hmmv-rate; 0: the policy's max_moves */
	uint32_t track_pct;		/* --hmmv-track-pct, when track_set */
	bool track_set;			/* else: the mode's default */
	uint32_t fault_ns;		/* --hmmv-fault-ns (POLICY_FAULT_NS) */
	uint32_t vcpus;			/* the VM's vCPUs: the tracking budget's base */
	enum engine_copy copy;		/* --hmmv-copy */
	enum engine_move move;		/* --hmmv-move */
	enum engine_log dirty_log;	/* --hmmv-dirty-log */
	const char *trace;		/* --trace FILE, or NULL */
	mode_t trace_mode;		/* of a new FILE: 0600, 0640 --group-readable */
};

struct engine_stats {
	uint64_t intervals;
	uint64_t late;			/* intervals that started late */
	uint64_t sampled;		/* chunk samples */
	uint64_t zap_calls, zapped, rearmed, zap_failed, zap_ns;
	uint64_t promotions, demotions, promoted_bytes, demoted_bytes;
	uint64_t early_promotions;	/* page mode: after the first window */
	uint64_t move_failed;
	uint64_t precopy_rounds;	/* summed over moves */
	uint64_t recopied_pages;
	uint64_t pingpong;		/* moved back within 16 intervals */
	uint64_t cpu_ns;		/* the engine thread's CPU time */
	uint64_t track_cpu_ns;		/* ... of it in the tracker's calls */
	uint64_t run_ns;		/* wall time since the engine started */
	uint64_t refaults;		/* sampling's refaults (policy_note_faults) */
	uint64_t last_faults;		/* ... in the last interval counted */
	uint64_t last_zap_calls;
	uint64_t hot_bytes;		/* chunks with a non-zero temperature */
	uint64_t idle_intervals;	/* nothing to decide: nothing sampled */
	uint64_t settled_intervals;	/* page mode, nothing to gain: not sampled */
	uint64_t track_capped_intervals;	/* fewer sampled: tracking budget */
	uint64_t log_switches;		/* dirty logging turned off or on */
	uint32_t idle;			/* idle now: no dirty logging */
	uint64_t dram_bytes, nvm_bytes;	/* placement as the policy sees it */
	uint32_t level_chunks[POLICY_MAX_LEVELS];
};

struct engine;

/* Default config: mode auto, every parameter from policy_params_default(). */
void engine_config_init(struct engine_config *cfg);
/*
 * Parses one engine flag of hmmv run ("--hmmv", "--hmmv-interval",
 * "--hmmv-windows", "--hmmv-window-ms", "--hmmv-block-pages",
 * "--hmmv-levels", "--hmmv-rate", "--hmmv-track-pct", "--hmmv-fault-ns",
 * "--hmmv-copy",
 * "--hmmv-move", "--hmmv-dirty-log", "--trace")
 * with @val.
 * -EINVAL with a reason in @why (the caller names the flag).
 */
int engine_parse_flag(struct engine_config *cfg, const char *flag,
		      const char *val, char *why, size_t whylen);
/* Checks the flags together; -EINVAL with one line naming a flag. */
int engine_config_check(const struct engine_config *cfg, bool slow_tier,
			char *why, size_t whylen);
/* Tracking runs (dirty logging on): the engine is on, or --trace. */
bool engine_config_tracks(const struct engine_config *cfg, bool slow_tier);

/*
 * Builds the engine over guest RAM @m and an attached tracker @t (which
 * it does not own). @moves false: track (and trace) only, move nothing.
 * -errno with one line in @why.
 */
int engine_create(struct engine **out, const struct engine_config *cfg,
		  struct tracker *t, struct guest_mem *m, bool moves,
		  char *why, size_t whylen);
/* Starts the thread; it runs until engine_stop() or @stop_fd is readable. */
int engine_start(struct engine *e, int stop_fd);
/* Joins the thread; returns its first error (-errno, reason in @why). */
int engine_stop(struct engine *e, char *why, size_t whylen);
void engine_destroy(struct engine *e);

void engine_get_stats(struct engine *e, struct engine_stats *s);
/* The DRAM quota a pool grants, bytes (the DRAM tier's size still caps it). */
void engine_set_quota(struct engine *e, uint64_t bytes);
/* For the pool: DRAM in use, the hot set, bytes per temperature bucket. */
void engine_pool_report(struct engine *e, uint64_t *held, uint64_t *hot,
			uint64_t hist[POLICY_BUCKETS]);
/* The engine section of hmmv stat: a table, or one JSON object. */
void engine_print(struct engine *e, FILE *out, bool json);
/* Every move made so far, one "move INTERVAL CHUNK dram|nvm ok|failed" line. */
void engine_print_moves(struct engine *e, FILE *out);
/* One line for the user after a traced run (no newline). */
void engine_summary(struct engine *e, char *buf, size_t len);

/* ---- Pure helpers, unit-tested ---- */

/* Moves per interval that @rate_mibs MiB/s allows (at least 1); rate 0: @dflt. */
uint32_t engine_rate_moves(uint32_t rate_mibs, uint32_t interval_ms,
			   uint64_t chunk_size, uint32_t dflt);
/* Value at fraction @pct (0..100) of @n sorted samples (nearest rank). */
uint64_t engine_percentile(const uint64_t *sorted, uint32_t n, uint32_t pct);

#endif
