// SPDX-License-Identifier: GPL-2.0
/* hmmv capture: valgrind lackey's --trace-mem output through the LLC. */
#include <errno.h>
#include <string.h>

#include "tools/capture/capture.h"

#define PAGE_SHIFT	12

uint64_t capture_recorded(const struct capture *c)
{
	return c->seen > c->skip ? c->seen - c->skip : 0;
}

static int recording(const struct capture *c)
{
	return c->seen > c->skip;
}

static int line_access(struct capture *c, uint64_t line, int write)
{
	uint64_t victim = 0;
	int r = llc_access(&c->llc, line, write, &victim), e = 0;

	if (!recording(c))
		return 0;
	if (r & LLC_MISS)
		e = pagemap_count(c->map, line >> (PAGE_SHIFT - LLC_LINE_SHIFT), 0);
	if (!e && (r & LLC_WRITEBACK))
		e = pagemap_count(c->map, victim >> (PAGE_SHIFT - LLC_LINE_SHIFT), 1);
	return e;
}

/* Every line of [addr, addr + size), loads then (for M) the store. */
static int access_range(struct capture *c, uint64_t addr, uint64_t size,
			int load, int store)
{
	uint64_t l, first = addr >> LLC_LINE_SHIFT;
	uint64_t last = (addr + (size ? size : 1) - 1) >> LLC_LINE_SHIFT;
	int r = 0;

	for (l = first; !r && l <= last; l++) {
		/* What the engine's tracking sees: every access, hits too. */
		if (recording(c))
			r = pagemap_touch(c->map, l >> (PAGE_SHIFT - LLC_LINE_SHIFT));
		if (!r && load)
			r = line_access(c, l, 0);
		if (!r && store)
			r = line_access(c, l, 1);
	}
	return r;
}

static int parse_hex(const char **s, const char *end, uint64_t *v)
{
	const char *p = *s;
	int n = 0;

	*v = 0;
	for (; p < end && n < 16; p++, n++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0' :
			*p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;

		if (d < 0)
			break;
		*v = *v << 4 | (uint64_t)d;
	}
	*s = p;
	return n ? 0 : -1;
}

static int parse_dec(const char *p, const char *end, uint64_t *v)
{
	int n = 0;

	*v = 0;
	for (; p < end && *p >= '0' && *p <= '9' && n < 6; p++, n++)
		*v = *v * 10 + (uint64_t)(*p - '0');
	return n && p == end ? 0 : -1;
}

static int end_interval_if_due(struct capture *c)
{
	uint64_t rec = capture_recorded(c);
	int r = 0;

	if (rec && rec % c->interval == 0)
		r = pagemap_end_interval(c->map);
	if (rec >= c->max)
		c->done = 1;
	return r;
}

/* One line without its newline; anything not an access is ignored. */
static int feed_line(struct capture *c, const char *s, const char *end)
{
	uint64_t addr, size;
	char kind;

	if (end - s < 5)
		return 0;
	if (s[0] == 'I' && s[1] == ' ' && s[2] == ' ')
		kind = 'I';
	else if (s[0] == ' ' && strchr("LSM", s[1]) && s[1] && s[2] == ' ')
		kind = s[1];
	else
		return 0;
	s += 3;
	if (parse_hex(&s, end, &addr) || s >= end || *s != ',' ||
	    parse_dec(s + 1, end, &size))
		return 0;
	if (kind == 'I') {
		c->fetches++;
		return access_range(c, addr, size, 1, 0);
	}
	c->seen++;
	if (access_range(c, addr, size, kind != 'S', kind != 'L'))
		return -ENOMEM;
	return end_interval_if_due(c);
}

int capture_feed(struct capture *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t k;
	int r;

	while (p < end && !c->done) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			/* Keep the tail; an over-long line is not an access. */
			k = (size_t)(end - p);
			if (c->npart + k < sizeof(c->part)) {
				memcpy(c->part + c->npart, p, k);
				c->npart += k;
			} else {
				c->npart = sizeof(c->part);
			}
			return 0;
		}
		if (c->npart) {
			k = (size_t)(nl - p);
			r = 0;
			if (c->npart + k < sizeof(c->part)) {
				memcpy(c->part + c->npart, p, k);
				r = feed_line(c, c->part, c->part + c->npart + k);
			}
			c->npart = 0;
		} else {
			r = feed_line(c, p, nl);
		}
		if (r)
			return r;
		p = nl + 1;
	}
	return 0;
}
