/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The access tracker: the KVM primitives of the HMM-V engine (the engine,
 * hmmv/engine.h, owns the thread and the interval loop; the pure policy is
 * hmmv/policy.h) and the `--trace FILE` writer.
 *
 * Mechanism (docs/design.md, "Tracking"): memslots are dirty-logged with
 * manual protection (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, initially set, so
 * creating the slots write-protects nothing). KVM logs a page when it
 * creates a writable second-level entry for it (any first touch, read or
 * write) or when the guest writes it while it is write-protected.
 *
 *   tracker_window_begin  clear the log bits of the given blocks (which
 *                         write-protects the pages whose bit was set:
 *                         "re-armed") and zap the blocks (drop their host
 *                         mapping, memory_zap_range(), one call per run of
 *                         adjacent blocks): the guest's next touch of any
 *                         block page, read or write, faults and is logged;
 *   tracker_window_end    harvest the log: +1 for each block page logged;
 *   tracker_faults        count the block pages logged since the last zap:
 *                         each was one refault (before each later window's
 *                         begin, and once after the last window).
 *
 * Nothing outside the blocks is cleared or zapped: the log bits of other
 * pages stay set, so a guest writing memory nobody samples takes no fault.
 */
#ifndef HMMV_TRACKER_H
#define HMMV_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/types.h>

#include "hmmv/trace.h"
#include "memory/memory.h"

/* A run of 4 KiB pages of guest RAM (host-range offset / 4 KiB). */
struct tracker_block {
	uint32_t page;
	uint32_t npages;
};

/* What one window start cost the guest (faults the tracker induces). */
struct tracker_cost {
	uint64_t zap_calls;
	uint64_t zapped;	/* pages whose mapping was dropped */
	uint64_t rearmed;	/* pages write-protected again */
	uint64_t zap_failed;	/* pages whose zap failed (touches unseen) */
	uint64_t zap_ns;
};

struct tracker;

/*
 * Opens the trace file @path (created, or an existing file kept untouched
 * until tracker_trace_start()); @path NULL: no trace. -errno with
 * "--trace FILE: reason" in @why.
 */
int tracker_create(struct tracker **out, const char *path, mode_t mode,
		   char *why, size_t whylen);
/* Parses "--trace FILE": -EINVAL with a reason in @why. */
int tracker_parse_trace(const char **path, const char *val, char *why,
			size_t whylen);
/*
 * Enables manual dirty-log protection (initially set where KVM has it) on
 * the VM; call before any memslot exists.
 */
int tracker_enable(struct tracker *t, int vm_fd);
/* Memslot flags tracking needs: KVM_MEM_LOG_DIRTY_PAGES, 0 without @t. */
uint32_t tracker_slot_flags(const struct tracker *t);
/* Binds the tracker to guest RAM once its memslots exist. */
int tracker_attach(struct tracker *t, int vm_fd, struct guest_mem *m);
/* Pages of guest RAM (after tracker_attach). */
uint32_t tracker_pages(const struct tracker *t);

/*
 * One sampling window over @n blocks, sorted by page and not overlapping.
 * @first: the interval's first window over these blocks; in later ones a
 * block with no page logged since its last zap is not zapped again (it
 * has no second-level entry left: the same result, one call less).
 * @counts has one byte per block page (the blocks' pages concatenated);
 * window_end adds 1 for each page logged since window_begin.
 */
int tracker_window_begin(struct tracker *t, const struct tracker_block *b,
			 uint32_t n, bool first, struct tracker_cost *cost);
int tracker_window_end(struct tracker *t, const struct tracker_block *b,
		       uint32_t n, uint8_t *counts);

/*
 * Refaults since the blocks' last zap: each block page logged now took
 * one. +1 in @faults (one byte per block page, as @counts; NULL: none) for
 * each, their number in *@total. Call before the blocks are cleared or
 * zapped again: before a later window's begin, and after the last window
 * (the engine: at the next interval's start).
 */
int tracker_faults(struct tracker *t, const struct tracker_block *b,
		   uint32_t n, uint8_t *faults, uint64_t *total);

/*
 * The trace: tracker_trace_start() writes the header (@flags, @interval_ns);
 * tracker_trace_write() one interval's block; tracker_stop() the end
 * marker. All are no-ops without a trace file.
 */
bool tracker_tracing(const struct tracker *t);
int tracker_trace_start(struct tracker *t, uint32_t flags, uint64_t interval_ns);
int tracker_trace_write(struct tracker *t, uint32_t interval,
			const struct trace_rec *recs, uint32_t n);
/*
 * Writes the end marker, flushes and closes the trace; returns the first
 * error of the whole run (-errno, reason in @why).
 */
int tracker_stop(struct tracker *t, char *why, size_t whylen);
/* Stops if needed; a trace never started is removed if we created it. */
void tracker_destroy(struct tracker *t);
const char *tracker_path(const struct tracker *t);

/* ---- Pure helpers (no KVM), unit-tested ---- */

/*
 * Coalesces sorted, non-overlapping blocks into runs of adjacent pages
 * (one zap call each); @runs has room for @n. Returns the number of runs.
 */
uint32_t tracker_runs(const struct tracker_block *b, uint32_t n,
		      struct tracker_block *runs);
/*
 * Copies to @out (room for @n) the blocks with at least one page set in
 * @log; returns how many.
 */
uint32_t tracker_touched(const uint64_t *log, const struct tracker_block *b,
			 uint32_t n, struct tracker_block *out);
/* Sets the bits of the blocks' pages in @bits. */
void tracker_mask_set(uint64_t *bits, const struct tracker_block *b, uint32_t n);
/* Clears them again (cheaper than clearing the whole bitmap). */
void tracker_mask_clear(uint64_t *bits, const struct tracker_block *b, uint32_t n);
/* Pages of the blocks set in @log. */
uint64_t tracker_mask_count(const uint64_t *log, const struct tracker_block *b,
			    uint32_t n);
/*
 * counts[i] += 1 for the i-th block page set in @log (saturating at 255);
 * returns how many were set.
 */
uint64_t tracker_harvest(const uint64_t *log, const struct tracker_block *b,
			 uint32_t n, uint8_t *counts);

#endif
