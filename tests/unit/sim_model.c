// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the simulator's memory model against hand-computed cases. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

static int near(double got, double want)
{
	int ok = fabs(got - want) <= 1e-9 * fabs(want) + 1e-9;

	if (!ok)
		tap_diag("  got %.6f, want %.6f", got, want);
	return ok;
}

static void test_latency(const struct model *m)
{
	struct acct a;

	memset(&a, 0, sizeof(a));
	acct_read(&a, m, SIM_DRAM, 1000);
	/* (1000 * 20 + 1000 * 81 / 2) / 2 vCPUs */
	tap_ok(near(model_lat_time(m, &a), 30250), "1000 DRAM reads: 30250 ns");
	memset(&a, 0, sizeof(a));
	acct_read(&a, m, SIM_NVM, 1000);
	tap_ok(near(model_lat_time(m, &a), (20000 + 305000 / 2.0) / 2), "1000 slow reads: 86250 ns");
	memset(&a, 0, sizeof(a));
	acct_write(&a, m, SIM_NVM, 1000);
	tap_ok(near(model_lat_time(m, &a), 10000) && near(a.dev_wr[SIM_NVM], 256000),
	       "writes are posted: CPU time only, a 256 B media granule each on Optane");
	a.stall_ns = 4000;
	tap_ok(near(model_lat_time(m, &a), 12000), "stalls are vCPU-ns, spread over the vCPUs");
}

static void test_bandwidth(struct model m)
{
	struct acct a, b;
	const struct acct *ap[2] = { &a, &b };
	double t[2];

	m.cpu_ns = 0;
	memset(&a, 0, sizeof(a));
	acct_write(&a, &m, SIM_NVM, 1000000);
	model_interval_times(&m, ap, 1, t);
	/* 1e6 random 64 B writes are 256 MB of media writes at 13.8 bytes/ns */
	tap_ok(near(t[0], 256e6 / 13.8), "random write-bound VM: media bytes / write bandwidth");

	/* Two VMs each wanting 80% of the slow tier: half each. */
	memset(&a, 0, sizeof(a));
	a.stall_ns = 2e6;			/* t_lat = 1e6 ns */
	a.dev_rd[SIM_NVM] = 0.8e6 * 39.6;	/* occupancy 0.8e6 ns */
	b = a;
	model_interval_times(&m, ap, 2, t);
	tap_ok(near(t[0], 1.6e6) && near(t[1], 1.6e6), "saturated device shared evenly");

	/* 20% and 150% demand: max-min fair gives 0.2 and 0.8. */
	b.dev_rd[SIM_NVM] = 1.5e6 * 39.6;
	a.dev_rd[SIM_NVM] = 0.2e6 * 39.6;
	model_interval_times(&m, ap, 2, t);
	tap_ok(near(t[0], 1e6) && near(t[1], 1.5e6 / 0.8), "max-min fair share of the device");
}

static void test_preset(void)
{
	struct model m;

	tap_is(model_preset(&m, "cxl"), 0, "cxl preset exists");
	tap_ok(near(m.lat_ns[SIM_NVM], 161) && near(m.bw_rd[SIM_NVM], 25),
	       "cxl: +80 ns over DRAM, 25 GB/s");
	tap_is(model_preset(&m, "nvram9000"), -EINVAL, "unknown preset refused");
}

/* Random and sequential traffic, loaded latency, bandwidth that binds. */
static void test_media(struct model m)
{
	struct trace_rec seq = { 0, 64, 0 }, rnd = { 0, 63, 0 };
	struct acct a, b;
	const struct acct *ap[1] = { &a };
	double t0, t1, idle;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	acct_rec(&a, &m, SIM_NVM, &seq);
	acct_rec(&b, &m, SIM_NVM, &rnd);
	tap_ok(near(a.dev_rd[SIM_NVM], 64 * 64) && near(b.dev_rd[SIM_NVM], 63 * 256),
	       "a streamed page reads 64 B per line, random lines a 256 B granule each");
	/* 2e6 random slow reads by 16 vCPUs with 10 misses in flight each. */
	m.vcpus = 16;
	m.mlp = 10;
	memset(&a, 0, sizeof(a));
	acct_read(&a, &m, SIM_NVM, 2e6);
	idle = model_lat_time(&m, &a);
	model_interval_times(&m, ap, 1, &t0);
	m.bw_rd[SIM_NVM] *= 100;
	model_interval_times(&m, ap, 1, &t1);
	tap_ok(t0 > 1.5 * t1, "bandwidth binds: 100x the slow tier's bandwidth runs "
	       "a random-read-heavy interval %.2fx faster", t0 / t1);
	tap_ok(t1 > idle * 1.0001 && t1 < t0, "loaded latency: above idle (%.0f > %.0f ns) "
	       "while the device is busy", t1, idle);
	m.load_k = 0;
	model_interval_times(&m, ap, 1, &t1);
	tap_ok(near(t1, idle), "--load-k 0: idle latency");
}

/* Memory Mode, per 64 B line: a 4096-page VM over a 1024-page cache. */
static double mm_run(const struct model *m, uint32_t first, uint32_t n,
		     uint32_t lines_w, int steps, double *nvm_wr)
{
	static struct trace_rec r[4096];
	struct trace_hdr h = { .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	struct ival iv = { .nvms = 1, .rec = { r } };
	struct pol_params pp;
	struct sim s;
	double acc0 = 0, dram0 = 0;
	uint32_t k;
	int t;

	pol_params_default(&pp);
	h.vm_pages[0] = 4096;
	sim_create(&s, &pol_mm, m, &pp, &h, 1024, 1, 0);
	*nvm_wr = 0;
	for (t = 0; t < steps; t++) {
		/* cyclic: the window moves on by n pages each interval */
		uint32_t base = first ? first : (uint32_t)(t * n) % 4096;

		for (k = 0; k < n; k++)
			r[k] = (struct trace_rec){ base + k, 64, lines_w };
		iv.index = t;
		iv.n[0] = n;
		if (t == 1) {
			acc0 = s.vm[0].accesses;
			dram0 = s.vm[0].dram_acc;
		}
		sim_step(&s, &iv);
		*nvm_wr += s.vm[0].a.dev_wr[SIM_NVM];
	}
	acc0 = s.vm[0].accesses - acc0;
	dram0 = s.vm[0].dram_acc - dram0;
	sim_destroy(&s);
	return dram0 / acc0;
}

static void test_memory_mode(const struct model *m)
{
	double wr, hit;

	hit = mm_run(m, 0, 1024, 0, 16, &wr);
	tap_ok(hit < 0.01, "cyclic scan of 4x the cache: %.1f%% hits (about none)", 100 * hit);
	tap_ok(near(wr, 0), "clean lines: nothing written back");
	hit = mm_run(m, 0, 1024, 64, 16, &wr);
	tap_ok(wr > 1024 * 64 * 256 * 10, "dirty victims written back to the slow tier");
	hit = mm_run(m, 512, 512, 0, 16, &wr);
	tap_ok(hit > 0.99, "a 2 MiB set re-read every interval: %.1f%% hits", 100 * hit);
}

/*
 * Moves within an interval (sim_set_tier_at()): each page's accesses are
 * served by DRAM for the time it spent there, however often it moved.
 */
static void test_moved_at(const struct model *m)
{
	static struct trace_rec r[3];
	struct trace_hdr h = { .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	struct ival iv = { .nvms = 1, .rec = { r }, .n = { 3 } };
	struct pol_params pp;
	struct sim s;

	pol_params_default(&pp);
	h.vm_pages[0] = 8;
	if (sim_create(&s, &pol_allslow, m, &pp, &h, 8, 1, 0)) {
		tap_ok(0, "moved_at: sim created");
		return;
	}
	/* Page 0 in DRAM 0.2-0.6; page 1 from 0.5 on; page 2 out 0.3-0.8. */
	sim_set_tier(&s, 0, 2, 1, SIM_DRAM);
	sim_set_tier_at(&s, 0, 0, 1, SIM_DRAM, 0.2);
	sim_set_tier_at(&s, 0, 2, 1, SIM_NVM, 0.3);
	sim_set_tier_at(&s, 0, 1, 1, SIM_DRAM, 0.5);
	sim_set_tier_at(&s, 0, 0, 1, SIM_NVM, 0.6);
	sim_set_tier_at(&s, 0, 2, 1, SIM_DRAM, 0.8);
	r[0] = (struct trace_rec){ 0, 1000, 0 };
	r[1] = (struct trace_rec){ 1, 1000, 0 };
	r[2] = (struct trace_rec){ 2, 1000, 0 };
	memset(&s.vm[0].a, 0, sizeof(s.vm[0].a));
	sim_account_moved(&s, &iv);
	/* 0.4 + 0.5 + 0.5 of 1000 reads each (the times are kept as floats) */
	tap_ok(fabs(s.vm[0].a.dram_acc - 1400) < 0.01 && fabs(s.vm[0].a.accesses - 3000) < 0.01,
	       "moved within the interval: %.0f of 3000 reads from DRAM (1400)",
	       s.vm[0].a.dram_acc);
	memset(&s.vm[0].a, 0, sizeof(s.vm[0].a));
	sim_account_moved(&s, &iv);
	tap_ok(near(s.vm[0].a.dram_acc, 2000),
	       "the next interval where they are: %.0f from DRAM (2000)", s.vm[0].a.dram_acc);
	sim_destroy(&s);
}

int main(void)
{
	struct model m;

	model_default(&m);
	test_latency(&m);
	test_bandwidth(m);
	test_preset();
	test_media(m);
	test_memory_mode(&m);
	test_moved_at(&m);
	return tap_done(0);
}
