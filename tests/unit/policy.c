// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the HMM-V policy core (hmmv/policy.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/policy.h"
#include "tests/tap.h"

#define N 16

static struct policy_params small_params(uint32_t levels)
{
	struct policy_params par;

	policy_params_default(&par);
	par.pages_per_chunk = 512;
	par.sample_pages = 64;
	par.windows = 1;
	par.levels = levels;
	par.min_residency = 0;
	par.decay_shift = 1;	/* the tests' arithmetic: EWMA weight 1/2 */
	par.hyst_pct = 25;
	par.hyst_min = 2;
	return par;
}

/* One interval: sampled chunks report touched[c] (of 64), moves complete. */
/*
 * Under a budget of 4 looks an interval, the round robin spreads them over
 * the VM: within 4 intervals every run of 16 adjacent chunks of 128 has
 * been looked at (a hot set that moved there is found), and a turn of 32
 * intervals still looks at every chunk once.
 */
static void test_spread(void)
{
	struct policy_params par = small_params(1);
	struct policy_move mv[128];
	struct policy *p = NULL;
	uint32_t list[128], seen[128] = { 0 }, n, nm, t, i, run, ok = 1, miss = 0;

	par.max_samples = 4;
	if (policy_create(&par, 128, &p))
		return;
	for (t = 0; t < 32; t++) {
		n = policy_sample_set(p, list, 128);
		for (i = 0; i < n; i++)
			seen[list[i]]++;
		policy_decide(p, mv, 128, &nm);
		if (t != 3)
			continue;
		for (i = 0, run = 0; i < 128; i++) {
			run = seen[i] ? 0 : run + 1;
			miss |= run >= 16;
		}
	}
	for (i = 0; i < 128; i++)
		ok &= seen[i] == 1;
	tap_ok(!miss, "4 looks an interval: every run of 16 adjacent chunks looked at in 4 intervals");
	tap_ok(ok, "a turn of 32 intervals looks at each of 128 chunks once");
	policy_destroy(p);
}

static uint32_t run_interval(struct policy *p, const uint32_t *touched,
			     struct policy_move *moves, uint32_t max)
{
	uint32_t list[N], n, i, nm = 0;

	n = policy_sample_set(p, list, N);
	for (i = 0; i < n; i++)
		policy_observe(p, list[i], touched[list[i]]);
	policy_decide(p, moves, max, &nm);
	for (i = 0; i < nm; i++)
		policy_move_done(p, moves[i].chunk, 1);
	return nm;
}

static void test_params(void)
{
	struct policy_params par = small_params(4);
	struct policy *p = NULL;

	par.sample_pages = 100;	/* does not divide 512 */
	tap_is(policy_create(&par, N, &p), -EINVAL, "sample_pages must divide the chunk");
	par = small_params(POLICY_MAX_LEVELS + 1);
	tap_is(policy_create(&par, N, &p), -EINVAL, "too many levels refused");
	par = small_params(4);
	tap_is(policy_create(&par, 0, &p), -EINVAL, "zero chunks refused");
	par.windows = 0;
	tap_is(policy_create(&par, N, &p), -EINVAL, "zero windows refused");
	par.windows = POLICY_MAX_WINDOWS + 1;
	tap_is(policy_create(&par, N, &p), -EINVAL, "too many windows refused");
	par = small_params(4);
	par.max_samples = 0;
	tap_is(policy_create(&par, N, &p), -EINVAL, "zero samples per interval refused");
}

/* Blocks stay inside the chunk, rotate, and differ between neighbours. */
static void test_blocks(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t list[N], t, first, f0, f1, visits[8] = { 0 }, ok = 1, differ = 1;
	struct policy_move mv[N];

	policy_create(&par, N, &p);
	for (t = 0; t < 8; t++) {
		policy_sample_set(p, list, N);
		policy_sample_block(p, 5, &first);
		ok &= first % 64 == 0 && first + 64 <= 512;
		visits[(first / 64) % 8]++;
		policy_sample_block(p, 0, &f0);
		policy_sample_block(p, 1, &f1);
		differ &= f0 != f1;
		policy_decide(p, mv, N, &first);
	}
	for (t = 0; t < 8; t++)
		ok &= visits[t] == 1;
	tap_ok(ok, "every block of a chunk watched once in 512/64 intervals");
	tap_ok(differ, "adjacent chunks watch different blocks");
	policy_destroy(p);
}

static void test_mlq(void)
{
	struct policy_params par = small_params(4);
	struct policy *p;
	uint32_t list[N], seen[N] = { 0 }, i, t, n, nm, ok = 1;
	struct policy_move mv[N];

	policy_create(&par, N, &p);
	/* All start at the coldest level, staggered: once each in 8 intervals. */
	for (t = 0; t < 8; t++) {
		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++)
			seen[list[i]]++;
		policy_decide(p, mv, N, &nm);
	}
	for (i = 0; i < N; i++)
		ok &= seen[i] == 1;
	tap_ok(ok, "cold level: each chunk sampled exactly once per 8 intervals");

	/* Chunk 3 seen hot goes to level 0 and is sampled every interval. */
	for (t = 0, ok = 1; t < 16; t++) {
		int got3 = 0;

		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++) {
			got3 |= list[i] == 3;
			if (list[i] == 3)
				policy_observe(p, 3, 64);
		}
		if (t >= 8)
			ok &= got3;
		policy_decide(p, mv, N, &nm);
	}
	tap_ok(ok && policy_level(p, 3) == 0, "hot chunk at level 0, sampled every interval");

	/*
	 * Idle: once every block of the chunk was seen idle (8 samples of
	 * 64-page blocks) it sinks one level; level 1 = every 2nd interval.
	 */
	for (t = 0; t < 7; t++) {
		policy_sample_set(p, list, N);
		policy_decide(p, mv, N, &nm);
	}
	tap_is(policy_level(p, 3), 0, "an idle block of a hot chunk does not sink it");
	n = policy_sample_set(p, list, N);
	policy_decide(p, mv, N, &nm);
	tap_is(policy_level(p, 3), 1, "idle in every block: sinks one level");
	for (t = 0, ok = 0; t < 2; t++) {
		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++)
			if (list[i] == 3) {
				ok += t == 1;
				policy_observe(p, 3, 64);
			}
		policy_decide(p, mv, N, &nm);
	}
	tap_ok(ok == 1, "level 1 chunk skips one interval");

	/* An unsampled chunk cannot report hits. */
	for (;;) {
		int got7 = 0;

		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++)
			got7 |= list[i] == 7;
		if (!got7)
			break;
		policy_decide(p, mv, N, &nm);
	}
	tap_is(policy_observe(p, 7, 1), -EINVAL, "hits on an unsampled chunk refused");
	tap_is(policy_observe(p, 7, 0), -EINVAL, "even zero hits on an unsampled chunk refused");
	policy_decide(p, mv, N, &nm);
	tap_is(policy_level(p, 7), 3, "an unsampled chunk keeps its level");
	policy_destroy(p);
}

/* Level = buckets below the hottest: a chunk 2 buckets down every 4 intervals. */
static void test_mlq_buckets(void)
{
	struct policy_params par = small_params(4);
	struct policy *p;
	uint32_t list[N], i, t, n, nm, hits = 0, gaps_ok = 1, last = 0;
	struct policy_move mv[N];

	policy_create(&par, N, &p);
	for (t = 1; t <= 64; t++) {
		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++) {
			if (list[i] == 1)
				policy_observe(p, 1, 64);	/* 512 pages: hottest */
			if (list[i] == 2) {
				policy_observe(p, 2, 16);	/* 128 pages: 2 below */
				if (t > 32) {
					gaps_ok &= !last || t - last == 4;
					hits++;
				}
				last = t;
			}
		}
		policy_decide(p, mv, N, &nm);
	}
	tap_is(policy_level(p, 1), 0, "hottest chunk at level 0");
	tap_is(policy_level(p, 2), 2, "chunk two buckets colder at level 2");
	tap_ok(gaps_ok && hits == 8, "level 2 chunk sampled exactly every 4th interval");
	policy_destroy(p);
}

static void test_decay(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t touched[N] = { 0 }, t;
	struct policy_move mv[N];

	policy_create(&par, N, &p);
	touched[0] = 64;	/* whole block touched: 512 pages per window */
	run_interval(p, touched, mv, N);
	tap_is(policy_temp(p, 0), 256 * POLICY_TEMP_ONE, "first sample: half way to 512 pages");
	run_interval(p, touched, mv, N);
	tap_is(policy_temp(p, 0), 384 * POLICY_TEMP_ONE, "second sample: 3/4 of the way");
	touched[0] = 0;
	run_interval(p, touched, mv, N);
	/* 2 of 3 blocks seen hot: the estimate is 341 pages, EWMA towards it. */
	tap_ok(policy_temp(p, 0) < 384 * POLICY_TEMP_ONE &&
	       policy_temp(p, 0) > 341 * POLICY_TEMP_ONE,
	       "an idle block counts as its share of the chunk, not as an idle chunk");
	for (t = 0; t < 40; t++)
		run_interval(p, touched, mv, N);
	tap_is(policy_temp(p, 0), 0, "idle in every block: temperature reaches 0");
	policy_destroy(p);
}

/* Hot pages in one block only: a rotation later the estimate is exact. */
static void test_sparse(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t list[N], n, i, t, first, nm, exact = 1;
	struct policy_move mv[N];

	par.decay_shift = 0;	/* temperature = the estimate */
	policy_create(&par, N, &p);
	for (t = 0; t < 24; t++) {
		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++) {
			policy_sample_block(p, list[i], &first);
			/* 5 pages of block 3 touched, nothing else. */
			policy_observe(p, list[i], first == 3 * 64 ? 5 : 0);
		}
		policy_decide(p, mv, N, &nm);
		for (i = 0; i < nm; i++)
			policy_move_done(p, mv[i].chunk, 1);
		if (t >= 8)
			exact &= policy_temp(p, 0) == 5 * POLICY_TEMP_ONE &&
				 policy_temp(p, 7) == 5 * POLICY_TEMP_ONE;
	}
	tap_ok(exact, "sparse chunk: after a rotation, temperature = its page-windows (5)");
	policy_destroy(p);
}

/* Chunks sampled rarely still visit every block; samples are bounded. */
static void test_rotation_and_budget(void)
{
	struct policy_params par = small_params(4);
	struct policy *p;
	uint32_t list[N], n, i, t, first, nm, visits[8] = { 0 }, ok = 1;
	uint32_t seen[N] = { 0 }, asc = 1;
	struct policy_move mv[N];

	policy_create(&par, N, &p);
	for (t = 0; t < 64; t++) {	/* level 3: every 8th interval */
		n = policy_sample_set(p, list, N);
		for (i = 0; i < n; i++) {
			if (list[i] != 9)
				continue;
			policy_sample_block(p, 9, &first);
			visits[first / 64]++;
		}
		policy_decide(p, mv, N, &nm);
	}
	for (i = 0; i < 8; i++)
		ok &= visits[i] == 1;
	tap_ok(ok, "a chunk sampled every 8th interval watches each of its 8 blocks once in 64");
	policy_destroy(p);

	par = small_params(1);
	par.max_samples = 5;
	policy_create(&par, N, &p);
	for (t = 0; t < 16; t++) {
		n = policy_sample_set(p, list, N);
		ok &= n == 5;
		for (i = 0; i < n; i++) {
			seen[list[i]]++;
			asc &= !i || list[i] > list[i - 1];
		}
		policy_decide(p, mv, N, &nm);
	}
	for (i = 0, ok = ok && 1; i < N; i++)
		ok &= seen[i] == 5;
	tap_ok(ok, "max_samples bounds each interval; round robin: 16 chunks x 5 in 16 intervals");
	tap_ok(asc, "sample lists are ascending (zap runs)");
	policy_destroy(p);

	/*
	 * A scan that starts mid-way (the last one was cut by max) and then
	 * picks fewer than max: still ascending (it was not, and the
	 * tracker's dirty-log clear over first..last block got EINVAL).
	 */
	par = small_params(2);
	par.max_samples = N;
	policy_create(&par, N, &p);
	n = policy_sample_set(p, list, 3);
	for (i = 0; i < n; i++)
		policy_observe(p, list[i], 0);
	policy_decide(p, mv, N, &nm);
	n = policy_sample_set(p, list, N);
	for (i = 1, asc = 1; i < n; i++)
		asc &= list[i] > list[i - 1];
	tap_ok(n > 3 && n < N && asc,
	       "a scan from mid-way picking fewer than max is ascending (%u: %u..%u)", n,
	       n ? list[0] : 0, n ? list[n - 1] : 0);
	policy_destroy(p);
}

static void test_fill(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t touched[N] = { 0 }, i, nm, dram = 0;
	struct policy_move mv[N];
	uint64_t hist[POLICY_BUCKETS], sum = 0;

	policy_create(&par, N, &p);
	policy_set_quota(p, 3);
	/* Chunks 10, 4, 12 hottest, 1 and 2 warm, the rest idle. */
	touched[10] = 64;
	touched[4] = 32;
	touched[12] = 16;
	touched[1] = 2;
	touched[2] = 1;
	nm = run_interval(p, touched, mv, N);
	tap_is(nm, 3, "three promotions fill a quota of three");
	for (i = 0; i < N; i++)
		dram += policy_tier(p, i) == POLICY_DRAM;
	tap_ok(dram == 3 && policy_tier(p, 10) == POLICY_DRAM &&
	       policy_tier(p, 4) == POLICY_DRAM && policy_tier(p, 12) == POLICY_DRAM,
	       "hot set is the three hottest chunks");
	nm = run_interval(p, touched, mv, N);
	tap_is(nm, 0, "stable hot set: no moves");
	/* Chunk 1 becomes the hottest: it displaces the coldest DRAM chunk. */
	touched[1] = 64;
	touched[12] = 0;
	run_interval(p, touched, mv, N);
	nm = run_interval(p, touched, mv, N);
	tap_ok(policy_tier(p, 1) == POLICY_DRAM && policy_tier(p, 12) == POLICY_NVM,
	       "new hot chunk swapped with the coldest DRAM chunk");
	policy_histogram(p, hist);
	for (i = 0; i < POLICY_BUCKETS; i++)
		sum += hist[i];
	tap_is(sum, (uint64_t)N * 512 * 4096, "histogram covers all guest memory");
	tap_is(hist[0], (uint64_t)(N - 5) * 512 * 4096, "idle chunks in bucket 0");
	policy_destroy(p);
}

static void test_hysteresis(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t touched[N] = { 0 }, nm, i;
	struct policy_move mv[N];
	struct policy_stats st;

	policy_create(&par, N, &p);
	policy_set_quota(p, 1);
	touched[0] = 30;
	run_interval(p, touched, mv, N);
	run_interval(p, touched, mv, N);
	tap_is(policy_tier(p, 0), POLICY_DRAM, "first chunk promoted into free DRAM");
	/* Chunk 1 a little hotter than chunk 0: within the margin, no swap. */
	touched[1] = 34;
	nm = 0;
	for (i = 0; i < 16; i++)
		nm += run_interval(p, touched, mv, N);
	policy_get_stats(p, &st);
	tap_ok(nm == 0 && policy_tier(p, 1) == POLICY_NVM && st.refused_hyst > 0,
	       "slightly hotter candidate refused by hysteresis");
	/* Clearly hotter: swapped. */
	touched[1] = 64;
	touched[0] = 4;
	for (i = 0; i < 4; i++)
		run_interval(p, touched, mv, N);
	tap_ok(policy_tier(p, 1) == POLICY_DRAM && policy_tier(p, 0) == POLICY_NVM,
	       "clearly hotter candidate displaces the victim");
	policy_destroy(p);
}

static void test_rate_limit_and_residency(void)
{
	struct policy_params par = small_params(1);
	struct policy *p;
	uint32_t touched[N] = { 0 }, i, nm;
	struct policy_move mv[N];

	par.max_moves = 2;
	par.min_residency = 3;
	policy_create(&par, N, &p);
	policy_set_quota(p, 6);
	for (i = 0; i < 6; i++)
		touched[i] = 64;
	nm = run_interval(p, touched, mv, N);
	tap_is(nm, 2, "rate limit: two moves per interval");
	nm = run_interval(p, touched, mv, N);
	tap_is(nm, 2, "the rest follow in later intervals");
	/* Chunk 0 just moved: a hot chunk 8 cannot evict it for 3 intervals. */
	policy_set_quota(p, 4);
	for (i = 0; i < 6; i++)
		touched[i] = 0;
	touched[8] = 64;
	nm = run_interval(p, touched, mv, N);
	tap_ok(nm == 0, "recently moved chunks are not evicted (residency)");
	run_interval(p, touched, mv, N);
	run_interval(p, touched, mv, N);
	run_interval(p, touched, mv, N);
	tap_is(policy_tier(p, 8), POLICY_DRAM, "after the residency the hot chunk gets in");

	/* Quota shrinks: demote down to it, coldest first. */
	policy_set_quota(p, 1);
	for (i = 0; i < 4; i++)
		run_interval(p, touched, mv, N);
	tap_is(policy_dram_chunks(p), 1, "quota shrink demotes down to the quota");
	tap_is(policy_tier(p, 8), POLICY_DRAM, "the hot chunk is the one kept");
	policy_destroy(p);
}

static void test_observe_checks(void)
{
	struct policy_params par = small_params(4);
	struct policy *p;
	uint32_t list[N];
	struct policy_move mv[4];
	uint32_t nm;

	policy_create(&par, N, &p);
	policy_sample_set(p, list, N);
	tap_is(policy_observe(p, N, 0), -EINVAL, "chunk out of range refused");
	tap_is(policy_observe(p, list[0], 65), -EINVAL, "more hits than windows x block refused");
	tap_is(policy_observe(p, list[0], 64), 0, "windows x block hits accepted");
	tap_is(policy_move_done(p, 2, 1), -EINVAL, "move_done without a move refused");
	tap_is(policy_decide(p, NULL, 4, &nm), -EINVAL, "decide without a move array refused");
	(void)mv;
	policy_destroy(p);
}

/* Idle: all in DRAM within the quota samples nothing, until that ends. */
static void test_idle(void)
{
	struct policy_params par = small_params(3);
	struct policy_stats st;
	struct policy *p = NULL;
	struct policy_move mv[N];
	uint32_t list[N], c, n, nm = 0;

	policy_create(&par, N, &p);
	for (c = 0; c < N; c++)
		policy_set_tier(p, c, POLICY_DRAM);
	policy_set_quota(p, N);
	tap_ok(policy_idle(p), "all chunks in DRAM within the quota: idle");
	n = policy_sample_set(p, list, N);
	policy_decide(p, mv, N, &nm);
	policy_get_stats(p, &st);
	tap_ok(n == 0 && nm == 0 && st.idle == 1 && st.intervals == 1,
	       "an idle interval samples nothing and moves nothing (%u sampled, %u moves)", n, nm);
	policy_set_quota(p, N - 1);
	tap_ok(!policy_idle(p), "a quota below the DRAM in use ends idleness");
	n = policy_sample_set(p, list, N);
	tap_ok(n > 0, "and sampling resumes (%u chunks)", n);
	policy_set_quota(p, N);
	policy_set_tier(p, 3, POLICY_NVM);
	tap_ok(!policy_idle(p), "a chunk on the slow tier ends idleness");
	policy_destroy(p);

	par.sample_idle = 1;
	policy_create(&par, N, &p);
	for (c = 0; c < N; c++)
		policy_set_tier(p, c, POLICY_DRAM);
	policy_set_quota(p, N);
	n = policy_sample_set(p, list, N);
	tap_ok(n > 0, "sample_idle: an idle policy still samples (%u chunks)", n);
	policy_destroy(p);
}

/* Interval t's touches of a chunk (of 64): a drifting hot set, some noise. */
static uint32_t state_touch(uint32_t t, uint32_t c)
{
	uint32_t hot = (t / 20 + c) % N < 5, x = (t * 31 + c * 17) % 13;

	return hot ? 20 + x * 3 : x % 5 == 0 ? x : 0;
}

/*
 * One interval of @p on state_touch(); returns its sample set and moves
 * folded into one number, so that two policies can be compared interval
 * by interval.
 */
static uint64_t state_interval(struct policy *p, uint32_t t)
{
	uint32_t list[N], n, i, nm = 0;
	struct policy_move mv[N];
	uint64_t sig = 0;

	n = policy_sample_set(p, list, N);
	for (i = 0; i < n; i++) {
		policy_observe(p, list[i], state_touch(t, list[i]));
		sig = sig * 1099511628211ull + list[i] + 1;
	}
	policy_decide(p, mv, N, &nm);
	for (i = 0; i < nm; i++) {
		sig = sig * 1099511628211ull + (mv[i].chunk << 1 | mv[i].to) + 7;
		policy_move_done(p, mv[i].chunk, 1);
	}
	return sig * 1099511628211ull + n * 64 + nm;
}

static struct policy *state_policy(uint32_t nchunks, uint32_t levels)
{
	struct policy_params par = small_params(levels);
	struct policy *p = NULL;

	par.min_residency = 2;
	par.max_samples = 3;	/* the round robin's turn matters */
	if (policy_create(&par, nchunks, &p))
		return NULL;
	policy_set_quota(p, 4);
	return p;
}

/*
 * The learned state (policy_state.c): a policy loaded from another's state
 * (its tiers set alike) samples and decides as the other does from there
 * on; the same tiers without the state do not; a state of another shape,
 * or with a bad level, is refused and changes nothing.
 */
static void test_state(void)
{
	struct policy *a = state_policy(N, 3), *b = state_policy(N, 3);
	struct policy *c = state_policy(N, 3), *d = state_policy(8, 3);
	struct policy *e = state_policy(N, 2);
	uint64_t sa, same = 1, differ = 0;
	size_t len = a ? policy_state_size(a) : 0;
	uint8_t *buf = malloc(len + 1), *before = malloc(len + 1);
	struct policy_params pp;
	struct policy *pg = NULL;
	uint32_t t, i;

	if (!a || !b || !c || !d || !e || !buf || !before) {
		tap_ok(0, "policies for the state tests");
		goto out;
	}
	for (t = 0; t < 60; t++)
		state_interval(a, t);
	tap_is(policy_state_save(a, buf, len - 1), -ENOSPC, "a state does not fit a short buffer");
	tap_is(policy_state_save(a, buf, len), 0, "a policy's state saved");
	tap_is(policy_state_load(b, buf, len), 0, "and loaded into another of the same shape");
	for (i = 0; i < N; i++) {
		policy_set_tier(b, i, policy_tier(a, i));
		policy_set_tier(c, i, policy_tier(a, i));
	}
	for (t = 60; t < 140; t++) {
		sa = state_interval(a, t);
		same &= state_interval(b, t) == sa;
		differ |= state_interval(c, t) != sa;
	}
	tap_ok(same, "loaded: 80 intervals sampled and decided as the policy it came from");
	tap_ok(differ, "the same tiers without the state: other samples or moves");
	policy_state_save(d, before, len);
	tap_is(policy_state_load(d, buf, len), -EINVAL, "a state of 16 chunks refused by a policy of 8");
	tap_is(policy_state_load(e, buf, len), -EINVAL, "a state of 3 levels refused by a policy of 2");
	tap_is(policy_state_load(b, buf, len - 1), -EINVAL, "a short state refused");
	policy_state_save(c, before, len);
	buf[8 + 10 * 4 + 16] = 3;	/* chunk 0's level: 3 of levels 0..2 */
	tap_is(policy_state_load(c, buf, len), -EINVAL, "a state with a level out of range refused");
	policy_state_save(c, buf, len);
	tap_ok(!memcmp(buf, before, len), "a refused state leaves the policy as it was");
	policy_params_pages(&pp);
	tap_ok(!policy_create(&pp, N, &pg) && policy_state_save(pg, buf, len) == -EOPNOTSUPP &&
	       policy_state_load(pg, before, len) == -EOPNOTSUPP, "page mode has no saved state");
out:
	policy_destroy(pg);
	policy_destroy(a);
	policy_destroy(b);
	policy_destroy(c);
	policy_destroy(d);
	policy_destroy(e);
	free(buf);
	free(before);
}

int main(void)
{
	tap_is(policy_bucket(0), 0, "bucket of 0 is 0");
	tap_is(policy_bucket(1), 1, "bucket of 1 is 1");
	tap_is(policy_bucket(256), 9, "bucket of 256 is 9 (log2 + 1)");
	tap_is(policy_bucket(UINT32_MAX), POLICY_BUCKETS - 1, "bucket is capped");
	test_params();
	test_blocks();
	test_mlq();
	test_mlq_buckets();
	test_decay();
	test_sparse();
	test_rotation_and_budget();
	test_spread();
	test_fill();
	test_hysteresis();
	test_rate_limit_and_residency();
	test_observe_checks();
	test_idle();
	test_state();
	return tap_done(0);
}
