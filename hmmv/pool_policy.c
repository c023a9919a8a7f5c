// SPDX-License-Identifier: GPL-2.0
/* Pool global policy: DRAM quotas across VMs from temperature histograms. */
#include <errno.h>
#include <stdlib.h>

#include "hmmv/pool_policy.h"

/*
 * 2 MiB granule (one chunk); a grant moves only by >= 4 MiB or 5%, or when
 * it is off the granules.
 */
void pool_params_default(struct pool_params *pp)
{
	pp->granule = 2ull << 20;
	pp->hyst_bytes = 4ull << 20;
	pp->hyst_pct = 5;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Bytes of vm at or above bucket b, at least its minimum, at most its size. */
static uint64_t want_at(const struct pool_vm *v, uint32_t b)
{
	uint64_t hot = 0;
	uint32_t k;

	for (k = b; k < POLICY_BUCKETS; k++)
		hot += v->hist[k];
	return min64(max64(hot, v->min_bytes), v->max_bytes);
}

static uint64_t sum_want(const struct pool_vm *vms, uint32_t n, uint32_t b)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		s += want_at(&vms[i], b);
	return s;
}

/* Shares extra among VMs in proportion to weight[i], capped by weight[i]. */
static void share(uint64_t *q, const uint64_t *weight, uint32_t n, uint64_t extra)
{
	uint64_t tot = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		tot += weight[i];
	if (!tot)
		return;
	for (i = 0; i < n; i++) {
		unsigned __int128 part = (unsigned __int128)extra * weight[i] / tot;

		q[i] += min64((uint64_t)part, weight[i]);
	}
}

static uint64_t sum_capped(const uint64_t *want, uint32_t n, uint64_t level)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = min64(want[i], level);

		if (s > UINT64_MAX - x)
			return UINT64_MAX;	/* saturates: still ordered */
		s += x;
	}
	return s;
}

/*
 * Shares extra among VMs max-min fairly (water filling): each gets the
 * same level, or what it wants where that is less.
 */
static void share_fair(uint64_t *q, const uint64_t *want, uint32_t n, uint64_t extra)
{
	uint64_t lo = 0, hi = 0, mid;
	uint32_t i;

	for (i = 0; i < n; i++)
		hi = max64(hi, want[i]);
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (sum_capped(want, n, mid) <= extra)
			lo = mid;
		else
			hi = mid - 1;
	}
	for (i = 0; i < n; i++)
		q[i] += min64(want[i], lo);
}

/* Whether vm keeps its current grant instead of moving to q. */
static int keeps(const struct pool_params *pp, const struct pool_vm *v, uint64_t q)
{
	uint64_t d = q > v->quota ? q - v->quota : v->quota - q;
	uint64_t lim = max64(pp->hyst_bytes, v->quota / 100 * pp->hyst_pct);

	return d < lim && v->quota >= v->min_bytes && v->quota <= v->max_bytes &&
	       v->quota % pp->granule == 0;
}

/* Small changes are not made, unless keeping them would overcommit. */
static void apply_hysteresis(const struct pool_params *pp, uint64_t total,
			     struct pool_vm *vms, uint32_t n, const uint64_t *q)
{
	uint64_t kept = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		kept += keeps(pp, &vms[i], q[i]) ? vms[i].quota : q[i];
	for (i = 0; i < n; i++)
		if (kept > total || !keeps(pp, &vms[i], q[i]))
			vms[i].quota = q[i];
}

/*
 * To whole granules by largest remainder: each VM rounded down (never
 * below its minimum), then the granules that frees go to the largest
 * remainders, so that a VM's share of 1.2 granules is not always lost.
 * rem is scratch.
 */
static void round_granules(const struct pool_params *pp, uint64_t total,
			   const struct pool_vm *vms, uint32_t n, uint64_t *q,
			   uint64_t *rem)
{
	uint64_t used = 0, r;
	uint32_t i, k;

	for (i = 0; i < n; i++) {
		r = q[i] / pp->granule * pp->granule;
		rem[i] = r >= vms[i].min_bytes ? q[i] - r : 0;
		q[i] -= rem[i];
		used += q[i];
	}
	for (;;) {
		for (i = 0, k = n; i < n; i++)
			if (rem[i] && (k == n || rem[i] > rem[k]))
				k = i;
		if (k == n || used + pp->granule > total)
			return;
		rem[k] = 0;
		if (q[k] + pp->granule > vms[k].max_bytes)
			continue;
		q[k] += pp->granule;
		used += pp->granule;
	}
}

/* What hysteresis left idle goes to the VMs it held below their target. */
static void fill_idle(uint64_t total, struct pool_vm *vms, uint32_t n,
		      const uint64_t *q)
{
	uint64_t held = 0, give;
	uint32_t i;

	for (i = 0; i < n; i++)
		held += vms[i].quota;
	for (i = 0; i < n && held < total; i++) {
		if (vms[i].quota >= q[i])
			continue;
		give = min64(q[i] - vms[i].quota, total - held);
		vms[i].quota += give;
		held += give;
	}
}

int pool_policy_compute(const struct pool_params *pp, uint64_t total,
			struct pool_vm *vms, uint32_t n)
{
	uint64_t *q, *w, mins = 0, used = 0;
	uint32_t b, i;

	if (!pp || !vms || !n || n > 4096 || !pp->granule)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (vms[i].min_bytes > vms[i].max_bytes)
			return -EINVAL;
		mins += vms[i].min_bytes;
	}
	if (mins > total)
		return -EINVAL;
	q = calloc(2 * (size_t)n, sizeof(*q));
	if (!q)
		return -ENOMEM;
	w = q + n;
	/* Lowest bucket (>= 1: idle memory is no claim) whose demand fits. */
	for (b = POLICY_BUCKETS - 1; b > 1 && sum_want(vms, n, b - 1) <= total; b--)
		;
	if (sum_want(vms, n, b) > total)
		b = POLICY_BUCKETS;	/* even the hottest bucket overflows */
	for (i = 0; i < n; i++) {
		q[i] = want_at(&vms[i], b);
		used += q[i];
	}
	/* The boundary bucket, shared max-min fairly. */
	if (b > 1) {
		for (i = 0; i < n; i++)
			w[i] = want_at(&vms[i], b - 1) - q[i];
		share_fair(q, w, n, total - used);
	}
	used = 0;
	for (i = 0; i < n; i++)
		used += q[i];
	/* Left over: cold memory in DRAM still beats cold memory elsewhere. */
	for (i = 0; i < n; i++)
		w[i] = vms[i].max_bytes - q[i];
	share(q, w, n, total - used);
	round_granules(pp, total, vms, n, q, w);
	apply_hysteresis(pp, total, vms, n, q);
	fill_idle(total, vms, n, q);
	free(q);
	return 0;
}
