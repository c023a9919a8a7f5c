// SPDX-License-Identifier: GPL-2.0
/*
 * Short simulator runs: no policy beats all-DRAM or the oracle, free
 * placements never lose to all-slow, and HMM-V finds a hot set that fits.
 */
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define NPOL 12

static double throughput(const struct sim *s)
{
	double t = 0;
	uint32_t i;

	for (i = 0; i < s->nvms; i++)
		t += s->vm[i].accesses / s->vm[i].time_ns;
	return t;
}

static double hit(const struct sim *s)
{
	return s->vm[0].dram_acc / s->vm[0].accesses;
}

static void run(const char *kind, uint64_t vm_mb, uint64_t hot_mb)
{
	struct model m;
	struct pol_params pp;
	struct wl_params w;
	struct source *src;
	struct sim s[NPOL];
	struct ival iv;
	double top = 0, orc = 0, slow = 0, thr[NPOL];
	int n, k, ok_top = 1, ok_orc = 1, ok_slow = 1, ok_cap = 1, ihv = -1, ift = -1;

	model_default(&m);
	pol_params_default(&pp);
	wl_params_default(&w);
	w.kind = kind;
	w.vm_bytes = vm_mb << 20;
	w.hot_bytes = hot_mb << 20;
	w.intervals = 80;	/* a cold chunk is first sampled within 8 */
	w.accesses = 200000;
	if (source_open_workload(&src, &w)) {
		tap_ok(0, "%s: workload opens", kind);
		return;
	}
	for (n = 0; sim_policies[n]; n++) {
		uint64_t pages = 0;
		uint32_t i;

		for (i = 0; i < source_hdr(src)->nvms; i++)
			pages += source_hdr(src)->vm_pages[i];
		sim_create(&s[n], sim_policies[n], &m, &pp, source_hdr(src),
			   pages / 4 / 512 * 512, 1, 0);
	}
	while (source_next(src, &iv) == 1)
		for (k = 0; k < n; k++)
			sim_step(&s[k], &iv);
	for (k = 0; k < n; k++) {
		thr[k] = throughput(&s[k]);
		if (!strcmp(s[k].ops->name, "all-dram"))
			top = thr[k];
		if (!strcmp(s[k].ops->name, "oracle"))
			orc = thr[k];
		if (!strcmp(s[k].ops->name, "all-slow"))
			slow = thr[k];
		if (!strcmp(s[k].ops->name, "hmm-v"))
			ihv = k;
		if (!strcmp(s[k].ops->name, "first-touch"))
			ift = k;
	}
	for (k = 0; k < n; k++) {
		ok_top &= thr[k] <= top * 1.001;
		if (strcmp(s[k].ops->name, "all-dram"))
			ok_cap &= s[k].peak_dram <= s[k].dram_pages;
		if (strcmp(s[k].ops->name, "all-dram"))
			ok_orc &= thr[k] <= orc * 1.001;
		/* Placements without overheads cannot do worse than all-slow. */
		if (!strcmp(s[k].ops->name, "first-touch") || !strcmp(s[k].ops->name, "oracle"))
			ok_slow &= thr[k] >= slow * 0.999;
	}
	tap_ok(ok_top, "%s: no policy beats all-DRAM", kind);
	tap_ok(ok_cap, "%s: no policy uses more DRAM than there is", kind);
	tap_ok(ok_orc, "%s: no policy beats the oracle", kind);
	tap_ok(ok_slow && slow < top, "%s: all-slow below all-DRAM, first-touch and oracle", kind);
	if (!strcmp(kind, "gups-fit"))
		tap_ok(ihv >= 0 && ift >= 0 && hit(&s[ihv]) > 0.9 && hit(&s[ihv]) > hit(&s[ift]),
		       "gups-fit: HMM-V serves over 90%% of accesses from DRAM");
	for (k = 0; k < n; k++)
		sim_destroy(&s[k]);
	source_close(src);
}

int main(void)
{
	run("gups-fit", 64, 8);
	run("gups", 64, 8);
	run("mix4", 32, 4);
	run("zipf", 32, 4);
	return tap_done(0);
}
