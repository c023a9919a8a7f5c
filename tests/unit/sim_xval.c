// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying an engine trace for cross-validation (make eval-real): the
 * replay starts from the run's launch placement (TRACE_F_DRAM_FIRST), the
 * traffic accounted is the one the observations imply (estimate.c: the
 * sampling model inverted), hmmv sim --estimate writes that traffic out,
 * and --measure counts only the intervals asked for.
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

static int replay(struct replay *x, const char *path, uint32_t from, uint32_t to)
{
	struct source *src;
	struct ival iv;
	int r;

	memset(x, 0, sizeof(*x));
	model_default(&x->m);
	pol_params_default(&x->pp);
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

/* --trace-pages, --trace-intervals: a part of a trace, renumbered. */
static void test_cut(void)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
		.interval_ns = IVNS, .vm_pages = { 4096 },
	};
	struct trace_rec rec[2] = { { .page = 100, .reads = 1 }, { .page = 3000, .reads = 5 } };
	struct trace_cut cut = { .ival_from = 3, .ival_to = 7, .page_first = 2048,
				 .page_count = 2048 };
	struct source *src;
	struct ival iv;
	uint32_t i, steps = 0, reads = 0, page = 0;
	FILE *f = fopen(path_in("cut"), "wbx");
	int r = f ? trace_write_header(f, &h) : -1;

	for (i = 0; i < 10 && !r; i++)
		r = trace_write_block(f, &h, i, 0, rec, 2);
	r = r ? r : trace_write_end(f);
	if (f && fclose(f))
		r = -1;
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
	tap_plan(25);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_estimate();
	test_placement();
	test_accounting();
	test_measure();
	test_estimate_cmd();
	test_cut();
	test_alloc_touch();
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			tap_diag("could not remove %s", dir);
	}
	return tap_done(1);
}
