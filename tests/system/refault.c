// SPDX-License-Identifier: GPL-2.0
/*
 * What one of the tracker's refaults costs the guest, on this host: the
 * tracking budget (hmmv run --hmmv-fault-ns) takes ~1 us, an EPT violation
 * on bare metal; under nested virtualization it costs far more. A tiny
 * real-mode guest reads one byte of each of 128 pages, again and again:
 * in the control rounds its pages' dirty bits are cleared (re-armed) as
 * the tracker clears them, in the zapped rounds their host mapping is also
 * dropped, as tracker_window_begin() drops it, so that each read refaults.
 * The cost is the difference of the median round times over the pages.
 * Prints TAP and "# refault-ns: N" (make eval-real passes N to the engine
 * and to the simulator's replays).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/tap.h"
#include "rmguest.h"

#define RAM		(2ULL << 20)
#define PAGES		(RAM / RM_PAGE)
#define WRITE_GPA	0x1000
#define READ_GPA	0x1100
#define RANGE_GPA	0x20000ULL
#define RANGE_PAGES	128
#define ROUNDS		21

static uint8_t expected_sum(void)
{
	unsigned int i, sum = 0;

	for (i = 0; i < RANGE_PAGES; i++)
		sum += 0x20 + (i & 0xff);
	return (uint8_t)sum;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Range pages in the dirty log since the last clear. */
static unsigned int logged(struct rmguest *g, uint64_t *bitmap)
{
	unsigned int n = 0, i;

	if (rmguest_get_dirty(g, bitmap) < 0)
		return 0;
	for (i = 0; i < RANGE_PAGES; i++)
		n += rm_test_bit(bitmap, RANGE_GPA / RM_PAGE + i);
	return n;
}

/*
 * ROUNDS reads of the range, each after a clear (and a zap when @zap),
 * their times in @ns; the rounds in which the guest read back what it
 * wrote, and those in which every page of the range was logged, in @good
 * and @seen. -1 when a run or an ioctl fails.
 */
static int rounds(struct rmguest *g, uint8_t *range, int zap, uint64_t *ns,
		  unsigned int *good, unsigned int *seen)
{
	uint64_t bitmap[PAGES / 64], scratch[PAGES / 64], t;
	char why[256] = "";
	unsigned int k;

	*good = *seen = 0;
	for (k = 0; k < ROUNDS; k++) {
		if (rmguest_clear_dirty(g, scratch) < 0 ||
		    (zap && madvise(range, RANGE_PAGES * RM_PAGE, MADV_DONTNEED) < 0)) {
			tap_diag("clear or zap: %s", strerror(errno));
			return -1;
		}
		t = now_ns();
		if (rmguest_run(g, READ_GPA, why, sizeof(why)) < 0) {
			tap_diag("read run: %s", why);
			return -1;
		}
		ns[k] = now_ns() - t;
		*good += g->out_len == 1 && (uint8_t)g->out[0] == expected_sum();
		*seen += logged(g, bitmap) == RANGE_PAGES;
	}
	qsort(ns, ROUNDS, sizeof(*ns), cmp_u64);
	return 0;
}

static void measure(struct rmguest *g, uint8_t *range)
{
	uint64_t ctl[ROUNDS], zap[ROUNDS], cost;
	unsigned int good, seen, zgood, zseen;

	if (rounds(g, range, 0, ctl, &good, &seen) || rounds(g, range, 1, zap, &zgood, &zseen)) {
		tap_ok(0, "control and zapped rounds ran");
		return;
	}
	tap_ok(good == ROUNDS && zgood == ROUNDS,
	       "every round read back what the guest wrote (%u and %u of %d)", good, zgood,
	       ROUNDS);
	tap_ok(seen == 0, "control rounds: reads of mapped pages leave no trace (%u of %d logged)",
	       seen, ROUNDS);
	tap_ok(zseen == ROUNDS, "zapped rounds: every read page refaulted into the log (%u of %d)",
	       zseen, ROUNDS);
	cost = zap[ROUNDS / 2] > ctl[ROUNDS / 2] ?
	       (zap[ROUNDS / 2] - ctl[ROUNDS / 2]) / RANGE_PAGES : 0;
	tap_diag("round medians: control %llu ns, zapped %llu ns, %d pages",
		 (unsigned long long)ctl[ROUNDS / 2], (unsigned long long)zap[ROUNDS / 2],
		 RANGE_PAGES);
	printf("# refault-ns: %llu\n", (unsigned long long)cost);
}

int main(void)
{
	uint8_t *range;
	struct rmguest g;
	char why[512] = "";
	int r;

	tap_plan(5);
	if (rmguest_init_ok(&g, RAM, 1, "VM with memfd RAM, dirty logging, manual protect 2"))
		return tap_done(1);
	r = rmguest_load_pages_code(&g, WRITE_GPA, READ_GPA, RANGE_GPA >> 4, RANGE_PAGES,
				    0x100, RANGE_PAGES);
	r = r ? r : rmguest_run(&g, WRITE_GPA, why, sizeof(why));
	range = r ? NULL : memory_translate(&g.mem, RANGE_GPA, RANGE_PAGES * RM_PAGE);
	if (!tap_ok(range != NULL, "guest wrote its %d pages", RANGE_PAGES)) {
		tap_diag("  %s", why[0] ? why : strerror(-r));
		rmguest_exit(&g);
		return tap_done(1);
	}
	measure(&g, range);
	rmguest_exit(&g);
	return tap_done(1);
}
