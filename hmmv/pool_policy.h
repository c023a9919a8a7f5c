/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pool global policy: splits one host DRAM budget among VMs.
 *
 * Pure function of the VMs' temperature histograms (bytes per log2 bucket,
 * from policy_histogram()), their minimums and sizes. The hottest memory
 * host-wide gets DRAM: the pool lowers a global bucket threshold until the
 * bytes at or above it (and every VM's minimum) fill the budget; the
 * boundary bucket is shared max-min fairly (each VM the same, or what it
 * wants where that is less: alike hot memory of one bucket is no claim
 * to more by being larger, and a small set in the same bucket as a large
 * one is the denser when temperatures saturate); DRAM nobody's hot
 * memory needs goes to the VMs' coldest memory in proportion to size (DRAM
 * left idle helps nobody). Quotas are rounded down to a granule, and a
 * change smaller than the hysteresis is not made, so quotas do not flap
 * (a grant off the granules, a first even split, always moves).
 */
#ifndef HMMV_POOL_POLICY_H
#define HMMV_POOL_POLICY_H

#include <stdint.h>

#include "hmmv/policy.h"

struct pool_vm {
	uint64_t hist[POLICY_BUCKETS];	/* in: bytes per temperature bucket */
	uint64_t min_bytes;		/* in: guaranteed DRAM */
	uint64_t max_bytes;		/* in: VM size, the most it can use */
	uint64_t quota;			/* in: current grant; out: new grant */
};

struct pool_params {
	uint64_t granule;		/* quotas are multiples of this (chunk) */
	uint64_t hyst_bytes;		/* ignore changes below this ... */
	uint32_t hyst_pct;		/* ... or below this % of the grant */
};

void pool_params_default(struct pool_params *pp);
/*
 * Recomputes every vms[i].quota; the sum never exceeds total.
 * -EINVAL: no VMs, zero granule, a minimum above the VM's size, or the
 * minimums summing above total.
 */
int pool_policy_compute(const struct pool_params *pp, uint64_t total,
			struct pool_vm *vms, uint32_t n);

#endif
