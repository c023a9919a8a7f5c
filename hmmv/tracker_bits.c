// SPDX-License-Identifier: GPL-2.0
/* The tracker's pure helpers (hmmv/tracker.h): block runs and bitmaps. */
#include "hmmv/tracker.h"

uint32_t tracker_runs(const struct tracker_block *b, uint32_t n,
		      struct tracker_block *runs)
{
	uint32_t i, nr = 0;

	for (i = 0; i < n; i++) {
		if (nr && runs[nr - 1].page + runs[nr - 1].npages == b[i].page) {
			runs[nr - 1].npages += b[i].npages;
			continue;
		}
		runs[nr++] = b[i];
	}
	return nr;
}

static void bits_set(uint64_t *bits, uint32_t first, uint32_t n, int on)
{
	uint32_t p, end = first + n;
	uint64_t m;

	for (p = first; p < end;) {
		if (p % 64 == 0 && end - p >= 64) {
			bits[p / 64] = on ? ~0ULL : 0;
			p += 64;
			continue;
		}
		m = 1ULL << (p % 64);
		bits[p / 64] = on ? bits[p / 64] | m : bits[p / 64] & ~m;
		p++;
	}
}

void tracker_mask_set(uint64_t *bits, const struct tracker_block *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		bits_set(bits, b[i].page, b[i].npages, 1);
}

void tracker_mask_clear(uint64_t *bits, const struct tracker_block *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		bits_set(bits, b[i].page, b[i].npages, 0);
}

static int bit(const uint64_t *bits, uint32_t p)
{
	return (bits[p / 64] >> (p % 64)) & 1;
}

uint64_t tracker_mask_count(const uint64_t *log, const struct tracker_block *b,
			    uint32_t n)
{
	uint64_t cnt = 0;
	uint32_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < b[i].npages; k++)
			cnt += bit(log, b[i].page + k);
	return cnt;
}

uint64_t tracker_harvest(const uint64_t *log, const struct tracker_block *b,
			 uint32_t n, uint8_t *counts)
{
	uint64_t set = 0;
	uint32_t i, k, j = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < b[i].npages; k++, j++) {
			if (!bit(log, b[i].page + k))
				continue;
			set++;
			if (counts[j] < 255)
				counts[j]++;
		}
	return set;
}

uint32_t tracker_touched(const uint64_t *log, const struct tracker_block *b,
			 uint32_t n, struct tracker_block *out)
{
	uint32_t i, k = 0;

	for (i = 0; i < n; i++)
		if (tracker_mask_count(log, &b[i], 1))
			out[k++] = b[i];
	return k;
}
