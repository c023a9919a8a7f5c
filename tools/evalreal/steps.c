// SPDX-License-Identifier: GPL-2.0
/* make eval-real's frame timelines (tools/evalreal/steps.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/evalreal/runs.h"
#include "tools/evalreal/steps.h"

void steps_free(struct page_steps *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		free(s->held[i]);
	free(s->held);
	free(s->at);
	memset(s, 0, sizeof(*s));
}

/* A new list after the last, at @block, holding what the last held. */
static int steps_add(struct page_steps *s, uint32_t block)
{
	size_t bytes = s->pages / 8 + 1;
	uint8_t **held;
	uint32_t *at;

	if (s->n && block < s->at[s->n - 1])
		return -EINVAL;
	at = realloc(s->at, (s->n + 1) * sizeof(*at));
	if (!at)
		return -ENOMEM;
	s->at = at;
	held = realloc(s->held, (s->n + 1) * sizeof(*held));
	if (!held)
		return -ENOMEM;
	s->held = held;
	held[s->n] = s->n ? malloc(bytes) : calloc(bytes, 1);
	if (!held[s->n])
		return -ENOMEM;
	if (s->n)
		memcpy(held[s->n], held[s->n - 1], bytes);
	at[s->n++] = block;
	return 0;
}

/* "+ FIRST COUNT" or "- FIRST COUNT" on the last list. */
static int steps_change(struct page_steps *s, char sign, unsigned long long first,
			unsigned long long count)
{
	uint8_t *h;
	uint64_t p;

	if (!s->n || (sign != '+' && sign != '-') || !count ||
	    first >= s->pages || count > s->pages - first)
		return -EINVAL;
	h = s->held[s->n - 1];
	for (p = first; p < first + count; p++) {
		if (steps_held(h, p) != (sign == '-'))
			return -EINVAL;
		h[p / 8] ^= (uint8_t)(1u << (p % 8));
	}
	return 0;
}

static int steps_line(struct page_steps *s, const char *line)
{
	unsigned long long a, b;
	char sign, end;

	if (sscanf(line, "@ %llu %c", &a, &end) == 1)
		return a <= UINT32_MAX ? steps_add(s, (uint32_t)a) : -EINVAL;
	if (sscanf(line, "%c %llu %llu %c", &sign, &a, &b, &end) == 3)
		return steps_change(s, sign, a, b);
	return -EINVAL;
}

int steps_load(struct page_steps *s, const char *path, uint64_t pages)
{
	char line[256];
	FILE *f;
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->pages = pages;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f))
		err = strchr(line, '\n') || feof(f) ? steps_line(s, line) : -EINVAL;
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (err)
		steps_free(s);
	return err;
}

int steps_load_runs(struct page_steps *s, const char *path, uint64_t pages)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->pages = pages;
	err = steps_add(s, 0);
	err = err ? err : runs_load(s->held[0], pages, path);
	if (err)
		steps_free(s);
	return err;
}

int steps_around(const struct page_steps *s, uint32_t block,
		 const uint8_t **before, const uint8_t **after)
{
	uint32_t lo = 0, hi = s->n, mid;

	if (!s->n)
		return -ENOENT;
	/* The first list taken after @block ended: at[] > block. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->at[mid] > block)
			hi = mid;
		else
			lo = mid + 1;
	}
	*after = lo < s->n ? s->held[lo] : NULL;
	*before = lo ? s->held[lo - 1] : NULL;
	return 0;
}

int steps_weigh(const struct page_steps *s, uint32_t block, const struct trace_rec *recs,
		uint32_t n, struct steps_sum *t)
{
	const uint8_t *before, *after;
	uint32_t i, in;
	int err;

	err = steps_around(s, block, &before, &after);
	for (i = 0; !err && i < n; i++) {
		if (recs[i].page >= s->pages)
			return -EINVAL;
		in = (before && steps_held(before, recs[i].page)) +
		     (after && steps_held(after, recs[i].page));
		if (!in)
			continue;
		t->lines[0] += recs[i].reads;
		t->lines[1] += recs[i].writes;
		if (in == 2 || !before || !after) {
			t->both[0] += recs[i].reads;
			t->both[1] += recs[i].writes;
		}
	}
	return err;
}
