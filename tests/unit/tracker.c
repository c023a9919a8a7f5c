// SPDX-License-Identifier: GPL-2.0
/*
 * The tracker's pure parts (hmmv/tracker.h): dirty-log bitmaps to trace
 * records (reads vs writes, VMM writes, moved chunks, partial words),
 * per-chunk counts, flag parsing, and the trace file's lifecycle without
 * KVM (created and never started = removed; an existing file untouched).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmmv/tracker.h"
#include "tests/tap.h"

#define NPAGES	200	/* not a multiple of 64: a partial last word */
#define WORDS	((NPAGES + 63) / 64)

static void set(uint64_t *b, uint32_t p)
{
	b[p / 64] |= 1ULL << (p % 64);
}

static const struct trace_rec *find(const struct trace_rec *r, uint32_t n, uint32_t page)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (r[i].page == page)
			return &r[i];
	return NULL;
}

static int is_rec(const struct trace_rec *r, uint32_t reads, uint32_t writes)
{
	return r && r->reads == reads && r->writes == writes;
}

static void test_records(void)
{
	uint64_t win[WORDS] = { 0 }, rest[WORDS] = { 0 }, vmm[WORDS] = { 0 };
	uint64_t mapped[WORDS] = { 0 };
	uint8_t moved[(NPAGES + 31) / 32] = { 0 };	/* chunks of 32 pages */
	struct trace_rec out[NPAGES];
	uint32_t n, i, ascending = 1;

	set(win, 3);			/* touched in the window only: read */
	set(win, 5);
	set(rest, 5);			/* window + rest: written */
	set(rest, 7);			/* first touched in the rest: read */
	set(vmm, 9);			/* VMM wrote it: write */
	set(win, 9);
	set(win, 40);			/* chunk 1 moves during the interval: */
	set(rest, 40);			/* its refault is no write */
	set(mapped, 41);
	set(win, 41);
	moved[1] = 1;
	set(mapped, 11);		/* mapped at the start, logged: a write */
	set(rest, 11);
	set(mapped, 13);		/* mapped, not logged: nothing seen */
	set(win, 70);			/* next word */
	set(rest, 70);
	set(rest, 199);			/* the last page */
	set(rest, 200);			/* past npages: ignored */
	n = tracker_records(win, rest, vmm, mapped, moved, 32, NPAGES, out);
	tap_is(n, 9, "one record per logged or VMM-written page, none past npages");
	tap_ok(is_rec(find(out, n, 3), 1, 0), "window only: a read");
	tap_ok(is_rec(find(out, n, 5), 0, 1), "window and rest: a write");
	tap_ok(is_rec(find(out, n, 7), 1, 0), "first touched in the rest: a read");
	tap_ok(is_rec(find(out, n, 9), 0, 1), "VMM-written: a write");
	tap_ok(is_rec(find(out, n, 11), 0, 1), "mapped at the start and logged: a write");
	tap_ok(!find(out, n, 13), "mapped and not logged: no record (reads unseen)");
	tap_ok(is_rec(find(out, n, 40), 1, 0) && is_rec(find(out, n, 41), 1, 0),
	       "moved chunk: logs are touches only");
	tap_ok(is_rec(find(out, n, 70), 0, 1), "second word: a write");
	tap_ok(is_rec(find(out, n, 199), 1, 0), "last page of a partial word");
	for (i = 1; i < n; i++)
		ascending &= out[i].page > out[i - 1].page;
	tap_ok(ascending, "records ascend by page (trace block order)");
	n = tracker_records(NULL, rest, NULL, NULL, NULL, 32, NPAGES, out);
	tap_ok(n == 6 && is_rec(find(out, n, 5), 1, 0),
	       "without a window log or mapped pages nothing counts as written");
	tracker_update_mapped(mapped, win, rest, moved, 32, NPAGES);
	tap_ok((mapped[0] >> 3 & 1) && (mapped[0] >> 7 & 1) && (mapped[0] >> 13 & 1) &&
	       !(mapped[0] >> 40 & 1) && !(mapped[0] >> 41 & 1) && (mapped[3] >> 7 & 1) &&
	       !(mapped[3] >> 8 & 1),
	       "after the interval: logged pages mapped, moved chunks' and out-of-range not");
}

static void test_counts(void)
{
	struct trace_rec r[] = {
		{ 0, 1, 0 }, { 1, 0, 1 }, { 511, 0, 1 }, { 512, 1, 0 }, { 1100, 0, 1 },
		{ 5000, 1, 0 },	/* past the last chunk */
	};
	uint32_t touched[3], written[3];

	tracker_chunk_counts(r, 6, 512, 3, touched, written);
	tap_ok(touched[0] == 3 && written[0] == 2, "chunk 0: 3 touched, 2 written");
	tap_ok(touched[1] == 1 && written[1] == 0, "chunk 1: 1 touched, 0 written");
	tap_ok(touched[2] == 1 && written[2] == 1, "chunk 2: 1 touched, 1 written; pages past the end ignored");
}

static void test_parse(void)
{
	struct tracker_config c;
	char why[128];

	tracker_config_init(&c);
	tap_ok(!c.path && c.interval_ms == TRACKER_DEFAULT_INTERVAL_MS &&
	       c.window_ms == TRACKER_DEFAULT_WINDOW_MS && c.window_ms < c.interval_ms &&
	       c.sample_pages == TRACKER_DEFAULT_SAMPLE_PAGES,
	       "defaults: off, 100 ms interval, 5 ms window, 32 pages sampled");
	tap_ok(tracker_parse_flag(&c, "--trace", "x.trace", why, sizeof(why)) == 0 &&
	       !strcmp(c.path, "x.trace"), "--trace FILE");
	tap_ok(tracker_parse_flag(&c, "--trace", "", why, sizeof(why)) == -EINVAL,
	       "--trace with an empty name is refused");
	tap_ok(tracker_parse_flag(&c, "--trace-pages", "64", why, sizeof(why)) == 0 &&
	       c.sample_pages == 64 &&
	       tracker_parse_flag(&c, "--trace-pages", "48", why, sizeof(why)) == -EINVAL &&
	       tracker_parse_flag(&c, "--trace-pages", "0", why, sizeof(why)) == -EINVAL &&
	       c.sample_pages == 64, "--trace-pages: powers of two only");
	tap_ok(tracker_parse_flag(&c, "--trace-interval", "250", why, sizeof(why)) == 0 &&
	       c.interval_ms == 250, "--trace-interval 250");
	tap_ok(tracker_parse_flag(&c, "--trace-interval", "9", why, sizeof(why)) == -EINVAL &&
	       tracker_parse_flag(&c, "--trace-interval", "60001", why, sizeof(why)) == -EINVAL &&
	       tracker_parse_flag(&c, "--trace-interval", "-100", why, sizeof(why)) == -EINVAL &&
	       tracker_parse_flag(&c, "--trace-interval", "1e3", why, sizeof(why)) == -EINVAL &&
	       c.interval_ms == 250, "out-of-range and malformed intervals refused, value kept");
	tap_ok(strstr(why, "'1e3'") != NULL, "the reason names the value: %s", why);
}

static void test_file(void)
{
	char dir[] = "/tmp/tracker-unit.XXXXXX", path[256], why[256];
	struct tracker_config c;
	struct tracker *t = NULL;
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	tracker_config_init(&c);
	snprintf(path, sizeof(path), "%s/new.trace", dir);
	c.path = path;
	tap_ok(tracker_create(&t, &c, why, sizeof(why)) == 0 && stat(path, &st) == 0,
	       "tracker_create makes the file");
	tracker_destroy(t);
	tap_ok(stat(path, &st) < 0 && errno == ENOENT, "never started: the file is removed");
	f = fopen(path, "w");
	if (f) {
		fputs("keep", f);
		fclose(f);
	}
	t = NULL;
	tap_ok(tracker_create(&t, &c, why, sizeof(why)) == 0, "an existing file opens");
	tracker_destroy(t);
	tap_ok(stat(path, &st) == 0 && st.st_size == 4, "never started: an existing file is untouched");
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/dir.trace", dir);
	t = NULL;
	tap_ok(tracker_create(&t, &c, why, sizeof(why)) == -ENOENT && !t &&
	       strstr(why, "--trace ") == why && strstr(why, path),
	       "an unwritable path: -ENOENT, the reason names --trace and the file");
	rmdir(dir);
}

int main(void)
{
	tap_plan(28);
	test_records();
	test_counts();
	test_parse();
	test_file();
	return tap_done(1);
}
