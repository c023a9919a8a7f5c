// SPDX-License-Identifier: GPL-2.0
/*
 * "Zap and log" (docs/design.md, "Tracking"): pins the kernel behaviour the
 * tracker relies on to see guest reads. With manual dirty-log protection, a
 * memfd-backed range whose host mapping was dropped (MADV_DONTNEED) and
 * whose dirty bits were cleared shows in the dirty log every page the guest
 * then only reads, and no page the guest never touches. A control phase
 * first shows that without the zap the same reads stay invisible, so the
 * zap is what makes reads visible.
 */
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "rmguest.h"

#define RAM		(2ULL << 20)
#define PAGES		(RAM / RM_PAGE)
#define WRITE_GPA	0x1000
#define READ_GPA	0x1100
/* The tracked range: 32 pages at gpa 0x20000; the guest reads the even ones. */
#define RANGE_GPA	0x20000ULL
#define RANGE_PAGES	32

static uint8_t expected_sum(void)
{
	unsigned int i, sum = 0;

	for (i = 0; i < RANGE_PAGES; i += 2)
		sum += 0x20 + i;
	return (uint8_t)sum;
}

static int in_range(uint64_t page)
{
	return page >= RANGE_GPA / RM_PAGE && page < RANGE_GPA / RM_PAGE + RANGE_PAGES;
}

static int is_read(uint64_t page)
{
	return in_range(page) && (page - RANGE_GPA / RM_PAGE) % 2 == 0;
}

/* Counts pages of the slot by class: set bits in and outside @want. */
struct census {
	unsigned int want_set, want_total, other_set;
	uint64_t first_other;
};

static struct census census(const uint64_t *bitmap, int (*want)(uint64_t))
{
	struct census c = { 0 };
	uint64_t p;

	for (p = 0; p < PAGES; p++) {
		if (want(p)) {
			c.want_total++;
			c.want_set += rm_test_bit(bitmap, p);
		} else if (rm_test_bit(bitmap, p) && !c.other_set++) {
			c.first_other = p;
		}
	}
	return c;
}

static int none(uint64_t page)
{
	return 0;
}

/* Runs the routine at @ip and returns 0 when it halted cleanly. */
static int run(struct rmguest *g, uint16_t ip, const char *what)
{
	char why[256] = "";
	int r = rmguest_run(g, ip, why, sizeof(why));

	if (!tap_ok(r == 0, "%s: guest ran to HLT", what))
		tap_diag("  %s", why[0] ? why : strerror(-r));
	return r;
}

static int harvest(struct rmguest *g, uint64_t *bitmap, uint64_t *scratch)
{
	int r = rmguest_get_dirty(g, bitmap);

	if (r == 0)
		r = rmguest_clear_dirty(g, scratch);
	if (r < 0)
		tap_diag("dirty log: %s", strerror(-r));
	return r;
}

static int phase_write(struct rmguest *g, uint64_t *bitmap, uint64_t *scratch)
{
	struct census c;

	if (run(g, WRITE_GPA, "write phase") || harvest(g, bitmap, scratch))
		return -1;
	c = census(bitmap, in_range);
	tap_is(c.want_set, RANGE_PAGES, "write phase: all 32 written pages are in the log");
	return 0;
}

static void phase_read(struct rmguest *g, uint64_t *bitmap, uint64_t *scratch, int zapped)
{
	const char *what = zapped ? "after zap" : "control, no zap";
	struct census c;

	if (run(g, READ_GPA, what))
		return;
	if (!tap_ok(g->out_len == 1 && (uint8_t)g->out[0] == expected_sum(),
		    "%s: guest read back what it wrote", what))
		tap_diag("  sum %#x, want %#x", g->out_len ? (uint8_t)g->out[0] : 0,
			 expected_sum());
	if (harvest(g, bitmap, scratch))
		return;
	if (!zapped) {
		c = census(bitmap, none);
		if (!tap_ok(c.other_set == 0, "%s: reads of mapped pages leave no trace", what))
			tap_diag("  %u pages logged, first %#llx", c.other_set,
				 (unsigned long long)c.first_other);
		return;
	}
	c = census(bitmap, is_read);
	tap_is(c.want_set, c.want_total, "after zap: every page the guest only read is in the log");
	if (!tap_ok(c.other_set == 0, "after zap: no page the guest did not touch is in the log"))
		tap_diag("  %u pages logged, first %#llx", c.other_set,
			 (unsigned long long)c.first_other);
}

int main(void)
{
	uint64_t bitmap[PAGES / 64], scratch[PAGES / 64];
	uint8_t *range;
	struct rmguest g;
	int r;

	tap_plan(12);
	if (rmguest_init_ok(&g, RAM, 1, "VM with memfd RAM, dirty logging, manual protect 2"))
		return tap_done(1);
	/* The reads: the even pages only (every other page, half as many). */
	r = rmguest_load_pages_code(&g, WRITE_GPA, READ_GPA, RANGE_GPA >> 4, RANGE_PAGES,
				    0x200, RANGE_PAGES / 2);
	if (r || phase_write(&g, bitmap, scratch)) {
		rmguest_exit(&g);
		return tap_done(1);
	}
	phase_read(&g, bitmap, scratch, 0);

	/* The zap: drop the host mapping; the memfd keeps the data. */
	range = memory_translate(&g.mem, RANGE_GPA, RANGE_PAGES * RM_PAGE);
	r = range ? madvise(range, RANGE_PAGES * RM_PAGE, MADV_DONTNEED) : -1;
	if (!tap_ok(r == 0, "MADV_DONTNEED on the range's host mapping"))
		tap_diag("  %s", strerror(errno));
	r = rmguest_clear_dirty(&g, scratch);
	if (!tap_ok(r == 0, "KVM_CLEAR_DIRTY_LOG after the zap"))
		tap_diag("  %s", strerror(-r));
	phase_read(&g, bitmap, scratch, 1);
	rmguest_exit(&g);
	return tap_done(1);
}
