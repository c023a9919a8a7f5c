/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make eval-real's page lists: "FIRST COUNT" runs of page indices, one per
 * line, ascending (tests/system/guest_pages.c writes them at the test
 * host's end, tools/evalreal/pagesum.c reads them at the analysis's).
 */
#ifndef HMMV_EVALREAL_RUNS_H
#define HMMV_EVALREAL_RUNS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Sets the bits of @path's pages in @bits (@pages of them): 0, -errno when
 * it cannot be opened, -EINVAL when a line is malformed or out of range.
 */
static inline int runs_load(uint8_t *bits, uint64_t pages, const char *path)
{
	unsigned long long first, count, p;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	while ((n = fscanf(f, "%llu %llu", &first, &count)) == 2) {
		if (first >= pages || count > pages - first)
			break;
		for (p = first; p < first + count; p++)
			bits[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	fclose(f);
	return n == EOF ? 0 : -EINVAL;
}

#endif
