// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the pool's global DRAM policy (hmmv/pool_policy.h). */
#include <errno.h>
#include <string.h>

#include "hmmv/pool_policy.h"
#include "tests/tap.h"

#define MiB (1ull << 20)

/* A VM of size bytes whose hot bytes sit in bucket hb, the rest idle. */
static void vm_init(struct pool_vm *v, uint64_t size, uint64_t hot, uint32_t hb,
		    uint64_t min)
{
	memset(v, 0, sizeof(*v));
	v->hist[hb] = hot;
	v->hist[0] = size - hot;
	v->max_bytes = size;
	v->min_bytes = min;
}

int main(void)
{
	struct pool_params pp;
	struct pool_vm v[4];
	uint64_t sum;
	int i;

	pool_params_default(&pp);
	tap_plan(17);

	/* Hot sets 16/32/64/128 MiB of 256 MiB VMs, 256 MiB of DRAM. */
	for (i = 0; i < 4; i++)
		vm_init(&v[i], 256 * MiB, (16 * MiB) << i, 14, 8 * MiB);
	tap_is(pool_policy_compute(&pp, 256 * MiB, v, 4), 0, "compute succeeds");
	for (i = 0, sum = 0; i < 4; i++)
		sum += v[i].quota;
	tap_ok(sum <= 256 * MiB, "quotas never exceed the budget");
	tap_ok(v[3].quota >= 128 * MiB && v[2].quota >= 64 * MiB &&
	       v[1].quota >= 32 * MiB && v[0].quota >= 16 * MiB,
	       "every hot set fits when the sum of hot sets does");
	tap_ok(sum >= 256 * MiB - 4 * pp.granule, "spare DRAM is handed out, not left idle");

	/* Hotter memory wins: VM 0 at bucket 16, VM 1 at bucket 10. */
	vm_init(&v[0], 256 * MiB, 200 * MiB, 16, 8 * MiB);
	vm_init(&v[1], 256 * MiB, 200 * MiB, 10, 8 * MiB);
	v[0].quota = v[1].quota = 0;
	pool_policy_compute(&pp, 256 * MiB, v, 2);
	tap_ok(v[0].quota >= 200 * MiB && v[1].quota >= 8 * MiB &&
	       v[0].quota + v[1].quota <= 256 * MiB,
	       "the hotter VM's hot set is served first");
	tap_ok(v[1].quota >= 8 * MiB, "minimum honoured for the colder VM");

	/*
	 * Hysteresis: a small change in demand does not move quotas. Hot
	 * sets of 40 and 100 MiB alike hot, 128 MiB of DRAM: 40 and 88.
	 */
	vm_init(&v[0], 256 * MiB, 40 * MiB, 14, 0);
	vm_init(&v[1], 256 * MiB, 100 * MiB, 14, 0);
	v[0].quota = v[1].quota = 64 * MiB;
	pool_policy_compute(&pp, 128 * MiB, v, 2);
	tap_ok(v[0].quota == 40 * MiB && v[1].quota == 88 * MiB,
	       "a hot set that fits is met, the other gets the rest: %llu, %llu MiB",
	       (unsigned long long)(v[0].quota / MiB), (unsigned long long)(v[1].quota / MiB));
	sum = v[0].quota;
	v[0].hist[14] += 2 * MiB;
	v[0].hist[0] -= 2 * MiB;
	pool_policy_compute(&pp, 128 * MiB, v, 2);
	tap_is(v[0].quota, sum, "a 2 MiB shift in demand leaves quotas alone");
	v[0].hist[14] += 20 * MiB;
	v[0].hist[0] -= 20 * MiB;
	pool_policy_compute(&pp, 128 * MiB, v, 2);
	tap_ok(v[0].quota == 62 * MiB, "a large shift moves DRAM: %llu MiB",
	       (unsigned long long)(v[0].quota / MiB));
	v[0].quota = 64 * MiB + MiB / 2;
	v[1].quota = 64 * MiB - MiB / 2;
	pool_policy_compute(&pp, 128 * MiB, v, 2);
	tap_ok(v[0].quota == 62 * MiB,
	       "a grant off the granules (a first, even split) moves whatever the hysteresis");

	/*
	 * Four 32 MiB VMs at 4.5 MiB each, 18 MiB in all; hot sets of 2, 4,
	 * 8 and 18 MiB in one bucket, more than the pool: shared max-min
	 * fairly (their heat per byte is not known to differ, and a smaller
	 * set alike hot in a bucket is the denser one when temperatures
	 * saturate): VM 0 its 2 MiB, VM 1 its 4, VMs 2 and 3 6 each.
	 */
	for (i = 0; i < 4; i++) {
		vm_init(&v[i], 32 * MiB, (2 * MiB) << i, 19, 0);
		v[i].quota = 4 * MiB + MiB / 2;
	}
	v[3].hist[19] = 18 * MiB;
	v[3].hist[0] = 14 * MiB;
	pool_policy_compute(&pp, 18 * MiB, v, 4);
	for (i = 0, sum = 0; i < 4; i++)
		sum += v[i].quota;
	tap_ok(sum == 18 * MiB, "no DRAM idle: %llu MiB of 18 granted",
	       (unsigned long long)(sum / MiB));
	tap_ok(v[0].quota == 2 * MiB, "the smallest hot set gets what it wants, no more: %llu KiB",
	       (unsigned long long)(v[0].quota >> 10));
	tap_ok(v[1].quota == 4 * MiB && v[2].quota + v[3].quota == 12 * MiB &&
	       v[2].quota >= 4 * MiB && v[3].quota >= 4 * MiB,
	       "the larger demands share the rest alike: %llu, %llu, %llu MiB",
	       (unsigned long long)(v[1].quota / MiB), (unsigned long long)(v[2].quota / MiB),
	       (unsigned long long)(v[3].quota / MiB));

	/*
	 * Three alike demands of 16 MiB in 10 MiB: 3.3 MiB each, to granules
	 * by largest remainder (4, 4 and 2, not 2 each and 4 idle). VM 2's
	 * 2 MiB is within the hysteresis of its grant of 0, which it keeps;
	 * the DRAM that leaves idle goes to it all the same.
	 */
	for (i = 0; i < 3; i++) {
		vm_init(&v[i], 32 * MiB, 16 * MiB, 19, 0);
		v[i].quota = 0;
	}
	pool_policy_compute(&pp, 10 * MiB, v, 3);
	tap_ok(v[0].quota == 4 * MiB && v[1].quota == 4 * MiB,
	       "a share of 1.7 granules is not rounded away: %llu, %llu MiB",
	       (unsigned long long)(v[0].quota / MiB), (unsigned long long)(v[1].quota / MiB));
	tap_ok(v[2].quota == 2 * MiB, "hysteresis leaves no DRAM idle: VM 2 %llu MiB",
	       (unsigned long long)(v[2].quota / MiB));

	vm_init(&v[0], 256 * MiB, 0, 14, 200 * MiB);
	vm_init(&v[1], 256 * MiB, 0, 14, 200 * MiB);
	tap_is(pool_policy_compute(&pp, 256 * MiB, v, 2), -EINVAL, "minimums above the budget refused");
	tap_is(pool_policy_compute(&pp, 256 * MiB, v, 0), -EINVAL, "no VMs refused");
	return tap_done(1);
}
