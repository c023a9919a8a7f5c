// SPDX-License-Identifier: GPL-2.0
/*
 * The tracker's and the engine's pure parts (hmmv/tracker.h,
 * hmmv/engine.h): coalescing blocks into zap runs, block masks and window
 * counts over bitmaps (partial words, block edges), the engine's flags,
 * its rate limit and percentiles, and the trace file's lifecycle without
 * KVM (created and never started = removed; an existing file untouched).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmmv/engine.h"
#include "hmmv/tracker.h"
#include "tests/tap.h"

#define NPAGES	200	/* not a multiple of 64: a partial last word */
#define WORDS	((NPAGES + 63) / 64)

static void set(uint64_t *b, uint32_t p)
{
	b[p / 64] |= 1ULL << (p % 64);
}

static void test_runs(void)
{
	const struct tracker_block b[] = {
		{ 0, 32 }, { 32, 32 }, { 96, 32 }, { 128, 8 }, { 190, 10 },
	};
	struct tracker_block r[5];
	uint32_t n;

	n = tracker_runs(b, 5, r);
	tap_ok(n == 3 && r[0].page == 0 && r[0].npages == 64 && r[1].page == 96 &&
	       r[1].npages == 40 && r[2].page == 190 && r[2].npages == 10,
	       "adjacent blocks coalesce into one zap run each: %u runs", n);
	tap_ok(tracker_runs(b, 0, r) == 0, "no blocks, no runs");
	n = tracker_runs(&b[2], 1, r);
	tap_ok(n == 1 && r[0].page == 96 && r[0].npages == 32, "one block, one run");
}

static void test_masks(void)
{
	const struct tracker_block b[] = { { 60, 8 }, { 128, 64 }, { 196, 4 } };
	uint64_t mask[WORDS] = { 0 }, log[WORDS] = { 0 };
	uint8_t counts[76] = { 0 };
	uint32_t i, all = 1;

	tracker_mask_set(mask, b, 3);
	tap_ok(mask[0] == 0xf000000000000000ULL && mask[1] == 0xf && mask[2] == ~0ULL &&
	       mask[3] == 0xf0, "the mask holds exactly the blocks' pages (word edges, full word)");
	tracker_mask_clear(mask, b, 3);
	tap_ok(!mask[0] && !mask[1] && !mask[2] && !mask[3], "clearing it leaves it empty");
	set(log, 59);		/* outside every block */
	set(log, 60);		/* block 0, page 0 */
	set(log, 67);		/* block 0, page 7 */
	set(log, 150);		/* block 1, page 22 */
	set(log, 199);		/* block 2, page 3 */
	tap_ok(tracker_mask_count(log, b, 3) == 4, "4 logged pages inside the blocks");
	tracker_harvest(log, b, 3, counts);
	tracker_harvest(log, b, 3, counts);
	for (i = 0; i < 76; i++)
		all &= counts[i] == ((i == 0 || i == 7 || i == 8 + 22 || i == 75) ? 2 : 0);
	tap_ok(all, "two harvests: 2 windows for each logged block page, 0 elsewhere");
	{
		struct tracker_block sel[3];
		uint32_t k = tracker_touched(log, b, 3, sel);

		tap_ok(k == 3 && sel[0].page == 60 && sel[2].page == 196,
		       "every block with a logged page is selected for a zap");
		memset(log, 0, sizeof(log));
		set(log, 150);
		k = tracker_touched(log, b, 3, sel);
		tap_ok(k == 1 && sel[0].page == 128 && sel[0].npages == 64,
		       "untouched blocks are left out");
	}
	memset(counts, 255, sizeof(counts));
	tracker_harvest(log, b, 3, counts);
	tap_ok(counts[0] == 255, "window counts saturate at 255");
}

static void test_parse(void)
{
	struct engine_config c;
	char why[256];

	engine_config_init(&c);
	tap_ok(c.mode == ENGINE_AUTO && c.copy == ENGINE_COPY_WP && !c.trace &&
	       !c.interval_ms && !c.sample_pages, "defaults: auto, wp, the policy's parameters");
	tap_ok(engine_parse_flag(&c, "--hmmv", "off", why, sizeof(why)) == 0 &&
	       c.mode == ENGINE_OFF && engine_parse_flag(&c, "--hmmv", "on", why, sizeof(why)) == 0 &&
	       c.mode == ENGINE_ON, "--hmmv on|off");
	tap_ok(engine_parse_flag(&c, "--hmmv", "yes", why, sizeof(why)) == -EINVAL &&
	       strstr(why, "'yes'"), "--hmmv yes refused: %s", why);
	tap_ok(engine_parse_flag(&c, "--hmmv-copy", "pause", why, sizeof(why)) == 0 &&
	       c.copy == ENGINE_COPY_PAUSE &&
	       engine_parse_flag(&c, "--hmmv-copy", "wp", why, sizeof(why)) == 0 &&
	       c.copy == ENGINE_COPY_WP &&
	       engine_parse_flag(&c, "--hmmv-copy", "stop", why, sizeof(why)) == -EINVAL,
	       "--hmmv-copy wp|pause");
	tap_ok(c.move == ENGINE_MOVE_AUTO &&
	       engine_parse_flag(&c, "--hmmv-move", "page", why, sizeof(why)) == 0 &&
	       c.move == ENGINE_MOVE_PAGE &&
	       engine_parse_flag(&c, "--hmmv-move", "chunk", why, sizeof(why)) == 0 &&
	       c.move == ENGINE_MOVE_CHUNK &&
	       engine_parse_flag(&c, "--hmmv-move", "pages", why, sizeof(why)) == -EINVAL &&
	       strstr(why, "'pages'"), "--hmmv-move chunk|page, auto by default");
	tap_ok(c.dirty_log == ENGINE_LOG_SAMPLING &&
	       engine_parse_flag(&c, "--hmmv-dirty-log", "always", why, sizeof(why)) == 0 &&
	       c.dirty_log == ENGINE_LOG_ALWAYS &&
	       engine_parse_flag(&c, "--hmmv-dirty-log", "sampling", why, sizeof(why)) == 0 &&
	       c.dirty_log == ENGINE_LOG_SAMPLING &&
	       engine_parse_flag(&c, "--hmmv-dirty-log", "on", why, sizeof(why)) == -EINVAL &&
	       strstr(why, "'on'"), "--hmmv-dirty-log sampling|always, sampling by default");
	tap_ok(engine_parse_flag(&c, "--hmmv-interval", "250", why, sizeof(why)) == 0 &&
	       c.interval_ms == 250 &&
	       engine_parse_flag(&c, "--hmmv-interval", "9", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--trace-interval", "60001", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-interval", "-100", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-interval", "1e3", why, sizeof(why)) == -EINVAL &&
	       c.interval_ms == 250, "intervals: out of range and malformed refused, value kept");
	tap_ok(engine_parse_flag(&c, "--hmmv-block-pages", "64", why, sizeof(why)) == 0 &&
	       c.sample_pages == 64 &&
	       engine_parse_flag(&c, "--trace-pages", "48", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-block-pages", "0", why, sizeof(why)) == -EINVAL,
	       "block pages: a power of two");
	tap_ok(engine_parse_flag(&c, "--hmmv-windows", "17", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-windows", "8", why, sizeof(why)) == 0 &&
	       engine_parse_flag(&c, "--hmmv-levels", "9", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-levels", "0", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-rate", "0", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-rate", "200", why, sizeof(why)) == 0 &&
	       c.windows == 8 && c.rate_mibs == 200, "windows 1..16, levels 1..8, rate >= 1");
	tap_ok(!c.track_set &&
	       engine_parse_flag(&c, "--hmmv-track-pct", "101", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-track-pct", "x", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-track-pct", "0", why, sizeof(why)) == 0 &&
	       c.track_set && c.track_pct == 0, "tracking budget: a percentage, 0 = no bound");
	tap_ok(c.fault_ns == POLICY_FAULT_NS &&
	       engine_parse_flag(&c, "--hmmv-fault-ns", "49", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-fault-ns", "10000001", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-fault-ns", "1us", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--hmmv-fault-ns", "150000", why, sizeof(why)) == 0 &&
	       c.fault_ns == 150000, "refault cost: 50 ns to 10 ms, 1 us by default");
	tap_ok(engine_parse_flag(&c, "--trace", "", why, sizeof(why)) == -EINVAL &&
	       engine_parse_flag(&c, "--trace", "x.trace", why, sizeof(why)) == 0 &&
	       !strcmp(c.trace, "x.trace"), "--trace FILE, not empty");
	engine_config_init(&c);
	c.mode = ENGINE_ON;
	tap_ok(engine_config_check(&c, false, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--hmmv on") == why, "--hmmv on without a slow tier: %s", why);
	c.windows = 8;
	c.window_ms = 20;
	tap_ok(engine_config_check(&c, true, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--hmmv-window-ms") == why, "windows that do not fit: %s", why);
	engine_config_init(&c);
	tap_ok(!engine_config_tracks(&c, false) && engine_config_tracks(&c, true),
	       "auto: tracks with a slow tier only");
	c.mode = ENGINE_OFF;
	tap_ok(!engine_config_tracks(&c, true), "off: no tracking (no dirty log)");
	c.trace = "x";
	tap_ok(engine_config_tracks(&c, true), "off with --trace: tracks");
}

static void test_helpers(void)
{
	const uint64_t s[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	tap_ok(engine_rate_moves(0, 100, 2 << 20, 64) == 64, "no rate: the policy's max_moves");
	tap_ok(engine_rate_moves(200, 100, 2 << 20, 64) == 10, "200 MiB/s, 100 ms, 2 MiB: 10 moves");
	tap_ok(engine_rate_moves(1, 100, 2 << 20, 64) == 1, "a tiny rate still moves one chunk");
	tap_ok(engine_percentile(s, 10, 50) == 5 && engine_percentile(s, 10, 99) == 10 &&
	       engine_percentile(s, 10, 0) == 1 && engine_percentile(s, 0, 50) == 0,
	       "percentiles by nearest rank");
}

static void test_file(void)
{
	char dir[] = "/tmp/tracker-unit.XXXXXX", path[256], why[256];
	struct tracker *t = NULL;
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/new.trace", dir);
	tap_ok(tracker_create(&t, path, 0, why, sizeof(why)) == 0 && stat(path, &st) == 0,
	       "tracker_create makes the file");
	tracker_destroy(t);
	tap_ok(stat(path, &st) < 0 && errno == ENOENT, "never started: the file is removed");
	f = fopen(path, "w");
	if (f) {
		fputs("keep", f);
		fclose(f);
	}
	t = NULL;
	tap_ok(tracker_create(&t, path, 0, why, sizeof(why)) == 0, "an existing file opens");
	tracker_destroy(t);
	tap_ok(stat(path, &st) == 0 && st.st_size == 4, "never started: an existing file is untouched");
	unlink(path);
	snprintf(path, sizeof(path), "%s/no/such/dir.trace", dir);
	t = NULL;
	tap_ok(tracker_create(&t, path, 0, why, sizeof(why)) == -ENOENT && !t &&
	       strstr(why, "--trace ") == why && strstr(why, path),
	       "an unwritable path: -ENOENT, the reason names --trace and the file");
	t = NULL;
	tap_ok(tracker_create(&t, NULL, 0, why, sizeof(why)) == 0 && t && !tracker_tracing(t),
	       "no --trace: a tracker without a file");
	tracker_destroy(t);
	rmdir(dir);
}

int main(void)
{
	tap_plan(37);
	test_runs();
	test_masks();
	test_parse();
	test_helpers();
	test_file();
	return tap_done(1);
}
