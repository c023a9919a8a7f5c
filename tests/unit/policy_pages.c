// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the HMM-V policy core's page mode (hmmv/policy.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/policy.h"
#include "tests/tap.h"

#define N	4		/* chunks */
#define PPC	512
#define MAXMV	4096

static struct policy_params page_params(uint32_t unit)
{
	struct policy_params par;

	policy_params_pages(&par);
	par.pages_per_chunk = PPC;
	par.sample_pages = PPC;	/* the whole chunk every sample */
	par.levels = 1;		/* every chunk every interval */
	par.windows = 2;
	par.page_unit = unit;
	par.min_residency = 0;
	par.hyst_pct = 25;
	par.page_hyst = POLICY_PAGE_TEMP_ONE / 2;
	return par;
}

static struct policy *page_policy(uint32_t unit, uint32_t quota_pages)
{
	struct policy_params par = page_params(unit);
	struct policy *p = NULL;

	if (policy_create(&par, N, &p))
		return NULL;
	policy_set_quota_pages(p, quota_pages);
	return p;
}

/*
 * One interval: every sampled chunk reports hits[page] for its block's
 * pages (hits indexed by VM page); moves complete as ok says. Returns the
 * moves in mv[], their count in *nm.
 */
static void page_interval(struct policy *p, const uint8_t *hits,
			  struct policy_page_move *mv, uint32_t *nm, int ok)
{
	uint32_t list[N], n, i, first, k;

	n = policy_sample_set(p, list, N);
	for (i = 0; i < n; i++) {
		policy_sample_block(p, list[i], &first);
		policy_observe_pages(p, list[i], hits + list[i] * PPC + first);
	}
	*nm = 0;
	policy_decide_pages(p, mv, MAXMV, nm);
	for (k = 0; k < *nm; k++)
		policy_page_move_done(p, mv[k].page, ok);
}

static uint32_t dram_pages_of(const struct policy *p)
{
	uint32_t pg, n = 0;

	for (pg = 0; pg < N * PPC; pg++)
		n += policy_page_tier(p, pg) == POLICY_DRAM;
	return n;
}

static void test_params(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[4];
	struct policy *p = NULL;
	uint8_t hits[PPC] = { 0 };
	uint32_t nm;

	par.page_unit = 3;
	tap_is(policy_create(&par, N, &p), -EINVAL, "page unit not a power of 2 refused");
	par = page_params(1);
	par.sample_pages = 64;
	par.page_unit = 128;
	tap_is(policy_create(&par, N, &p), -EINVAL, "page unit larger than a block refused");
	par = page_params(8);
	par.max_page_moves = 4;
	tap_is(policy_create(&par, N, &p), -EINVAL, "a move budget below one unit refused");
	par = page_params(1);
	par.page_moves = 2;
	tap_is(policy_create(&par, N, &p), -EINVAL, "page_moves is 0 or 1");

	policy_params_default(&par);
	tap_is(policy_create(&par, N, &p), 0, "chunk mode");
	tap_is(policy_decide_pages(p, mv, 4, &nm), -EINVAL, "chunk mode: no page decisions");
	tap_is(policy_set_unit_tier(p, 0, POLICY_DRAM), -EINVAL,
	       "chunk mode: no page placement");
	policy_sample_set(p, &nm, 1);
	tap_is(policy_observe_pages(p, 0, hits), 0,
	       "chunk mode: a page observation counts for the chunk");
	policy_destroy(p);

	p = page_policy(1, 8);
	tap_ok(p != NULL, "page mode");
	if (!p)
		return;
	tap_is(policy_decide(p, (struct policy_move *)mv, 4, &nm), -EINVAL,
	       "page mode: no chunk decisions");
	policy_sample_set(p, &nm, 1);
	hits[7] = 3;
	tap_is(policy_observe_pages(p, 0, hits), -EINVAL, "hits above windows refused");
	tap_is(policy_set_unit_tier(p, N * PPC, POLICY_DRAM), -EINVAL,
	       "unit beyond the VM refused");
	tap_is(policy_page_move_done(p, 5, 1), -EINVAL, "a move never handed out refused");
	policy_destroy(p);

	par = page_params(4);
	policy_create(&par, N, &p);
	tap_is(policy_set_unit_tier(p, 2, POLICY_DRAM), -EINVAL,
	       "a unit is named by its first page");
	policy_destroy(p);
}

/* The chunk's temperature is the same however its hits are reported. */
static void test_chunk_equiv(void)
{
	struct policy_params par = page_params(1);
	struct policy *a = NULL, *b = NULL;
	struct policy_move cm[N];
	struct policy_page_move pm[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	uint32_t list[N], n, i, k, first, nm, sum, ok = 1;

	par.settled_every = 1;	/* b samples as a does, settled or not */
	par.page_moves = 0;	/* a: chunks, fed sums */
	policy_create(&par, N, &a);
	par.page_moves = 1;	/* b: pages */
	policy_create(&par, N, &b);
	policy_set_quota(a, 0);
	policy_set_quota_pages(b, 0);
	srand(7);
	for (k = 0; k < 20; k++) {
		for (i = 0; i < N * PPC; i++)
			hits[i] = (uint8_t)(rand() % 8 == 0 ? rand() % 3 : 0);
		n = policy_sample_set(a, list, N);
		for (i = 0; i < n; i++) {
			policy_sample_block(a, list[i], &first);
			for (sum = 0, nm = 0; nm < PPC; nm++)
				sum += hits[list[i] * PPC + first + nm];
			policy_observe(a, list[i], sum);
		}
		policy_decide(a, cm, N, &nm);
		page_interval(b, hits, pm, &nm, 1);
		for (i = 0; i < N; i++)
			ok &= policy_temp(a, i) == policy_temp(b, i) &&
			      policy_level(a, i) == policy_level(b, i);
	}
	tap_ok(ok, "page mode keeps the chunks' temperatures and levels as chunk mode has them");
	policy_destroy(a);
	policy_destroy(b);
}

/* Sparse hot pages move alone, into free DRAM, nothing else with them. */
static void test_sparse_free(void)
{
	struct policy *p = page_policy(1, 8);
	struct policy_page_move mv[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm, k, ok = 1;

	hits[2 * PPC + 3] = 2;
	hits[2 * PPC + 100] = 2;
	hits[2 * PPC + 300] = 1;
	page_interval(p, hits, mv, &nm, 1);
	for (k = 0; k < nm; k++)
		ok &= mv[k].to == POLICY_DRAM && mv[k].npages == 1;
	tap_ok(nm == 3 && ok, "three sparse hot pages: three 4 KiB promotions (%u)", nm);
	tap_ok(mv[0].page == 2 * PPC + 3 || mv[0].page == 2 * PPC + 100,
	       "hottest first (page %u)", mv[0].page);
	tap_ok(policy_page_tier(p, 2 * PPC + 300) == POLICY_DRAM &&
	       policy_page_tier(p, 2 * PPC + 4) == POLICY_NVM && dram_pages_of(p) == 3,
	       "exactly those pages are in DRAM (%u)", dram_pages_of(p));
	tap_is(policy_dram_pages(p), 3, "DRAM held: 3 pages");
	policy_destroy(p);
}

/* DRAM full of cold pages: hot ones replace them, demotions first. */
static void test_replace(void)
{
	struct policy *p = page_policy(1, 8);
	struct policy_page_move mv[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm, k, pg, demfirst = 1, seen_promo = 0, held_ok = 1;

	for (pg = 0; pg < 8; pg++)
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	for (pg = 0; pg < 5; pg++)
		hits[PPC + 40 * pg] = 2;
	page_interval(p, hits, mv, &nm, 0);	/* moves fail: nothing changes */
	tap_ok(nm == 10 && dram_pages_of(p) == 8 && policy_dram_pages(p) == 8,
	       "a failed batch leaves placement and DRAM held as they were (%u moves)", nm);
	page_interval(p, hits, mv, &nm, 1);
	for (k = 0; k < nm; k++) {
		if (mv[k].to == POLICY_DRAM)
			seen_promo = 1;
		else if (seen_promo)
			demfirst = 0;
	}
	for (pg = 0; pg < 5; pg++)
		held_ok &= policy_page_tier(p, PPC + 40 * pg) == POLICY_DRAM;
	tap_ok(nm == 10 && demfirst, "five swaps, demotions first (%u moves)", nm);
	tap_ok(held_ok && dram_pages_of(p) == 8, "the hot pages are in DRAM, within the quota");
	policy_destroy(p);
}

/* A candidate must beat its victim by the margin (hyst_pct 100 here). */
static void test_margin(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy_stats st;
	struct policy *p = NULL;
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm, k;

	par.hyst_pct = 100;
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, 1);
	policy_set_unit_tier(p, 0, POLICY_DRAM);
	hits[0] = 1;
	hits[PPC] = 2;
	for (k = 0; k < 6; k++)
		page_interval(p, hits, mv, &nm, 1);
	policy_get_stats(p, &st);
	tap_ok(nm == 0 && policy_page_tier(p, 0) == POLICY_DRAM && st.page_refused > 0,
	       "twice as warm as the DRAM page, not twice plus the margin: refused (%llu)",
	       (unsigned long long)st.page_refused);
	/* Settled by now: a quarter of the chunks a look, two rounds. */
	hits[0] = 0;
	for (k = 0; k < 8; k++)
		page_interval(p, hits, mv, &nm, 1);
	tap_ok(policy_page_tier(p, PPC) == POLICY_DRAM && policy_page_tier(p, 0) == POLICY_NVM,
	       "once the DRAM page cools: swapped");
	policy_destroy(p);
}

/*
 * One chunk sampled per interval, in turn (as under a tracking budget):
 * chunk 0's pages are observed every N intervals, and each observation
 * stands for all of them, as a chunk's own temperature does.
 */
/* An interval sampling at most max chunks; the first one sampled, if any. */
static uint32_t one_chunk_interval_max(struct policy *p, const uint8_t *hits,
				       uint32_t max)
{
	struct policy_page_move mv[MAXMV];
	uint32_t list[N], n, first, nm = 0, k;

	n = policy_sample_set(p, list, max);
	for (k = 0; k < n; k++) {
		policy_sample_block(p, list[k], &first);
		policy_observe_pages(p, list[k], hits + list[k] * PPC + first);
	}
	policy_decide_pages(p, mv, MAXMV, &nm);
	for (k = 0; k < nm; k++)
		policy_page_move_done(p, mv[k].page, 1);
	return n ? list[0] : UINT32_MAX;
}

static uint32_t one_chunk_interval(struct policy *p, const uint8_t *hits)
{
	return one_chunk_interval_max(p, hits, 1);
}

static void test_ageing(void)
{
	struct policy *p = page_policy(1, 0);
	uint8_t hits[N * PPC] = { 0 };
	uint32_t k, looks = 0, t[2] = { 0 }, hot, cold;

	hits[0] = 2;		/* page 0: in both windows */
	for (k = 0; k < 4 * N; k++)
		if (one_chunk_interval(p, hits) == 0 && looks < 2)
			t[looks++] = policy_page_temp(p, 0);
	hot = policy_page_temp(p, 0);
	/* One EWMA step of weight 1/2 towards 32 from 16 gives 24; four, 31. */
	tap_ok(t[0] == POLICY_PAGE_TEMP_ONE && t[1] >= 2 * POLICY_PAGE_TEMP_ONE - 2 &&
	       hot == 2 * POLICY_PAGE_TEMP_ONE,
	       "observed every %u intervals: a look stands for all of them (%u, %u, then %u)",
	       N, t[0], t[1], hot);
	hits[0] = 0;
	for (k = 0; k < N; k++)
		one_chunk_interval(p, hits);
	cold = policy_page_temp(p, 0);
	tap_ok(cold <= hot / 16 + 1,
	       "one look %u intervals later finds it untouched: cooled as over %u intervals (%u -> %u)",
	       N, N, hot, cold);
	policy_destroy(p);
}

/*
 * A refusal on stale heat: the DRAM page's warmth is from its chunk's
 * last look; its chunk is looked at first next interval, and the refused
 * page, listed again, takes its place once that look finds it cold.
 */
static void test_verify(void)
{
	struct policy_params par = page_params(1);
	struct policy_stats st;
	struct policy *p = NULL;
	uint8_t hits[N * PPC] = { 0 };
	uint32_t k, seen[2];

	par.windows = 3;
	par.settled_every = 1;	/* every chunk a look while max allows */
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, 1);
	policy_set_unit_tier(p, 3 * PPC, POLICY_DRAM);
	hits[3 * PPC] = 1;	/* the DRAM page: warm, one window in three */
	for (k = 0; k < 6; k++)
		one_chunk_interval_max(p, hits, N);
	/* It cools unseen; page 0 turns hot. One look a chunk, in turn. */
	hits[3 * PPC] = 0;
	hits[0] = 3;
	seen[0] = one_chunk_interval_max(p, hits, 1);
	policy_get_stats(p, &st);
	tap_ok(seen[0] == 0 && st.page_refused == 1 &&
	       policy_page_tier(p, 0) == POLICY_NVM,
	       "a hot page against the DRAM page's heat of 1 interval ago: refused (%u, %u)",
	       policy_page_temp(p, 0), policy_page_temp(p, 3 * PPC));
	seen[1] = one_chunk_interval_max(p, hits, 1);
	policy_get_stats(p, &st);
	tap_ok(seen[1] == 3 && st.verified == 1,
	       "next interval looks at the DRAM page's chunk first (chunk %u)", seen[1]);
	tap_ok(policy_page_tier(p, 0) == POLICY_DRAM &&
	       policy_page_tier(p, 3 * PPC) == POLICY_NVM,
	       "found cold, it makes way for the refused page, without a new look at it");
	policy_destroy(p);
}

/*
 * A DRAM page its latest look saw in no window makes way for a page seen
 * hot in the same look, though its temperature, halved once, still beats
 * the newcomer's by more than the margin.
 */
static void test_unseen(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	struct policy *p = NULL;
	uint32_t nm, k, tv, tc;

	par.settled_every = 1;	/* every chunk looked at every interval */
	if (policy_create(&par, N, &p))
		return;
	policy_set_quota_pages(p, 1);
	policy_set_unit_tier(p, PPC, POLICY_DRAM);
	hits[PPC] = 2;		/* the DRAM page: both windows */
	for (k = 0; k < 6; k++)
		page_interval(p, hits, mv, &nm, 1);
	tap_ok(policy_page_tier(p, PPC) == POLICY_DRAM && nm == 0,
	       "unseen: a page hot in every look stays in DRAM");
	hits[PPC] = 0;
	hits[0] = 2;		/* page 0 turns hot, the DRAM page goes quiet */
	page_interval(p, hits, mv, &nm, 1);
	tv = policy_page_temp(p, PPC);
	tc = policy_page_temp(p, 0);
	tap_ok(tv * 125 + 8 * 100 >= tc * 100 && policy_page_tier(p, 0) == POLICY_DRAM &&
	       policy_page_tier(p, PPC) == POLICY_NVM,
	       "unseen: swapped in the same interval, though the newcomer's heat (%u) "
	       "does not beat the DRAM page's (%u) by the margin", tc, tv);
	policy_destroy(p);
}

/* The budget bounds an interval's moves; quota cuts demote coldest first. */
static void test_budget_and_quota(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm, pg, ok = 1;

	par.max_page_moves = 16;
	par.page_headroom_pct = 0;	/* the cut alone (test_early has the headroom) */
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, 1024);
	for (pg = 0; pg < 100; pg++)
		hits[pg * 7] = 2;
	page_interval(p, hits, mv, &nm, 1);
	tap_is(nm, 16, "at most max_page_moves moves per interval");
	for (pg = 0; pg < 6; pg++)
		page_interval(p, hits, mv, &nm, 1);
	tap_is(policy_dram_pages(p), 100, "the rest follow in later intervals");
	/* Half of them cool down; the quota falls to 60. */
	for (pg = 0; pg < 50; pg++)
		hits[pg * 7] = 0;
	page_interval(p, hits, mv, &nm, 1);
	policy_set_quota_pages(p, 60);
	for (pg = 0; pg < 4; pg++) {
		page_interval(p, hits, mv, &nm, 1);
		ok &= nm <= 16;
	}
	tap_ok(ok && policy_dram_pages(p) == 60, "a quota cut demotes within the budget (%u held)",
	       policy_dram_pages(p));
	for (pg = 50, ok = 1; pg < 100; pg++)
		ok &= policy_page_tier(p, pg * 7) == POLICY_DRAM;
	tap_ok(ok, "coldest first: every page still hot stayed");
	policy_destroy(p);
}

/* Units: a hot page brings its aligned unit. */
static void test_unit(void)
{
	struct policy *p = page_policy(4, 64);
	struct policy_page_move mv[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm;

	tap_is(policy_page_unit(p), 4, "unit of 4 pages");
	hits[PPC + 5] = 2;
	page_interval(p, hits, mv, &nm, 1);
	tap_ok(nm == 1 && mv[0].page == PPC + 4 && mv[0].npages == 4,
	       "page 5 of chunk 1: pages 4-7 move together");
	tap_ok(policy_page_tier(p, PPC + 7) == POLICY_DRAM && policy_dram_pages(p) == 4,
	       "and count 4 pages of the quota");
	policy_destroy(p);
}

/* A unit just moved stays min_residency intervals. */
static void test_residency(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	uint8_t hits[N * PPC] = { 0 };
	uint32_t nm, k, moved_back = 0;

	par.min_residency = 4;
	par.page_hyst = 0;
	par.hyst_pct = 0;
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, 1);
	hits[0] = 1;
	page_interval(p, hits, mv, &nm, 1);
	hits[0] = 0;
	hits[PPC] = 2;
	for (k = 0; k < 3; k++) {
		page_interval(p, hits, mv, &nm, 1);
		moved_back |= policy_page_tier(p, 0) == POLICY_NVM;
	}
	tap_ok(!moved_back, "a page promoted stays in DRAM for min_residency intervals");
	for (k = 0; k < 2; k++)
		page_interval(p, hits, mv, &nm, 1);
	tap_ok(policy_page_tier(p, PPC) == POLICY_DRAM, "then gives way to a hotter one");
	policy_destroy(p);
}

static void test_idle(void)
{
	struct policy *p = page_policy(1, N * PPC);
	uint32_t pg, list[N];

	for (pg = 0; pg < N * PPC; pg++)
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	tap_ok(policy_idle(p), "every page in DRAM within the quota: idle");
	tap_is(policy_sample_set(p, list, N), 0, "an idle interval samples nothing");
	policy_set_unit_tier(p, 9, POLICY_NVM);
	tap_ok(!policy_idle(p), "a page on the slow tier ends idleness");
	policy_destroy(p);
}

/* Random traffic: DRAM held never exceeds the quota, placement adds up. */
static void test_random(void)
{
	struct policy_page_move mv[MAXMV];
	struct policy *p = page_policy(1, 300);
	uint8_t hits[N * PPC];
	uint32_t k, i, nm, quota = 300, ok = 1, sum = 0, cut = 0;

	srand(11);
	for (k = 0; k < 200; k++) {
		for (i = 0; i < N * PPC; i++)
			hits[i] = (uint8_t)(rand() % 5 == 0 ? rand() % 3 : 0);
		if (k % 50 == 49) {
			quota = 100 + (uint32_t)(rand() % 400);
			policy_set_quota_pages(p, quota);
			cut = k;
		}
		page_interval(p, hits, mv, &nm, rand() % 10 != 0);
		sum += nm;
		/* Failed moves may leave a cut quota exceeded for a while. */
		if (policy_dram_pages(p) != dram_pages_of(p) ||
		    (k - cut >= 3 && policy_dram_pages(p) > quota)) {
			tap_diag("interval %u: held %u, in DRAM %u, quota %u", k,
				 policy_dram_pages(p), dram_pages_of(p), quota);
			ok = 0;
		}
	}
	tap_ok(ok && sum > 0, "200 random intervals: DRAM held is the pages in DRAM, "
	       "within the quota (%u moves)", sum);
	policy_destroy(p);
}

/*
 * The pool's input: every unit's bytes in the bucket a chunk of its
 * density has in chunk mode, so that page-mode and chunk-mode VMs weigh
 * alike in one pool.
 */
static void test_histogram(void)
{
	struct policy_params cpar = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy_move cm[N];
	struct policy *p = page_policy(2, PPC), *c = NULL;
	uint64_t bytes[POLICY_BUCKETS], cbytes[POLICY_BUCKETS], sum = 0;
	static uint8_t hits[N * PPC];
	uint32_t list[N], i, k, n, nm, b;

	cpar.page_moves = 0;
	if (!tap_ok(p && !policy_create(&cpar, N, &c), "page- and chunk-mode policies")) {
		policy_destroy(p);
		return;
	}
	memset(hits, 0, sizeof(hits));
	for (i = 0; i < 64; i++)	/* 64 pages of chunk 1: 1.5 windows each */
		hits[PPC + i] = 1 + (i & 1);
	for (k = 0; k < 16; k++) {
		page_interval(p, hits, mv, &nm, 0);
		n = policy_sample_set(c, list, N);
		for (i = 0; i < n; i++)	/* chunk 2 all at the same density */
			policy_observe(c, list[i], list[i] == 2 ? 3 * PPC / 2 : 0);
		policy_decide(c, cm, N, &nm);
	}
	policy_histogram(p, bytes);
	policy_histogram(c, cbytes);
	for (b = 0; b < POLICY_BUCKETS; b++)
		sum += bytes[b];
	b = policy_bucket(policy_temp(c, 2));
	tap_ok(sum == (uint64_t)N * PPC * 4096, "page histogram covers all of guest RAM: %llu",
	       (unsigned long long)sum);
	tap_ok(b > 0 && bytes[b] == 64 * 4096 && cbytes[b] == PPC * 4096ull &&
	       bytes[0] == (uint64_t)(N * PPC - 64) * 4096,
	       "hot pages land in the bucket of a chunk as dense (bucket %u: %llu KiB), the rest idle",
	       b, (unsigned long long)(bytes[b] >> 10));
	policy_destroy(p);
	policy_destroy(c);
}

/*
 * Past what chunk mode sees: with 3 windows each a quarter of the one
 * before, single pages seen in all 3 (touched ~16 times as often as pages
 * seen in 2) count two buckets above them; those seen in 2 stay in the
 * bucket of a chunk touched in both of its windows on every page.
 */
static void test_histogram_rate(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	uint64_t bytes[POLICY_BUCKETS];
	static uint8_t hits[N * PPC];
	struct policy *p = NULL;
	uint32_t k, nm, b2 = policy_bucket(2 * PPC * POLICY_TEMP_ONE);

	par.windows = 3;
	par.window_shift = 2;
	if (!tap_ok(!policy_create(&par, N, &p), "page mode, 3 windows shortened 2^-2"))
		return;
	policy_set_quota_pages(p, PPC);
	memset(hits, 0, sizeof(hits));
	memset(hits, 3, 64);			/* chunk 0: 64 pages, every window */
	memset(hits + PPC, 2, 256);		/* chunk 1: 256 pages, two windows */
	for (k = 0; k < 16; k++)
		page_interval(p, hits, mv, &nm, 1);
	policy_histogram(p, bytes);
	tap_ok(bytes[b2] == 256 * 4096ull && bytes[b2 + 2] == 64 * 4096ull,
	       "2 windows: the bucket of chunk mode's hottest (%llu KiB); 3: two above (%llu KiB)",
	       (unsigned long long)(bytes[b2] >> 10), (unsigned long long)(bytes[b2 + 2] >> 10));
	policy_destroy(p);
}

/*
 * Early promotion: at the first window's harvest, slow units seen in it go
 * to free DRAM at once, within the quota and the interval's budget; the
 * decision keeps headroom_pct of the quota free by demoting units below
 * half a window only.
 */
static void test_early(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t hits[N * PPC];
	uint8_t seen[PPC] = { 0 };
	uint32_t list[N], n, nm = 0, k, pg, ok = 1, warm_kept = 1;

	par.page_headroom_pct = 25;
	par.max_page_moves = 6;
	if (!tap_ok(!policy_create(&par, N, &p), "policy with 25%% headroom"))
		return;
	policy_set_quota_pages(p, 16);
	for (pg = 0; pg < 12; pg++)	/* 12 of 16 in DRAM: 4 free */
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	n = policy_sample_set(p, list, N);
	for (k = 0; k < 8; k++)
		seen[10 + k] = 1;	/* 8 slow pages of chunk 2 seen */
	policy_promote_early(p, 2, seen, mv, MAXMV, &nm);
	for (k = 0; k < nm; k++)
		ok &= mv[k].to == POLICY_DRAM && mv[k].page >= 2 * PPC + 10 &&
		      mv[k].page < 2 * PPC + 18;
	tap_ok(nm == 4 && ok, "early: as many seen slow pages as DRAM has free (%u of 8)", nm);
	for (k = 0; k < nm; k++)
		policy_page_move_done(p, mv[k].page, 1);
	tap_is(policy_dram_pages(p), 16, "DRAM held: the quota, not more");
	policy_promote_early(p, 2, seen, mv, MAXMV, &nm);
	tap_is(nm, 0, "early: none when DRAM is full");

	/* The decision frees 25% (4 pages), from units below half a window. */
	memset(hits, 0, sizeof(hits));
	for (pg = 0; pg < 6; pg++)
		hits[pg] = 1;		/* DRAM pages 0-5 warm */
	for (pg = 0; pg < 8; pg++)
		hits[2 * PPC + 10 + pg] = 1;	/* the window that promoted them */
	for (k = 0; k < n; k++)
		policy_observe_pages(p, list[k], hits + list[k] * PPC);
	policy_decide_pages(p, mv, MAXMV, &nm);
	for (k = 0; k < nm; k++) {
		ok &= mv[k].to == POLICY_NVM;
		warm_kept &= mv[k].page >= 6 && mv[k].page < 12;
		policy_page_move_done(p, mv[k].page, 1);
	}
	tap_ok(nm == 2 && ok && warm_kept,
	       "headroom: cold DRAM pages out, within the budget the early moves left (%u)", nm);
	policy_sample_set(p, list, N);
	policy_decide_pages(p, mv, MAXMV, &nm);
	for (k = 0; k < nm; k++) {
		warm_kept &= mv[k].to == POLICY_NVM && mv[k].page >= 6 && mv[k].page < 12;
		policy_page_move_done(p, mv[k].page, 1);
	}
	tap_ok(policy_dram_pages(p) == 12 && warm_kept,
	       "next interval: 4 of 16 free, warm pages kept (%u held)", policy_dram_pages(p));
	policy_destroy(p);

	/* A VM whose quota holds it all keeps its cold pages: nothing to promote. */
	par.max_page_moves = MAXMV;
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, N * PPC);
	for (pg = 0; pg < N * PPC; pg++)
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	policy_sample_set(p, list, N);
	policy_decide_pages(p, mv, MAXMV, &nm);
	tap_ok(nm == 0 && policy_idle(p), "all in DRAM within the quota: no headroom demotion, idle (%u)", nm);
	policy_destroy(p);

	par.page_headroom_pct = 0;
	policy_create(&par, N, &p);
	policy_set_quota_pages(p, 16);
	policy_sample_set(p, list, N);
	policy_promote_early(p, 2, seen, mv, MAXMV, &nm);
	tap_is(nm, 0, "no headroom: no early promotion");
	policy_destroy(p);
}

/*
 * The headroom takes lukewarm DRAM units (below half a window, not only
 * those at 0), and a unit it demoted that is seen again in a first window
 * comes back at once: min_residency holds DRAM units, not slow ones.
 */
static void test_headroom_back(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t hits[N * PPC];
	uint8_t seen[PPC] = { 0 };
	uint32_t list[N], nm, k, pg, ok = 1;

	par.page_headroom_pct = 25;
	par.min_residency = 4;
	if (!tap_ok(!policy_create(&par, N, &p), "policy with 25%% headroom, residency 4"))
		return;
	policy_set_quota_pages(p, 16);
	for (pg = 0; pg < 16; pg++)
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	memset(hits, 0, sizeof(hits));
	memset(hits, 1, 16);
	page_interval(p, hits, mv, &nm, 1);	/* all 16 at half a window */
	memset(hits + 12, 0, 4);
	page_interval(p, hits, mv, &nm, 1);	/* 12-15 unseen: a quarter */
	for (k = 0; k < nm; k++)
		ok &= mv[k].to == POLICY_NVM && mv[k].page >= 12 && mv[k].page < 16;
	tap_ok(nm == 4 && ok, "headroom: the 4 pages below half a window out, the warm kept (%u)", nm);
	policy_sample_set(p, list, N);
	seen[12] = 1;
	policy_promote_early(p, 0, seen, mv, MAXMV, &nm);
	tap_ok(nm == 1 && mv[0].page == 12 && mv[0].to == POLICY_DRAM,
	       "a demoted page seen again is promoted early at once, residency or not (%u)", nm);
	policy_destroy(p);
}

/*
 * The early promotions' order: the chunks with the most pages seen in the
 * first window first, ties in the order given; so that with room for 8
 * pages, the chunk seen whole gets it, not the sparse one before it.
 */
static void test_early_order(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t blk[N][PPC];
	const uint8_t *seen[N];
	uint32_t order[N], list[N], nm, k, pg, ok = 1;
	int err;

	par.page_headroom_pct = 25;
	if (!tap_ok(!policy_create(&par, N, &p), "policy for the early order"))
		return;
	memset(blk, 0, sizeof(blk));
	memset(blk[0], 1, 3);		/* 3 pages seen */
	memset(blk[1], 1, PPC);		/* all */
	memset(blk[2], 1, 3);		/* 3, a tie with 0 */
	for (k = 0; k < N; k++)
		seen[k] = blk[k];
	err = policy_early_order(p, seen, N, order);
	tap_ok(!err && order[0] == 1 && order[1] == 0 && order[2] == 2 && order[3] == 3,
	       "densest first, ties in the given order (%u %u %u %u)",
	       order[0], order[1], order[2], order[3]);
	tap_is(policy_early_order(p, seen, N + 1, order), -EINVAL, "more chunks than the VM has refused");
	seen[2] = NULL;
	tap_is(policy_early_order(p, seen, N, order), -EINVAL, "a missing block refused");
	seen[2] = blk[2];

	/* Room for 8 pages: taken in that order, the dense chunk gets it. */
	policy_set_quota_pages(p, 8);
	policy_sample_set(p, list, N);
	for (k = 0; k < 2; k++) {
		policy_promote_early(p, order[k], seen[order[k]], mv, MAXMV, &nm);
		for (pg = 0; pg < nm; pg++) {
			ok &= mv[pg].page / PPC == 1;
			policy_page_move_done(p, mv[pg].page, 1);
		}
	}
	tap_ok(ok && policy_dram_pages(p) == 8, "the free DRAM went to the chunk seen whole");
	policy_destroy(p);

	par = page_params(1);	/* chunk mode has no early promotion */
	par.page_moves = 0;
	policy_create(&par, N, &p);
	tap_is(policy_early_order(p, seen, N, order), -EINVAL, "chunk mode: refused");
	policy_destroy(p);
}

/*
 * Settled: DRAM full and no slow unit able to beat the coldest DRAM unit
 * for three decisions in a row: a quarter of the chunks (settled_every 4)
 * is sampled each interval, in turn, until a slow unit turns hot again.
 */
static void test_settled(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t hits[N * PPC];
	uint32_t list[N], n, k, t, pg, one = 0, seen[N] = { 0 }, sampled_after = 0;

	par.settled_every = 4;
	par.page_headroom_pct = 0;
	if (!tap_ok(!policy_create(&par, N, &p), "policy with settled_every 4"))
		return;
	policy_set_quota_pages(p, 16);
	for (pg = 0; pg < 16; pg++)
		policy_set_unit_tier(p, pg, POLICY_DRAM);
	memset(hits, 0, sizeof(hits));
	for (pg = 0; pg < 8; pg++)
		hits[pg] = 2;		/* half of DRAM hot, the rest cold */
	for (t = 0; t < 12; t++) {
		n = policy_sample_set(p, list, N);
		one += n == 1;
		for (k = 0; k < n; k++) {
			seen[list[k]] += t >= 4;
			policy_observe_pages(p, list[k], hits + list[k] * PPC);
		}
		policy_decide_pages(p, mv, MAXMV, &n);
	}
	tap_ok(one >= 8 && one <= 9, "settled: %u of 12 intervals sample one chunk of 4", one);
	tap_ok(seen[0] == 2 && seen[1] == 2 && seen[2] == 2 && seen[3] == 2,
	       "settled: in turn, each chunk twice in 8 intervals (%u %u %u %u)",
	       seen[0], seen[1], seen[2], seen[3]);
	hits[2 * PPC + 7] = 2;		/* a slow page turns hot */
	for (t = 0; t < 16 && policy_page_tier(p, 2 * PPC + 7) != POLICY_DRAM; t++) {
		n = policy_sample_set(p, list, N);
		sampled_after += n > 0;
		for (k = 0; k < n; k++)
			policy_observe_pages(p, list[k], hits + list[k] * PPC);
		policy_decide_pages(p, mv, MAXMV, &n);
		for (k = 0; k < n; k++)
			policy_page_move_done(p, mv[k].page, 1);
	}
	tap_ok(policy_page_tier(p, 2 * PPC + 7) == POLICY_DRAM && t <= 5,
	       "a slow page turning hot is promoted after %u intervals (%u sampled)",
	       t, sampled_after);
	policy_destroy(p);
}

/*
 * Tracking budget: with every page touched in every window a sampled chunk
 * costs 2 x 512 refaults (told to the policy as the engine counts them);
 * a budget of 2100 fits two chunks an interval,
 * taken in turn (DRAM full of pages as hot as the rest: nothing moves);
 * once the guest goes quiet, every chunk is sampled again.
 */
static void test_track_budget(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t hits[N * PPC];
	uint32_t list[N], seen[N] = { 0 }, n, k, t, over = 0, full = 0;
	struct policy_stats st;

	tap_is(policy_track_faults(3, 100, 2, 1000), 6000,
	       "3% of 2 vCPUs' 100 ms at 1 us a fault: 6000 faults");
	tap_is(policy_track_faults(0, 100, 2, 1000), 0, "0%: no budget");
	tap_is(policy_track_faults(3, 100, 1, 100000), 30,
	       "at 100 us a fault (nested virtualization): 30 faults");
	tap_is(policy_track_faults(1, 10, 1, 10000000), 1,
	       "a budget under one fault is one, not unbounded");
	par.track_faults = 2100;
	par.settled_every = 1;
	if (!tap_ok(!policy_create(&par, N, &p), "policy with a budget of 2100 faults"))
		return;
	policy_set_quota_pages(p, PPC);
	for (k = 0; k < PPC; k++)
		policy_set_unit_tier(p, k, POLICY_DRAM);
	memset(hits, 2, sizeof(hits));
	for (t = 0; t < 9; t++) {
		n = policy_sample_set(p, list, N);
		if (t == 0)
			tap_is(n, N, "no estimate yet: every chunk sampled");
		else if (n * 2 * PPC > par.track_faults || n != 2)
			over++;
		for (k = 0; k < n; k++) {
			seen[list[k]] += t > 0;
			policy_observe_pages(p, list[k], hits + list[k] * PPC);
		}
		policy_note_faults(p, (uint64_t)n * 2 * PPC);
		policy_decide_pages(p, mv, MAXMV, &n);
		for (k = 0; k < n; k++)
			policy_page_move_done(p, mv[k].page, 1);
	}
	tap_is(over, 0, "then two chunks an interval, within the budget");
	tap_ok(seen[0] == 4 && seen[1] == 4 && seen[2] == 4 && seen[3] == 4,
	       "in turn: each chunk 4 times in 8 intervals (%u %u %u %u)",
	       seen[0], seen[1], seen[2], seen[3]);
	memset(hits, 0, sizeof(hits));
	for (t = 0; t < 8; t++) {
		n = policy_sample_set(p, list, N);
		full += n == N;
		for (k = 0; k < n; k++)
			policy_observe_pages(p, list[k], hits + list[k] * PPC);
		policy_note_faults(p, 0);
		policy_decide_pages(p, mv, MAXMV, &n);
	}
	tap_ok(full >= 4, "a quiet guest: every chunk sampled again (%u of 8 intervals)", full);
	policy_get_stats(p, &st);
	tap_ok(st.track_capped >= 8, "capped intervals counted (%llu)",
	       (unsigned long long)st.track_capped);
	policy_destroy(p);
}

/*
 * A surge: a decision that promoted more than the headroom (12% of the
 * quota) lifts the budget for the next interval: every chunk is sampled
 * while the hot set moves in; the interval after, the budget holds again.
 */
static void test_surge(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	struct policy *p = NULL;
	static uint8_t hits[N * PPC];
	uint32_t list[N], n[3], k, t, nm;

	par.track_faults = 2100;
	par.settled_every = 1;
	if (!tap_ok(!policy_create(&par, N, &p), "policy with a budget of 2100 faults"))
		return;
	policy_set_quota_pages(p, 3 * PPC);
	memset(hits, 2, sizeof(hits));
	for (t = 0; t < 3; t++) {
		n[t] = policy_sample_set(p, list, N);
		for (k = 0; k < n[t]; k++)
			policy_observe_pages(p, list[k], hits + list[k] * PPC);
		policy_note_faults(p, (uint64_t)n[t] * 2 * PPC);
		policy_decide_pages(p, mv, MAXMV, &nm);
		for (k = 0; k < nm; k++)
			policy_page_move_done(p, mv[k].page, 1);
	}
	tap_ok(policy_dram_pages(p) > PPC, "the first decision promoted %u pages",
	       policy_dram_pages(p));
	tap_is(n[1], N, "after it, every chunk sampled despite the budget");
	tap_ok(n[2] <= 2, "once the surge is over, the budget holds (%u chunks)", n[2]);
	policy_destroy(p);
}

/* decay_shift 0, as in chunk mode: the temperature is the last look. */
static void test_no_decay(void)
{
	struct policy_params par = page_params(1);
	struct policy_page_move mv[MAXMV];
	uint8_t hits[N * PPC] = { 0 };
	struct policy *p = NULL;
	uint32_t nm, a, b;

	par.decay_shift = 0;
	if (!tap_ok(!policy_create(&par, N, &p), "decay 0 accepted in page mode"))
		return;
	policy_set_quota_pages(p, 0);
	hits[0] = 2;
	page_interval(p, hits, mv, &nm, 1);
	a = policy_page_temp(p, 0);
	hits[0] = 0;
	page_interval(p, hits, mv, &nm, 1);
	b = policy_page_temp(p, 0);
	tap_ok(a == 2 * POLICY_PAGE_TEMP_ONE && b == 0,
	       "decay 0: the temperature is the last look (%u, then %u)", a, b);
	policy_destroy(p);
}

int main(void)
{
	test_no_decay();
	test_params();
	test_chunk_equiv();
	test_sparse_free();
	test_replace();
	test_margin();
	test_ageing();
	test_verify();
	test_unseen();
	test_budget_and_quota();
	test_unit();
	test_residency();
	test_idle();
	test_random();
	test_histogram();
	test_histogram_rate();
	test_early();
	test_headroom_back();
	test_early_order();
	test_settled();
	test_track_budget();
	test_surge();
	return tap_done(0);
}
