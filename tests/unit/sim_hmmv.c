// SPDX-License-Identifier: GPL-2.0
/*
 * HMM-V in the simulator (tools/sim/pol_hmmv.c): sparse hot chunks found,
 * zaps charged per call (run of adjacent blocks) and lengthening the
 * windows of the blocks zapped before the last, the copy of a move
 * charged to the vCPUs; page mode (hmm-v-4k) moves the hot pages alone;
 * dirty logging off between spans charges only the spans.
 */
#include <math.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define CHUNKS	8
#define PAGES	(CHUNKS * SIM_CHUNK_PAGES)

static struct trace_rec recs[PAGES];

/* One interval: `per` pages of `hot` chunks (spread), `cold` elsewhere. */
static uint32_t fill(const int *hot, uint32_t per, uint32_t cnt)
{
	uint32_t c, k, n = 0, step;

	for (c = 0; c < CHUNKS; c++) {
		uint32_t np = hot[c] ? per : 2;

		step = SIM_CHUNK_PAGES / np;
		for (k = 0; k < np; k++)
			recs[n++] = (struct trace_rec){ c * SIM_CHUNK_PAGES + k * step + 3,
							cnt, 0 };
	}
	return n;
}

static int setup_ops(struct sim *s, const struct sim_ops *ops, struct model *m,
		     struct pol_params *pp, uint32_t dram_chunks)
{
	struct trace_hdr h = { .version = 1, .page_shift = 12, .nvms = 1,
			       .interval_ns = 100000000 };

	h.vm_pages[0] = PAGES;
	return sim_create(s, ops, m, pp, &h, (uint64_t)dram_chunks * SIM_CHUNK_PAGES, 1, 0);
}

static int setup(struct sim *s, struct model *m, struct pol_params *pp,
		 uint32_t dram_chunks)
{
	return setup_ops(s, &pol_hmmv, m, pp, dram_chunks);
}

static void step(struct sim *s, uint32_t idx, uint32_t n)
{
	struct ival iv;

	memset(&iv, 0, sizeof(iv));
	iv.index = idx;
	iv.nvms = 1;
	iv.rec[0] = recs;
	iv.n[0] = n;
	sim_step(s, &iv);
}

static int in_dram(const struct sim *s, uint32_t c)
{
	return s->vm[0].loc[c * SIM_CHUNK_PAGES] == SIM_DRAM;
}

/* 20 hot pages spread over chunks 3 and 6 (one per 25), 2 elsewhere. */
static void test_sparse(void)
{
	const int hot[CHUNKS] = { 0, 0, 0, 1, 0, 0, 1, 0 };
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t t, n;

	model_default(&m);
	pol_params_default(&pp);
	if (setup(&s, &m, &pp, 2)) {
		tap_ok(0, "sparse: sim created");
		return;
	}
	n = fill(hot, 20, 2000);
	for (t = 0; t < 120; t++)
		step(&s, t, n);
	tap_ok(in_dram(&s, 3) && in_dram(&s, 6),
	       "sparse hot chunks (20 of 512 pages) are the two in DRAM");
	sim_destroy(&s);
}

/* Idle VM, every chunk sampled every interval, whole-chunk blocks. */
static double zap_time(uint32_t sample_pages)
{
	const int none[CHUNKS] = { 0 };
	struct model m;
	struct pol_params pp;
	struct sim s;
	double tr;
	uint32_t t, n;

	model_default(&m);
	m.fault_ns = 0;
	m.ept_split_ns = 0;
	pol_params_default(&pp);
	pp.hmmv.levels = 1;
	pp.hmmv.windows = 2;
	pp.hmmv.sample_pages = sample_pages;
	if (setup(&s, &m, &pp, 1))
		return -1;
	n = fill(none, 0, 1);
	for (t = 0; t < 10; t++)
		step(&s, t, n);
	tr = s.vm[0].track_ns * m.vcpus;	/* back to vCPU-ns */
	sim_destroy(&s);
	return tr;
}

static void test_zap_calls(void)
{
	struct model m;
	double whole = zap_time(SIM_CHUNK_PAGES), part = zap_time(64);

	model_default(&m);
	tap_ok(fabs(whole - 10 * 2 * m.zap_ns) < 1,
	       "whole-chunk blocks of adjacent chunks: one zap call per window (%.0f ns)", whole);
	tap_ok(part > whole * 4 && part <= 10 * 2 * CHUNKS * m.zap_ns + 1,
	       "64-page blocks: up to a call per chunk and window (%.0f ns)", part);
}

/*
 * The engine starts a window's clock after its last zap call: with 64-page
 * blocks (about a call per chunk) at 1 ms a call, the block zapped first
 * watches 6 or 7 ms longer than the last; the second window re-zaps the
 * touched blocks alone.
 */
static void test_zap_order(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double f, first0, last0, last1, quiet1, calls;
	uint32_t n;

	model_default(&m);
	m.zap_ns = 1000000;
	pol_params_default(&pp);
	pp.hmmv.levels = 1;
	pp.hmmv.windows = 2;
	pp.hmmv.sample_pages = 64;
	if (setup(&s, &m, &pp, 1)) {
		tap_ok(0, "zap order: sim created");
		return;
	}
	/* Chunk 2 touched in every 64-page block, the others not at all. */
	memset(recs, 0, sizeof(recs));
	for (n = 0; n < SIM_CHUNK_PAGES / 8; n++)
		recs[n] = (struct trace_rec){ 2 * SIM_CHUNK_PAGES + n * 8, 5, 0 };
	step(&s, 0, n);
	f = m.window_ms * 1e6 / 1e8;
	first0 = pol_hmmv_window_share(&s, 0, 0, 0);
	last0 = pol_hmmv_window_share(&s, 0, CHUNKS - 1, 0);
	last1 = pol_hmmv_window_share(&s, 0, 2, 1);
	quiet1 = pol_hmmv_window_share(&s, 0, 0, 1);
	/* 8 blocks, 7 or 8 calls: the policy's rotation may join two. */
	calls = (first0 - f) / 0.01;
	tap_ok(fabs(calls - round(calls)) < 1e-6 && calls >= 6 && calls <= 7 &&
	       fabs(last0 - f) < 1e-9,
	       "first window: the first block zapped watches the later calls longer (%.0f ms: %.3f, the last %.3f)",
	       calls, first0, last0);
	tap_ok(fabs(last1 - f) < 1e-9 && fabs(quiet1 - f) < 1e-9,
	       "second window: the touched block alone re-zapped, one call (%.3f)", last1);
	sim_destroy(&s);
}

/* One promotion into free DRAM, no remap or pause cost: the copy's. */
static void test_copy_charged(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double want, bw;
	uint32_t t, n;

	model_default(&m);
	m.remap_ns = 0;
	m.pause_ns = 0;
	pol_params_default(&pp);
	pp.hmmv.levels = 1;
	if (setup(&s, &m, &pp, 1))
		return;
	/* First-touch put chunk 0 in DRAM; only chunk 5 is touched. */
	n = 0;
	for (t = 0; t < 64; t++)
		recs[n++] = (struct trace_rec){ 5 * SIM_CHUNK_PAGES + t * 8, 50, 0 };
	for (t = 0; t < 30; t++)
		step(&s, t, n);
	bw = m.bw_rd[SIM_NVM] < m.bw_wr[SIM_DRAM] ? m.bw_rd[SIM_NVM] : m.bw_wr[SIM_DRAM];
	want = SIM_CHUNK_PAGES * (double)SIM_PAGE / bw;
	tap_ok(in_dram(&s, 5), "the touched chunk is promoted");
	/* The demotion of chunk 0 copies the other way: at least one copy. */
	tap_ok(s.vm[0].mig_ns * m.vcpus >= want * 0.999,
	       "a move's copy occupies a core: %.0f ns charged, one copy %.0f ns",
	       s.vm[0].mig_ns * m.vcpus, want);
	sim_destroy(&s);
}

/*
 * Chunk 5 alone touched, chunk 0 in DRAM: the interval after which chunk 5
 * is in DRAM, with moves taking @move_ns each on the engine's thread; in
 * *@idle the intervals after the decision that sampled nothing.
 */
static uint32_t arrival(double move_ns, uint32_t *idle)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t t, n = 0, at = UINT32_MAX;
	double track = 0;

	model_default(&m);
	m.move_ns = move_ns;
	m.ept_split_ns = 0;	/* the tracking cost: the zaps' and refaults' alone */
	pol_params_default(&pp);
	pp.hmmv.levels = 1;
	*idle = 0;
	if (setup(&s, &m, &pp, 1))
		return at;
	for (t = 0; t < 64; t++)
		recs[n++] = (struct trace_rec){ 5 * SIM_CHUNK_PAGES + t * 8, 50, 0 };
	for (t = 0; t < 40 && at == UINT32_MAX; t++) {
		step(&s, t, n);
		/* Sampled chunks refault: an interval passed over costs nothing. */
		if (s.vm[0].mig_ns > 0 && s.vm[0].track_ns == track)
			(*idle)++;
		track = s.vm[0].track_ns;
		if (in_dram(&s, 5))
			at = t;
	}
	sim_destroy(&s);
	return at;
}

/* --move-ns: moves land intervals later, the engine sampling nothing meanwhile. */
static void test_move_time(void)
{
	uint32_t idle0, idle, t0 = arrival(0, &idle0), t1 = arrival(2.5e8, &idle);

	tap_ok(t0 < 40 && idle0 == 0, "moves at bandwidth: chunk 5 in DRAM after interval %u, "
	       "%u intervals unsampled", t0, idle0);
	/* Demotion of chunk 0, then promotion of chunk 5: 5 intervals. */
	tap_ok(t1 < 40 && t1 >= t0 + 4, "2.5 intervals a move: in DRAM after interval %u", t1);
	tap_ok(idle >= 3, "%u intervals unsampled while the moves ran", idle);
}

/* Page mode: 20 hot pages in each of chunks 3 and 6 move, their chunks not. */
static void test_pages(void)
{
	const int hot[CHUNKS] = { 0, 0, 0, 1, 0, 0, 1, 0 };
	uint32_t t, n, k, pg, ok = 1, dram = 0, in3 = 0;
	struct model m;
	struct pol_params pp;
	struct sim s;
	double per;

	model_default(&m);
	pol_params_default(&pp);
	if (setup_ops(&s, &pol_hmmv4k, &m, &pp, 2)) {
		tap_ok(0, "pages: sim created");
		return;
	}
	n = fill(hot, 20, 2000);
	for (t = 0; t < 40; t++)
		step(&s, t, n);
	for (k = 0; k < n; k++)
		if (hot[recs[k].page / SIM_CHUNK_PAGES])
			ok &= s.vm[0].loc[recs[k].page] == SIM_DRAM;
	for (pg = 0; pg < PAGES; pg++) {
		dram += s.vm[0].loc[pg] == SIM_DRAM;
		in3 += pg / SIM_CHUNK_PAGES == 3 && s.vm[0].loc[pg] == SIM_DRAM;
	}
	tap_ok(ok, "hmm-v-4k: every hot page is in DRAM");
	tap_ok(in3 <= 20 * pp.hmmv4k.page_unit && dram <= 2 * SIM_CHUNK_PAGES,
	       "only their units: %u pages of chunk 3 in DRAM, %u in all (quota %u)",
	       in3, dram, 2 * SIM_CHUNK_PAGES);
	per = m.migrate_4k_ns + m.fault_ns;
	tap_ok(s.vm[0].mig_ns * m.vcpus >= 2 * 40 * pp.hmmv4k.page_unit * per * 0.999,
	       "each page moved costs a core its migration and the guest a refault "
	       "(%.0f ns charged)", s.vm[0].mig_ns * m.vcpus);
	sim_destroy(&s);
}

/*
 * Page mode's early promotion: pages that turn hot are moved when the
 * first window is harvested, 5 ms into the interval, so most of that
 * interval's accesses to them are already served by DRAM; without it
 * (no headroom) the whole interval is, unless the decision sees them:
 * the engine decides as the last window ends, and its moves serve the
 * rest of the interval. Settled sampling every @settled intervals.
 */
static double early_share(uint32_t headroom_pct, uint32_t settled, int *was_slow)
{
	const int hot_a[CHUNKS] = { 0, 0, 0, 1, 0, 0, 0, 0 };
	const int hot_b[CHUNKS] = { 0, 0, 0, 0, 0, 0, 1, 0 };
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t t, n, k;
	double share;

	model_default(&m);
	pol_params_default(&pp);
	pp.hmmv4k.page_headroom_pct = headroom_pct;
	pp.hmmv4k.settled_every = settled;
	if (setup_ops(&s, &pol_hmmv4k, &m, &pp, 2))
		return -1;
	n = fill(hot_a, 20, 2000);
	for (t = 0; t < 10; t++)
		step(&s, t, n);
	n = fill(hot_b, 20, 2000);
	/* Only chunk 6's new hot pages (B) this interval, on the slow tier. */
	for (k = 0, t = 0; k < n; k++)
		if (recs[k].page / SIM_CHUNK_PAGES == 6 &&
		    s.vm[0].loc[recs[k].page] == SIM_SLOW)
			recs[t++] = recs[k];
	*was_slow = t >= 18;
	step(&s, 10, t);
	share = s.vm[0].a.dram_acc / s.vm[0].a.accesses;
	sim_destroy(&s);
	return share;
}

static void test_early(void)
{
	int slow_on, slow_off, slow_dec;
	double on = early_share(6, 4, &slow_on), off = early_share(0, 4, &slow_off);
	double dec = early_share(0, 1, &slow_dec);
	double f = POLICY_DEFAULT_WINDOW_MS / 100.0, d = f * (1 + 0.25 + 0.0625);

	tap_ok(slow_on && slow_off && slow_dec,
	       "early: at least 18 new hot pages on the slow tier");
	tap_ok(fabs(on - (1 - f)) < 0.01 && off == 0,
	       "early: %.3f of the interval's accesses served by DRAM (1 - %.2f expected), "
	       "%.3f without, the chunk not sampled", on, f, off);
	/* The three windows take d of the interval; then the moves, in turn. */
	tap_ok(dec <= 1 - d + 1e-6 && dec > 1 - d - 0.01,
	       "decided: %.4f served by DRAM once the windows end (1 - %.4f less the moves)",
	       dec, d);
}

/*
 * Chunk mode's tracking cost per interval over intervals 20-29, with dirty
 * logging off between spans (@log_off) or on throughout: @per pages of
 * every chunk touched @cnt times, DRAM for @dram chunks, the 4 KiB second-
 * level entries' cost alone (@ept) or the refaults' alone.
 */
static double track_cost(uint32_t log_off, uint32_t dram, uint32_t per, uint32_t cnt,
			 int ept)
{
	const int all[CHUNKS] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct model m;
	struct pol_params pp;
	struct sim s;
	double t0 = 0;
	uint32_t t, n;

	model_default(&m);
	m.zap_ns = 0;
	if (ept)
		m.fault_ns = 0;
	else
		m.ept_split_ns = 0;
	pol_params_default(&pp);
	pp.hmmv.levels = 1;
	pp.hmmv_log_off = log_off;
	if (setup(&s, &m, &pp, dram))
		return -1;
	n = fill(all, per, cnt);
	for (t = 0; t < 30; t++) {
		if (t == 20)
			t0 = s.vm[0].track_ns;
		step(&s, t, n);
	}
	t0 = s.vm[0].track_ns - t0;
	sim_destroy(&s);
	return t0;
}

/*
 * Logging off between spans: only the sampled chunks pay the 4 KiB
 * entries, for the windows' share of the interval; an idle engine pays
 * nothing; a block page touched after the span refaults no more.
 */
static void test_log_off(void)
{
	double on = track_cost(0, 4, 2, 1000, 1), off = track_cost(1, 4, 2, 1000, 1);
	double idle_on = track_cost(0, CHUNKS, 2, 1000, 1);
	double idle_off = track_cost(1, CHUNKS, 2, 1000, 1);
	double f = 2 * POLICY_DEFAULT_WINDOW_MS / 100.0;
	double fon = track_cost(0, 4, 128, 3, 0), foff = track_cost(1, 4, 128, 3, 0);

	tap_ok(on > 0 && fabs(off / on - f) < 0.01,
	       "log off: the sampled chunks' accesses pay 4 KiB entries for %.3f of the "
	       "interval (the two windows' %.2f expected)", off / on, f);
	tap_ok(idle_on == 0 && idle_off == 0,
	       "an idle engine (all in DRAM) pays nothing, logging off between spans or not "
	       "(%.0f, %.0f)", idle_off, idle_on);
	/* 128 pages a chunk touched 3 times: a refault each after the windows. */
	tap_ok(foff > 0 && foff < fon * 0.5,
	       "log off: pages touched a few times an interval refault in the windows, "
	       "not after them (%.0f against %.0f vCPU-ns)", foff, fon);
}

int main(void)
{
	test_sparse();
	test_zap_calls();
	test_zap_order();
	test_copy_charged();
	test_move_time();
	test_pages();
	test_early();
	test_log_off();
	return tap_done(0);
}
