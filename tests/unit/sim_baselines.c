// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the baselines' documented mechanisms, on hand-made intervals. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define PAGES 2048

static struct trace_rec recs[PAGES];

/* One interval in which pages [first, first + n) get reads each. */
static void step(struct sim *s, uint32_t t, uint32_t first, uint32_t n,
		 uint32_t reads)
{
	struct ival iv = { .index = t, .tindex = t, .nvms = 1, .rec = { recs }, .n = { n } };
	uint32_t k;

	for (k = 0; k < n; k++)
		recs[k] = (struct trace_rec){ first + k, reads, 0 };
	sim_step(s, &iv);
}

static void setup(struct sim *s, const struct sim_ops *ops, struct model *m,
		  struct pol_params *pp, struct trace_hdr *h)
{
	model_default(m);
	*h = (struct trace_hdr){ .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	h->vm_pages[0] = PAGES;
	sim_create(s, ops, m, pp, h, PAGES / 2, 1, 0);
}

static void test_numa_balancing(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t t;
	int ok = 1;

	pol_params_default(&pp);
	pp.nb_hot_threshold_ms = 300;	/* 3 intervals */
	pp.nb_wmark_scale = 10;		/* kernel default: 2-page gaps here */
	pp.nb_scan_period_ms = 1000;	/* a scan every 10 intervals */
	setup(&s, &pol_numa, &m, &pp, &h);
	tap_ok(s.vm[0].loc[0] == SIM_DRAM && s.vm[0].loc[1500] == SIM_NVM,
	       "numa: first-touch start");
	/* The first scan ends interval 10 (1 s scan delay, 1 s period). */
	for (t = 0; t <= 10; t++) {
		step(&s, t, 1500, 1, 10);
		ok &= s.vm[0].loc[1500] == SIM_NVM;
	}
	tap_ok(ok, "numa: no promotion before the first scan (scan delay)");
	step(&s, 11, 1500, 1, 10);
	tap_is(s.vm[0].loc[1500], SIM_NVM,
	       "numa: DRAM full: the hint fault cannot promote (migrate_balanced_pgdat)");
	tap_ok(sim_dram_free(&s) >= 8 && sim_dram_free(&s) <= 16,
	       "numa: ... and wakes kswapd, which demotes up to the promo watermark");
	for (t = 12; t <= 20; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 21, 1500, 1, 10);	/* right after the scan at 20 */
	tap_is(s.vm[0].loc[1500], SIM_DRAM, "numa: hint fault soon after the scan promotes");
	for (t = 22; t <= 30; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 35, 1600, 1, 10);	/* 5 intervals after the scan at 30 */
	tap_is(s.vm[0].loc[1600], SIM_NVM, "numa: fault after the hot threshold does not promote");
	step(&s, 36, 1600, 1, 10);
	tap_is(s.vm[0].loc[1600], SIM_NVM, "numa: one fault per scan, then no more");
	for (t = 37; t <= 40; t++)
		step(&s, t, 0, 1, 1);
	/* At the high watermark again: this fault fails and wakes kswapd. */
	step(&s, 41, 1600, 1, 10);
	for (t = 42; t <= 50; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 51, 1600, 1, 10);	/* right after the scan at 50 */
	tap_is(s.vm[0].loc[1600], SIM_DRAM, "numa: promoted after a later scan");
	for (t = 52; t <= 60; t++)
		step(&s, t, 0, 1, 1);
	/* 1700 was armed by the scan at 10 and never touched since. */
	step(&s, 61, 1700, 1, 10);
	tap_is(s.vm[0].loc[1700], SIM_NVM,
	       "numa: an armed page keeps its scan time (change_pte_range() skips PROT_NONE): its fault long after does not promote");
	for (t = 62; t <= 70; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 71, 1700, 1, 10);
	tap_is(s.vm[0].loc[1700], SIM_DRAM, "numa: ... re-armed by the scan after that fault, it is promoted");
	tap_ok(s.vm[0].dram_pages <= PAGES / 2, "numa: within the DRAM budget");
	sim_destroy(&s);
}

/* task_numa_work(): windows with nothing to arm do not count. */
static void test_numa_windows(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t t;

	pol_params_default(&pp);
	pp.nb_scan_period_ms = 1000;	/* a scan every 10 intervals */
	pp.nb_scan_size_mb = 2;		/* 512 pages; DRAM holds the first 1024 */
	setup(&s, &pol_numa, &m, &pp, &h);
	for (t = 0; t <= 10; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 11, 1100, 1, 1);
	tap_ok(s.vm[0].a.track_ns >= m.fault_ns,
	       "numa: the first scan passes over two DRAM windows and arms the third (a hint fault at 1100)");
	sim_destroy(&s);
}

/*
 * The vCPU time the scanner and its faults took over @intervals intervals
 * in which pages [@page, @page + 10) are read; a hint fault within
 * @hot_ms of its scan promotes (0: none does).
 */
static double numa_track_ns(int adapt, uint32_t page, double hot_ms, uint32_t intervals)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t t;
	double ns = 0;

	pol_params_default(&pp);
	pp.nb_scan_period_ms = 1000;	/* a scan every 10 intervals */
	pp.nb_scan_size_mb = 8;		/* the whole VM per scan: a pass each */
	pp.nb_hot_threshold_ms = hot_ms;
	pp.nb_scan_adapt = (uint32_t)adapt;
	setup(&s, &pol_numa, &m, &pp, &h);
	for (t = 0; t < intervals; t++) {
		step(&s, t, page, page ? 10 : 1, 10);
		ns += s.vm[0].a.track_ns;	/* an interval's */
	}
	sim_destroy(&s);
	return ns;
}

/*
 * --nb-alloc-touch: the scanner arms only pages the host has allocated (a
 * page never touched has no PTE). Pages 0-1499 are allocated at the start
 * and fill DRAM (kswapd, slowed down, makes no room); a scan of the whole
 * VM each interval; pages 1500-2047, first touched at interval 20, land on
 * the slow tier: none of them is taken for a hint fault. Scanning is free
 * here, so the tracking charged is the faults'.
 */
static double numa_late_touch_ns(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t t, slow = 0, p;
	double ns;

	pol_params_default(&pp);
	pp.nb_alloc_touch = 1;
	pp.nb_scan_ns = 0;
	pp.nb_scan_size_mb = 8;		/* the whole VM per scan */
	setup(&s, &pol_numa, &m, &pp, &h);
	m.migrate_4k_ns = 1e9;		/* kswapd makes no room meanwhile */
	step(&s, 0, 0, 1500, 1);
	for (t = 1; t < 20; t++)
		step(&s, t, 0, 1, 1);
	step(&s, 20, 1500, PAGES - 1500, 1);
	ns = s.vm[0].a.track_ns;
	for (p = 1500; p < PAGES; p++)
		slow += s.vm[0].loc[p] == SIM_NVM;
	sim_destroy(&s);
	return slow ? ns : -1;
}

static void test_numa_unallocated(void)
{
	double ns = numa_late_touch_ns();

	tap_ok(ns == 0, "numa: --nb-alloc-touch: pages allocated late, some on the slow tier, "
	       "were never armed: no hint fault at their first touch (%.0f ns)", ns);
}

/*
 * update_task_scan_period() in tiering mode: only promotions are recorded
 * faults, all remote, so each update doubles the period; faults that do
 * not promote are not recorded and leave it.
 */
static void test_numa_scan_adapt(void)
{
	double fixed = numa_track_ns(0, 1500, 1000, 100), adapt = numa_track_ns(1, 1500, 1000, 100);

	/* Ten slow pages read every interval fault after each scan; kswapd
	 * makes room, so some promote in each pass: the period doubles, scans
	 * at 10, 20, 40, 80 against every 10 intervals. */
	tap_ok(adapt < 0.5 * fixed,
	       "numa: --nb-scan-adapt: promotions double the scan period (%.0f vs %.0f ns)",
	       adapt, fixed);
	/* No fault promotes (no hot threshold): the faults are not recorded. */
	tap_ok(numa_track_ns(1, 1500, 0, 100) == numa_track_ns(0, 1500, 0, 100),
	       "numa: --nb-scan-adapt: hint faults that do not promote leave the period");
	/* Only DRAM pages touched: no hint faults, the period stays. */
	tap_ok(numa_track_ns(1, 0, 1000, 100) == numa_track_ns(0, 0, 1000, 100),
	       "numa: --nb-scan-adapt: a pass without hint faults leaves the period");
}

/* A temporary file holding @text, its name in @path; NULL on failure. */
static FILE *text_file(const char *text, char *path, size_t len)
{
	FILE *f = tmpfile();

	if (!f)
		return NULL;
	snprintf(path, len, "/proc/self/fd/%d", fileno(f));
	if (fputs(text, f) < 0 || fflush(f)) {
		fclose(f);
		return NULL;
	}
	return f;
}

/* A placement of @text, read from a temporary file: 0 or -errno. */
static int placement_text(const char *text, struct sim_placement **pl, uint32_t *line)
{
	char path[64];
	FILE *f = text_file(text, path, sizeof(path));
	int r;

	if (!f)
		return -EIO;
	r = placement_load(pl, path, line);
	fclose(f);
	return r;
}

/* Measured scans of @text, read from a temporary file: 0 or -errno. */
static int scans_text(const char *text, struct sim_scans **sc, uint32_t *line)
{
	char path[64];
	FILE *f = text_file(text, path, sizeof(path));
	int r;

	if (!f)
		return -EIO;
	r = scans_load(sc, path, line);
	fclose(f);
	return r;
}

/*
 * hmmv sim --nb-scans: the scanner runs when and over the pages the file
 * says, and at no other time. Pages 0-99 start on the slow tier, armed
 * long ago: their first touch (0-19, interval 0) faults too late to
 * promote. The one scan, at the end of interval 3, covers pages 5-9 and
 * 200-299 (not allocated: nothing to arm); touched again at interval 4,
 * within the hot threshold, 5-9 promote, the others do not fault; and no
 * scan comes later, however many intervals pass.
 */
static void test_numa_scans(void)
{
	struct sim_placement *pl;
	struct sim_scans *sc;
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t line, t, p, dram = 0;

	if (placement_text("0 100 1\n", &pl, &line) ||
	    scans_text("# measured\n3 5 5\n3 200 100\n", &sc, &line)) {
		tap_ok(0, "numa: a placement and a scans file load");
		return;
	}
	tap_is(scans_check(sc, PAGES, &line), 0, "numa: ... the scans within the VM's pages");
	pol_params_default(&pp);
	pp.nb_alloc_touch = 1;
	pp.nb_hot_threshold_ms = 1000;
	setup(&s, &pol_numa, &m, &pp, &h);
	s.placement = pl;
	s.scans = sc;
	for (t = 0; t <= 4; t++)
		step(&s, t, 0, 20, 1);
	for (p = 0; p < 100; p++)
		dram += s.vm[0].loc[p] == SIM_DRAM;
	tap_ok(dram == 5 && s.vm[0].loc[5] == SIM_DRAM && s.vm[0].loc[9] == SIM_DRAM,
	       "numa: --nb-scans: the measured scan arms its pages, which promote (%u)", dram);
	for (t = 5; t < 40; t++)
		step(&s, t, 0, 20, 1);
	for (p = 0, dram = 0; p < 100; p++)
		dram += s.vm[0].loc[p] == SIM_DRAM;
	tap_ok(dram == 5, "numa: --nb-scans: no scan but the measured ones (%u of 20 in DRAM after 35 intervals more)",
	       dram);
	sim_destroy(&s);
	placement_free(pl);
	scans_free(sc);
	/*
	 * With --measure from interval 3, the placement is the state at 3:
	 * before it the trace only clears arms. The scan at 0 arms 50-54
	 * (touched, so not armed long ago); touched again at 1, they are
	 * neither promoted nor faulted, and page 1500, not in the placement,
	 * is not allocated until the measured span touches it.
	 */
	if (scans_text("0 50 5\n", &sc, &line) || placement_text("0 100 1\n", &pl, &line)) {
		tap_ok(0, "numa: a placement and a scans file load");
		return;
	}
	setup(&s, &pol_numa, &m, &pp, &h);
	s.placement = pl;
	s.scans = sc;
	s.meas_from = 3;
	step(&s, 0, 50, 10, 1);
	step(&s, 1, 50, 10, 1);
	step(&s, 2, 1500, 1, 1);
	tap_ok(s.vm[0].loc[50] == SIM_NVM && s.vm[0].loc[54] == SIM_NVM && s.vm[0].dram_pages == 0,
	       "numa: --nb-placement with --measure: before the span, armed pages touched do not promote, "
	       "unplaced pages are not allocated (%.0f DRAM pages)", (double)s.vm[0].dram_pages);
	step(&s, 3, 1500, 1, 1);
	tap_ok(s.vm[0].loc[1500] == SIM_DRAM, "numa: ... the span allocates them at their first touch");
	sim_destroy(&s);
	placement_free(pl);
	scans_free(sc);
	tap_ok(scans_text("3 5 1\n2 1 1\n", &sc, &line) == -EDOM && line == 2,
	       "numa: a scans file out of time order is refused at its line");
	tap_ok(scans_text("3 5\n", &sc, &line) == -EINVAL && line == 1,
	       "numa: a scans line without its count is refused");
	tap_ok(!scans_text("0 2000 49\n", &sc, &line) && scans_check(sc, PAGES, &line) == -ERANGE,
	       "numa: a scan past the VM's pages is refused");
	scans_free(sc);
}

/* A DRAM budget of @text, read from a temporary file: 0 or -errno. */
static int budget_text(const char *text, struct sim_budget **b, uint32_t *line)
{
	char path[64];
	FILE *f = text_file(text, path, sizeof(path));
	int r;

	if (!f)
		return -EIO;
	r = budget_load(b, path, line);
	fclose(f);
	return r;
}

/*
 * hmmv sim --nb-dram: the DRAM the VM may hold moves when the file says.
 * 500 pages start in DRAM under a 2 MiB budget (512 pages); pages 0-99
 * are touched every interval. At interval 3 the budget falls to 1 MiB:
 * kswapd demotes the coldest (100-499), copying each, down to the promo
 * watermark (4 gaps of 2 pages under 256). At 5 it rises to 6 MiB, above
 * --dram-mb's 4: new pages take it, and --check counts against the most
 * the budget allowed.
 */
static void test_numa_budget(void)
{
	struct sim_placement *pl;
	struct sim_budget *b;
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t line, t, p, hot = 0;
	uint64_t used;

	if (placement_text("0 500 0\n", &pl, &line) ||
	    budget_text("# measured\n0 2\n3 1\n5 6\n", &b, &line)) {
		tap_ok(0, "numa: a placement and a budget file load");
		return;
	}
	tap_ok(budget_at(b, 0, 7) == 512 && budget_at(b, 4, 7) == 256 && budget_at(b, 99, 7) == 1536,
	       "numa: the budget of an interval is its last step's");
	pol_params_default(&pp);
	pp.nb_alloc_touch = 1;
	pp.nb_wmark_scale = 10;		/* the kernel's default */
	setup(&s, &pol_numa, &m, &pp, &h);
	s.placement = pl;
	s.budget = b;
	for (t = 0; t < 3; t++)
		step(&s, t, 0, 100, 4);
	tap_ok(s.vm[0].dram_pages == 500 && s.vm[0].a.migrated == 0,
	       "numa: --nb-dram: under its budget, the placement stays (%.0f pages in DRAM)",
	       (double)s.vm[0].dram_pages);
	step(&s, 3, 0, 100, 4);
	for (p = 0; p < 100; p++)
		hot += s.vm[0].loc[p] == SIM_DRAM;
	used = s.vm[0].dram_pages;
	tap_ok(used == 248 && hot == 100 && s.vm[0].a.migrated == 252.0 * SIM_PAGE,
	       "numa: --nb-dram: a smaller budget, kswapd demotes the coldest to the watermark "
	       "(%.0f in DRAM, %u of the touched 100, %.0f pages copied)",
	       (double)used, hot, s.vm[0].a.migrated / SIM_PAGE);
	step(&s, 4, 0, 100, 4);
	step(&s, 5, 1000, 1000, 1);
	used = s.vm[0].dram_pages;
	tap_ok(used > 1024 && used < 1536 && s.peak_dram <= s.dram_cap && !sim_check(&s, 1),
	       "numa: --nb-dram: above --dram-mb, new pages take the larger budget and --check "
	       "allows it (%.0f in DRAM)", (double)used);
	sim_destroy(&s);
	placement_free(pl);
	budget_free(b);
	tap_ok(budget_text("3 1\n2 1\n", &b, &line) == -EDOM && line == 2,
	       "numa: a budget file out of time order is refused at its line");
	tap_ok(budget_text("3\n", &b, &line) == -EINVAL && line == 1,
	       "numa: a budget line without its MiB is refused");
	tap_ok(budget_text("3 -1\n", &b, &line) == -EINVAL && line == 1,
	       "numa: a negative budget is refused");
}

/*
 * hmmv sim --hmmv-placement: the chunks whose first page it puts in DRAM
 * start there, every other chunk on the slow tier, at no copy.
 */
static void test_hmmv_placement(void)
{
	struct sim s;
	struct sim_placement *pl;
	uint32_t line;
	struct trace_hdr h;
	struct pol_params pp;
	struct model m;

	if (placement_text("0 1024 1\n1024 512 0\n1536 1 0\n", &pl, &line)) {
		tap_ok(0, "hm-v: a placement file loads");
		return;
	}
	pol_params_default(&pp);
	setup(&s, &pol_hmmv, &m, &pp, &h);
	s.hv_placement = pl;
	step(&s, 0, 1100, 10, 1);	/* placed at the first interval */
	tap_ok(s.vm[0].loc[0] == SIM_NVM && s.vm[0].loc[1023] == SIM_NVM &&
	       s.vm[0].loc[1024] == SIM_DRAM && s.vm[0].loc[1535] == SIM_DRAM &&
	       s.vm[0].loc[1536] == SIM_DRAM && s.vm[0].dram_pages == 1024 &&
	       s.vm[0].a.migrated == 0,
	       "hm-v: --hmmv-placement: chunks 2 and 3 (first pages named DRAM) start there, "
	       "chunks 0 and 1 on the slow tier, nothing copied (%.0f DRAM pages)",
	       (double)s.vm[0].dram_pages);
	sim_destroy(&s);
	placement_free(pl);
}

/* hmmv sim --nb-placement: the pages it names start where it says. */
static void test_numa_placement(void)
{
	struct sim_placement *pl;
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t line;
	int ok;

	ok = !placement_text("# measured\n0 100 1\n1500 10 0\n", &pl, &line);
	tap_ok(ok, "numa: a placement file loads");
	if (!ok)
		return;
	tap_is(placement_check(pl, PAGES, &line), 0, "numa: ... within the VM's pages");
	pol_params_default(&pp);
	pp.nb_alloc_touch = 1;
	setup(&s, &pol_numa, &m, &pp, &h);
	s.placement = pl;
	step(&s, 0, 1000, 1, 1);	/* placed at the first interval */
	tap_ok(s.vm[0].loc[0] == SIM_NVM && s.vm[0].loc[99] == SIM_NVM &&
	       s.vm[0].loc[1500] == SIM_DRAM && s.vm[0].loc[1509] == SIM_DRAM &&
	       s.vm[0].loc[1000] == SIM_DRAM && s.vm[0].dram_pages == 11,
	       "numa: --nb-placement: named pages start on their tier, the rest at first touch");
	sim_destroy(&s);
	/* A task that ran before: its slow pages were armed long ago. */
	pp.nb_scan_adapt = 1;
	pp.nb_scan_period_start_ms = 1000;
	pp.nb_hot_threshold_ms = 1000;
	setup(&s, &pol_numa, &m, &pp, &h);
	s.placement = pl;
	step(&s, 0, 50, 1, 1);
	tap_ok(s.vm[0].loc[50] == SIM_NVM && s.vm[0].a.track_ns >= m.fault_ns,
	       "numa: --nb-scan-period-start-ms: a placed slow page faults at its first touch, armed long ago, and stays");
	sim_destroy(&s);
	placement_free(pl);
	tap_ok(placement_text("0 10 2\n", &pl, &line) == -EINVAL && line == 1,
	       "numa: a placement line with a tier other than 0 or 1 is refused");
}

static void test_hemem(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;

	pol_params_default(&pp);
	setup(&s, &pol_hemem, &m, &pp, &h);
	step(&s, 0, 1024, 512, 1);	/* chunk 2: ~0.1 samples: cold */
	tap_is(s.vm[0].loc[1024], SIM_NVM, "hemem: a lukewarm page stays in the slow tier");
	step(&s, 1, 1536, 512, 1000);	/* chunk 3: ~100 samples: hot */
	tap_ok(s.vm[0].loc[1536] == SIM_DRAM && s.vm[0].loc[2047] == SIM_DRAM,
	       "hemem: a hot 2 MiB page is promoted whole");
	tap_ok(s.vm[0].dram_pages <= PAGES / 2, "hemem: a cold DRAM page made room");
	sim_destroy(&s);
}

/*
 * HeMem's migration thread runs every 10 ms (PEBS_KSWAPD_INTERVAL): a
 * chunk turning hot is promoted within the interval, once its samples
 * pass the threshold, and DRAM serves it from then on; ticking once an
 * interval, none of that interval.
 */
static double hemem_hot_share(double tick_ms)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	double share;

	pol_params_default(&pp);
	pp.hemem_tick_ms = tick_ms;
	setup(&s, &pol_hemem, &m, &pp, &h);
	step(&s, 0, 1536, 512, 1000);	/* chunk 3: ~100 samples: hot early */
	share = s.vm[0].a.dram_acc / s.vm[0].a.accesses;
	tap_ok(s.vm[0].loc[1536] == SIM_DRAM && s.vm[0].dram_pages <= PAGES / 2,
	       "hemem, ticks of %.0f ms: the hot chunk is promoted within the DRAM share",
	       tick_ms);
	sim_destroy(&s);
	return share;
}

static void test_hemem_tick(void)
{
	double ticked = hemem_hot_share(10), once = hemem_hot_share(0);

	tap_ok(ticked > 0.6 && ticked < 1 && once == 0,
	       "hemem: %.2f of the interval's accesses served by DRAM with 10 ms ticks, "
	       "%.2f ticking once an interval", ticked, once);
}

static void test_memtis(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t t, k, in = 0;

	pol_params_default(&pp);
	pp.memtis_adapt = 1000;	/* small VM: adapt the threshold sooner */
	setup(&s, &pol_memtis, &m, &pp, &h);
	for (t = 0; t < 5; t++)
		step(&s, t, 1500, 100, 2000);
	for (k = 1500; k < 1600; k++)
		in += s.vm[0].loc[k] == SIM_DRAM;
	tap_is(in, 100, "memtis: hot 4 KiB pages promoted at the 500 ms migration period");
	tap_ok(s.vm[0].dram_pages <= PAGES / 2, "memtis: cold pages demoted to make room");
	sim_destroy(&s);
}

/* A 4 KiB move splits its chunk's huge mapping: its accesses walk 4 KiB. */
static void test_split(void)
{
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;

	pol_params_default(&pp);
	setup(&s, &pol_static, &m, &pp, &h);
	step(&s, 0, 512, 100, 10);
	tap_ok(s.vm[0].a.mig_ns == 0, "split: no charge before any move");
	sim_set_tier(&s, 0, 600, 1, SIM_NVM == s.vm[0].loc[600] ? SIM_DRAM : SIM_NVM);
	sim_set_tier(&s, 0, 1024, 512, SIM_NVM == s.vm[0].loc[1024] ? SIM_DRAM : SIM_NVM);
	step(&s, 1, 512, 100, 10);
	tap_ok(s.vm[0].a.mig_ns == 1000 * m.ept_split_ns,
	       "split: after a 4 KiB move, each access to its chunk pays ept_split_ns");
	step(&s, 2, 1024, 100, 10);
	tap_ok(s.vm[0].a.mig_ns == 0, "split: a whole-chunk move keeps the huge mapping");
	s.ept_all = 1;
	step(&s, 3, 512, 100, 10);
	tap_ok(s.vm[0].a.mig_ns == 0, "split: not charged twice to a policy charging every access");
	sim_destroy(&s);
}

/*
 * One interval of a 4-chunk VM with one chunk of DRAM: chunk 1 has 16
 * pages touched in the cache (no fills), chunk 3 two pages filling 500
 * lines each, and chunk 2 three pages only writing lines back. @touch: replayed
 * with the touches, else the fills alone. Returns the chunk in DRAM.
 */
static int ranked(const struct sim_ops *ops, int touch)
{
	static struct trace_rec tr[18], fl[5];
	struct ival iv = { .nvms = 1, .rec = { fl }, .n = { 5 } };
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s;
	uint32_t k;
	int c, in = -1;

	for (k = 0; k < 16; k++)
		tr[k] = (struct trace_rec){ 512 + k, 1000, 0 };
	tr[16] = (struct trace_rec){ 1536, 10, 0 };
	tr[17] = (struct trace_rec){ 1537, 10, 0 };
	for (k = 0; k < 3; k++)
		fl[k] = (struct trace_rec){ 1100 + k, 0, 100 };
	fl[3] = (struct trace_rec){ 1536, 500, 0 };
	fl[4] = (struct trace_rec){ 1537, 500, 0 };
	if (touch) {
		iv.has_touch = 1;
		iv.touch[0] = tr;
		iv.ntouch[0] = 18;
	}
	pol_params_default(&pp);
	model_default(&m);
	h = (struct trace_hdr){ .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	h.vm_pages[0] = PAGES;
	if (sim_create(&s, ops, &m, &pp, &h, SIM_CHUNK_PAGES, 1, 0))
		return -2;
	sim_step(&s, &iv);
	for (c = 0; c < (int)(PAGES / SIM_CHUNK_PAGES); c++)
		if (s.vm[0].loc[c * SIM_CHUNK_PAGES] == SIM_DRAM)
			in = in < 0 ? c : -3;
	sim_destroy(&s);
	return in;
}

/*
 * presence-2m: the chunks with most pages touched, what presence sampling
 * ranks by, where oracle-2m takes those with most traffic.
 */
static void test_presence2m(void)
{
	tap_is(ranked(&pol_oracle2m, 1), 3, "oracle-2m: the chunk with the traffic in DRAM");
	tap_is(ranked(&pol_presence2m, 1), 1,
	       "presence-2m: the chunk with most pages touched in DRAM, cache hits included");
	tap_is(ranked(&pol_presence2m, 0), 3,
	       "presence-2m without touches: pages filled are the touches, a write-back is none");
}

/*
 * --check: a loaded DRAM's reads queue behind its writes, so first-touch
 * putting a chunk that only takes write-backs on the slow tier beats
 * all-DRAM's loaded throughput; nothing beats all-DRAM at idle latency.
 */
static void test_check_idle(void)
{
	static struct trace_rec r[2 * SIM_CHUNK_PAGES];
	struct ival iv = { .nvms = 1, .rec = { r }, .n = { 2 * SIM_CHUNK_PAGES } };
	struct model m;
	struct pol_params pp;
	struct trace_hdr h;
	struct sim s[2];
	struct sim_result top, ft;
	uint32_t k, t;
	int i, ok = 1, bad;

	for (k = 0; k < SIM_CHUNK_PAGES; k++) {
		r[k] = (struct trace_rec){ k, 4000, 0 };
		r[SIM_CHUNK_PAGES + k] = (struct trace_rec){ SIM_CHUNK_PAGES + k, 0, 4000 };
	}
	pol_params_default(&pp);
	model_default(&m);
	h = (struct trace_hdr){ .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	h.vm_pages[0] = 2 * SIM_CHUNK_PAGES;
	for (i = 0; i < 2; i++)
		ok &= !sim_create(&s[i], i ? &pol_static : &pol_alldram, &m, &pp, &h,
				  SIM_CHUNK_PAGES, 1, 0);
	if (!ok) {
		tap_ok(0, "check: simulators created");
		return;
	}
	for (t = 0; t < 4; t++) {
		iv.index = iv.tindex = t;
		for (i = 0; i < 2; i++)
			sim_step(&s[i], &iv);
	}
	sim_result(&s[0], NULL, -1, &top);
	sim_result(&s[1], NULL, -1, &ft);
	bad = sim_check(s, 2);
	tap_ok(ft.thr > top.thr * 1.001 && !bad,
	       "check: write-backs sent to the slow tier beat loaded all-DRAM (%.3f > %.3f), "
	       "not its idle latency (%.3f): passes", ft.thr, top.thr, top.thr_idle);
	/* As if first-touch had run below all-DRAM's idle time. */
	s[1].vm[0].time_ns = s[0].vm[0].idle_ns * 0.99;
	tap_ok(sim_check(s, 2) > 0, "check: a policy above all-DRAM at idle latency fails it");
	for (i = 0; i < 2; i++)
		sim_destroy(&s[i]);
}

int main(void)
{
	test_numa_balancing();
	test_numa_scan_adapt();
	test_numa_unallocated();
	test_hmmv_placement();
	test_numa_placement();
	test_numa_scans();
	test_numa_budget();
	test_numa_windows();
	test_hemem();
	test_hemem_tick();
	test_memtis();
	test_split();
	test_presence2m();
	test_check_idle();
	return tap_done(0);
}
