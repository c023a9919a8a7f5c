/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The access tracker: the KVM-dependent half of the HMM-V engine (the pure
 * half is hmmv/policy.h), and `hmmv run --trace FILE`.
 *
 * Mechanism (DESIGN.md, "Access tracking"): memslots are dirty-logged with
 * manual protection (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2). KVM logs a page
 * when it creates a writable second-level entry for it (any first touch,
 * read or write) or when the guest writes it while it is write-protected
 * (which clearing its log bit does). Each interval:
 *
 *   begin  harvest and clear the log, then zap the sampled pages (drop
 *          their host mapping, memory_zap_range()): the guest's next touch
 *          of each of them faults and is logged, read or write;
 *   window the guest runs for the sample window;
 *   mid    harvest the log ("win") and clear the bits of pages not
 *          mapped at begin, which write-protects the pages just mapped
 *          (the others logged are known written: left set, no new fault);
 *   rest   the guest runs for the rest of the interval;
 *   end    harvest ("rest"); add the pages the VMM itself wrote
 *          (memory_fetch_written()).
 *
 * The tracker remembers which pages are "mapped" (have a write-protected
 * second-level entry: logged since their last zap). A logged page is
 * "written" when it was mapped at the start of the interval, when it was
 * logged in both the window and the rest (a write to a page mapped at
 * mid), or when the VMM wrote it; otherwise it was touched ("read"; a page
 * first touched after the window may also have been written). Reads are
 * seen on zapped pages only: each interval zaps a stripe of whole chunks,
 * sample_pages / chunk_pages of guest RAM, the next stripe the next
 * interval, so every chunk is sampled once every chunk_pages /
 * sample_pages intervals (sample_pages = pages per chunk: all of RAM each
 * interval, every read, at the most refaults). One zap call per interval:
 * each call costs a round of KVM's MMU notifier. A
 * remap or in-place move during the interval drops second-level entries
 * (of every chunk, as measured on Linux 6.1): that interval's logs count
 * as touches only and every page as unmapped. Other host events that drop
 * them (host NUMA balancing, compaction, swap) are not seen and make
 * refaults look like writes.
 *
 * The trace (TRACE_F_PRESENCE, hmmv/trace.h) has one block per interval,
 * VM 0, page numbers = 4 KiB offsets into guest RAM (the PCI hole left
 * out): pages written, and pages read among those sampled.
 */
#ifndef HMMV_TRACKER_H
#define HMMV_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hmmv/trace.h"
#include "memory/memory.h"

#define TRACKER_DEFAULT_INTERVAL_MS	100
#define TRACKER_MIN_INTERVAL_MS		10
#define TRACKER_MAX_INTERVAL_MS		60000
/* The sample window: the simulator's default (tools/sim, --window-ms). */
#define TRACKER_DEFAULT_WINDOW_MS	5
/* Pages zapped per chunk and interval: the policy core's default. */
#define TRACKER_DEFAULT_SAMPLE_PAGES	32
#define TRACKER_MAX_SAMPLE_PAGES	(1u << 18)	/* 1 GiB chunks */

struct tracker_config {
	const char *path;	/* --trace FILE; NULL: no tracking at all */
	uint32_t interval_ms;	/* --trace-interval */
	uint32_t window_ms;	/* sample window, < interval_ms */
	uint32_t sample_pages;	/* --trace-pages: a power of two; capped at
				   the pages of a chunk */
	bool tuned;	/* --trace-interval or --trace-pages given */
	mode_t mode;	/* of a new FILE: 0600, 0640 with --group-readable */
};

struct tracker_stats {
	uint64_t intervals;	/* complete intervals recorded */
	uint64_t pages_read;	/* records summed over intervals */
	uint64_t pages_written;
	uint64_t zap_failed;	/* chunks whose zap failed (reads unseen) */
	uint64_t late;		/* intervals that ended over half an interval late */
	uint64_t zap_ns;	/* time the thread spent zapping */
	uint64_t busy_ns;	/* time in begin/mid/end, zaps included */
};

struct tracker;

/* Default-filled config: tracking off. */
void tracker_config_init(struct tracker_config *cfg);
/*
 * Parses "--trace", "--trace-interval" or "--trace-pages" with @val; -EINVAL with a
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
/*
 * One line for the user after a traced run (no newline): intervals
 * recorded, how many came late, the tracker's own time per interval.
 */
void tracker_summary(const struct tracker *t, char *buf, size_t len);

/* ---- Pure helpers (no KVM), unit-tested ---- */

/*
 * Pages [0, npages) as trace records, ascending: @win and @rest are the
 * two logs, @vmm the VMM-written pages, @mapped the pages mapped (write-
 * protected) at the interval's start, @moved one byte per chunk of
 * @chunk_pages pages (non-zero: the chunk moved meanwhile). Any bitmap
 * may be NULL (empty). Writes at most npages records to @out, returns how
 * many.
 */
uint32_t tracker_records(const uint64_t *win, const uint64_t *rest,
			 const uint64_t *vmm, const uint64_t *mapped,
			 const uint8_t *moved, uint32_t chunk_pages,
			 uint32_t npages, struct trace_rec *out);
/*
 * After an interval: logged pages are mapped now, moved chunks' pages are
 * not. @mapped has npages bits.
 */
void tracker_update_mapped(uint64_t *mapped, const uint64_t *win,
			   const uint64_t *rest, const uint8_t *moved,
			   uint32_t chunk_pages, uint32_t npages);
/*
 * Per-chunk page counts of records (pages ascending): touched = records,
 * written = records with writes. The arrays hold nchunks entries and are
 * overwritten; records past the last chunk are ignored.
 */
void tracker_chunk_counts(const struct trace_rec *recs, uint32_t n,
			  uint32_t chunk_pages, uint32_t nchunks,
			  uint32_t *touched, uint32_t *written);

#endif
