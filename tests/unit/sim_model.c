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
	tap_ok(near(model_lat_time(m, &a), 10000) && near(a.dev_wr[SIM_NVM], 64000),
	       "writes are posted: CPU time only, 64 B each on the device");
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
	/* 64 MB at 6 x 2.3 GB/s = 13.8 bytes/ns */
	tap_ok(near(t[0], 64e6 / 13.8), "write-bound VM: bytes / write bandwidth");

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

/* Memory Mode: every page aliases the one-page cache. */
static void test_memory_mode(const struct model *m)
{
	struct trace_hdr h = { .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	struct trace_rec r[2] = { { 0, 100, 0 }, { 1, 100, 0 } };
	struct ival iv = { .nvms = 1, .rec = { r }, .n = { 2 } };
	struct pol_params pp;
	struct sim s;

	pol_params_default(&pp);
	h.vm_pages[0] = 1024;
	sim_create(&s, &pol_mm, m, &pp, &h, 1, 1, 0);
	sim_step(&s, &iv);
	tap_ok(near(s.vm[0].dram_acc, 100), "two equally used aliasing pages: half the accesses hit");
	/* 200 reads: half at 81 ns, half at 81 + 305 ns; then the time formula */
	tap_ok(near(s.vm[0].a.lat_ns, 100 * 81 + 100 * 386), "misses pay the tag check and the slow read");
	tap_ok(near(s.vm[0].a.dev_wr[SIM_NVM], 0), "clean victims: no write-back");
	r[0].writes = r[1].writes = 100;
	sim_step(&s, &iv);
	/* a = 200, A = 400: 100 misses per page, victim dirty with p = 0.5 */
	tap_ok(near(s.vm[0].a.dev_wr[SIM_NVM], 100 * 64), "dirty victims written back");
	tap_ok(near(s.vm[0].a.dev_rd[SIM_NVM], 200 * 64), "every miss fills a line from the slow tier");
	sim_destroy(&s);

	r[1].page = 600;	/* one page per group: always hits */
	h.vm_pages[0] = 1024;
	sim_create(&s, &pol_mm, m, &pp, &h, 1024, 1, 0);
	sim_step(&s, &iv);
	tap_ok(near(s.vm[0].dram_acc, 400), "no aliasing: every access hits");
	sim_destroy(&s);
}

int main(void)
{
	struct model m;

	model_default(&m);
	test_latency(&m);
	test_bandwidth(m);
	test_preset();
	test_memory_mode(&m);
	return tap_done(0);
}
