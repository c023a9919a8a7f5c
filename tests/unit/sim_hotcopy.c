// SPDX-License-Identifier: GPL-2.0
/*
 * The cache a move's destination may find its lines in (tools/sim/hotcopy.c):
 * a promotion onto the DRAM frame a demotion just read fills nothing; one
 * after the cache's worth of other traffic, or with no cache, fills it all;
 * a batch of demotions leaves only the cache's worth held; the kernel's
 * allocator (frames freed last first) takes 4 KiB pages back held.
 */
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define MIB	1048576.0
#define CHUNK	(SIM_CHUNK_PAGES * (double)SIM_PAGE)

/* A one-VM sim of @chunks chunks, the first @dram of them in DRAM. */
static int hot_sim(struct sim *s, struct model *m, struct pol_params *pp, uint32_t chunks,
		   uint32_t dram, double llc_mb)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
		.interval_ns = 100000000ULL, .vm_pages = { chunks * SIM_CHUNK_PAGES },
	};

	model_default(m);
	m->llc_bytes = llc_mb * MIB;
	pol_params_default(pp);
	return sim_create(s, &pol_static, m, pp, &h, (uint64_t)dram * SIM_CHUNK_PAGES, 1, 0);
}

/* Demotes chunks [d, d + n) and then promotes [p, p + n), or in pairs. */
static void hot_moves(struct sim *s, uint32_t d, uint32_t p, uint32_t n, int pairs)
{
	uint32_t k;

	for (k = 0; k < n; k++) {
		sim_set_tier(s, 0, (d + k) * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_NVM);
		if (pairs)
			sim_set_tier(s, 0, (p + k) * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	}
	for (k = 0; !pairs && k < n; k++)
		sim_set_tier(s, 0, (p + k) * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
}

static void test_pairs(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double fills;

	if (hot_sim(&s, &m, &pp, 16, 6, 8)) {
		tap_ok(0, "a sim to move chunks in");
		return;
	}
	hot_moves(&s, 0, 10, 6, 1);
	/* DRAM: each demotion's source read, each promotion's write-back. */
	fills = s.vm[0].a.bytes[SIM_DRAM] - 12 * CHUNK;
	tap_ok(fills == 0, "six demotion-promotion pairs, DRAM full: no promotion fills DRAM "
	       "(%.2f MiB of fills)", fills / MIB);
	tap_ok(s.vm[0].dram_pages == 6 * SIM_CHUNK_PAGES && s.vm[0].loc[10 * SIM_CHUNK_PAGES] == SIM_DRAM,
	       "the promoted chunks in DRAM, the budget kept");
	sim_destroy(&s);

	hot_sim(&s, &m, &pp, 16, 6, 0);
	hot_moves(&s, 0, 10, 6, 1);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] == 18 * CHUNK,
	       "without a cache (--llc-mb 0): each promotion fills and writes back (%.0f MiB)",
	       s.vm[0].a.bytes[SIM_DRAM] / MIB);
	sim_destroy(&s);
}

static void test_batch(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double fills;

	hot_sim(&s, &m, &pp, 16, 6, 8);
	hot_moves(&s, 0, 10, 6, 0);
	fills = s.vm[0].a.bytes[SIM_DRAM] - 12 * CHUNK;
	tap_ok(fills >= 6 * CHUNK - 4 * MIB && fills < 6 * CHUNK,
	       "six demotions, then six promotions, an 8 MiB cache: 4 MiB of the 12 "
	       "freed at most held, the rest filled (%.2f MiB of fills)", fills / MIB);
	sim_destroy(&s);
}

static void test_aged(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;

	hot_sim(&s, &m, &pp, 16, 6, 8);
	sim_set_tier(&s, 0, 0, SIM_CHUNK_PAGES, SIM_NVM);
	s.llc_clock += 8 * MIB;	/* the cache's size of other lines since */
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] == 3 * CHUNK,
	       "a promotion after the cache's size of other fills: filled whole (%.0f MiB)",
	       s.vm[0].a.bytes[SIM_DRAM] / MIB);
	sim_destroy(&s);
}

static void test_lifo(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t k;
	double fills;

	hot_sim(&s, &m, &pp, 16, 6, 8);
	s.alloc_lifo = 1;
	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		sim_set_tier(&s, 0, k, 1, SIM_NVM);
	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES + k, 1, SIM_DRAM);
	fills = s.vm[0].a.bytes[SIM_DRAM] - 2 * CHUNK;
	tap_ok(fills < 0.1 * CHUNK, "512 pages demoted, then 512 promoted, frames freed last "
	       "first: under a tenth of them filled (%.3f MiB)", fills / MIB);
	sim_destroy(&s);
}

int main(void)
{
	tap_plan(6);
	test_pairs();
	test_batch();
	test_aged();
	test_lifo();
	return tap_done(6);
}
