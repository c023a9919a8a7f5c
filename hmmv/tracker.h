/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The access tracker: the KVM-dependent half of the HMM-V engine (the pure
 * half is hmmv/policy.h), and `hmmv run --trace FILE`.
 *
 * Mechanism (DESIGN.md, "Access tracking"): memslots are dirty-logged with
 * manual protection (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2). Each interval:
 *
 *   begin  harvest and clear the log, then zap the sampled chunks (drop
 *          their host mapping, memory_zap_range()): the guest's next touch
 *          of each of their pages faults and is logged, read or write;
 *   window the guest runs for the sample window;
 *   mid    harvest the log ("win": every page touched since the zap) and
 *          clear those bits, which write-protects the pages just mapped;
 *   rest   the guest runs for the rest of the interval;
 *   end    harvest ("rest"): writes to the pages mapped at mid, and first
 *          touches of pages not touched in the window; add the pages the
 *          VMM itself wrote (memory_fetch_written()).
 *
 * A page is "written" when the VMM wrote it, or when it was touched in the
 * window and logged again in the rest (a write to a write-protected page);
 * it is "read" (touched, not known to be written) when it shows in either
 * log otherwise: a page first touched after the window may also have been
 * written. A chunk remapped or moved during the rest has its second-level
 * entries dropped, so its rest log counts as touches only.
 *
 * The trace recorder samples every chunk (every page of guest RAM is
 * zapped each interval): a trace is the whole guest's page-level access
 * pattern, with TRACE_F_PRESENCE (hmmv/trace.h); trace page numbers are
 * 4 KiB offsets into guest RAM (the PCI hole left out), VM 0.
 */
#ifndef HMMV_TRACKER_H
#define HMMV_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmmv/trace.h"
#include "memory/memory.h"

#define TRACKER_DEFAULT_INTERVAL_MS	100
#define TRACKER_MIN_INTERVAL_MS		10
#define TRACKER_MAX_INTERVAL_MS		60000
/* The sample window: the simulator's default (tools/sim, --window-ms). */
#define TRACKER_DEFAULT_WINDOW_MS	5

struct tracker_config {
	const char *path;	/* --trace FILE; NULL: no tracking at all */
	uint32_t interval_ms;	/* --trace-interval */
	uint32_t window_ms;	/* sample window, < interval_ms */
	bool interval_set;	/* --trace-interval given */
};

struct tracker_stats {
	uint64_t intervals;	/* complete intervals recorded */
	uint64_t pages_read;	/* records summed over intervals */
	uint64_t pages_written;
	uint64_t zap_failed;	/* chunks whose zap failed (reads unseen) */
};

struct tracker;

/* Default-filled config: tracking off. */
void tracker_config_init(struct tracker_config *cfg);
/*
 * Parses "--trace" or "--trace-interval" with value @val; -EINVAL with a
 * reason in @why (the command line names the flag).
 */
int tracker_parse_flag(struct tracker_config *cfg, const char *flag,
		       const char *val, char *why, size_t whylen);

/*
 * Opens the trace file (created, or an existing file kept untouched until
 * tracker_start()); -errno with "--trace FILE: reason" in @why.
 */
int tracker_create(struct tracker **out, const struct tracker_config *cfg,
		   char *why, size_t whylen);
/*
 * Enables manual dirty-log protection (initially set where KVM has it) on
 * the VM; call before any memslot exists.
 */
int tracker_enable(struct tracker *t, int vm_fd);
/* Memslot flags tracking needs: KVM_MEM_LOG_DIRTY_PAGES, 0 without @t. */
uint32_t tracker_slot_flags(const struct tracker *t);
/* Binds the tracker to guest RAM once its memslots exist. */
int tracker_attach(struct tracker *t, int vm_fd, struct guest_mem *m);

/*
 * One interval, step by step (the thread runs these; tests drive them).
 * tracker_end() writes the interval's block to the trace.
 */
int tracker_begin(struct tracker *t);
int tracker_mid(struct tracker *t);
int tracker_end(struct tracker *t);

/*
 * Writes the header and starts the thread that runs one interval every
 * interval_ms until tracker_stop() or until @stop_fd polls readable.
 * @stop_fd < 0: header only, the caller runs the steps (tests).
 */
int tracker_start(struct tracker *t, int stop_fd);
/*
 * Joins the thread, writes the end marker, flushes and closes the trace;
 * returns the first error of the whole run (-errno, reason in @why).
 */
int tracker_stop(struct tracker *t, char *why, size_t whylen);
/* Stops if needed; a trace never started is removed if we created it. */
void tracker_destroy(struct tracker *t);
void tracker_get_stats(const struct tracker *t, struct tracker_stats *s);

/* ---- Pure helpers (no KVM), unit-tested ---- */

/*
 * Pages [0, npages) as trace records, ascending: @win and @rest are the
 * two logs, @vmm the VMM-written pages, @moved one byte per chunk of
 * @chunk_pages pages (non-zero: the chunk moved during the rest). Writes
 * at most npages records to @out and returns how many.
 */
uint32_t tracker_records(const uint64_t *win, const uint64_t *rest,
			 const uint64_t *vmm, const uint8_t *moved,
			 uint32_t chunk_pages, uint32_t npages,
			 struct trace_rec *out);
/*
 * Per-chunk page counts of records (pages ascending): touched = records,
 * written = records with writes. The arrays hold nchunks entries and are
 * overwritten; records past the last chunk are ignored.
 */
void tracker_chunk_counts(const struct trace_rec *recs, uint32_t n,
			  uint32_t chunk_pages, uint32_t nchunks,
			  uint32_t *touched, uint32_t *written);

#endif
