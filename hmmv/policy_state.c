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

/* The header after the magic, u32 each. */
enum { H_NCHUNKS, H_NBLOCKS, H_LEVELS, H_NOW, H_MAXB, H_CURSOR, H_STRIDE,
       H_FAULTS, H_FPC, H_LAST_SAMPLED, H_COUNT };
/* Then per chunk, u32 each; then the block hits. */
enum { C_TEMP, C_LAST_SAMPLE, C_LAST_MOVE, C_NSAMPLES, C_LEVEL, C_COUNT };

#define STATE_HDR	(8 + H_COUNT * 4)
#define STATE_CHUNK	(C_COUNT * 4)

size_t policy_state_size(const struct policy *p)
{
	return STATE_HDR + (size_t)p->nchunks * STATE_CHUNK +
	       (size_t)p->nchunks * p->nblocks * sizeof(*p->blk);
}

static uint8_t *put32s(uint8_t *b, const uint32_t *v, size_t n)
{
	memcpy(b, v, n * 4);
	return b + n * 4;
}

static const uint8_t *get32s(const uint8_t *b, uint32_t *v, size_t n)
{
	memcpy(v, b, n * 4);
	return b + n * 4;
}

int policy_state_save(const struct policy *p, void *buf, size_t len)
{
	uint32_t h[H_COUNT] = {
		[H_NCHUNKS] = p->nchunks, [H_NBLOCKS] = p->nblocks,
		[H_LEVELS] = p->par.levels, [H_NOW] = p->now, [H_MAXB] = p->maxb,
		[H_CURSOR] = p->cursor, [H_STRIDE] = p->stride,
		[H_FAULTS] = p->faults, [H_FPC] = p->fpc,
		[H_LAST_SAMPLED] = p->last_sampled,
	};
	uint8_t *b = buf;
	uint32_t c;

	if (p->par.page_moves)
		return -EOPNOTSUPP;
	if (len < policy_state_size(p))
		return -ENOSPC;
	memcpy(b, STATE_MAGIC, 8);
	b = put32s(b + 8, h, H_COUNT);
	for (c = 0; c < p->nchunks; c++) {
		const struct chunk_state *cs = &p->c[c];
		uint32_t v[C_COUNT] = {
			[C_TEMP] = cs->temp, [C_LAST_SAMPLE] = cs->last_sample,
			[C_LAST_MOVE] = cs->last_move, [C_NSAMPLES] = cs->nsamples,
			[C_LEVEL] = cs->level,
		};

		b = put32s(b, v, C_COUNT);
	}
	memcpy(b, p->blk, (size_t)p->nchunks * p->nblocks * sizeof(*p->blk));
	return 0;
}

/*
 * Whether @b (@len bytes) is a state @p can take: the same chunks, blocks,
 * levels and turn step, a cursor and every level in range. Its header in @h.
 */
static int state_fits(const struct policy *p, const uint8_t *b, size_t len,
		      uint32_t h[H_COUNT])
{
	uint32_t c, v[C_COUNT];

	if (len != policy_state_size(p) || memcmp(b, STATE_MAGIC, 8))
		return 0;
	b = get32s(b + 8, h, H_COUNT);
	if (h[H_NCHUNKS] != p->nchunks || h[H_NBLOCKS] != p->nblocks ||
	    h[H_LEVELS] != p->par.levels || h[H_CURSOR] >= p->nchunks ||
	    h[H_STRIDE] != p->stride)
		return 0;
	for (c = 0; c < p->nchunks; c++) {
		b = get32s(b, v, C_COUNT);
		if (v[C_LEVEL] >= p->par.levels)
			return 0;
	}
	return 1;
}

int policy_state_load(struct policy *p, const void *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)buf + STATE_HDR;
	uint32_t c, h[H_COUNT], v[C_COUNT];

	if (p->par.page_moves)
		return -EOPNOTSUPP;
	/* Checked whole first: a state refused leaves @p as it was. */
	if (!state_fits(p, buf, len, h))
		return -EINVAL;
	p->now = h[H_NOW];
	p->maxb = h[H_MAXB];
	p->cursor = h[H_CURSOR];
	p->faults = h[H_FAULTS];
	p->fpc = h[H_FPC];
	p->last_sampled = h[H_LAST_SAMPLED];
	for (c = 0; c < p->nchunks; c++) {
		struct chunk_state *cs = &p->c[c];

		b = get32s(b, v, C_COUNT);
		cs->temp = v[C_TEMP];
		cs->last_sample = v[C_LAST_SAMPLE];
		cs->last_move = v[C_LAST_MOVE];
		cs->nsamples = v[C_NSAMPLES];
		cs->level = (uint8_t)v[C_LEVEL];
		cs->hits = 0;
		cs->sampled = 0;
		cs->inflight = 0;
		cs->urgent = 0;
	}
	memcpy(p->blk, b, (size_t)p->nchunks * p->nblocks * sizeof(*p->blk));
	return 0;
}
