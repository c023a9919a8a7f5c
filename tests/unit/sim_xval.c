// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying an engine trace for cross-validation (make eval-real): the
 * replay starts from the run's launch placement (TRACE_F_DRAM_FIRST), the
 * traffic accounted is the one the observations imply (estimate.c: the
 * sampling model inverted), hmmv sim --estimate writes that traffic out,
 * and --measure counts only the intervals asked for; replaying the meter's
 * trace: its cuts, --trace-stretch, and copies counted as the meter does.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"
#include "vmm/cmd.h"

#define NCH	8
#define IVNS	100000000ULL

static char dir[] = "/tmp/hmmv-sim-xval.XXXXXX";

static const char *path_in(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

/* The first page of the last block the policy watches in the first interval. */
static uint32_t first_block(void)
{
	struct policy_params pp;
	struct policy *p;
	uint32_t list[NCH], first = 0, n, c;

	policy_params_default(&pp);
	if (policy_create(&pp, NCH, &p))
		return 0;
	for (c = 0; c < NCH; c++)
		policy_set_tier(p, c, POLICY_NVM);
	policy_set_quota(p, 2);
	n = policy_sample_set(p, list, NCH);
	c = n ? list[n - 1] : 0;
	policy_sample_block(p, c, &first);
	policy_destroy(p);
	return c * SIM_CHUNK_PAGES + first;
}

/*
 * An engine trace of NCH chunks and @n intervals: in interval 0 a block
 * the policy watched had @hits page-windows (one window each on the first pages,
 * both on the rest); nothing else was seen.
 */
static int write_engine(const char *path, uint32_t flags, uint32_t hits, uint32_t n)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .flags = TRACE_F_WINDOWS | flags,
		.page_shift = 12, .nvms = 1, .interval_ns = IVNS,
		.vm_pages = { NCH * SIM_CHUNK_PAGES },
	};
	struct trace_rec rec[128];
	uint32_t b = first_block(), k, m = 0;
	FILE *f = fopen(path, "wbx");
	int r;

	if (!f)
		return -1;
	for (k = 0; k < 128 && hits; k++, m++) {
		uint32_t w = hits >= 2 * (128 - k) ? 2 : 1;

		rec[m] = (struct trace_rec){ .page = b + k, .reads = w };
		hits -= w;
	}
	r = trace_write_header(f, &h);
	r = r ? r : trace_write_block(f, &h, 0, 0, rec, m);
	if (n > 1)
		r = r ? r : trace_write_block(f, &h, n - 1, 0, rec, 1);
	r = r ? r : trace_write_end(f);
	return fclose(f) || r ? -1 : 0;
}

static void test_estimate(void)
{
	struct est *e;
	double f = 0.05;

	tap_ok(est_create(&e, 4, f, 128, 2) == 0, "an estimator for 4 chunks");
	est_observe(e, 1, 128);
	tap_ok(fabs(est_rate(e, 1) - log(2) / f) < 1e-9,
	       "half the block's page-windows touched: ln 2 / f touches per page (%.3f)",
	       est_rate(e, 1));
	est_observe(e, 2, 256);
	tap_ok(fabs(est_rate(e, 2) - log(512) / f) < 1e-9,
	       "every page-window touched: clamped at ln(2 x 256) / f (%.3f)", est_rate(e, 2));
	est_observe(e, 1, 0);
	tap_ok(est_rate(e, 1) == 0 && est_rate(e, 0) == 0 && est_rate(e, 9) == 0,
	       "sampled without a hit, never sampled, out of range: 0");
	est_destroy(e);
}

/* A replay under hmm-v with 2 chunks of DRAM, stepped to the end. */
struct replay {
	struct model m;
	struct pol_params pp;
	struct sim s;
};

/* @log_off: hm-v's dirty logging off between spans, its default. */
static int replay_log(struct replay *x, const char *path, uint32_t from, uint32_t to,
		      uint32_t log_off)
{
	struct source *src;
	struct ival iv;
	int r;

	memset(x, 0, sizeof(*x));
	model_default(&x->m);
	pol_params_default(&x->pp);
	x->pp.hmmv_log_off = log_off;
	if (source_open_trace(&src, path, 64))
		return -1;
	r = sim_create(&x->s, &pol_hmmv, &x->m, &x->pp, source_hdr(src),
		       2 * SIM_CHUNK_PAGES, 1, 0);
	if (r) {
		source_close(src);
		return r;
	}
	x->s.meas_from = from;
	x->s.meas_to = to;
	x->s.presence_lines = 64;
	while ((r = source_next(src, &iv)) == 1)
		sim_step(&x->s, &iv);
	source_close(src);
	return r;
}

static int replay(struct replay *x, const char *path, uint32_t from, uint32_t to)
{
	return replay_log(x, path, from, to, 1);
}

static void test_placement(void)
{
	struct replay *x = calloc(1, sizeof(*x));
	int r;

	r = x ? write_engine(path_in("dfirst"), TRACE_F_DRAM_FIRST, 0, 1) : -1;
	tap_ok(r == 0, "an engine trace of a dram-first run");
	r = r ? r : replay(x, path_in("dfirst"), 0, 0);
	tap_ok(r == 0 && x->s.vm[0].loc[0] == SIM_DRAM &&
	       x->s.vm[0].loc[SIM_CHUNK_PAGES] == SIM_DRAM &&
	       x->s.vm[0].loc[2 * SIM_CHUNK_PAGES] == SIM_NVM,
	       "its replay starts with the lowest 2 chunks in DRAM, as the run did");
	sim_destroy(&x->s);
	r = write_engine(path_in("nfirst"), 0, 0, 1);
	r = r ? r : replay(x, path_in("nfirst"), 0, 0);
	tap_ok(r == 0 && x->s.vm[0].loc[0] == SIM_NVM && x->s.vm[0].dram_pages == 0,
	       "without TRACE_F_DRAM_FIRST every chunk starts on the slow tier");
	sim_destroy(&x->s);
	free(x);
}

/*
 * The traffic accounted is what the observation implies for the whole
 * chunk, every interval until the chunk is sampled again, not the records.
 */
static void test_accounting(void)
{
	struct replay *x = calloc(1, sizeof(*x));
	double want = log(2) / 0.05 * 64 * SIM_CHUNK_PAGES;
	int r;

	r = x ? write_engine(path_in("acct"), 0, 128, 1) : -1;
	r = r ? r : replay(x, path_in("acct"), 0, 0);
	tap_ok(r == 0 && fabs(x->s.vm[0].accesses - want) < 1e-6 * want &&
	       x->s.vm[0].dram_acc == 0,
	       "half of a watched block seen: its chunk's 512 pages at ln 2 / f touches, x 64 lines, "
	       "on the slow tier (%.0f of %.0f)", x ? x->s.vm[0].accesses : 0, want);
	sim_destroy(&x->s);
	free(x);
}

/*
 * Refaults charged. An engine trace's writes are the refaults the engine
 * counted: a replay charges each one fault_ns of tracking. A trace of one
 * interval: the 128 pages of the first block the policy watches, each
 * with @reads and @faults (writes).
 */
static int write_refaults(const char *path, uint32_t flags, uint32_t reads,
			  uint32_t faults)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .flags = flags,
		.page_shift = 12, .nvms = 1, .interval_ns = IVNS,
		.vm_pages = { NCH * SIM_CHUNK_PAGES },
	};
	struct trace_rec rec[128];
	uint32_t b = first_block(), k;
	FILE *f = fopen(path, "wbx");
	int r;

	if (!f)
		return -1;
	for (k = 0; k < 128; k++)
		rec[k] = (struct trace_rec){ .page = b + k, .reads = reads, .writes = faults };
	r = trace_write_header(f, &h);
	r = r ? r : trace_write_block(f, &h, 0, 0, rec, reads || faults ? 128 : 0);
	r = r ? r : trace_write_end(f);
	return fclose(f) || r ? -1 : 0;
}

/*
 * The tracking charged in a replay of such a trace, less the 4 KiB
 * mappings' share (which follows the traffic, not the refaults), with
 * dirty logging on throughout: the stretches below run to the interval's
 * end (logging off after the span ends the last there: sim_hmmv.c).
 */
static int refault_ns(struct replay *x, const char *name, uint32_t flags,
		      uint32_t reads, uint32_t faults, double *ns)
{
	int r;

	r = write_refaults(path_in(name), flags, reads, faults);
	r = r ? r : replay_log(x, path_in(name), 0, 0, 0);
	if (!r)
		*ns = x->s.vm[0].a.track_ns - x->s.vm[0].a.accesses * x->m.ept_split_ns;
	sim_destroy(&x->s);
	return r;
}

static void test_refaults(void)
{
	struct replay *x = calloc(1, sizeof(*x));
	double t0 = 0, t1 = 0, want = 0;
	int r;

	r = x ? refault_ns(x, "rf0", TRACE_F_WINDOWS, 1, 0, &t0) : -1;
	r = r ? r : refault_ns(x, "rf3", TRACE_F_WINDOWS, 1, 3, &t1);
	want = x ? 3.0 * 128 * x->m.fault_ns : 0;
	tap_ok(r == 0 && want > 0 && fabs(t1 - t0 - want) < 1e-6 * want,
	       "an engine trace's 384 refaults charged at fault_ns each (%.0f ns more, want %.0f)",
	       t1 - t0, want);
	/*
	 * Any other trace: a block page touched c times refaults once in
	 * each stretch between zaps in which it is touched, in a window or
	 * not. Two windows run back to back from the interval's start, so the
	 * stretches are the first window (f = 5 ms of 100) and the rest
	 * (1 - f): once for c = 1, (1 - (1 - f)^2) + (1 - f^2) = 1.095 times
	 * for c = 2: 12.16 more for the block's 128 pages, however many
	 * windows saw them (windows spread over the interval would cost 64).
	 */
	r = x ? refault_ns(x, "rm1", 0, 1, 0, &t0) : -1;
	r = r ? r : refault_ns(x, "rm2", 0, 2, 0, &t1);
	want = x ? 128 * (1 - pow(0.95, 2) + 1 - pow(0.05, 2) - 1) * x->m.fault_ns : 0;
	tap_ok(r == 0 && want > 0 && fabs(t1 - t0 - want) < 1e-6 * want,
	       "a block's 128 pages touched twice, not once: 140.16 refaults, not 128 (%.0f ns more, want %.0f)",
	       t1 - t0, want);
	free(x);
}

/* --measure: a workload of equal intervals, all-slow; intervals 2..4 of 10. */
static void test_measure(void)
{
	struct wl_params w;
	struct model m;
	struct pol_params pp;
	struct source *src;
	struct sim s[2];
	struct ival iv;
	int k, r;

	wl_params_default(&w);
	w.kind = "gups";
	w.vm_bytes = 16 << 20;
	w.hot_bytes = 4 << 20;
	w.intervals = 10;
	w.accesses = 1000;
	model_default(&m);
	pol_params_default(&pp);
	r = source_open_workload(&src, &w);
	for (k = 0; k < 2 && !r; k++)
		r = sim_create(&s[k], &pol_allslow, &m, &pp, source_hdr(src), 1024, 1, 0);
	if (!r) {
		s[1].meas_from = 2;
		s[1].meas_to = 5;
		while ((r = source_next(src, &iv)) == 1)
			for (k = 0; k < 2; k++)
				sim_step(&s[k], &iv);
	}
	tap_ok(r == 0 && s[0].vm[0].accesses > 0 &&
	       fabs(s[1].vm[0].accesses - 0.3 * s[0].vm[0].accesses) < 0.05 * s[0].vm[0].accesses &&
	       s[1].vm[0].time_ns < 0.35 * s[0].vm[0].time_ns,
	       "--measure 2:5 counts 3 of 10 equal intervals (%.0f of %.0f accesses)",
	       s[1].vm[0].accesses, s[0].vm[0].accesses);
	for (k = 0; k < 2; k++)
		sim_destroy(&s[k]);
	source_close(src);
}

/* Exit status of hmmv sim ARGS... (stdout and stderr dropped). */
static int sim_status(char **argv)
{
	int argc = 0, st;
	pid_t pid;

	while (argv[argc])
		argc++;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(99);
		_exit(cmd_sim(argc, argv));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Sum of reads in a plain trace, and its flags; -1 if unreadable. */
static double trace_reads(const char *path, uint32_t *flags)
{
	struct source *src;
	struct ival iv;
	double sum = 0;
	uint32_t k;
	int r;

	if (source_open_trace(&src, path, 64))
		return -1;
	*flags = source_hdr(src)->flags;
	while ((r = source_next(src, &iv)) == 1)
		for (k = 0; k < iv.n[0]; k++)
			sum += iv.rec[0][k].reads;
	source_close(src);
	return r < 0 ? -1 : sum;
}

static void test_estimate_cmd(void)
{
	struct replay *x = calloc(1, sizeof(*x));
	char eng[256], out[256];
	double want = -1, got;
	uint32_t flags = ~0u;
	int r;

	snprintf(eng, sizeof(eng), "%s", path_in("cmd"));
	snprintf(out, sizeof(out), "%s", path_in("cmd.est"));
	r = x ? write_engine(eng, 0, 128, 3) : -1;
	if (!r && !replay(x, eng, 0, 0))
		want = x->s.vm[0].accesses;
	if (x)
		sim_destroy(&x->s);
	free(x);
	r = r ? r : sim_status((char *[]){ "sim", "--trace", eng, "--dram-mb", "4",
					   "--policies", "hmm-v", "--estimate", out,
					   "--quiet", NULL });
	got = r ? -1 : trace_reads(out, &flags);
	tap_ok(r == 0 && flags == 0 && want > 0 && fabs(got - want) < 0.01 * want,
	       "--estimate writes the traffic the replay accounted as a plain trace "
	       "(%.0f reads, %.0f accounted)", got, want);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--policies", "hmm-v",
				   "--estimate", out, "--quiet", NULL });
	tap_ok(r == 1, "--estimate to an existing file: exit 1, the file kept (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", out, "--policies", "hmm-v",
				   "--estimate", (char *)path_in("x"), "--quiet", NULL });
	tap_ok(r == 2 && access(path_in("x"), F_OK) != 0,
	       "--estimate of a trace that is not an engine's: exit 2, no file (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--policies", "all-slow",
				   "--estimate", (char *)path_in("x"), "--quiet", NULL });
	tap_ok(r == 2 && access(path_in("x"), F_OK) != 0,
	       "--estimate without hmm-v among the policies: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--workload", "gups", "--estimate",
				   (char *)path_in("x"), NULL });
	tap_ok(r == 2, "--estimate without --trace: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--measure", "5:5", NULL });
	tap_ok(r == 2, "--measure 5:5 (empty): exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--measure", "x", NULL });
	tap_ok(r == 2, "--measure x: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--policies", "hmm-v",
				   "--measure", "1:", "--quiet", NULL });
	tap_ok(r == 0, "--measure 1: (to the end) (%d)", r);
}

/*
 * A one-VM trace of @pages pages, header flags @flags: the same @n records
 * in each of @ivals intervals.
 */
static int write_flagged(const char *path, uint32_t flags, uint32_t pages,
			 const struct trace_rec *rec, uint32_t n, uint32_t ivals)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .flags = flags, .page_shift = 12, .nvms = 1,
		.interval_ns = IVNS, .vm_pages = { pages },
	};
	FILE *f = fopen(path, "wbx");
	int r = f ? trace_write_header(f, &h) : -1;
	uint32_t i;

	for (i = 0; i < ivals && !r; i++)
		r = trace_write_block(f, &h, i, 0, rec, n);
	r = r ? r : trace_write_end(f);
	if (f && fclose(f))
		r = -1;
	return r;
}

static int write_same(const char *path, uint32_t pages, const struct trace_rec *rec,
		      uint32_t n, uint32_t ivals)
{
	return write_flagged(path, 0, pages, rec, n, ivals);
}

/* --trace-pages, --trace-intervals: a part of a trace, renumbered. */
static void test_cut(void)
{
	struct trace_rec rec[2] = { { .page = 100, .reads = 1 }, { .page = 3000, .reads = 5 } };
	struct trace_cut cut = { .ival_from = 3, .ival_to = 7, .page_first = 2048,
				 .page_count = 2048 };
	struct source *src;
	struct ival iv;
	uint32_t i, steps = 0, reads = 0, page = 0;
	int r = write_same(path_in("cut"), 4096, rec, 2, 10);

	r = r ? r : source_open_trace_cut(&src, path_in("cut"), 64, &cut);
	if (!r) {
		while ((r = source_next(src, &iv)) == 1) {
			steps++;
			for (i = 0; i < iv.n[0]; i++) {
				reads += iv.rec[0][i].reads;
				page = iv.rec[0][i].page;
			}
		}
		tap_ok(r == 0 && source_hdr(src)->vm_pages[0] == 2048 && steps == 4 &&
		       reads == 20 && page == 952,
		       "pages 2048.. of intervals 3..6: 2048 pages, 4 steps, page 3000 as 952 "
		       "(%u pages, %u steps, %u reads, page %u)", source_hdr(src)->vm_pages[0],
		       steps, reads, page);
		source_close(src);
	} else {
		tap_ok(0, "a cut of a trace opens (%d)", r);
	}
	cut.page_first = 4000;
	cut.page_count = 200;
	r = source_open_trace_cut(&src, path_in("cut"), 64, &cut);
	tap_ok(r == -EDOM, "pages beyond the trace's: -EDOM (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("cut"), "--trace-pages",
				   "4000:200", NULL });
	tap_ok(r == 2, "hmmv sim --trace-pages beyond the trace: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("cut"), "--trace-pages",
				   "5:0", NULL });
	tap_ok(r == 2, "--trace-pages 5:0 (no pages): exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("cut"), "--trace-intervals",
				   "7:3", NULL });
	tap_ok(r == 2, "--trace-intervals 7:3: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("cut"), "--trace-pages",
				   "2048:2048", "--trace-intervals", "3:7", "--policies", "all-slow",
				   "--quiet", NULL });
	tap_ok(r == 0, "hmmv sim --trace-pages 2048:2048 --trace-intervals 3:7 (%d)", r);
}

/*
 * --trace-stretch: intervals 2..5 of ten, stretched 2.5 times, are
 * replayed as 2, 3, 2 and 3 intervals carrying their trace interval's
 * number; every count is kept, and a page read once per interval is in
 * exactly one part of each.
 */
static void test_stretch(void)
{
	struct trace_rec rec[2] = { { .page = 100, .reads = 1 },
				    { .page = 3000, .reads = 5, .writes = 3 } };
	struct trace_cut cut = { .stretch = { { .from = 2, .to = 6, .k = 2.5 } },
				 .nstretch = 1 };
	uint32_t i, steps = 0, rd = 0, wr = 0, once = 0, of3 = 0, last = 0, order = 1;
	struct source *src;
	struct ival iv;
	int r = write_same(path_in("stretch"), 4096, rec, 2, 10);

	r = r ? r : source_open_trace_cut(&src, path_in("stretch"), 64, &cut);
	if (r) {
		tap_ok(0, "a stretched trace opens (%d)", r);
	} else {
		while ((r = source_next(src, &iv)) == 1) {
			steps++;
			order &= iv.tindex >= last;
			last = iv.tindex;
			of3 += iv.tindex == 3;
			for (i = 0; i < iv.n[0]; i++) {
				rd += iv.rec[0][i].reads;
				wr += iv.rec[0][i].writes;
				once += iv.rec[0][i].page == 100;
			}
		}
		tap_ok(r == 0 && steps == 16 && of3 == 3 && order && last == 9 &&
		       rd == 60 && wr == 30 && once == 10,
		       "stretched 2.5x: 4 trace intervals as 10 steps (16 in all, 3 for interval 3), "
		       "every count kept, a single read in one part (%u steps, %u of 3, %u/%u "
		       "reads/writes, page 100 in %u)", steps, of3, rd, wr, once);
		source_close(src);
	}
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("stretch"),
				   "--trace-stretch", "2:6:2.5,8:9:3", "--policies", "all-slow",
				   "--quiet", NULL });
	tap_ok(r == 0, "hmmv sim --trace-stretch 2:6:2.5,8:9:3 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("stretch"),
				   "--trace-stretch", "2:6:2,4:8:2", NULL });
	tap_ok(r == 2, "--trace-stretch with overlapping ranges: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("stretch"),
				   "--trace-stretch", "2:6:0.5", NULL });
	tap_ok(r == 2, "--trace-stretch below 1: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--workload", "gups", "--trace-stretch", "0:1:2",
				   NULL });
	tap_ok(r == 2, "--trace-stretch without --trace: exit 2 (%d)", r);
}

/*
 * An engine trace is the engine's sample: only hmm-v replays it (the
 * default there), the others are refused; --trace-stretch too.
 */
static void test_engine_policies(void)
{
	char eng[256];
	int r;

	snprintf(eng, sizeof(eng), "%s", path_in("eng-pol"));
	r = write_engine(eng, 0, 64, 3);
	r = r ? r : sim_status((char *[]){ "sim", "--trace", eng, "--dram-mb", "4",
					   "--quiet", NULL });
	tap_ok(r == 0, "an engine trace without --policies: hmm-v replays it (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--policies", "hmm-v,numa-balancing",
				   "--quiet", NULL });
	tap_ok(r == 2, "numa-balancing on an engine trace: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", eng, "--trace-stretch", "0:2:2",
				   "--quiet", NULL });
	tap_ok(r == 2, "--trace-stretch on an engine trace: exit 2 (%d)", r);
}

/*
 * hm-v on a trace of LLC fills and write-backs: a page's fills are its
 * touches; write-backs alone (lines evicted, written before) are not. A
 * chunk of 8 whose pages have only write-backs for 100 intervals is never
 * promoted; the same counts as fills are.
 */
static void test_touches(void)
{
	static struct trace_rec rec[SIM_CHUNK_PAGES];
	struct replay *x = calloc(1, sizeof(*x));
	uint32_t k, hot = 5 * SIM_CHUNK_PAGES;
	int wb, r;

	for (wb = 0; wb < 2 && x; wb++) {
		const char *path = path_in(wb ? "wb" : "fills");

		for (k = 0; k < SIM_CHUNK_PAGES; k++)
			rec[k] = (struct trace_rec){ .page = hot + k, .reads = wb ? 0 : 8,
						     .writes = wb ? 8 : 0 };
		r = write_same(path, NCH * SIM_CHUNK_PAGES, rec, SIM_CHUNK_PAGES, 100);
		r = r ? r : replay(x, path, 0, 0);
		if (wb)
			tap_ok(r == 0 && x->s.vm[0].loc[hot] == SIM_NVM && x->s.vm[0].migrated == 0,
			       "write-backs alone are no touches: the chunk stays on the slow tier");
		else
			tap_ok(r == 0 && x->s.vm[0].loc[hot] == SIM_DRAM,
			       "the same counts as fills: the chunk is promoted");
		sim_destroy(&x->s);
	}
	free(x);
}

/*
 * --touch-trace: chunk 5's pages hit the cache (touches, no fills). hm-v
 * sees them through the touch trace (stretched 2x too) and promotes the
 * chunk; without it, never; the traffic stays the trace's fills either way.
 */
static int touch_replay(struct sim *sm, const char *main_path, const char *touch,
			double k)
{
	struct trace_cut cut = { 0 };
	struct model m;
	struct pol_params pp;
	struct source *src;
	struct ival iv;
	int r;

	if (k > 1)
		cut.stretch[cut.nstretch++] = (struct trace_stretch){ 0, 100, k };
	model_default(&m);
	pol_params_default(&pp);
	r = source_open_trace_cut(&src, main_path, 64, &cut);
	if (r)
		return r;
	r = touch ? source_open_touch(src, touch) : 0;
	if (r) {
		source_close(src);
		return r;
	}
	r = sim_create(sm, &pol_hmmv, &m, &pp, source_hdr(src), 2 * SIM_CHUNK_PAGES, 1, 0);
	if (!r) {
		while ((r = source_next(src, &iv)) == 1)
			sim_step(sm, &iv);
		if (r)
			sim_destroy(sm);
	}
	source_close(src);
	return r;
}

static void test_touch_trace(void)
{
	static struct trace_rec tr[SIM_CHUNK_PAGES];
	struct trace_rec fill = { .page = 7, .reads = 4 };
	uint32_t k, hot = 5 * SIM_CHUNK_PAGES, pages = NCH * SIM_CHUNK_PAGES;
	struct sim *sm = calloc(1, sizeof(*sm));
	int r, t;

	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		tr[k] = (struct trace_rec){ .page = hot + k, .reads = 8 };
	r = sm ? write_same(path_in("tmain"), pages, &fill, 1, 100) : -1;
	r = r ? r : write_same(path_in("ttouch"), pages, tr, SIM_CHUNK_PAGES, 100);
	r = r ? r : write_same(path_in("tother"), pages / 2, &fill, 1, 100);
	for (t = 0; t < 3 && !r; t++) {
		int rr = touch_replay(sm, path_in("tmain"), t ? path_in("ttouch") : NULL,
				      t == 2 ? 2 : 1);

		if (t == 0)
			tap_ok(rr == 0 && sm->vm[0].loc[hot] == SIM_NVM,
			       "fills only: chunk 5, all cache hits, is never seen");
		else
			tap_ok(rr == 0 && sm->vm[0].loc[hot] == SIM_DRAM &&
			       sm->vm[0].accesses == 100 * 4,
			       "with --touch-trace%s: its touches promote it; the traffic is "
			       "still the fills (%.0f accesses)", t == 2 ? " and 2x stretch" : "",
			       sm->vm[0].accesses);
		if (!rr)
			sim_destroy(sm);
	}
	if (r)
		tap_ok(0, "touch traces written (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("tmain"), "--touch-trace",
				   (char *)path_in("tother"), "--policies", "hmm-v", NULL });
	tap_ok(r == 2, "--touch-trace of other pages: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("tmain"), "--touch-trace",
				   (char *)path_in("nonexistent"), "--policies", "hmm-v", NULL });
	tap_ok(r == 2, "--touch-trace of a missing file: exit 2 (%d)", r);
	r = sim_status((char *[]){ "sim", "--workload", "gups", "--touch-trace",
				   (char *)path_in("ttouch"), NULL });
	tap_ok(r == 2, "--touch-trace without --trace: exit 2 (%d)", r);
	free(sm);
}

/*
 * A touch trace with time slots (the meter's touch=, writes): a page's
 * touches in one slot are one event, a burst a window sees whole or not
 * at all. Chunk 5's pages, 200 touches each per interval: counted as
 * 200 independent touches they refault in both stretches between zaps (as
 * good as twice), in one slot as often as pages touched once.
 */
static int slot_track(struct sim *sm, uint32_t reads, uint32_t slots, double *ns)
{
	static struct trace_rec tr[SIM_CHUNK_PAGES];
	struct trace_rec fill = { .page = 7, .reads = 4 };
	uint32_t k, hot = 5 * SIM_CHUNK_PAGES, pages = NCH * SIM_CHUNK_PAGES;
	int r;

	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		tr[k] = (struct trace_rec){ .page = hot + k, .reads = reads, .writes = slots };
	unlink(path_in("smain"));
	unlink(path_in("stouch"));
	r = write_same(path_in("smain"), pages, &fill, 1, 10);
	r = r ? r : write_same(path_in("stouch"), pages, tr, SIM_CHUNK_PAGES, 10);
	r = r ? r : touch_replay(sm, path_in("smain"), path_in("stouch"), 1);
	if (r)
		return r;
	*ns = sm->vm[0].a.track_ns;
	sim_destroy(sm);
	return 0;
}

static void test_touch_slots(void)
{
	struct sim *sm = calloc(1, sizeof(*sm));
	double once = 0, burst = 0, spread = 0;
	int r;

	r = sm ? slot_track(sm, 1, 0, &once) : -1;
	r = r ? r : slot_track(sm, 200, 1, &burst);
	r = r ? r : slot_track(sm, 200, 0, &spread);
	tap_ok(r == 0 && once > 0 && fabs(burst - once) < 1e-9 * once && spread > 1.5 * once,
	       "200 touches in one time slot refault as one touch (%.0f ns, %.0f ns), "
	       "spread over the interval about twice (%.0f ns)", burst, once, spread);
	free(sm);
}

/*
 * A touch trace with times (TRACE_F_TOUCH_TIMES): chunk 5's 512 pages
 * touched once an interval. All in slot 50, hm-v's windows see the whole
 * block or none of it (a fill written through in one go); without the
 * times, each page on its own (a few of the block's 128 pages an
 * interval); each page in a slot of its own, about as many on average as
 * without. Read as --trace, the trace's slots count, not when.
 */
static int times_write(const char *path, uint32_t flags, int same)
{
	static struct trace_rec tr[SIM_CHUNK_PAGES];
	uint32_t k;

	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		tr[k] = (struct trace_rec){ .page = 5 * SIM_CHUNK_PAGES + k, .reads = 64,
					    .writes = TRACE_TOUCH_WORD(1, flags ? (same ? 50 : k % 100) : 0) };
	return write_flagged(path, flags, NCH * SIM_CHUNK_PAGES, tr, SIM_CHUNK_PAGES, 400);
}

/* hm-v over @touch, stretched @k times: chunk 5's block hits per sampled interval. */
static int times_replay(const char *touch, double k, uint32_t *sampled, uint32_t *lumps,
			double *mean)
{
	struct sim *sm = calloc(1, sizeof(*sm));
	struct trace_cut cut = { 0 };
	struct model m;
	struct pol_params pp;
	struct source *src = NULL;
	struct ival iv;
	uint32_t h, sp;
	double sum = 0;
	int r, made = 0;

	if (k > 1)
		cut.stretch[cut.nstretch++] = (struct trace_stretch){ 0, 400, k };
	model_default(&m);
	pol_params_default(&pp);
	sp = pp.hmmv.sample_pages;
	*sampled = *lumps = 0;
	r = sm ? source_open_trace_cut(&src, path_in("xmain"), 64, &cut) : -1;
	r = r ? r : source_open_touch(src, touch);
	r = r ? r : sim_create(sm, &pol_hmmv, &m, &pp, source_hdr(src), 2 * SIM_CHUNK_PAGES, 1, 0);
	made = !r;
	while (!r && (r = source_next(src, &iv)) == 1) {
		sim_step(sm, &iv);
		r = 0;
		if (!pol_hmmv_window_share(sm, 0, 5, 0))
			continue;
		h = pol_hmmv_hits(sm, 0, 5);
		(*sampled)++;
		*lumps += h % sp == 0;
		sum += h;
	}
	if (made)
		sim_destroy(sm);
	if (src)
		source_close(src);
	free(sm);
	*mean = *sampled ? sum / *sampled : 0;
	return r;
}

static void test_touch_times(void)
{
	struct trace_rec fill = { .page = 7, .reads = 4 };
	uint32_t n[4] = { 0 }, lumps[4] = { 0 }, sp;
	double mean[4] = { 0 }, tot = 0;
	struct pol_params pp;
	struct source *src;
	struct ival iv;
	int r, i;

	pol_params_default(&pp);
	sp = pp.hmmv.sample_pages;
	r = write_same(path_in("xmain"), NCH * SIM_CHUNK_PAGES, &fill, 1, 400);
	r = r ? r : times_write(path_in("xsame"), TRACE_F_TOUCH_TIMES, 1);
	r = r ? r : times_write(path_in("xnone"), 0, 1);
	r = r ? r : times_write(path_in("xspread"), TRACE_F_TOUCH_TIMES, 0);
	r = r ? r : times_replay(path_in("xsame"), 1, &n[0], &lumps[0], &mean[0]);
	r = r ? r : times_replay(path_in("xnone"), 1, &n[1], &lumps[1], &mean[1]);
	r = r ? r : times_replay(path_in("xspread"), 1, &n[2], &lumps[2], &mean[2]);
	r = r ? r : times_replay(path_in("xsame"), 3, &n[3], &lumps[3], &mean[3]);
	tap_ok(r == 0 && n[0] > 20 && lumps[0] == n[0] && mean[0] > 0,
	       "a block touched in one slot: each sampled interval sees all of it or none "
	       "(%u of %u intervals, %.1f hits on average)", lumps[0], n[0], mean[0]);
	tap_ok(r == 0 && n[1] > 20 && lumps[1] < n[1] / 4 && mean[1] > 0.02 * sp,
	       "the same slots without their times: pages seen one by one (%u of %u "
	       "intervals all or none, %.1f hits on average)", lumps[1], n[1], mean[1]);
	tap_ok(r == 0 && n[2] > 20 && mean[2] > 0.7 * mean[1] && mean[2] < 1.4 * mean[1] &&
	       lumps[2] < n[2] / 4,
	       "each page in a slot of its own: as many hits on average (%.1f, %.1f), "
	       "not all or none (%u of %u)", mean[2], mean[1], lumps[2], n[2]);
	tap_ok(r == 0 && n[3] > 20 && lumps[3] == n[3] && mean[3] > 0,
	       "stretched 3x: the slot in one part, seen whole or not at all "
	       "(%u of %u intervals, %.1f hits on average)", lumps[3], n[3], mean[3]);
	/* Where a stretched interval's slot goes: slot 50 of 100 in part 2 of 4. */
	for (i = 0; i < 4; i++)
		n[i] = 0;
	struct trace_cut cut = { 0 };
	cut.stretch[cut.nstretch++] = (struct trace_stretch){ 0, 400, 4 };
	r = source_open_trace_cut(&src, path_in("xmain"), 64, &cut);
	r = r ? r : source_open_touch(src, path_in("xsame"));
	for (i = 0; !r && (r = source_next(src, &iv)) == 1; i++) {
		r = 0;
		n[i % 4] += iv.ntouch[0] && SIM_TOUCH_AT(iv.touch[0][0].writes) ? 1 : 0;
	}
	if (!r)
		source_close(src);
	tap_ok(r == 0 && !n[0] && !n[1] && n[2] == 400 && !n[3],
	       "stretched 4x, slot 50 of 100 falls in part 2 of each interval (%u %u %u %u)",
	       n[0], n[1], n[2], n[3]);
	/* As --trace: touches and slots, whatever the times. */
	r = source_open_trace(&src, path_in("xsame"), 64);
	while (!r && (r = source_next(src, &iv)) == 1) {
		r = 0;
		for (i = 0; i < (int)iv.n[0]; i++)
			tot += iv.rec[0][i].reads + iv.rec[0][i].writes;
	}
	if (!r)
		source_close(src);
	tap_ok(r == 0 && tot == 400.0 * SIM_CHUNK_PAGES * 65,
	       "read as --trace, a page's count is its touches and slots (%.0f)", tot);
	r = sim_status((char *[]){ "sim", "--trace", (char *)path_in("xsame"), "--touch-trace",
				   (char *)path_in("xsame"), "--policies", "hmm-v", NULL });
	tap_ok(r == 2, "a touch trace as --trace with --touch-trace: exit 2 (%d)", r);
}

/*
 * A copy's destination counts twice, as a meter behind a write-allocate
 * cache sees it, once where the cache held its lines.
 */
static void test_copy_traffic(void)
{
	struct acct a = { 0 }, b = { 0 };

	acct_copy(&a, SIM_NVM, 4096, 0, 0);
	tap_ok(a.bytes[SIM_NVM] == 4096 && a.bytes[SIM_DRAM] == 8192 && a.migrated == 4096,
	       "a 4 KiB promotion: 4 KiB from the slow tier, 8 KiB (fill, write-back) "
	       "to DRAM (%.0f, %.0f)", a.bytes[SIM_NVM], a.bytes[SIM_DRAM]);
	acct_copy(&b, SIM_NVM, 4096, 0, 4096);
	tap_ok(b.bytes[SIM_NVM] == 4096 && b.bytes[SIM_DRAM] == 4096 && b.migrated == 4096,
	       "onto lines the cache held: 4 KiB written back to DRAM, no fill (%.0f)",
	       b.bytes[SIM_DRAM]);
}

/*
 * --nb-alloc-touch: NUMA balancing as the host allocates a fresh VM's
 * memory, each page where it is first touched (DRAM while there is room,
 * no copy), against the static start (the lowest addresses in DRAM).
 */
static void test_alloc_touch(void)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
		.interval_ns = IVNS, .vm_pages = { 4096 },
	};
	struct trace_rec rec[100];
	struct model m;
	struct pol_params pp;
	struct source *src;
	struct ival iv;
	struct sim s;
	FILE *f = fopen(path_in("touch"), "wbx");
	int r = f ? trace_write_header(f, &h) : -1, k;

	for (k = 0; k < 100; k++)
		rec[k] = (struct trace_rec){ .page = 3000 + k, .reads = 4 };
	r = r ? r : trace_write_block(f, &h, 0, 0, rec, 100);
	r = r ? r : trace_write_end(f);
	if (f && fclose(f))
		r = -1;
	model_default(&m);
	for (k = 0; k < 2; k++) {
		pol_params_default(&pp);
		pp.nb_alloc_touch = (uint32_t)k;
		r = r ? r : source_open_trace(&src, path_in("touch"), 64);
		r = r ? r : sim_create(&s, &pol_numa, &m, &pp, source_hdr(src), 1024, 1, 0);
		if (r) {
			tap_ok(0, "a NUMA-balancing replay (%d)", r);
			continue;
		}
		while ((r = source_next(src, &iv)) == 1)
			sim_step(&s, &iv);
		if (k)
			tap_ok(r == 0 && s.vm[0].dram_pages == 100 && s.vm[0].loc[3050] == SIM_DRAM &&
			       s.vm[0].loc[0] == SIM_NVM && s.vm[0].migrated == 0 &&
			       s.vm[0].dram_acc == s.vm[0].accesses,
			       "allocated at first touch: the 100 touched pages in DRAM, nothing "
			       "copied (%llu in DRAM)", (unsigned long long)s.vm[0].dram_pages);
		else
			tap_ok(r == 0 && s.vm[0].dram_pages == 1024 && s.vm[0].loc[0] == SIM_DRAM &&
			       s.vm[0].loc[3050] == SIM_NVM && s.vm[0].dram_acc == 0,
			       "the static start: the lowest 1024 pages in DRAM, the touched ones "
			       "on the slow tier");
		sim_destroy(&s);
		source_close(src);
	}
}

int main(void)
{
	tap_plan(53);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_estimate();
	test_placement();
	test_accounting();
	test_refaults();
	test_measure();
	test_estimate_cmd();
	test_cut();
	test_alloc_touch();
	test_stretch();
	test_engine_policies();
	test_copy_traffic();
	test_touches();
	test_touch_trace();
	test_touch_slots();
	test_touch_times();
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			tap_diag("could not remove %s", dir);
	}
	return tap_done(1);
}
