// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the schedule policy (hmmv sim --schedule), file and replay. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

#define PAGES (4 * SIM_CHUNK_PAGES)

static char path[] = "/tmp/hmmv-sched.XXXXXX";

/* Loads @text as a schedule file: sched_load()'s result, the line in *line. */
static int load(const char *text, struct sim_sched **sc, uint32_t *line)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -EIO;
	fputs(text, f);
	fclose(f);
	*sc = NULL;
	return sched_load(sc, path, line);
}

static void test_file(void)
{
	struct sim_sched *sc;
	uint32_t line;

	tap_is(load("# engine moves\n\n0 1 dram\n2 1 nvm\n2 3 dram\n", &sc, &line), 0,
	       "schedule: comments, blank lines and three moves parse");
	sched_free(sc);
	tap_ok(load("0 1 dram\n3 1 nvm\n2 3 dram\n", &sc, &line) == -EINVAL && line == 3,
	       "schedule: a step before the previous one: -EINVAL at its line (3)");
	tap_ok(load("0 1 fast\n", &sc, &line) == -EINVAL && line == 1,
	       "schedule: a tier other than dram or nvm: -EINVAL");
	tap_ok(load("0 1 dram extra\n", &sc, &line) == -EINVAL && line == 1,
	       "schedule: a trailing word: -EINVAL");
	tap_ok(load("-1 1 dram\n", &sc, &line) == -EINVAL, "schedule: a negative step: -EINVAL");
	tap_ok(load("0 99999999999 dram\n", &sc, &line) == -EINVAL,
	       "schedule: a chunk beyond 32 bits: -EINVAL");

	tap_is(load("0 0 dram\n0 4 dram\n", &sc, &line), 0, "schedule: a chunk past the VM parses");
	tap_ok(sched_check(sc, PAGES, PAGES, &line) == -ERANGE && line == 2,
	       "... and sched_check() refuses it (-ERANGE, line 2)");
	sched_free(sc);
	load("0 0 dram\n0 1 dram\n5 0 nvm\n5 2 dram\n", &sc, &line);
	tap_is(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES, &line), 0,
	       "schedule: a swap at a full budget fits (the demotion listed first)");
	tap_ok(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES - 1, &line) == -ENOSPC && line == 2,
	       "schedule: two chunks over a budget of less: -ENOSPC at the second (line 2)");
	tap_ok(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES, &line) == 0,
	       "schedule: the check is repeatable");
	sched_free(sc);
	load("0 0 dram\n0 1 dram\n5 0 nvm\n5 2 dram\n5 2 nvm\n5 3 dram\n", &sc, &line);
	tap_is(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES, &line), 0,
	       "schedule: a chunk promoted and demoted again within a step, in the run's "
	       "order, fits a full budget");
	sched_free(sc);
	load("0 0 dram\n0 1 dram\n5 2 dram\n5 0 nvm\n", &sc, &line);
	tap_ok(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES, &line) == -ENOSPC && line == 3,
	       "schedule: a promotion listed before the demotion that makes room: -ENOSPC");
	sched_free(sc);
	load("0 0 dram\n0 1 dram\n6 3 dram\n", &sc, &line);
	tap_ok(sched_check(sc, PAGES, 2 * SIM_CHUNK_PAGES, &line) == -ENOSPC && line == 3,
	       "schedule: a promotion into a full DRAM: -ENOSPC at its line");
	sched_free(sc);
}

static struct trace_rec recs[PAGES];

/* Trace interval @t: one read of every page of chunk @c. */
static void step(struct sim *s, uint32_t t, uint32_t c)
{
	struct ival iv = { .index = t, .tindex = t, .nvms = 1, .rec = { recs },
			   .n = { SIM_CHUNK_PAGES } };
	uint32_t k;

	for (k = 0; k < SIM_CHUNK_PAGES; k++)
		recs[k] = (struct trace_rec){ c * SIM_CHUNK_PAGES + k, 1, 0 };
	sim_step(s, &iv);
}

/*
 * A schedule sim over a VM of PAGES, two chunks of DRAM: chunk 1 in DRAM at
 * the start, swapped for chunk 3 at step 2. 0, or -1 said as a failure.
 */
static int sched_sim(struct sim *s, struct model *m, struct pol_params *pp,
		     struct sim_sched **sc)
{
	struct trace_hdr h = { .nvms = 1, .page_shift = 12, .interval_ns = 100000000 };
	uint32_t line;

	h.vm_pages[0] = PAGES;
	if (load("0 1 dram\n2 1 nvm\n2 3 dram\n", sc, &line) ||
	    sim_create(s, sim_find_policy("schedule"), m, pp, &h, 2 * SIM_CHUNK_PAGES, 1, 0)) {
		sched_free(*sc);
		tap_ok(0, "schedule: set up");
		return -1;
	}
	s->sched = *sc;
	return s->ops->prepare(s);
}

static void test_replay(void)
{
	struct sim_sched *sc;
	struct pol_params pp;
	struct model m;
	struct sim s;

	model_default(&m);
	pol_params_default(&pp);
	if (sched_sim(&s, &m, &pp, &sc))
		return;
	tap_ok(sim_find_policy("schedule") == &pol_sched, "schedule: found by name");
	step(&s, 0, 1);
	tap_ok(s.vm[0].a.dram_acc == SIM_CHUNK_PAGES && s.vm[0].a.migrated == 0,
	       "schedule: step 0 places chunk 1 in DRAM before its traffic, copying nothing");
	step(&s, 1, 3);
	tap_ok(s.vm[0].a.dram_acc == 0 && s.vm[0].dram_pages == SIM_CHUNK_PAGES,
	       "schedule: chunk 3 stays on the slow tier until its step");
	step(&s, 2, 3);
	tap_ok(s.vm[0].a.dram_acc == SIM_CHUNK_PAGES && s.vm[0].loc[SIM_CHUNK_PAGES] == SIM_NVM,
	       "schedule: at step 2 chunk 3 is in DRAM for that interval's traffic, chunk 1 is not");
	tap_ok(s.vm[0].a.migrated == 2.0 * SIM_CHUNK_PAGES * SIM_PAGE && s.vm[0].a.mig_ns > 0,
	       "schedule: the two moves are copied (4 MiB) and pause the vCPUs");
	tap_ok(s.peak_dram <= 2 * SIM_CHUNK_PAGES, "schedule: the DRAM budget holds");
	sim_destroy(&s);
	sched_free(sc);
}

/* --schedule-recopy-pages: pages copied again, spread over the moves. */
static void test_recopy(void)
{
	struct sim_sched *sc;
	struct pol_params pp;
	struct model m;
	struct sim s;
	double dram, slow;

	model_default(&m);
	m.llc_bytes = 0;
	pol_params_default(&pp);
	pp.sched_recopy_pages = 100;
	if (sched_sim(&s, &m, &pp, &sc))
		return;
	step(&s, 0, 0);
	step(&s, 1, 0);
	step(&s, 2, 0);
	/* Chunk 0's interval traffic (512 reads, slow tier) besides the moves. */
	slow = s.vm[0].a.bytes[SIM_NVM] - SIM_CHUNK_PAGES * (double)SIM_LINE;
	dram = s.vm[0].a.bytes[SIM_DRAM];
	/*
	 * Each side: one copy's 2 MiB read, the other's 2 MiB filled and
	 * written back; of the pages copied again, 50 read and 50 written.
	 */
	tap_ok(slow == 3 * SIM_CHUNK_PAGES * (double)SIM_PAGE + 100 * SIM_PAGE &&
	       dram == 3 * SIM_CHUNK_PAGES * (double)SIM_PAGE + 100 * SIM_PAGE,
	       "schedule: 100 pages copied again over two moves: 50 each, read from the source "
	       "and written without a fill (%.0f and %.0f KiB beyond the copies)",
	       (slow - 3 * SIM_CHUNK_PAGES * (double)SIM_PAGE) / 1024,
	       (dram - 3 * SIM_CHUNK_PAGES * (double)SIM_PAGE) / 1024);
	sim_destroy(&s);
	sched_free(sc);
}

int main(void)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return tap_ok(0, "mkstemp"), tap_done(0);
	close(fd);
	test_file();
	test_replay();
	test_recopy();
	unlink(path);
	return tap_done(0);
}
