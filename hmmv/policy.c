// SPDX-License-Identifier: GPL-2.0
/* HMM-V policy core: MLQ sampling, decayed temperature, bucket-sort hot set. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/policy.h"
#include "hmmv/policy_internal.h"

/* Chunk mode's windows: what a page-mode unit's heat is counted against. */
#define PAGE_EQUIV_WINDOWS	2

/*
 * Defaults, chosen on the training set (tools/capture/tune.sh, real
 * programs xz, sort, python and the synthetic gups, zipf, shift; reported
 * on a separate test set): 2 MiB chunks; a block of 128 of 512 pages
 * watched per sample (a quarter of the refault cost of watching the whole
 * chunk; the per-block estimate is complete after 4 samples); 2 windows
 * per interval (on the training programs a third and fourth window added
 * refaults, not information) of 5 ms (POLICY_DEFAULT_WINDOW_MS; in the
 * simulator 1 ms windows tell pages touched ~15 times per interval from
 * the hot set far better, but in the nested test host's TCG guest 1 ms
 * saw too few touches to follow a hot set shift: kept at 5); 3 levels (a cold chunk is looked at every 4
 * intervals); EWMA weight 1/2 over the per-block estimates; a margin of
 * 25% plus two page-windows against ping-pong; 4 intervals minimum
 * residency; 64 moves (128 MiB) per interval; at most 32 chunks sampled
 * per interval, so at most 64 zap calls (2 windows): ~0.3 ms on hardware,
 * ~64 ms in the nested test host (one call ~1 ms there); nothing
 * sampled while idle (sample_idle 0). A later round (the training set at
 * 10% and 25% DRAM: blocks of 128 and 512 pages, 1 to 3 levels, 2 to 4
 * windows, equal or each a quarter of the one before) scored the
 * defaults 0.860 of oracle-2m and the best, 0.869 (whole chunks, 2
 * levels, a second window of 1.25 ms), within the grid's spread
 * (0.853-0.869): kept. What holds chunk mode back on the real programs
 * is not there: a chunk with a few pages touched thousands of times an
 * interval looks no hotter than one with as many touched a few hundred
 * times, every window sees them all (docs/design.md). Nor does weighting
 * a page by the windows it was seen in help (3 windows each a quarter of
 * the one before, a page seen in 1, 2 or 3 of them counted 1, 2, 3 or 1,
 * 4, 16 or 1, 3, 9; xz at 15% and 50% of its footprint 0.664 and 0.628
 * of oracle-2m -> 0.673-0.693 and 0.670-0.710, python at 50% 0.866 ->
 * 0.831-0.863, sqlite at 15% 0.913 -> 0.864-0.914): xz's touched pages
 * fill even the 0.31 ms window. Replayed with the programs' touches,
 * cache hits included, as the engine sees them (the training set at 10%
 * and 25%, the grid above with 2 windows or 3 each a quarter of the one
 * before): the defaults 0.859, the best a margin of 50%, 0.871; over the
 * 48 real-program cells of seed 1, 26 and 25 below 0.9x oracle-2m: kept.
 */
void policy_params_default(struct policy_params *p)
{
	memset(p, 0, sizeof(*p));
	p->pages_per_chunk = 512;
	p->sample_pages = 128;
	p->windows = 2;
	p->window_shift = 0;
	p->levels = 3;
	p->decay_shift = 1;
	p->hyst_pct = 25;
	p->hyst_min = 2;
	p->min_residency = 4;
	p->max_moves = 64;
	p->max_samples = 32;
	p->sample_idle = 0;
	p->page_moves = 0;
	p->page_unit = 1;
	p->max_page_moves = 4096;
	p->page_hyst = POLICY_PAGE_TEMP_ONE / 2;
}

static int params_valid(const struct policy_params *p)
{
	if (!p->pages_per_chunk || p->pages_per_chunk > 1u << 16)
		return 0;
	if (!p->sample_pages || p->sample_pages > p->pages_per_chunk ||
	    p->pages_per_chunk % p->sample_pages)
		return 0;
	if (!p->windows || p->windows > POLICY_MAX_WINDOWS || p->window_shift > 4)
		return 0;
	if (!p->levels || p->levels > POLICY_MAX_LEVELS)
		return 0;
	if (p->decay_shift > 8 || p->hyst_pct > 1000 || !p->max_moves ||
	    !p->max_samples)
		return 0;
	if (p->page_moves > 1 ||
	    (p->page_moves && p->max_page_moves < p->page_unit) ||
	    p->page_hyst > POLICY_PAGE_TEMP_MAX ||
	    p->page_headroom_pct > 50 || p->settled_every > 64)
		return 0;
	/* A unit is a power of 2 within a block: blocks hold whole units. */
	if (!p->page_unit || p->page_unit & (p->page_unit - 1) ||
	    p->sample_pages % p->page_unit)
		return 0;
	return 1;
}

/* Page mode's state (policy_pages.c acts on it). */
static int pages_create(struct policy *p)
{
	struct policy_pages *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	p->pg = g;
	g->nunits = p->nchunks * (p->par.pages_per_chunk / p->par.page_unit);
	g->maxcand = p->par.max_samples * (p->par.sample_pages / p->par.page_unit);
	g->temp = calloc(g->nunits, sizeof(*g->temp));
	g->flags = calloc(g->nunits, sizeof(*g->flags));
	g->moved = calloc(g->nunits, sizeof(*g->moved));
	g->cand = calloc(g->maxcand, sizeof(*g->cand));
	g->sorted = calloc(g->maxcand, sizeof(*g->sorted));
	g->vict = calloc(p->par.max_page_moves, sizeof(*g->vict));
	g->stale = calloc(p->nchunks, sizeof(*g->stale));
	g->dense = calloc(p->nchunks, sizeof(*g->dense));
	g->slot = calloc(p->par.sample_pages + 1, sizeof(*g->slot));
	if (!g->temp || !g->flags || !g->moved || !g->cand || !g->sorted || !g->vict ||
	    !g->stale || !g->dense || !g->slot)
		return -ENOMEM;
	g->hist[0] = g->nunits;
	return 0;
}

static void pages_destroy(struct policy *p)
{
	struct policy_pages *g = p->pg;

	if (!g)
		return;
	free(g->temp);
	free(g->flags);
	free(g->moved);
	free(g->cand);
	free(g->sorted);
	free(g->vict);
	free(g->stale);
	free(g->dense);
	free(g->slot);
	free(g);
	p->pg = NULL;
}

static int pages_idle(const struct policy *p)
{
	const struct policy_pages *g = p->pg;

	return g->dram == g->nunits && g->quota >= g->nunits &&
	       !g->promoting && !g->demoting;
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The round robin's step: about 0.618 of the chunks (the golden ratio's
 * part), coprime with their number, so that each turn still visits every
 * chunk once, and any run of adjacent chunks a fraction f of the VM is
 * looked at within about 1/f looks, not a whole turn: a hot set that
 * moves is found as soon as the looks are spread over the VM.
 */
static uint32_t sample_stride(uint32_t n)
{
	uint32_t s = (uint32_t)((uint64_t)n * 618 / 1000);

	s = s ? s : 1;
	while (gcd32(s, n) != 1)
		s++;
	return s;
}

int policy_create(const struct policy_params *par, uint32_t nchunks,
		  struct policy **out)
{
	struct policy *p;
	uint32_t i, period;

	if (!par || !out || !nchunks || !params_valid(par))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->par = *par;
	p->nchunks = nchunks;
	p->c = calloc(nchunks, sizeof(*p->c));
	p->nblocks = par->pages_per_chunk / par->sample_pages;
	p->blk = calloc((size_t)nchunks * p->nblocks, sizeof(*p->blk));
	p->next = calloc(nchunks, sizeof(*p->next));
	p->promo = calloc(nchunks, sizeof(*p->promo));
	if (!p->c || !p->blk || !p->next || !p->promo ||
	    (par->page_moves && pages_create(p))) {
		policy_destroy(p);
		return -ENOMEM;
	}
	p->stride = sample_stride(nchunks);
	/* Start cold and staggered: every chunk is sampled once early on. */
	period = 1u << (par->levels - 1);
	for (i = 0; i < nchunks; i++) {
		p->c[i].level = par->levels - 1;
		p->c[i].tier = POLICY_NVM;
		p->c[i].last_sample = 1 + (i % period) - period;
		p->c[i].last_move = 0;
	}
	*out = p;
	return 0;
}

void policy_destroy(struct policy *p)
{
	if (!p)
		return;
	free(p->c);
	free(p->blk);
	free(p->next);
	free(p->promo);
	pages_destroy(p);
	free(p);
}

int policy_set_tier(struct policy *p, uint32_t chunk, enum policy_tier t)
{
	if (chunk >= p->nchunks || (t != POLICY_NVM && t != POLICY_DRAM))
		return -EINVAL;
	if (p->c[chunk].inflight)
		return -EBUSY;
	p->c[chunk].tier = t;
	return 0;
}

int policy_tier(const struct policy *p, uint32_t chunk)
{
	if (chunk >= p->nchunks)
		return -EINVAL;
	return p->c[chunk].tier;
}

void policy_set_quota(struct policy *p, uint32_t dram_chunks)
{
	p->quota = dram_chunks;
	if (p->pg)
		p->pg->quota = dram_chunks * p->par.pages_per_chunk;
}

uint32_t policy_dram_chunks(const struct policy *p)
{
	uint32_t i, n = 0;

	for (i = 0; i < p->nchunks; i++)
		n += p->c[i].tier == POLICY_DRAM;
	return n;
}

int policy_idle(const struct policy *p)
{
	uint32_t i;

	if (p->pg)
		return pages_idle(p);
	if (p->nchunks > p->quota)
		return 0;
	for (i = 0; i < p->nchunks; i++)
		if (p->c[i].tier != POLICY_DRAM || p->c[i].inflight)
			return 0;
	return 1;
}

static int sample_due(const struct policy *p, const struct chunk_state *c)
{
	return p->now - c->last_sample >= (1u << c->level);
}

uint32_t policy_track_faults(uint32_t pct, uint32_t interval_ms, uint32_t vcpus,
			     uint32_t fault_ns)
{
	uint64_t f;

	if (!fault_ns || !pct)
		return 0;
	f = (uint64_t)pct * interval_ms * 10000 * vcpus / fault_ns;
	/* A budget under one fault is one fault: 0 would mean no bound. */
	return !f ? 1 : f < UINT32_MAX ? (uint32_t)f : UINT32_MAX;
}

/*
 * Chunks that fit the tracking budget this interval, from the faults per
 * sampled chunk so far (last interval's folded in first); at least one.
 */
static uint32_t track_cap(struct policy *p, uint32_t sampled)
{
	uint64_t f, cap;

	if (sampled) {
		f = ((uint64_t)p->faults << 4) / sampled;
		f = f < UINT32_MAX ? f : UINT32_MAX;
		p->fpc = p->fpc ? (uint32_t)((p->fpc + f + 1) / 2) : (uint32_t)f;
	}
	p->faults = 0;
	if (!p->par.track_faults || !p->fpc || (p->pg && p->pg->surge))
		return UINT32_MAX;
	cap = ((uint64_t)p->par.track_faults << 4) / p->fpc;
	return cap ? (cap < UINT32_MAX ? (uint32_t)cap : UINT32_MAX) : 1;
}

static void sample_pick(struct policy *p, uint32_t i, uint32_t *n)
{
	p->c[i].sampled = 1;
	p->c[i].nsamples++;
	(*n)++;
}

/* Page mode: last interval's candidates kept for a retry (unit_verify()). */
static void sample_keep_retries(struct policy_pages *g)
{
	uint32_t i, u, n = 0;

	for (i = 0; i < g->ncand; i++) {
		u = g->cand[i];
		if (g->flags[u] & PG_RETRY) {
			g->flags[u] &= (uint8_t)~PG_RETRY;
			g->cand[n++] = u;
		} else {
			g->flags[u] &= (uint8_t)~PG_CAND;
		}
	}
	g->ncand = n;
	g->early = 0;
}

uint32_t policy_sample_set(struct policy *p, uint32_t *chunks, uint32_t max)
{
	uint32_t i, k, pos, n = 0, next = p->cursor, cap;

	p->now++;
	p->st.intervals++;
	if (p->pg)
		sample_keep_retries(p->pg);
	if (max > p->par.max_samples)
		max = p->par.max_samples;
	cap = track_cap(p, p->last_sampled);
	if (p->pg && p->pg->settled >= SETTLED_AFTER && p->par.settled_every > 1) {
		/*
		 * Settled: little to gain from looking, but a change anywhere
		 * should be seen soon; a share of the chunks every interval,
		 * in turn, finds it sooner than all of them now and then.
		 * That share already spares the budget: one bound, not both.
		 */
		max = (max + p->par.settled_every - 1) / p->par.settled_every;
		p->st.settled++;
	} else if (max > cap) {
		max = cap;
		p->st.track_capped++;
	}
	if (!p->par.sample_idle && policy_idle(p)) {
		max = 0;	/* the loop still clears last interval's marks */
		p->st.idle++;
	}
	/*
	 * First the chunks a refused promotion rests on (unit_verify()), in
	 * at most a quarter of the looks: the rest keep finding new heat
	 * (policy_pages.c, round thirteen).
	 */
	for (i = 0; i < p->nchunks; i++) {
		struct chunk_state *c = &p->c[i];

		c->sampled = 0;
		c->hits = 0;
		if (c->urgent && n < (max + 3) / 4) {
			sample_pick(p, i, &n);
			p->st.verified++;
		}
		c->urgent = 0;
	}
	/*
	 * Round robin from the cursor, stepping p->stride chunks (a turn
	 * still visits each once): a due chunk left out goes first next.
	 */
	for (k = 0; k < p->nchunks && n < max; k++) {
		pos = p->cursor + k;
		pos = pos < p->nchunks ? pos : pos - p->nchunks;
		i = (uint32_t)((uint64_t)pos * p->stride % p->nchunks);
		if (p->c[i].sampled || !sample_due(p, &p->c[i]))
			continue;
		sample_pick(p, i, &n);
		next = pos + 1 < p->nchunks ? pos + 1 : 0;
	}
	p->cursor = n < max ? 0 : next;
	/* Ascending, for the zap runs. */
	for (i = 0, k = 0; i < p->nchunks && k < n; i++)
		if (p->c[i].sampled)
			chunks[k++] = i;
	p->st.sampled += n;
	p->last_sampled = n;
	return n;
}

void policy_sample_block(const struct policy *p, uint32_t chunk,
			 uint32_t *first)
{
	uint32_t nblocks = p->par.pages_per_chunk / p->par.sample_pages;

	/*
	 * Per chunk, not per interval: a chunk sampled every 2^L intervals
	 * still visits every block in turn.
	 */
	*first = (uint32_t)(((uint64_t)p->c[chunk].nsamples + chunk) % nblocks) *
		 p->par.sample_pages;
}

int policy_observe(struct policy *p, uint32_t chunk, uint32_t hits)
{
	struct chunk_state *c;

	if (chunk >= p->nchunks)
		return -EINVAL;
	c = &p->c[chunk];
	if (!c->sampled || hits > p->par.windows * p->par.sample_pages)
		return -EINVAL;
	c->hits = hits;
	return 0;
}

void policy_note_faults(struct policy *p, uint64_t faults)
{
	uint64_t f = (uint64_t)p->faults + faults;

	p->faults = f < UINT32_MAX ? (uint32_t)f : UINT32_MAX;
}

uint32_t policy_bucket(uint32_t temp)
{
	uint32_t b;

	if (!temp)
		return 0;
	b = 32 - __builtin_clz(temp);
	return b < POLICY_BUCKETS ? b : POLICY_BUCKETS - 1;
}

/* One EWMA step towards score, rounding away from zero so it converges. */
uint32_t policy_ewma_step(uint32_t temp, uint32_t score, uint32_t shift)
{
	uint32_t round = (1u << shift) - 1;

	if (score >= temp)
		return temp + ((score - temp + round) >> shift);
	return temp - ((temp - score + round) >> shift);
}

/* Block of a chunk watched at its current sample (policy_sample_block). */
static uint32_t cur_block(const struct policy *p, uint32_t chunk)
{
	return (uint32_t)(((uint64_t)p->c[chunk].nsamples + chunk) % p->nblocks);
}

/*
 * The chunk's page-windows per interval, fixed point: each block's latest
 * observation, summed over the blocks (those not yet watched counted at
 * the mean of those that were). Sparse hot pages sit in a few blocks: one
 * block's hits scaled to the chunk swing between 0 and many times the
 * truth, the sum of the rotation does not.
 */
static uint32_t sample_score(struct policy *p, uint32_t chunk)
{
	uint16_t *blk = p->blk + (size_t)chunk * p->nblocks;
	const struct chunk_state *c = &p->c[chunk];
	uint32_t nobs = c->nsamples < p->nblocks ? c->nsamples : p->nblocks;
	uint64_t sum = 0;
	uint32_t b;

	blk[cur_block(p, chunk)] = c->hits < UINT16_MAX ? (uint16_t)c->hits : UINT16_MAX;
	if (!nobs)
		nobs = 1;
	for (b = 0; b < p->nblocks; b++)
		sum += blk[b];
	sum = (sum << POLICY_TEMP_SHIFT) * p->nblocks / nobs;
	return sum < UINT32_MAX ? (uint32_t)sum : UINT32_MAX;
}

uint32_t policy_elapsed(const struct policy *p, uint32_t chunk)
{
	uint32_t e = p->now - p->c[chunk].last_sample;

	return e < 1 ? 1 : e < MAX_ELAPSED ? e : MAX_ELAPSED;
}

static void update_sampled(struct policy *p, uint32_t chunk)
{
	struct chunk_state *c = &p->c[chunk];
	uint32_t score = sample_score(p, chunk);
	uint32_t e = policy_elapsed(p, chunk), k, b, lvl;

	/* The sample stands for every interval since the previous one. */
	for (k = 0; k < e; k++)
		c->temp = policy_ewma_step(c->temp, score, p->par.decay_shift);
	c->last_sample = p->now;
	/* One level per bucket below the hottest: exponentially rarer. */
	b = policy_bucket(c->temp);
	lvl = p->maxb > b ? p->maxb - b : 0;
	if (!score && lvl <= c->level)
		lvl = c->level + 1u;
	c->level = lvl < p->par.levels ? lvl : p->par.levels - 1;
}

void policy_update_chunks(struct policy *p)
{
	uint32_t i, b, maxb = 0;

	for (i = 0; i < p->nchunks; i++) {
		struct chunk_state *c = &p->c[i];

		if (c->sampled)
			update_sampled(p, i);
		b = policy_bucket(c->temp);
		maxb = b > maxb ? b : maxb;
	}
	p->maxb = maxb;
}

/* Tier a chunk will have once its move (if any) completes. */
static uint32_t eff_tier(const struct chunk_state *c)
{
	return c->inflight ? !c->tier : c->tier;
}

static int movable(const struct policy *p, const struct chunk_state *c)
{
	if (c->inflight)
		return 0;
	return c->last_move == 0 || p->now - c->last_move >= p->par.min_residency;
}

struct lists {
	uint32_t slow[POLICY_BUCKETS];	/* heads, per bucket */
	uint32_t dram[POLICY_BUCKETS];
	uint32_t cnt[POLICY_BUCKETS];	/* all chunks, by bucket */
	uint32_t used;			/* DRAM frames held or promised */
};

static void build_lists(struct policy *p, struct lists *l, int residency)
{
	uint32_t i, b;

	for (b = 0; b < POLICY_BUCKETS; b++) {
		l->slow[b] = NIL;
		l->dram[b] = NIL;
		l->cnt[b] = 0;
	}
	l->used = 0;
	/* Walk backwards so lists come out in ascending chunk order. */
	for (i = p->nchunks; i-- > 0;) {
		struct chunk_state *c = &p->c[i];
		uint32_t *head;

		b = policy_bucket(c->temp);
		l->cnt[b]++;
		if (c->tier == POLICY_DRAM || eff_tier(c) == POLICY_DRAM)
			l->used++;
		if (residency ? !movable(p, c) : c->inflight)
			continue;
		head = c->tier == POLICY_DRAM ? &l->dram[b] : &l->slow[b];
		p->next[i] = *head;
		*head = i;
	}
}

/* Lowest bucket of the hot set filled from the top down to the quota. */
static uint32_t hot_threshold(const struct policy *p, const struct lists *l)
{
	uint32_t b, cum = 0;

	for (b = POLICY_BUCKETS - 1; b > 0; b--) {
		cum += l->cnt[b];
		if (cum >= p->quota)
			return b;
	}
	return 1;
}

/* Pops the coldest victim in a bucket strictly below limit. */
static uint32_t pop_victim(struct policy *p, struct lists *l, uint32_t limit)
{
	uint32_t b, v;

	for (b = 0; b < limit; b++) {
		v = l->dram[b];
		if (v == NIL)
			continue;
		l->dram[b] = p->next[v];
		return v;
	}
	return NIL;
}

static void push_victim(struct policy *p, struct lists *l, uint32_t v)
{
	uint32_t b = policy_bucket(p->c[v].temp);

	p->next[v] = l->dram[b];
	l->dram[b] = v;
}

/*
 * The absolute margin is in page-windows of the chunk's estimate: the
 * per-block sum resolves single hits, so a few of them separate a chunk
 * from an idle one without shutting out sparse hot chunks.
 */
static int beats(const struct policy *p, uint32_t cand, uint32_t victim)
{
	uint64_t tc = p->c[cand].temp, tv = p->c[victim].temp;
	uint64_t min = (uint64_t)p->par.hyst_min * POLICY_TEMP_ONE;

	return tc * 100 > tv * (100 + p->par.hyst_pct) + min * 100;
}

static void emit(struct policy *p, struct policy_move *m, uint32_t chunk,
		 uint32_t to)
{
	m->chunk = chunk;
	m->to = to;
	p->c[chunk].inflight = 1;
}

/* Quota shrank: demote coldest first, residency not honoured. */
static uint32_t forced_demotions(struct policy *p, struct policy_move *moves,
				 uint32_t budget)
{
	struct lists l;
	uint32_t n = 0, v;

	build_lists(p, &l, 0);
	while (l.used > p->quota && n < budget) {
		v = pop_victim(p, &l, POLICY_BUCKETS);
		if (v == NIL)
			break;
		emit(p, &moves[n++], v, POLICY_NVM);
		l.used--;
	}
	if (l.used > p->quota)
		p->st.limited += l.used - p->quota;
	p->st.demoted += n;
	return n;
}

int policy_decide(struct policy *p, struct policy_move *moves, uint32_t max,
		  uint32_t *n)
{
	struct lists l;
	uint32_t budget, nd, np = 0, b, thr, cand, v, i;
	int32_t free;

	if (!moves || !n || p->pg)
		return -EINVAL;
	*n = 0;
	policy_update_chunks(p);
	budget = max < p->par.max_moves ? max : p->par.max_moves;
	nd = forced_demotions(p, moves, budget);
	if (nd) {
		*n = nd;
		return 0;
	}
	build_lists(p, &l, 1);
	thr = hot_threshold(p, &l);
	free = (int32_t)p->quota - (int32_t)l.used;
	for (b = POLICY_BUCKETS - 1; b >= thr && b > 0; b--) {
		for (cand = l.slow[b]; cand != NIL; cand = p->next[cand]) {
			if (nd + np >= budget) {
				p->st.limited++;
				goto out;
			}
			if (free > 0) {
				p->promo[np++] = cand;
				free--;
				continue;
			}
			/*
			 * The victim may share the candidate's bucket (up to 2x
			 * colder): sparse chunks differ by less than a bucket,
			 * and the hysteresis margin decides.
			 */
			v = pop_victim(p, &l, b + 1);
			if (v == NIL)
				goto out;	/* nothing colder in DRAM */
			if (!beats(p, cand, v)) {
				p->st.refused_hyst++;
				push_victim(p, &l, v);
				continue;
			}
			if (nd + np + 2 > budget) {
				push_victim(p, &l, v);
				p->st.limited++;
				goto out;
			}
			emit(p, &moves[nd++], v, POLICY_NVM);
			p->promo[np++] = cand;
		}
	}
out:
	for (i = 0; i < np; i++)
		emit(p, &moves[nd + i], p->promo[i], POLICY_DRAM);
	p->st.demoted += nd;
	p->st.promoted += np;
	*n = nd + np;
	return 0;
}

int policy_move_done(struct policy *p, uint32_t chunk, int ok)
{
	struct chunk_state *c;

	if (chunk >= p->nchunks || !p->c[chunk].inflight)
		return -EINVAL;
	c = &p->c[chunk];
	c->inflight = 0;
	if (ok) {
		c->tier = !c->tier;
		c->last_move = p->now;
	}
	return 0;
}

/*
 * A page-mode unit counts in the bucket a chunk of its density would have
 * (a chunk's temperature is its page-windows << POLICY_TEMP_SHIFT), so
 * that the pool weighs page-mode and chunk-mode VMs alike, up to what
 * chunk mode can see (pages touched in each of its two windows); the
 * shorter windows past that tell page mode more: each
 * further one its pages are seen in, 2^window_shift shorter, is that much
 * more touch rate, one bucket per doubling. Without them, every page
 * touched more than once a millisecond or so lands in one bucket, and the
 * pool cannot tell a small, very hot set from a large, merely warm one.
 */
static uint32_t page_equiv(const struct policy *p, uint32_t t)
{
	uint64_t ppc = p->par.pages_per_chunk, unit = p->par.page_unit;
	uint64_t lim = PAGE_EQUIV_WINDOWS * POLICY_PAGE_TEMP_ONE * unit;
	uint64_t eq;
	uint32_t sh;

	if (t <= lim)
		return (uint32_t)((t * ppc << POLICY_TEMP_SHIFT) / (unit * POLICY_PAGE_TEMP_ONE));
	sh = (uint32_t)((t - lim) * p->par.window_shift / (POLICY_PAGE_TEMP_ONE * unit));
	eq = PAGE_EQUIV_WINDOWS * ppc << POLICY_TEMP_SHIFT;
	return sh < 16 && (eq << sh) < UINT32_MAX ? (uint32_t)(eq << sh) : UINT32_MAX;
}

static void pages_histogram(const struct policy *p, uint64_t bytes[POLICY_BUCKETS])
{
	const struct policy_pages *g = p->pg;
	uint64_t ub = (uint64_t)p->par.page_unit << 12;
	uint32_t t;

	for (t = 0; t <= POLICY_PAGE_TEMP_MAX; t++)
		bytes[policy_bucket(page_equiv(p, t))] += g->hist[t] * ub;
}

void policy_histogram(const struct policy *p, uint64_t bytes[POLICY_BUCKETS])
{
	uint64_t chunk_bytes = (uint64_t)p->par.pages_per_chunk << 12;
	uint32_t i;

	memset(bytes, 0, POLICY_BUCKETS * sizeof(bytes[0]));
	if (p->pg) {
		pages_histogram(p, bytes);
		return;
	}
	for (i = 0; i < p->nchunks; i++)
		bytes[policy_bucket(p->c[i].temp)] += chunk_bytes;
}

uint32_t policy_temp(const struct policy *p, uint32_t chunk)
{
	return chunk < p->nchunks ? p->c[chunk].temp : 0;
}

uint32_t policy_level(const struct policy *p, uint32_t chunk)
{
	return chunk < p->nchunks ? p->c[chunk].level : 0;
}

void policy_get_stats(const struct policy *p, struct policy_stats *s)
{
	*s = p->st;
}
