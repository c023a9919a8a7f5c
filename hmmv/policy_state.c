// SPDX-License-Identifier: GPL-2.0
/*
 * The chunk half's learned state, saved and restored: temperatures, levels,
 * sample and move times, block hits and the queue's turn. hmmv sim writes
 * it where a replay of the engine's trace stops (--hmmv-state-out) and
 * starts a model replay from it (--hmmv-state), so that a prediction of a
 * workload starts from what the engine knew as the workload started, not
 * from nothing. Tiers, moves in flight and statistics are not part of it.
 */
#include <errno.h>
#include <string.h>

#include "hmmv/policy.h"
#include "hmmv/policy_internal.h"

#define STATE_MAGIC	"HMMVPST1"
#define STATE_HDR	(8 + 10 * 4)	/* magic, then 10 u32 */
#define STATE_CHUNK	(5 * 4)		/* temp, last_sample, last_move, nsamples, level */

size_t policy_state_size(const struct policy *p)
{
	return STATE_HDR + (size_t)p->nchunks * STATE_CHUNK +
	       (size_t)p->nchunks * p->nblocks * sizeof(*p->blk);
}

static uint8_t *put32(uint8_t *b, uint32_t v)
{
	memcpy(b, &v, 4);
	return b + 4;
}

static const uint8_t *get32(const uint8_t *b, uint32_t *v)
{
	memcpy(v, b, 4);
	return b + 4;
}

int policy_state_save(const struct policy *p, void *buf, size_t len)
{
	uint8_t *b = buf;
	uint32_t c;

	if (p->par.page_moves)
		return -EOPNOTSUPP;
	if (len < policy_state_size(p))
		return -ENOSPC;
	memcpy(b, STATE_MAGIC, 8);
	b += 8;
	b = put32(b, p->nchunks);
	b = put32(b, p->nblocks);
	b = put32(b, p->par.levels);
	b = put32(b, p->now);
	b = put32(b, p->maxb);
	b = put32(b, p->cursor);
	b = put32(b, p->stride);
	b = put32(b, p->faults);
	b = put32(b, p->fpc);
	b = put32(b, p->last_sampled);
	for (c = 0; c < p->nchunks; c++) {
		b = put32(b, p->c[c].temp);
		b = put32(b, p->c[c].last_sample);
		b = put32(b, p->c[c].last_move);
		b = put32(b, p->c[c].nsamples);
		b = put32(b, p->c[c].level);
	}
	memcpy(b, p->blk, (size_t)p->nchunks * p->nblocks * sizeof(*p->blk));
	return 0;
}

/* The header fits @p: the same chunks, blocks and levels. */
static int state_fits(const struct policy *p, const uint8_t *b, size_t len)
{
	uint32_t nchunks, nblocks, levels, cursor, stride;

	if (len != policy_state_size(p) || memcmp(b, STATE_MAGIC, 8))
		return 0;
	b = get32(b + 8, &nchunks);
	b = get32(b, &nblocks);
	b = get32(b, &levels);
	get32(b + 8, &cursor);
	get32(b + 12, &stride);
	return nchunks == p->nchunks && nblocks == p->nblocks &&
	       levels == p->par.levels && cursor < nchunks && stride == p->stride;
}

int policy_state_load(struct policy *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t c, level;

	if (p->par.page_moves)
		return -EOPNOTSUPP;
	if (!state_fits(p, b, len))
		return -EINVAL;
	/* Levels first: a bad one leaves @p as it was. */
	for (c = 0; c < p->nchunks; c++) {
		get32(b + STATE_HDR + (size_t)c * STATE_CHUNK + 16, &level);
		if (level >= p->par.levels)
			return -EINVAL;
	}
	b += 8 + 3 * 4;
	b = get32(b, &p->now);
	b = get32(b, &p->maxb);
	b = get32(b, &p->cursor);
	b = get32(b, &p->stride);
	b = get32(b, &p->faults);
	b = get32(b, &p->fpc);
	b = get32(b, &p->last_sampled);
	for (c = 0; c < p->nchunks; c++) {
		struct chunk_state *cs = &p->c[c];

		b = get32(b, &cs->temp);
		b = get32(b, &cs->last_sample);
		b = get32(b, &cs->last_move);
		b = get32(b, &cs->nsamples);
		b = get32(b, &level);
		cs->level = (uint8_t)level;
		cs->hits = 0;
		cs->sampled = 0;
		cs->inflight = 0;
		cs->urgent = 0;
	}
	memcpy(p->blk, b, (size_t)p->nchunks * p->nblocks * sizeof(*p->blk));
	return 0;
}
