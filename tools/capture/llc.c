// SPDX-License-Identifier: GPL-2.0
/* hmmv capture: the LLC filter (set-associative, write-back, LRU). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/capture/capture.h"

int llc_init(struct llc *c, uint64_t bytes, uint32_t ways)
{
	uint64_t lines = bytes >> LLC_LINE_SHIFT;

	memset(c, 0, sizeof(*c));
	if (!ways || ways > 64 || !lines || bytes % (1u << LLC_LINE_SHIFT) ||
	    lines % ways || lines / ways > (1u << 24))
		return -EINVAL;
	c->sets = (uint32_t)(lines / ways);
	c->ways = ways;
	c->tag = calloc(lines, sizeof(*c->tag));
	c->dirty = calloc(lines, 1);
	if (!c->tag || !c->dirty) {
		llc_free(c);
		return -ENOMEM;
	}
	return 0;
}

void llc_free(struct llc *c)
{
	free(c->tag);
	free(c->dirty);
	c->tag = NULL;
	c->dirty = NULL;
}

/* Moves way i of a set to the front (MRU), shifting the others down. */
static void llc_touch(uint64_t *t, uint8_t *d, uint32_t i)
{
	uint64_t tv = t[i];
	uint8_t dv = d[i];

	memmove(t + 1, t, i * sizeof(*t));
	memmove(d + 1, d, i);
	t[0] = tv;
	d[0] = dv;
}

int llc_access(struct llc *c, uint64_t line, int write, uint64_t *victim)
{
	uint64_t set = line % c->sets;
	uint64_t *t = c->tag + set * c->ways;
	uint8_t *d = c->dirty + set * c->ways;
	uint32_t i, last = c->ways - 1;
	int r = LLC_MISS;

	for (i = 0; i < c->ways; i++) {
		if (t[i] == line + 1) {
			llc_touch(t, d, i);
			d[0] |= !!write;
			return LLC_HIT;
		}
	}
	/* Miss: the LRU way (the last) goes, written back if dirty. */
	if (t[last] && d[last]) {
		*victim = t[last] - 1;
		r |= LLC_WRITEBACK;
	}
	t[last] = line + 1;
	d[last] = !!write;
	llc_touch(t, d, last);
	return r;
}
