// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's lines in the cache when their page moves (tools/sim/resident.c):
 * a chunk the guest works in is read by its copy from the cache, not from
 * its tier; the guest's next touches miss at its new frame once the copy's
 * own lines there are gone; copies push an unmoved chunk's lines out, and
 * it fills them again; lines the cache dropped, or no cache, change
 * nothing; a page touched once holds about one line. The guest's hits
 * on other lines push a line out as fills do (an LRU cache), each line
 * counted once however often it is hit.
 */
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define MIB	1048576.0
#define CHUNK	(SIM_CHUNK_PAGES * (double)SIM_PAGE)

static struct trace_rec touches[SIM_CHUNK_PAGES], fills[SIM_CHUNK_PAGES];

/* A one-VM sim of 16 chunks, the first 6 in DRAM, cache @llc_mb. */
static int res_sim(struct sim *s, struct model *m, struct pol_params *pp, double llc_mb)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
		.interval_ns = 100000000ULL, .vm_pages = { 16 * SIM_CHUNK_PAGES },
	};

	model_default(m);
	m->llc_bytes = llc_mb * MIB;
	pol_params_default(pp);
	return sim_create(s, &pol_static, m, pp, &h, 6ull * SIM_CHUNK_PAGES, 1, 0);
}

/*
 * One interval: every page of chunk @c touched @n times (cache hits
 * included), @f of its lines filled.
 */
static void res_step(struct sim *s, uint32_t c, uint32_t n, uint32_t f)
{
	struct ival iv = { .nvms = 1, .has_touch = 1 };
	uint32_t k;

	for (k = 0; k < SIM_CHUNK_PAGES; k++) {
		touches[k] = (struct trace_rec){ .page = c * SIM_CHUNK_PAGES + k, .reads = n };
		fills[k] = (struct trace_rec){ .page = c * SIM_CHUNK_PAGES + k, .reads = f };
	}
	iv.index = iv.tindex = s->now + 1;
	iv.rec[0] = fills;
	iv.n[0] = f ? SIM_CHUNK_PAGES : 0;
	iv.touch[0] = touches;
	iv.ntouch[0] = n ? SIM_CHUNK_PAGES : 0;
	sim_step(s, &iv);
}

/* An 8 MiB cache's sim with chunk 10 (slow tier) worked through: 0, or -errno. */
static int res_worked(struct sim *s, struct model *m, struct pol_params *pp)
{
	int err = res_sim(s, m, pp, 8);

	if (!err)
		res_step(s, 10, 640, 64);
	return err;
}

static void test_hot_chunk(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t c;

	if (res_worked(&s, &m, &pp)) {
		tap_ok(0, "a sim to move chunks in");
		return;
	}
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] > 64 * 64 * SIM_CHUNK_PAGES - 1 &&
	       s.vm[0].a.bytes[SIM_NVM] < CHUNK + 1,
	       "a chunk the guest worked through promoted: its copy reads nothing more "
	       "from the slow tier (%.2f MiB there, the interval's 2)",
	       s.vm[0].a.bytes[SIM_NVM] / MIB);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] < 1,
	       "touched right after the move: the copy's own lines there, no fill "
	       "(%.2f MiB in DRAM)", s.vm[0].a.bytes[SIM_DRAM] / MIB);
	sim_destroy(&s);

	res_worked(&s, &m, &pp);
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	for (c = 11; c < 13; c++)	/* 8 MiB more through the cache */
		sim_set_tier(&s, 0, c * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] > 0.99 * CHUNK && s.vm[0].a.bytes[SIM_DRAM] < 1.01 * CHUNK,
	       "touched after two more moves: its lines missed at the new frames, "
	       "2 MiB filled in DRAM (%.2f MiB)", s.vm[0].a.bytes[SIM_DRAM] / MIB);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] == 0, "filled once: nothing the next interval");
	sim_destroy(&s);
}

static void test_dropped(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;

	res_worked(&s, &m, &pp);
	/* the cache's size of the guest's other lines since */
	s.llc_clock += 8 * MIB;
	s.llc_trace_clock += 8 * MIB;
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 2 * CHUNK,
	       "its lines dropped since: the copy reads the chunk from the slow tier "
	       "(%.2f MiB with the interval's)", s.vm[0].a.bytes[SIM_NVM] / MIB);
	s.llc_clock += 8 * MIB;
	s.llc_trace_clock += 8 * MIB;
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] == 0,
	       "and touched again later: a miss in the trace too, nothing filled on top");
	sim_destroy(&s);

	res_sim(&s, &m, &pp, 0);
	res_step(&s, 10, 640, 64);
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 2 * CHUNK,
	       "no cache (--llc-mb 0): the copy reads it all from the slow tier");
	sim_destroy(&s);
}

static void test_pushed_out(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;

	res_worked(&s, &m, &pp);	/* chunk 10 held, and stays */
	sim_set_tier(&s, 0, 11 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 2 * CHUNK,
	       "another chunk promoted: read whole from the slow tier");
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 0,
	       "its 4 MiB through an 8 MiB cache: chunk 10 still held, no fill");
	sim_set_tier(&s, 0, 12 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	sim_set_tier(&s, 0, 13 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] > 0.99 * CHUNK && s.vm[0].a.bytes[SIM_NVM] < 1.01 * CHUNK &&
	       s.vm[0].a.bytes[SIM_DRAM] == 0,
	       "two more copies (8 MiB): chunk 10, unmoved, pushed out and filled again "
	       "where it is (%.2f MiB from the slow tier)", s.vm[0].a.bytes[SIM_NVM] / MIB);
	sim_destroy(&s);
}

static void test_sparse(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double hit;

	res_sim(&s, &m, &pp, 8);
	res_step(&s, 10, 1, 1);		/* one line of each page */
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	hit = CHUNK + SIM_LINE * SIM_CHUNK_PAGES - s.vm[0].a.bytes[SIM_NVM];
	tap_ok(hit > 0.99 * SIM_LINE * SIM_CHUNK_PAGES && hit < 1.01 * SIM_LINE * SIM_CHUNK_PAGES,
	       "each page touched once: one line of each read from the cache "
	       "(%.0f KiB of 2 MiB)", hit / 1024);
	sim_destroy(&s);
}

/* The guest hits each page of chunk @c, held already: touches, no fills. */
static void res_hit(struct sim *s, uint32_t c)
{
	res_step(s, c, 640, 0);
}

static void test_retouched(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double dram;

	if (res_worked(&s, &m, &pp)) {
		tap_ok(0, "a sim to move chunks in");
		return;
	}
	res_hit(&s, 1);
	res_hit(&s, 2);
	res_hit(&s, 3);
	sim_set_tier(&s, 0, 11 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] > 0.99 * CHUNK && s.vm[0].a.bytes[SIM_NVM] < 1.01 * CHUNK,
	       "the guest's hits on 6 MiB of other lines and a move's 4 MiB: chunk 10's "
	       "lines pushed out, filled again (%.2f MiB)", s.vm[0].a.bytes[SIM_NVM] / MIB);
	sim_destroy(&s);

	res_worked(&s, &m, &pp);
	res_hit(&s, 1);
	res_hit(&s, 1);
	res_hit(&s, 1);
	sim_set_tier(&s, 0, 11 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	res_step(&s, 10, 640, 0);
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 0,
	       "the same 2 MiB hit three times counts once: chunk 10 still held, no fill");
	sim_destroy(&s);

	res_sim(&s, &m, &pp, 8);
	sim_set_tier(&s, 0, 0, SIM_CHUNK_PAGES, SIM_NVM);
	res_hit(&s, 1);
	res_hit(&s, 2);
	res_hit(&s, 3);
	sim_set_tier(&s, 0, 10 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
	dram = s.vm[0].a.bytes[SIM_DRAM];
	tap_ok(dram > 0.99 * 1.5 * CHUNK && dram < 1.01 * 1.5 * CHUNK,
	       "a promotion onto the DRAM frame a demotion freed, the guest hitting 6 MiB "
	       "of other lines meanwhile: half of it held (%.2f MiB in DRAM with its "
	       "write-back, 2 without the hits)", dram / MIB);
	sim_destroy(&s);
}

int main(void)
{
	tap_plan(14);
	test_hot_chunk();
	test_dropped();
	test_pushed_out();
	test_sparse();
	test_retouched();
	return tap_done(14);
}
