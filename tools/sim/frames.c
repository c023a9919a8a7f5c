// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv's own frames for whole-chunk moves (hm-v and the schedule: the
 * engine's remaps), so that a move's destination is the frame the engine
 * would take, and the cache holds it or not accordingly (hotcopy.c gives
 * the other policies' allocators).
 *
 * Each tier hands out its lowest free 2 MiB frame (memory/frames.c,
 * mem_frames_alloc()) and a remap frees the chunk's old frame once its
 * copy is done. The engine alternates demotions and promotions, so where
 * a promotion frees a frame lower than every other free one, the next
 * demotion lands on it while the cache still holds its lines, and writes
 * the copy without filling them; where older free frames lie lower, it
 * fills. Run L's hot set: 23 pairs of moves over its updates' start cost
 * the NVDIMM 4.2 MiB a pair by the meter, against 6.4 when any free frame
 * was taken.
 *
 * The frames at the start are the chunks' in chunk order, each tier's
 * lowest first, as hmmv's launch places them (memory/memory.c, mem_place),
 * or those --hmmv-frames names (make eval-real: the engine's, from its
 * moves before the workload), with the frames it does not name free and
 * their lines long gone. A frame a move freed was read a cache clock
 * distance d before, the guest having hit h bytes of other lines since;
 * as a run of freed frames in hotcopy.c, a share (llc - d - h) / (2 x 2
 * MiB) of it is held, between 0 and 1 (sim_hot_held()).
 *
 * --hmmv-frames FILE: one line per chunk,
 *
 *   CHUNK dram|nvm FRAME
 *
 * chunk CHUNK on that tier in frame FRAME (below the VM's chunk count);
 * blank lines and '#' comments skipped. A chunk the placement puts on the
 * other tier takes the lowest frame left, as one not named does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct sim_frames {
	uint32_t nch;
	uint32_t *frame;		/* per chunk: its frame on its tier */
	uint8_t *used[2];		/* per tier, per frame */
	double *freed[2];		/* per tier, per frame: the cache clock a
					 * move freed it at, < 0: never read */
	uint32_t *freed_mark[2];	/* ... and the guest's hits then */
};

struct sim_frames_start {
	uint32_t *frame[2];		/* per chunk: its frame there, or UINT32_MAX */
	uint32_t nch;
};

void sim_frames_free(struct sim_frames *f)
{
	int t;

	if (!f)
		return;
	for (t = 0; t < 2; t++) {
		free(f->used[t]);
		free(f->freed[t]);
		free(f->freed_mark[t]);
	}
	free(f->frame);
	free(f);
}

static int start_line(void *arg, const char *buf, uint32_t line)
{
	struct sim_frames_start *st = arg;
	unsigned long c, fr;
	char tier[8];
	int t, n = 0;

	if (sim_line_blank(buf))
		return 0;
	if (sscanf(buf, "%lu %7s %lu %n", &c, tier, &fr, &n) != 3 || buf[n] != '\0')
		return -EINVAL;
	t = !strcmp(tier, "dram") ? SIM_DRAM : !strcmp(tier, "nvm") ? SIM_NVM : -1;
	if (t < 0 || c >= st->nch || fr >= st->nch ||
	    st->frame[SIM_DRAM][c] != UINT32_MAX || st->frame[SIM_NVM][c] != UINT32_MAX)
		return -EINVAL;
	st->frame[t][c] = (uint32_t)fr;
	return 0;
}

/*
 * Reads --hmmv-frames @path for a VM of @nch chunks into *@out. -errno
 * (-EINVAL a bad line: *line is its number; a chunk named twice, a frame
 * taken twice on one tier).
 */
int sim_frames_load(struct sim_frames_start **out, const char *path, uint32_t nch,
		    uint32_t *line)
{
	struct sim_frames_start *st = calloc(1, sizeof(*st));
	uint8_t *taken[2] = { NULL, NULL };
	uint32_t c;
	int r = -ENOMEM, t;

	*line = 0;
	if (!st)
		return -ENOMEM;
	st->nch = nch;
	for (t = 0; t < 2; t++) {
		st->frame[t] = malloc((size_t)nch * sizeof(uint32_t));
		taken[t] = calloc(nch, 1);
		if (!st->frame[t] || !taken[t])
			goto out;
		memset(st->frame[t], 0xff, (size_t)nch * sizeof(uint32_t));
	}
	r = sim_lines_read(path, start_line, st, line);
	for (c = 0; !r && c < nch; c++) {
		for (t = 0; t < 2; t++) {
			if (st->frame[t][c] == UINT32_MAX)
				continue;
			if (taken[t][st->frame[t][c]]++) {
				*line = 0;
				r = -EINVAL;
			}
		}
	}
out:
	free(taken[0]);
	free(taken[1]);
	if (r) {
		sim_frames_start_free(st);
		return r;
	}
	*out = st;
	return 0;
}

void sim_frames_start_free(struct sim_frames_start *st)
{
	if (!st)
		return;
	free(st->frame[0]);
	free(st->frame[1]);
	free(st);
}

static uint32_t lowest_free(const struct sim_frames *f, int t)
{
	uint32_t i;

	for (i = 0; i < f->nch && f->used[t][i]; i++)
		;
	return i;
}

/* The tier chunk @c is on (its first page's). */
static int chunk_tier(const struct simvm *v, uint32_t c)
{
	return v->loc[(size_t)c * SIM_CHUNK_PAGES];
}

/* Lays out @v's frames from its placement now, the start file's first. */
static struct sim_frames *frames_setup(const struct sim *s, const struct simvm *v)
{
	const struct sim_frames_start *st = s->frames_start;
	struct sim_frames *f = calloc(1, sizeof(*f));
	uint32_t c, fr;
	int t;

	if (!f)
		return NULL;
	f->nch = v->pages / SIM_CHUNK_PAGES;
	f->frame = malloc((size_t)f->nch * sizeof(uint32_t));
	for (t = 0; t < 2; t++) {
		f->used[t] = calloc(f->nch, 1);
		f->freed[t] = malloc((size_t)f->nch * sizeof(double));
		f->freed_mark[t] = calloc(f->nch, sizeof(uint32_t));
		if (!f->used[t] || !f->freed[t] || !f->freed_mark[t])
			break;
		for (c = 0; c < f->nch; c++)
			f->freed[t][c] = -1;
	}
	if (!f->frame || t < 2) {
		sim_frames_free(f);
		return NULL;
	}
	for (c = 0; c < f->nch; c++) {
		f->frame[c] = UINT32_MAX;
		t = chunk_tier(v, c);
		fr = st && st->nch == f->nch ? st->frame[t][c] : UINT32_MAX;
		if (fr < f->nch && !f->used[t][fr]) {
			f->used[t][fr] = 1;
			f->frame[c] = fr;
		}
	}
	for (c = 0; c < f->nch; c++) {
		if (f->frame[c] != UINT32_MAX)
			continue;
		t = chunk_tier(v, c);
		fr = lowest_free(f, t);
		f->used[t][fr] = 1;
		f->frame[c] = fr;
	}
	return f;
}

/*
 * Chunk @c of @v, wholly on the other tier, moves to @tier: takes the
 * tier's lowest free frame and returns the bytes of it the cache holds;
 * its old frame stays taken until sim_frames_release(). A negative
 * return is -errno: -ENOMEM (the frames not laid out), -ENOSPC.
 */
double sim_frames_take(struct sim *s, struct simvm *v, uint32_t c, int tier,
		       uint32_t *old)
{
	struct sim_frames *f = v->frames;
	double at;
	uint32_t fr;

	if (!f) {
		f = v->frames = frames_setup(s, v);
		if (!f)
			return -ENOMEM;
	}
	fr = lowest_free(f, tier);
	if (fr >= f->nch)
		return -ENOSPC;
	*old = f->frame[c];
	f->used[tier][fr] = 1;
	f->frame[c] = fr;
	at = f->freed[tier][fr];
	return at < 0 ? 0 : sim_hot_held(s, at, f->freed_mark[tier][fr],
					 (double)SIM_CHUNK_PAGES * SIM_PAGE);
}

/* Frame @old of @tier, just read by a move (the clock past its copy), free. */
void sim_frames_release(struct sim *s, struct simvm *v, int tier, uint32_t old)
{
	struct sim_frames *f = v->frames;

	f->used[tier][old] = 0;
	f->freed[tier][old] = s->llc_clock;
	f->freed_mark[tier][old] = sim_resident_mark(s);
}
