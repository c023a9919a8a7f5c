// SPDX-License-Identifier: GPL-2.0-or-later
/* Last-level cache model of the traffic meter (see llc.h). */
#include "tools/meter/llc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define METER_LLC_EMPTY UINT64_MAX	/* (EMPTY >> 1) is no line a 64-bit address makes */

int meter_llc_init(struct meter_llc *c, uint64_t size, unsigned int ways, unsigned int line)
{
	uint64_t sets, i;

	memset(c, 0, sizeof(*c));
	if (!line || (line & (line - 1)) || !ways || ways > 64)
		return -EINVAL;
	if (!size || size % ((uint64_t)ways * line))
		return -EINVAL;
	sets = size / ways / line;
	if (sets > UINT32_MAX)
		return -EINVAL;
	c->tags = malloc(sets * ways * sizeof(*c->tags));
	if (!c->tags)
		return -ENOMEM;
	for (i = 0; i < sets * ways; i++)
		c->tags[i] = METER_LLC_EMPTY;
	c->sets = sets;
	c->ways = ways;
	c->line_shift = __builtin_ctz(line);
	return 0;
}

void meter_llc_free(struct meter_llc *c)
{
	free(c->tags);
	c->tags = NULL;
}

enum meter_llc_result meter_llc_access(struct meter_llc *c, uint64_t line, bool store,
			   uint64_t *victim)
{
	uint64_t *set = c->tags + (size_t)(line % c->sets) * c->ways;
	uint64_t old;
	unsigned int i;

	for (i = 0; i < c->ways; i++) {
		if ((set[i] >> 1) != line)
			continue;
		old = set[i] | store;
		memmove(set + 1, set, i * sizeof(*set));
		set[0] = old;
		return METER_LLC_HIT;
	}
	old = set[c->ways - 1];
	memmove(set + 1, set, (c->ways - 1) * sizeof(*set));
	set[0] = line << 1 | store;
	if (old == METER_LLC_EMPTY || !(old & 1))
		return METER_LLC_MISS;
	*victim = old >> 1;
	return METER_LLC_MISS_WB;
}

void meter_llc_flush(struct meter_llc *c, void (*fn)(uint64_t line, void *arg), void *arg)
{
	uint64_t i, n = (uint64_t)c->sets * c->ways;

	for (i = 0; i < n; i++) {
		if (c->tags[i] == METER_LLC_EMPTY || !(c->tags[i] & 1))
			continue;
		fn(c->tags[i] >> 1, arg);
		c->tags[i] &= ~1ULL;
	}
}
