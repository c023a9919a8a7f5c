// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv's frames in the simulator (tools/sim/frames.c): whole-chunk moves
 * take each tier's lowest free frame, as the engine's remaps do, so that
 * alternating demotions and promotions land on the frames the move before
 * just read (the cache holds them: no fill) where those are the lowest
 * free, and on older frames (filled) where a start layout leaves lower
 * ones free; the host's traffic each interval (--llc-other-mb) pushes the
 * freed frames' lines out; the traced run's (--llc-trace-other-mb)
 * advances its clock by the share of a stretched interval's part.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define MIB	1048576.0
#define CHUNK	(SIM_CHUNK_PAGES * (double)SIM_PAGE)

/* A one-VM sim of 16 chunks, the first 6 in DRAM, an 8 MiB cache, hmmv's frames. */
static int fr_sim(struct sim *s, struct model *m, struct pol_params *pp)
{
	struct trace_hdr h = {
		.version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
		.interval_ns = 100000000ULL, .vm_pages = { 16 * SIM_CHUNK_PAGES },
	};
	int r;

	model_default(m);
	m->llc_bytes = 8 * MIB;
	pol_params_default(pp);
	r = sim_create(s, &pol_static, m, pp, &h, 6ull * SIM_CHUNK_PAGES, 1, 0);
	if (!r)
		s->chunk_frames = 1;
	return r;
}

/* Chunk @d demoted, then chunk @p promoted. */
static void fr_pair(struct sim *s, uint32_t d, uint32_t p)
{
	sim_set_tier(s, 0, d * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_NVM);
	sim_set_tier(s, 0, p * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_DRAM);
}

/* An interval without accesses. */
static void fr_idle(struct sim *s)
{
	struct ival iv = { .nvms = 1 };

	iv.index = iv.tindex = s->now + 1;
	sim_step(s, &iv);
}

static void test_launch(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t k;

	if (fr_sim(&s, &m, &pp)) {
		tap_ok(0, "a sim to move chunks in");
		return;
	}
	for (k = 0; k < 6; k++)
		fr_pair(&s, k, 10 + k);
	/*
	 * Launch: chunks 6-15 on slow frames 0-9. The first demotion takes
	 * frame 10 (never read: filled); each later one the frame the
	 * promotion before freed (4, 5, ...), the lowest free, held.
	 */
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 13 * CHUNK,
	       "six pairs from the launch layout: the first demotion fills its slow frame, the "
	       "five after it land on the frame the promotion before read (%.0f MiB on the slow "
	       "tier: 12 read, 2 + 5 x 2 written, 2 filled)", s.vm[0].a.bytes[SIM_NVM] / MIB);
	tap_ok(s.vm[0].a.bytes[SIM_DRAM] == 12 * CHUNK,
	       "... and each promotion the DRAM frame its demotion freed (%.0f MiB in DRAM, no fill)",
	       s.vm[0].a.bytes[SIM_DRAM] / MIB);
	sim_destroy(&s);
}

static void test_start_file(void)
{
	char path[] = "/tmp/hmmv-sim-frames.XXXXXX";
	struct sim_frames_start *st = NULL;
	struct model m;
	struct pol_params pp;
	struct sim s;
	uint32_t k, line;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		tap_ok(0, "a frames file");
		return;
	}
	/* Slow frames 0-4 free: chunks 6-15 on frames 5-14. */
	for (k = 0; k < 16; k++)
		fprintf(f, "%u %s %u\n", k, k < 6 ? "dram" : "nvm", k < 6 ? k : k - 1);
	fclose(f);
	if (sim_frames_load(&st, path, 16, &line) || fr_sim(&s, &m, &pp)) {
		tap_ok(0, "the frames file loads (line %u)", line);
		unlink(path);
		return;
	}
	s.frames_start = st;
	for (k = 0; k < 6; k++)
		fr_pair(&s, k, 10 + k);
	/* Five demotions onto frames 0-4; the sixth onto one freed 24 MiB of copies before. */
	tap_ok(s.vm[0].a.bytes[SIM_NVM] == 18 * CHUNK,
	       "six pairs with lower slow frames free (--hmmv-frames): every demotion fills its "
	       "frame (%.0f MiB on the slow tier: 12 read, 12 written, 12 filled)",
	       s.vm[0].a.bytes[SIM_NVM] / MIB);
	sim_destroy(&s);
	sim_frames_start_free(st);
	unlink(path);
}

static void test_other(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	double quiet, busy;

	fr_sim(&s, &m, &pp);
	fr_pair(&s, 0, 10);
	fr_idle(&s);
	sim_set_tier(&s, 0, 1 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_NVM);
	quiet = s.vm[0].a.bytes[SIM_NVM];
	sim_destroy(&s);

	fr_sim(&s, &m, &pp);
	m.llc_other_bytes = 8 * MIB;
	fr_pair(&s, 0, 10);
	fr_idle(&s);
	sim_set_tier(&s, 0, 1 * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, SIM_NVM);
	busy = s.vm[0].a.bytes[SIM_NVM];
	sim_destroy(&s);
	/* The interval's tally: the demotion's slow side alone. */
	tap_ok(quiet == CHUNK && busy == 2 * CHUNK,
	       "a demotion an idle interval after the promotion that freed its frame: written "
	       "onto held lines (%.0f MiB), filled once the host brought the cache's size in "
	       "meanwhile, --llc-other-mb 8 (%.0f MiB)", quiet / MIB, busy / MIB);
}

static void test_trace_other(void)
{
	struct model m;
	struct pol_params pp;
	struct sim s;
	struct ival iv = { .nvms = 1, .has_touch = 1, .parts = 4 };

	fr_sim(&s, &m, &pp);
	m.llc_trace_other_bytes = 8 * MIB;
	iv.index = iv.tindex = 1;
	sim_step(&s, &iv);
	tap_ok(s.llc_trace_clock == 2 * MIB && s.llc_clock == 0,
	       "a quarter of a trace interval (--trace-stretch): the traced run's clock takes a "
	       "quarter of its host's 8 MiB (%.2f MiB), the run's clock none of it",
	       s.llc_trace_clock / MIB);
	sim_destroy(&s);
}

int main(void)
{
	tap_plan(5);
	test_launch();
	test_start_file();
	test_other();
	test_trace_other();
	return tap_done(5);
}
