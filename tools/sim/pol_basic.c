// SPDX-License-Identifier: GPL-2.0
/* Reference placements: all-DRAM, all-slow, static first-touch, oracles. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

static int alldram_init(struct sim *s)
{
	uint32_t i;

	/* Unlimited DRAM: the reference every slowdown is measured against. */
	for (i = 0; i < s->nvms; i++) {
		memset(s->vm[i].loc, SIM_DRAM, s->vm[i].pages);
		s->vm[i].dram_pages = s->vm[i].pages;
	}
	return 0;
}

const struct sim_ops pol_alldram = { .name = "all-dram", .init = alldram_init };
const struct sim_ops pol_allslow = { .name = "all-slow" };

static int static_init(struct sim *s)
{
	sim_place_first_touch(s);
	return 0;
}

const struct sim_ops pol_static = { .name = "first-touch", .init = static_init };

/*
 * Oracle: knows each interval's accesses before it runs and places the
 * most accessed 4 KiB pages of all VMs in DRAM, moving for free. An upper
 * bound for every page- or chunk-granular policy on the same model.
 */
struct oracle {
	uint64_t *key;		/* accesses << 32 | index, for selection */
	uint64_t *acc;		/* oracle-2m: accesses per chunk */
	uint32_t cap;
};

static int oracle_init(struct sim *s)
{
	struct oracle *o = calloc(1, sizeof(*o));
	uint32_t i;

	if (!o)
		return -ENOMEM;
	for (i = 0; i < s->nvms; i++)
		o->cap += s->vm[i].pages;
	o->key = malloc((size_t)o->cap * sizeof(uint64_t));
	o->acc = malloc((size_t)o->cap * sizeof(uint64_t));
	if (!o->key || !o->acc) {
		free(o->key);
		free(o->acc);
		free(o);
		return -ENOMEM;
	}
	s->priv = o;
	return 0;
}

static void oracle_fini(struct sim *s)
{
	struct oracle *o = s->priv;

	free(o->key);
	free(o->acc);
	free(o);
	s->priv = NULL;
}

static void swap64(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

/* Quickselect: afterwards k[0..want) hold the largest keys. */
static void select_top(uint64_t *k, uint64_t n, uint64_t want, uint64_t *rng)
{
	uint64_t lo = 0, hi = n;

	while (hi - lo > 1 && want > lo && want < hi) {
		uint64_t piv = k[lo + rng_next(rng) % (hi - lo)], i = lo, j = lo, e = hi;

		/* Three-way partition: > pivot, == pivot, < pivot. */
		while (j < e) {
			if (k[j] > piv)
				swap64(&k[i++], &k[j++]);
			else if (k[j] < piv)
				swap64(&k[j], &k[--e]);
			else
				j++;
		}
		if (want <= i)
			hi = i;
		else if (want >= e)
			lo = e;
		else
			return;
	}
}

static void oracle_begin(struct sim *s, const struct ival *iv)
{
	struct oracle *o = s->priv;
	uint64_t n = 0, i, base[TRACE_MAX_VMS + 1];
	uint32_t v, k;

	base[0] = 0;
	for (v = 0; v < s->nvms; v++) {
		memset(s->vm[v].loc, SIM_NVM, s->vm[v].pages);
		s->vm[v].dram_pages = 0;
		base[v + 1] = base[v] + s->vm[v].pages;
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];
			uint64_t acc = (uint64_t)r->reads + r->writes;

			if (acc > UINT32_MAX)
				acc = UINT32_MAX;
			o->key[n++] = acc << 32 | (base[v] + r->page);
		}
	}
	if (n > s->dram_pages)
		select_top(o->key, n, s->dram_pages, &s->rng);
	for (i = 0; i < n && i < s->dram_pages; i++) {
		uint64_t g = o->key[i] & UINT32_MAX;

		for (v = 0; g >= base[v + 1]; v++)
			;
		s->vm[v].loc[g - base[v]] = SIM_DRAM;
		s->vm[v].dram_pages++;
	}
}

const struct sim_ops pol_oracle = {
	.name = "oracle", .init = oracle_init, .begin = oracle_begin,
	.fini = oracle_fini,
};

/* Empties DRAM; base[v] is VM v's first chunk in acc. */
static void chunks_clear(struct sim *s, uint64_t *base, uint64_t *acc)
{
	uint32_t v;

	base[0] = 0;
	for (v = 0; v < s->nvms; v++) {
		memset(s->vm[v].loc, SIM_NVM, s->vm[v].pages);
		s->vm[v].dram_pages = 0;
		base[v + 1] = base[v] + (s->vm[v].pages + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES;
	}
	memset(acc, 0, base[s->nvms] * sizeof(uint64_t));
}

/* Puts the chunks of highest acc in DRAM, as many as whole ones fit. */
static void chunks_place(struct sim *s, struct oracle *o, const uint64_t *base)
{
	uint64_t n = 0, i, want = s->dram_pages / SIM_CHUNK_PAGES;
	uint32_t v, k, c;

	for (i = 0; i < base[s->nvms]; i++)
		if (o->acc[i])
			o->key[n++] = (o->acc[i] > UINT32_MAX ? UINT32_MAX : o->acc[i]) << 32 | i;
	if (n > want)
		select_top(o->key, n, want, &s->rng);
	for (i = 0; i < n && i < want; i++) {
		uint64_t g = o->key[i] & UINT32_MAX;

		for (v = 0; g >= base[v + 1]; v++)
			;
		c = (uint32_t)(g - base[v]);
		/* Free placement: no copy traffic; the last chunk may be partial. */
		k = s->vm[v].pages - c * SIM_CHUNK_PAGES;
		k = k < SIM_CHUNK_PAGES ? k : SIM_CHUNK_PAGES;
		memset(s->vm[v].loc + (size_t)c * SIM_CHUNK_PAGES, SIM_DRAM, k);
		s->vm[v].dram_pages += k;
	}
}

/*
 * The same oracle at 2 MiB chunk granularity: the bound for chunk-granular
 * policies (HMM-V, HeMem); the gap to the 4 KiB oracle is what granularity
 * costs on a workload.
 */
static void oracle2m_begin(struct sim *s, const struct ival *iv)
{
	struct oracle *o = s->priv;
	uint64_t base[TRACE_MAX_VMS + 1];
	uint32_t v, k;

	chunks_clear(s, base, o->acc);
	for (v = 0; v < s->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];

			o->acc[base[v] + r->page / SIM_CHUNK_PAGES] += (uint64_t)r->reads + r->writes;
		}
	chunks_place(s, o, base);
}

const struct sim_ops pol_oracle2m = {
	.name = "oracle-2m", .init = oracle_init, .begin = oracle2m_begin,
	.fini = oracle_fini,
};

/*
 * The 2 MiB oracle ranking chunks by what presence sampling sees instead
 * of their traffic: the number of their pages touched in the interval
 * (sim_seen_recs(): with a touch trace, cache hits included), known in
 * advance, every page watched, no lag. HMM-V's chunk mode ranks chunks by
 * the same measure, learnt by sampling (not a bound for it: its
 * hysteresis and residency may keep a chunk this ranking drops); where
 * this falls short of oracle-2m, the touches do not tell which chunks
 * carry the traffic (a page touched in the cache counts as much as one
 * missing every time).
 */
static void presence2m_begin(struct sim *s, const struct ival *iv)
{
	struct oracle *o = s->priv;
	uint64_t base[TRACE_MAX_VMS + 1];
	uint32_t v, k, n;

	chunks_clear(s, base, o->acc);
	for (v = 0; v < s->nvms; v++) {
		const struct trace_rec *rec = sim_seen_recs(iv, v, &n);

		for (k = 0; k < n; k++)
			if (sim_touches(s, iv, &rec[k]) > 0)
				o->acc[base[v] + rec[k].page / SIM_CHUNK_PAGES]++;
	}
	chunks_place(s, o, base);
}

const struct sim_ops pol_presence2m = {
	.name = "presence-2m", .init = oracle_init, .begin = presence2m_begin,
	.fini = oracle_fini,
};
