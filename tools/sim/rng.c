// SPDX-License-Identifier: GPL-2.0
/* Deterministic random numbers for the simulator (splitmix64). */
#include <math.h>

#include "tools/sim/sim.h"

uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double rng_u01(uint64_t *s)
{
	return (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

int rng_bernoulli(uint64_t *s, double p)
{
	return rng_u01(s) < p;
}

/* Knuth below 30, a rounded normal approximation above. */
uint32_t rng_poisson(uint64_t *s, double lambda)
{
	double l, p, u1, u2, g, x;
	uint32_t k;

	if (lambda <= 0)
		return 0;
	if (lambda < 30) {
		l = exp(-lambda);
		p = 1;
		k = 0;
		do {
			k++;
			p *= rng_u01(s);
		} while (p > l);
		return k - 1;
	}
	u1 = rng_u01(s);
	u2 = rng_u01(s);
	g = sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2);
	x = lambda + sqrt(lambda) * g + 0.5;
	return x < 0 ? 0 : x > 4e9 ? 4000000000u : (uint32_t)x;
}
