/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to tools/sim/: the access source behind sim.h's source_*() API,
 * a synthetic generator (workload.c) or a trace file (tracesrc.c).
 */
#ifndef HMMV_TOOLS_SIM_SOURCE_H
#define HMMV_TOOLS_SIM_SOURCE_H

#include "tools/sim/sim.h"

/* One VM's synthetic access generator (workload.c). */
struct vmgen {
	int kind;
	uint32_t pages;
	uint32_t hot_first, hot_pages;
	double hot_frac;
	double accesses;
	uint32_t shift_every;
	double *w;		/* zipf, weights: per-page share of operations */
	double *w2;		/* phases: the other phase's weights */
	uint64_t cursor;	/* scan */
};

struct source {
	struct trace_hdr hdr;		/* in 4 KiB pages, whatever the file's */
	uint32_t next;			/* next interval index handed out */
	uint32_t intervals;		/* how many there will be */
	uint64_t rng;
	struct vmgen g[TRACE_MAX_VMS];	/* generator: one per VM */
	struct trace_rec *rec[TRACE_MAX_VMS];
	/* trace file */
	int file;
	uint32_t shift;			/* the file's page_shift */
	uint32_t presence_lines;	/* transfers per presence bit */
	uint8_t *buf;
	size_t len;
	struct trace_cursor cur;
	struct trace_block pend;
	struct trace_rec *stage;
	uint32_t stage_cap;
	uint64_t expect;		/* trace interval expected next */
	int has_pend, ended;
	struct trace_cut cut;		/* the part replayed */
	struct touchsrc *touch;		/* --touch-trace, or NULL */
	/* a stretched interval: its records whole, handed out in parts */
	struct trace_rec *full[TRACE_MAX_VMS];
	uint32_t nfull[TRACE_MAX_VMS];
	uint32_t part, parts, part_tindex;
};

int tracesrc_next(struct source *s, struct ival *iv);
/* Frees a trace file source whole (source_close() of one). */
void tracesrc_free(struct source *s);

#endif
