/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmmv access traces: page-level access counts per interval, per VM.
 *
 * Written by the VMM's tracker (hmmv run --trace) and by the simulator's
 * workload generators; read by the simulator. Little-endian binary:
 *
 *   header  "HMMVTRC1" (8 bytes), u32 version (1), u32 flags,
 *           u32 page_shift (12), u32 nvms (1..TRACE_MAX_VMS),
 *           u64 interval_ns, nvms x u64 vm_pages (each 1..2^32)
 *   blocks  u8 0xB1, then LEB128 varints: interval, vm, nrec, and nrec
 *           records of (page delta, reads, writes)
 *   end     u8 0xE0 (a trace without it is truncated)
 *
 * A block holds one VM's accesses in one interval; blocks come in strictly
 * increasing (interval, vm) order; an absent block means no access. Pages
 * within a block strictly increase: the first delta is the page number,
 * each next one is page - previous page - 1. reads and writes count 64 B
 * memory transfers (LLC fills and write-backs), at least one of them
 * non-zero. Within an interval accesses are taken as spread uniformly in
 * time (the simulator relies on this to model sub-interval windows).
 * Flag TRACE_F_PRESENCE: counts are 0/1 presence bits, as a dirty-log
 * based tracker sees them, not counts.
 * Flag TRACE_F_WINDOWS (the engine's observations, hmmv/engine.h): only
 * the pages of the blocks the engine sampled are recorded, reads = the
 * number of sampling windows in which the page was touched, writes = the
 * refaults its zaps cost the guest until the next interval's start (in
 * the windows and after them: tracker_faults()); a sampled chunk without
 * a record had no hit and no refault. The simulator replays such a
 * trace's observations instead of sampling it.
 * Flag TRACE_F_DRAM_FIRST (with TRACE_F_WINDOWS): the VM's lowest pages
 * were in DRAM when the engine started (hmmv run's --placement
 * dram-first), as many as the DRAM tier held; without it, none were.
 * Flag TRACE_F_TOUCH_TIMES (a touch trace, the traffic meter's touch=,
 * tools/meter/meter.c): reads = the page's touches, writes = the 1 ms
 * slots of the interval in which it was touched (bits 0-15) and the first
 * of them, counted from the interval's start (bits 16-31).
 */
#ifndef HMMV_TRACE_H
#define HMMV_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_MAGIC		"HMMVTRC1"
#define TRACE_VERSION		1
#define TRACE_MAX_VMS		64
#define TRACE_F_PRESENCE	(1u << 0)
#define TRACE_F_WINDOWS		(1u << 1)
#define TRACE_F_DRAM_FIRST	(1u << 2)
#define TRACE_F_TOUCH_TIMES	(1u << 3)
#define TRACE_F_ALL		(TRACE_F_PRESENCE | TRACE_F_WINDOWS | TRACE_F_DRAM_FIRST | \
				 TRACE_F_TOUCH_TIMES)
/* A TRACE_F_TOUCH_TIMES record's writes: its slots, and the first of them. */
#define TRACE_TOUCH_SLOTS(w)	((w) & 0xffffu)
#define TRACE_TOUCH_FIRST(w)	((w) >> 16)
#define TRACE_TOUCH_WORD(slots, first)	((uint32_t)(slots) | (uint32_t)(first) << 16)
#define TRACE_TAG_BLOCK		0xB1
#define TRACE_TAG_END		0xE0

struct trace_hdr {
	uint32_t version;
	uint32_t flags;
	uint32_t page_shift;
	uint32_t nvms;
	uint64_t interval_ns;
	uint64_t vm_pages[TRACE_MAX_VMS];
};

struct trace_rec {
	uint32_t page;
	uint32_t reads;
	uint32_t writes;
};

struct trace_block {
	uint32_t interval;
	uint32_t vm;
	uint32_t nrec;
};

/* Reader over a trace held in memory (a file read or mapped whole). */
struct trace_cursor {
	struct trace_hdr hdr;
	const uint8_t *buf;
	size_t len;
	size_t off;
	uint64_t last;		/* (interval << 32 | vm) + 1 of the last block */
	int ended;
};

/*
 * The file at @path whole into *@buf (to free()), its length in *@len:
 * 0, or -errno (safe_file_open()'s: -ENXIO not a regular file; -EINVAL
 * empty; -ENODATA shorter than it said).
 */
int trace_file_read(const char *path, uint8_t **buf, size_t *len);
/* Parses the header. -EINVAL (bad magic/field), -EPROTO (version). */
int trace_open_mem(struct trace_cursor *c, const uint8_t *buf, size_t len);
/*
 * Next block into *b and recs[0..max): 1 got a block, 0 end marker,
 * -EINVAL malformed or out of order, -E2BIG more than max records,
 * -ENODATA truncated. The records are validated (range, order, non-zero).
 */
int trace_next_block(struct trace_cursor *c, struct trace_block *b,
		     struct trace_rec *recs, uint32_t max);

/* Writer (the VMM's tracker and the generators): -EINVAL, -EIO. */
int trace_write_header(FILE *f, const struct trace_hdr *h);
/* recs sorted by page, strictly increasing; n may be 0 (nothing written). */
int trace_write_block(FILE *f, const struct trace_hdr *h, uint32_t interval,
		      uint32_t vm, const struct trace_rec *recs, uint32_t n);
int trace_write_end(FILE *f);

#endif
