// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for make eval-real's frame timelines (tools/evalreal/steps.h):
 * the lists a file builds, the lists around a trace block, the weighing of
 * a block's traffic, and the files refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/evalreal/steps.h"

static char path[] = "/tmp/hmmv-steps-XXXXXX";

static int put(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int load(const char *text, struct page_steps *s)
{
	int err = put(text);

	return err ? err : steps_load(s, path, 16);
}

/* The frames list @i holds, as a 16-bit mask. */
static unsigned mask(const struct page_steps *s, uint32_t i)
{
	unsigned m = 0, p;

	for (p = 0; p < 16; p++)
		m |= (unsigned)steps_held(s->held[i], p) << p;
	return m;
}

static int around_is(const struct page_steps *s, uint32_t block, int before, int after)
{
	const uint8_t *b, *a;

	if (steps_around(s, block, &b, &a))
		return 0;
	return b == (before < 0 ? NULL : s->held[before]) &&
	       a == (after < 0 ? NULL : s->held[after]);
}

static void weighing(const struct page_steps *s)
{
	/* Frame 0 held throughout, 1 left at list 1, 8 joined at list 1. */
	struct trace_rec r[] = { { 0, 10, 2 }, { 1, 10, 2 }, { 8, 10, 2 }, { 5, 10, 2 } };
	struct steps_sum t = { 0 };
	int err = steps_weigh(s, 3, r, 4, &t);

	tap_ok(!err && t.lines[0] == 30 && t.lines[1] == 6 && t.both[0] == 10 && t.both[1] == 2,
	       "a block between lists: the frames either holds count, those both hold also as held throughout, one never held not at all (%llu fills, %llu throughout)",
	       (unsigned long long)t.lines[0], (unsigned long long)t.both[0]);
	memset(&t, 0, sizeof(t));
	err = steps_weigh(s, 0, r, 4, &t);
	tap_ok(!err && t.lines[0] == 20 && t.both[0] == 20,
	       "a block before the first list: the frames it holds, as held throughout");
	memset(&t, 0, sizeof(t));
	r[0].page = 16;
	tap_ok(steps_weigh(s, 3, r, 1, &t) == -EINVAL, "a page past the lists' frames: -EINVAL");
}

int main(void)
{
	struct page_steps s;
	const uint8_t *b, *a;
	int fd;

	tap_plan(15);
	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	tap_ok(!load("@ 2\n+ 0 4\n@ 5\n- 1 1\n+ 8 2\n@ 5\n- 8 1\n", &s) && s.n == 3 &&
	       s.at[0] == 2 && s.at[1] == 5 && s.at[2] == 5,
	       "three lists, taken before blocks 2, 5 and 5");
	tap_ok(s.n == 3 && mask(&s, 0) == 0x00f && mask(&s, 1) == 0x30d && mask(&s, 2) == 0x20d,
	       "each list holds the frames joined and not left since: %#x %#x %#x",
	       s.n == 3 ? mask(&s, 0) : 0, s.n == 3 ? mask(&s, 1) : 0, s.n == 3 ? mask(&s, 2) : 0);
	tap_ok(around_is(&s, 0, -1, 0) && around_is(&s, 2, 0, 1) && around_is(&s, 4, 0, 1) &&
	       around_is(&s, 5, 2, -1) && around_is(&s, 9, 2, -1),
	       "the lists around a block: the last before it began, the first after it ended");
	weighing(&s);
	steps_free(&s);
	{
		struct trace_rec r[] = { { 1, 7, 1 }, { 9, 5, 0 }, { 4, 3, 3 } };
		struct steps_sum t = { 0 };
		int err = put("0 2\n9 1\n");

		err = err ? err : steps_load_runs(&s, path, 16);
		err = err ? err : steps_weigh(&s, 40, r, 3, &t);
		tap_ok(!err && s.n == 1 && mask(&s, 0) == 0x203 && t.lines[0] == 12 &&
		       t.lines[1] == 1 && t.both[0] == 12,
		       "a runs file: one list held throughout, counted in any block");
		steps_free(&s);
	}
	tap_ok(load("", &s) == 0 && s.n == 0 && steps_around(&s, 0, &b, &a) == -ENOENT,
	       "an empty file: no lists, and no lists around any block");
	tap_ok(load("@ 1\n+ 0 1\n+ 0 1\n", &s) == -EINVAL, "a frame joining twice: -EINVAL");
	tap_ok(load("@ 1\n- 3 1\n", &s) == -EINVAL, "a frame leaving that was not held: -EINVAL");
	tap_ok(load("@ 4\n@ 3\n", &s) == -EINVAL, "lists out of order: -EINVAL");
	tap_ok(load("@ 1\n+ 15 2\n", &s) == -EINVAL, "frames past the end: -EINVAL");
	tap_ok(load("+ 0 1\n", &s) == -EINVAL, "a change before the first list: -EINVAL");
	tap_ok(load("@ 1\n* 0 1\n", &s) == -EINVAL && load("@ 1 2\n", &s) == -EINVAL,
	       "a malformed line: -EINVAL");
	unlink(path);
	tap_ok(steps_load(&s, path, 16) == -ENOENT, "no file: -ENOENT");
	return tap_done(15);
}
