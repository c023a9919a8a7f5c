// SPDX-License-Identifier: GPL-2.0
/*
 * Linux NUMA balancing in memory tiering mode (numa_balancing=2, as in
 * 6.1), acting on the VMs' memory from the host:
 * - the scanner (task_numa_work) makes scan_size MB of each VM's address
 *   space PROT_NONE every scan period, skipping pages already on the top
 *   tier (change_prot_numa in tiering mode);
 * - the first touch of a scanned slow-tier page takes a NUMA hint fault;
 *   the page is promoted in the fault path when the fault comes within
 *   the hot threshold of the scan (numa_hint_fault_latency), under the
 *   promotion rate limit, and only if the DRAM node has free pages above
 *   its watermark (migrate_balanced_pgdat); otherwise kswapd is woken;
 * - kswapd, woken by failed promotions, demotes the least recently used
 *   DRAM pages to the slow tier (demotion instead of reclaim). It runs
 *   concurrently, so here it frees a page as soon as a promotion needs
 *   one. Its LRU is modelled better than the kernel keeps it: by last
 *   access interval, then fewest accesses in that interval.
 * 4 KiB pages; initial placement first-touch.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

#define AGE_MAX 255

#define KEYS ((AGE_MAX + 1) * 32)

struct nb_vm {
	uint32_t *scanned;	/* interval + 1 of the scan, 0: not armed */
	uint32_t *last;		/* last interval with an access */
	uint32_t *cnt;		/* accesses in that interval */
	uint64_t cursor;
};

struct nb {
	struct nb_vm v[TRACE_MAX_VMS];
	uint32_t period, threshold;	/* in intervals */
	uint64_t scan_pages, rate_bytes, wmark_high;
	uint64_t promo_bytes;
	uint64_t *lru;		/* DRAM pages, coldest first: vm << 32 | page */
	uint64_t nlru, next;
	uint64_t *keyn;		/* counting sort scratch */
};

/* A period in intervals: 1 .. 2^31, whatever the trace's interval_ns. */
static uint32_t at_least1(double x)
{
	return x < 1 ? 1 : x > 0x1p31 ? 1u << 31 : (uint32_t)(x + 0.5);
}

static int nb_init(struct sim *s)
{
	struct nb *nb = calloc(1, sizeof(*nb));
	double ims = s->interval_ns / 1e6, rate;
	uint32_t i;

	if (!nb)
		return -ENOMEM;
	s->priv = nb;
	for (i = 0; i < s->nvms; i++) {
		nb->v[i].scanned = calloc(s->vm[i].pages, sizeof(uint32_t));
		nb->v[i].last = calloc(s->vm[i].pages, sizeof(uint32_t));
		nb->v[i].cnt = calloc(s->vm[i].pages, sizeof(uint32_t));
		if (!nb->v[i].scanned || !nb->v[i].last || !nb->v[i].cnt)
			return -ENOMEM;
		nb->nlru += s->vm[i].pages;
	}
	nb->lru = malloc(nb->nlru * sizeof(uint64_t));
	nb->keyn = malloc((KEYS + 1) * sizeof(uint64_t));
	if (!nb->lru || !nb->keyn)
		return -ENOMEM;
	nb->nlru = 0;
	nb->period = at_least1(s->pp->nb_scan_period_ms / ims);
	nb->threshold = at_least1(s->pp->nb_hot_threshold_ms / ims);
	nb->scan_pages = (uint64_t)(s->pp->nb_scan_size_mb * 256);
	rate = s->pp->nb_rate_limit_mbps * 1048576.0 * ims / 1000;
	nb->rate_bytes = rate < 0x1p62 ? (uint64_t)rate : 1ull << 62;
	/* min/low/high watermarks are ~0.1% apart (watermark_scale_factor 10). */
	nb->wmark_high = 2 * (s->dram_pages / 1000 + 1);
	sim_place_first_touch(s);
	return 0;
}

static void nb_fini(struct sim *s)
{
	struct nb *nb = s->priv;
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		free(nb->v[i].scanned);
		free(nb->v[i].last);
		free(nb->v[i].cnt);
	}
	free(nb->lru);
	free(nb->keyn);
	free(nb);
	s->priv = NULL;
}

static int nb_demote_one(struct sim *s, struct nb *nb);

/* A hint fault on a slow page: promote it if the kernel would. */
static int nb_fault(struct sim *s, struct nb *nb, uint32_t vm, uint32_t page)
{
	struct simvm *v = &s->vm[vm];
	uint32_t since = s->now - (nb->v[vm].scanned[page] - 1);

	nb->v[vm].scanned[page] = 0;
	v->a.stall_ns += s->m->fault_ns;
	v->a.track_ns += s->m->fault_ns;
	if (since > nb->threshold)
		return 0;
	if (nb->promo_bytes + SIM_PAGE > nb->rate_bytes)
		return 0;
	if (sim_dram_free(s) <= nb->wmark_high && !nb_demote_one(s, nb))
		return 0;
	sim_set_tier(s, vm, page, 1, SIM_DRAM);
	nb->promo_bytes += SIM_PAGE;
	v->a.stall_ns += s->m->migrate_4k_ns;
	v->a.mig_ns += s->m->migrate_4k_ns;
	return 1;
}

/* One record; the faulting access of a promoted page went to the slow tier. */
static void nb_record(struct sim *s, struct nb *nb, uint32_t vm,
		      const struct trace_rec *r, double *rd, double *wr)
{
	struct simvm *v = &s->vm[vm];
	uint32_t p = r->page;

	nb->v[vm].last[p] = s->now;
	nb->v[vm].cnt[p] = r->reads + r->writes;
	if (v->loc[p] == SIM_NVM && nb->v[vm].scanned[p] && nb_fault(s, nb, vm, p)) {
		if (r->reads) {
			rd[SIM_NVM] += 1;
			rd[SIM_DRAM] += r->reads - 1;
			wr[SIM_DRAM] += r->writes;
		} else {
			wr[SIM_NVM] += 1;
			wr[SIM_DRAM] += r->writes - 1;
		}
		return;
	}
	rd[v->loc[p]] += r->reads;
	wr[v->loc[p]] += r->writes;
}

/* VMs run concurrently: their records are interleaved in 1/256 slices. */
static void nb_account(struct sim *s, const struct ival *iv)
{
	struct nb *nb = s->priv;
	double rd[TRACE_MAX_VMS][2] = { { 0 } }, wr[TRACE_MAX_VMS][2] = { { 0 } };
	uint32_t i, k, j;

	nb->promo_bytes = 0;
	for (j = 0; j < 256; j++)
		for (i = 0; i < iv->nvms; i++) {
			uint32_t lo = (uint32_t)((uint64_t)iv->n[i] * j / 256);
			uint32_t hi = (uint32_t)((uint64_t)iv->n[i] * (j + 1) / 256);

			for (k = lo; k < hi; k++)
				nb_record(s, nb, i, &iv->rec[i][k], rd[i], wr[i]);
		}
	for (i = 0; i < iv->nvms; i++)
		for (k = 0; k < 2; k++) {
			acct_read(&s->vm[i].a, s->m, k, rd[i][k]);
			acct_write(&s->vm[i].a, s->m, k, wr[i][k]);
		}
}

static uint32_t lru_key(const struct sim *s, const struct nb *nb, uint32_t vm,
			uint32_t p)
{
	uint32_t age = s->now - nb->v[vm].last[p], c = nb->v[vm].cnt[p], lg = 0;

	while (c > 1 && lg < 31) {
		c >>= 1;
		lg++;
	}
	/* Larger key: older, then fewer accesses. */
	return (age > AGE_MAX ? AGE_MAX : age) * 32 + (31 - lg);
}

/* Orders DRAM pages coldest first at the start of the interval (O(n)). */
static void nb_build_lru(struct sim *s, struct nb *nb)
{
	uint64_t pos = 0, t;
	uint32_t i, p, k;

	memset(nb->keyn, 0, (KEYS + 1) * sizeof(uint64_t));
	for (i = 0; i < s->nvms; i++)
		for (p = 0; p < s->vm[i].pages; p++)
			if (s->vm[i].loc[p] == SIM_DRAM)
				nb->keyn[lru_key(s, nb, i, p)]++;
	for (k = KEYS; k-- > 0;) {
		t = nb->keyn[k];
		nb->keyn[k] = pos;
		pos += t;
	}
	for (i = 0; i < s->nvms; i++)
		for (p = 0; p < s->vm[i].pages; p++)
			if (s->vm[i].loc[p] == SIM_DRAM)
				nb->lru[nb->keyn[lru_key(s, nb, i, p)]++] =
					(uint64_t)i << 32 | p;
	nb->nlru = pos;
	nb->next = 0;
}

/* kswapd demotes the least recently used DRAM page; 0 if none is left. */
static int nb_demote_one(struct sim *s, struct nb *nb)
{
	while (nb->next < nb->nlru) {
		uint64_t e = nb->lru[nb->next++];
		uint32_t vm = (uint32_t)(e >> 32), p = (uint32_t)e;

		if (s->vm[vm].loc[p] != SIM_DRAM)
			continue;
		sim_set_tier(s, vm, p, 1, SIM_NVM);
		/* Unmapping costs the vCPUs a shootdown per batch of 32 pages. */
		s->vm[vm].a.stall_ns += s->m->fault_ns / 32;
		s->vm[vm].a.mig_ns += s->m->fault_ns / 32;
		return 1;
	}
	return 0;
}

static void nb_scan(struct sim *s, struct nb *nb)
{
	uint32_t i;
	uint64_t k;

	if (s->now < nb->period || s->now % nb->period)
		return;	/* numa_balancing_scan_delay_ms, then every period */
	for (i = 0; i < s->nvms; i++) {
		struct simvm *v = &s->vm[i];
		uint64_t n = nb->scan_pages < v->pages ? nb->scan_pages : v->pages;

		for (k = 0; k < n; k++) {
			uint32_t p = (uint32_t)((nb->v[i].cursor + k) % v->pages);

			if (v->loc[p] == SIM_NVM)
				nb->v[i].scanned[p] = s->now + 1;
		}
		nb->v[i].cursor += n;
		v->a.stall_ns += n * s->pp->nb_scan_ns;
		v->a.track_ns += n * s->pp->nb_scan_ns;
	}
}

static void nb_begin(struct sim *s, const struct ival *iv)
{
	nb_build_lru(s, s->priv);
}

static void nb_end(struct sim *s, const struct ival *iv)
{
	nb_scan(s, s->priv);
}

const struct sim_ops pol_numa = {
	.name = "numa-balancing", .init = nb_init, .begin = nb_begin,
	.account = nb_account,
	.end = nb_end, .fini = nb_fini,
};
