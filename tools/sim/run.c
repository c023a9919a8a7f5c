// SPDX-License-Identifier: GPL-2.0
/* The simulator's run loop: every chosen policy over one access source. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

static int run_steps(struct sim *s, int n, struct source *src, uint32_t *nint,
		     const char *what)
{
	struct ival iv;
	int k, r;

	while ((r = source_next(src, &iv)) == 1) {
		for (k = 0; k < n; k++)
			sim_step(&s[k], &iv);
		(*nint)++;
	}
	if (r < 0)
		fprintf(stderr, "hmmv sim: %s: %s\n", what, source_strerror(r));
	return r;
}

static int run_outputs(const struct sim_run *c, struct sim *s, int n,
		       uint32_t nint)
{
	int k, r;

	r = sim_report(c, s, n);
	for (k = 0; k < n && c->share && !r; k++)
		if (s[k].share)
			r = sim_write_share(c, &s[k], nint);
	if (!r && c->check && sim_check(s, n))
		r = 1;
	return r;
}

/*
 * The policy's start after the settings: hm-v takes --hmmv-state there
 * (which the command line has checked against the replay already).
 */
static int run_prepare(struct sim *s, const struct sim_ops *ops)
{
	int r = ops->prepare ? ops->prepare(s) : 0;

	if (r)
		fprintf(stderr, "hmmv sim: %s: %s\n", ops->name, strerror(-r));
	return r;
}

/*
 * Creates one simulator per policy, steps them all through src, reports.
 * Returns 0, 1 when --check found a violation, or -errno (said on stderr).
 */
int sim_run(const struct sim_run *c, struct source *src)
{
	const struct trace_hdr *h = source_hdr(src);
	uint32_t nint = 0, cap = c->share ? c->share_intervals : 0;
	struct sim *s;
	int n, k, r = 0;

	s = calloc(c->nops, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (n = 0; n < c->nops; n++) {
		r = sim_create(&s[n], c->ops[n], c->m, c->pp, h, c->dram_pages,
			       c->seed, cap);
		if (!r) {
			s[n].meas_from = c->meas_from;
			s[n].meas_to = c->meas_to;
			s[n].presence_lines = c->presence_lines;
			if (c->ops[n] == &pol_hmmv)
				s[n].estimate = c->estimate;
			s[n].sched = c->sched;
			s[n].placement = c->placement;
			s[n].hv_placement = c->hv_placement;
			s[n].frames_start = c->frames_start;
			s[n].hv_state = c->hv_state;
			s[n].hv_state_len = c->hv_state_len;
			s[n].scans = c->scans;
			s[n].budget = c->budget;
			r = run_prepare(&s[n], c->ops[n]);
			if (r) {
				n++;	/* created: destroyed below */
				goto out;
			}
		}
		if (r) {
			fprintf(stderr, "hmmv sim: %s: %s\n", c->ops[n]->name,
				strerror(-r));
			goto out;
		}
	}
	r = run_steps(s, n, src, &nint, c->what);
	for (k = 0; k < n && r >= 0; k++)
		if (s[k].step_err) {
			fprintf(stderr, "hmmv sim: %s: %s\n", c->ops[k]->name,
				strerror(-s[k].step_err));
			r = s[k].step_err;
			goto out;
		}
	for (k = 0; k < n && r >= 0; k++)
		if (s[k].estimate_err)
			r = s[k].estimate_err;	/* the caller names the file */
	for (k = 0; k < n && r >= 0 && c->hv_state_out; k++) {
		if (c->ops[k] != &pol_hmmv)
			continue;
		r = pol_hmmv_state_write(&s[k], c->hv_state_out);
		if (r)
			fprintf(stderr, "hmmv sim: --hmmv-state-out: %s\n", strerror(-r));
	}
	if (r >= 0)
		r = run_outputs(c, s, n, nint);
out:
	for (k = 0; k < n; k++)
		sim_destroy(&s[k]);
	free(s);
	return r;
}
