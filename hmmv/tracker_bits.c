// SPDX-License-Identifier: GPL-2.0
/* The tracker's pure part: dirty-log bitmaps to trace records and counts. */
#include <string.h>

#include "hmmv/tracker.h"

static inline uint64_t word(const uint64_t *b, uint32_t w)
{
	return b ? b[w] : 0;
}

/* Bits of word @w that belong to chunks moved during the interval. */
static uint64_t moved_mask(const uint8_t *moved, uint32_t chunk_pages, uint32_t w,
			   uint32_t npages)
{
	uint64_t mask = 0;
	uint32_t i, page = w * 64;

	if (!moved)
		return 0;
	if (chunk_pages >= 64 && chunk_pages % 64 == 0)
		return moved[page / chunk_pages] ? ~0ULL : 0;
	for (i = 0; i < 64 && page + i < npages; i++)
		if (moved[(page + i) / chunk_pages])
			mask |= 1ULL << i;
	return mask;
}

static inline uint64_t tail_mask(uint32_t npages, uint32_t w)
{
	return npages - w * 64 >= 64 ? ~0ULL : (1ULL << (npages - w * 64)) - 1;
}

uint32_t tracker_records(const uint64_t *win, const uint64_t *rest,
			 const uint64_t *vmm, const uint64_t *mapped,
			 const uint8_t *moved, uint32_t chunk_pages,
			 uint32_t npages, struct trace_rec *out)
{
	uint32_t w, words = (npages + 63) / 64, n = 0, bit, page;
	uint64_t touched, written, logged;

	for (w = 0; w < words; w++) {
		logged = word(win, w) | word(rest, w);
		touched = (logged | word(vmm, w)) & tail_mask(npages, w);
		if (!touched)
			continue;
		/* Logged while write-protected: a write. */
		written = (word(mapped, w) & logged) | (word(win, w) & word(rest, w));
		written &= ~moved_mask(moved, chunk_pages, w, npages);
		written = (written | word(vmm, w)) & tail_mask(npages, w);
		while (touched) {
			bit = (uint32_t)__builtin_ctzll(touched);
			touched &= touched - 1;
			page = w * 64 + bit;
			out[n].page = page;
			out[n].writes = (uint32_t)((written >> bit) & 1);
			out[n].reads = !out[n].writes;
			n++;
		}
	}
	return n;
}

void tracker_chunk_counts(const struct trace_rec *recs, uint32_t n,
			  uint32_t chunk_pages, uint32_t nchunks,
			  uint32_t *touched, uint32_t *written)
{
	uint32_t i, c;

	memset(touched, 0, nchunks * sizeof(*touched));
	memset(written, 0, nchunks * sizeof(*written));
	for (i = 0; i < n; i++) {
		c = recs[i].page / chunk_pages;
		if (c >= nchunks)
			break;
		touched[c]++;
		written[c] += recs[i].writes != 0;
	}
}

void tracker_update_mapped(uint64_t *mapped, const uint64_t *win,
			   const uint64_t *rest, const uint8_t *moved,
			   uint32_t chunk_pages, uint32_t npages)
{
	uint32_t w, words = (npages + 63) / 64;

	for (w = 0; w < words; w++) {
		mapped[w] |= word(win, w) | word(rest, w);
		mapped[w] &= ~moved_mask(moved, chunk_pages, w, npages) & tail_mask(npages, w);
	}
}
