// SPDX-License-Identifier: GPL-2.0
/*
 * schedule: a placement given as a file of moves, not decided (hmmv sim
 * --schedule). It replays a real run's moves over a trace of the
 * workload's traffic, so that what the simulator predicts depends on its
 * accounting alone (make eval-real's cross-validation of the engine's
 * moves: tools/evalreal/analyse.sh). One line per move of one 2 MiB
 * chunk of a one-VM trace:
 *
 *   STEP CHUNK dram|nvm
 *
 * the chunk is on that tier from trace interval STEP on (counted from the
 * first replayed, as --measure counts). Steps ascend; lines of step 0 are
 * the placement at the start, free; every chunk not named there starts on
 * the slow tier. Later moves are copied as hmm-v's are: a pause of the
 * vCPUs per step, a remap and a copy per chunk. Moves are made in the
 * file's order, the run's (one step may hold a chunk promoted and demoted
 * again where many of the run's intervals map onto one of the trace's);
 * the DRAM budget holds after every move (sched_check()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct sched_move {
	uint32_t step;
	uint32_t chunk;
	int tier;
	uint32_t line;		/* in the file, for errors */
};

struct sim_sched {
	struct sched_move *mv;
	uint32_t n, cap;
};

void sched_free(struct sim_sched *sc)
{
	if (!sc)
		return;
	free(sc->mv);
	free(sc);
}

static int sched_add(struct sim_sched *sc, uint32_t step, uint32_t chunk, int tier,
		     uint32_t line)
{
	if (sim_grow((void **)&sc->mv, &sc->cap, sc->n, sizeof(*sc->mv)))
		return -ENOMEM;
	sc->mv[sc->n++] = (struct sched_move){ step, chunk, tier, line };
	return 0;
}

/* One line: 0 parsed or blank, -EINVAL malformed or out of order. */
static int sched_line(void *arg, const char *buf, uint32_t line)
{
	struct sim_sched *sc = arg;
	unsigned long step, chunk;
	char tier[8], extra;
	int n;

	if (sim_line_blank(buf))
		return 0;
	n = sscanf(buf, "%lu %lu %7s %c", &step, &chunk, tier, &extra);
	if (n != 3 || step > UINT32_MAX || chunk > UINT32_MAX ||
	    (strcmp(tier, "dram") && strcmp(tier, "nvm")))
		return -EINVAL;
	if (sc->n && step < sc->mv[sc->n - 1].step)
		return -EINVAL;
	return sched_add(sc, (uint32_t)step, (uint32_t)chunk,
			 strcmp(tier, "dram") ? SIM_NVM : SIM_DRAM, line);
}

/*
 * Reads a schedule file. -errno of the open or the read, -EISDIR, -EINVAL
 * a malformed line (its number in *line), -ENOMEM.
 */
int sched_load(struct sim_sched **out, const char *path, uint32_t *line)
{
	struct sim_sched *sc = calloc(1, sizeof(*sc));
	int r;

	if (!sc)
		return -ENOMEM;
	r = sim_lines_read(path, sched_line, sc, line);
	if (r) {
		sched_free(sc);
		return r;
	}
	*out = sc;
	return 0;
}

/*
 * The schedule against a VM of @pages 4 KiB pages and a DRAM budget of
 * @dram_pages: -ERANGE a chunk outside the VM, -ENOSPC a step that needs
 * more DRAM than the budget (the file line of the move at fault in *line).
 */
int sched_check(const struct sim_sched *sc, uint32_t pages, uint64_t dram_pages,
		uint32_t *line)
{
	uint32_t nch = (pages + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES, k;
	uint8_t *dram = calloc(nch ? nch : 1, 1);
	uint64_t used = 0;
	int r = 0, to;

	if (!dram)
		return -ENOMEM;
	/* In the file's order, the run's: it never held more than its budget. */
	for (k = 0; k < sc->n && !r; k++) {
		const struct sched_move *m = &sc->mv[k];

		*line = m->line;
		if (m->chunk >= nch) {
			r = -ERANGE;
			break;
		}
		to = m->tier == SIM_DRAM;
		if (dram[m->chunk] == to)
			continue;
		dram[m->chunk] = (uint8_t)to;
		used = to ? used + SIM_CHUNK_PAGES : used - SIM_CHUNK_PAGES;
		if (used > dram_pages)
			r = -ENOSPC;
	}
	free(dram);
	return r;
}

struct sched_state {
	uint32_t next;		/* the first move not applied */
	double recopy;		/* bytes copied again per move */
};

/* Applies the moves up to @step, in the file's order. */
static void sched_apply(struct sim *s, uint32_t step, int free_copy)
{
	struct sched_state *st = s->priv;
	const struct sim_sched *sc = s->sched;
	double pause = 0, copy = 0, bytes = SIM_CHUNK_PAGES * (double)SIM_PAGE;
	uint32_t k, end, p;

	for (end = st->next; end < sc->n && sc->mv[end].step <= step; end++)
		;
	for (k = st->next; k < end; k++) {
		const struct sched_move *m = &sc->mv[k];
		uint32_t first = m->chunk * SIM_CHUNK_PAGES;

		if (s->vm[0].loc[first] == m->tier)
			continue;
		if (free_copy) {
			for (p = first; p < first + SIM_CHUNK_PAGES && p < s->vm[0].pages; p++)
				sim_place(s, 0, p, m->tier);
			continue;
		}
		sim_set_tier(s, 0, first, SIM_CHUNK_PAGES, m->tier);
		sim_copy_again(s, 0, m->tier, st->recopy);
		pause += s->m->remap_ns;
		copy += (bytes + st->recopy) / model_copy_bw(s->m, m->tier);
	}
	st->next = end;
	if (!pause)
		return;
	pause = (pause + s->m->pause_ns) * s->m->vcpus + copy;
	s->vm[0].a.stall_ns += pause;
	s->vm[0].a.mig_ns += pause;
}

static int sched_init(struct sim *s)
{
	if (s->nvms != 1)
		return -EINVAL;
	s->chunk_frames = 1;	/* the engine's remaps: hmmv's frames */
	s->priv = calloc(1, sizeof(struct sched_state));
	return s->priv ? 0 : -ENOMEM;
}

/*
 * --schedule-recopy-pages spread over the moves after the start (the
 * schedule is the run's, set after init: run.c), each copied again as
 * hm-v's are (sim_copy_again()).
 */
static int sched_prepare(struct sim *s)
{
	struct sched_state *st = s->priv;
	uint32_t k, n = 0;

	for (k = 0; s->sched && k < s->sched->n; k++)
		n += s->sched->mv[k].step > 0;
	st->recopy = n ? s->pp->sched_recopy_pages * SIM_PAGE / n : 0;
	return 0;
}

/*
 * The moves of this trace interval, before its traffic. The step 0
 * placement is made, free, at the first (the schedule is the run's, set
 * after init: run.c); after it the free pass finds nothing left at step 0.
 */
static void sched_begin(struct sim *s, const struct ival *iv)
{
	if (!s->sched)
		return;
	sched_apply(s, 0, 1);
	sched_apply(s, iv->tindex, 0);
}

static void sched_fini(struct sim *s)
{
	free(s->priv);
	s->priv = NULL;
}

const struct sim_ops pol_sched = {
	.name = "schedule", .init = sched_init, .begin = sched_begin,
	.prepare = sched_prepare,
	.fini = sched_fini,
};
