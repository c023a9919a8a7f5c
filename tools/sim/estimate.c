// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic an engine's observations imply (replays of TRACE_F_WINDOWS
 * traces). The engine watched one block of a few chunks per interval, so
 * its trace is a sample biased by what the policy chose to watch, not the
 * guest's traffic. Each chunk keeps the density of its last sample (the
 * share of its block's page-windows touched, 0 when sampled without a
 * hit) until it is sampled again, and the sampling model is inverted: a
 * page touched c times per interval, uniformly, is seen in a window that
 * is a fraction f of the interval with probability 1 - e^(-c f), so
 * c = -ln(1 - density) / f. A block seen in every window is clamped just
 * below saturation: it is at least that hot. A chunk never sampled counts
 * as untouched.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "tools/sim/sim.h"

struct est {
	uint32_t nch;
	double f;		/* window, as a fraction of the interval */
	double pw;		/* page-windows per sampled block */
	double *rate;		/* per chunk: touches per page per interval */
};

int est_create(struct est **out, uint32_t nch, double f, uint32_t sample_pages,
	       uint32_t windows)
{
	struct est *e;

	if (!nch || f <= 0 || f >= 1 || !sample_pages || !windows)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->rate = calloc(nch, sizeof(double));
	if (!e->rate) {
		free(e);
		return -ENOMEM;
	}
	e->nch = nch;
	e->f = f;
	e->pw = (double)sample_pages * windows;
	*out = e;
	return 0;
}

void est_destroy(struct est *e)
{
	if (!e)
		return;
	free(e->rate);
	free(e);
}

/* A sampled chunk's observation: @hits touched page-windows in its block. */
void est_observe(struct est *e, uint32_t chunk, uint32_t hits)
{
	double d = hits / e->pw, dmax = 1 - 0.5 / e->pw;

	if (chunk >= e->nch)
		return;
	if (d > dmax)
		d = dmax;
	e->rate[chunk] = -log1p(-d) / e->f;
}

double est_rate(const struct est *e, uint32_t chunk)
{
	return chunk < e->nch ? e->rate[chunk] : 0;
}
