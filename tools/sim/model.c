// SPDX-License-Identifier: GPL-2.0
/* Memory model: tier latency and bandwidth, mechanism costs, interval time. */
#include <errno.h>
#include <string.h>

#include "tools/sim/sim.h"

/*
 * Defaults and their sources.
 * - Latency: Izraelevitz et al., "Basic Performance Measurements of the
 *   Intel Optane DC Persistent Memory Module" (2019): random 64 B read
 *   ~81 ns local DRAM, ~305 ns Optane.
 * - Optane bandwidth, same paper: ~6.6 GB/s read and ~2.3 GB/s write per
 *   DIMM; six DIMMs (one per channel of a 2nd gen. Xeon socket).
 * - DRAM bandwidth: six DDR4-2666 channels are 128 GB/s peak; 100 GB/s
 *   read and 60 GB/s write sustained assumed.
 * - Core: 20 ns of work per memory access and 2 misses in flight per vCPU
 *   (random updates with some dependency), 2 vCPUs per VM. These set the
 *   share of time memory latency takes, hence every slowdown: flags.
 * - Mechanisms (estimates, order of magnitude; all flags): EPT violation or
 *   NUMA hint fault round trip 1 us; PML dirty logging 20 ns per newly
 *   written page (hardware log, an exit per 512 entries); zap of a sampled
 *   chunk with its TLB shootdown 5 us; remap of a 2 MiB chunk (MAP_FIXED,
 *   MMU-notifier invalidation, refault) 20 us; pausing and resuming all
 *   vCPUs 50 us per batch; one base-page migrate_pages() (unmap, shootdown,
 *   copy, remap) 5 us; a PEBS assist 200 ns; 2 ns extra nested walk per
 *   access while dirty logging keeps 4 KiB second-level mappings.
 * - HMM-V sample window: 5 ms of each interval (zap, clear, harvest).
 */
void model_default(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->lat_ns[SIM_DRAM] = 81;
	m->lat_ns[SIM_NVM] = 305;
	m->bw_rd[SIM_DRAM] = 100;
	m->bw_wr[SIM_DRAM] = 60;
	m->bw_rd[SIM_NVM] = 6 * 6.6;
	m->bw_wr[SIM_NVM] = 6 * 2.3;
	m->cpu_ns = 20;
	m->mlp = 2;
	m->vcpus = 2;
	m->fault_ns = 1000;
	m->pml_ns = 20;
	m->zap_ns = 5000;
	m->remap_ns = 20000;
	m->pause_ns = 50000;
	m->migrate_4k_ns = 5000;
	m->pebs_ns = 200;
	m->ept_split_ns = 2;
	m->window_ms = 5;
}

/*
 * "optane": the defaults. "cxl": a CXL memory expander, +80 ns over local
 * DRAM (the 70-90 ns range reported for one-hop CXL.mem devices) and one
 * x8 CXL 1.1/2.0 link, ~32 GB/s per direction at 32 GT/s, taken as 25 GB/s
 * read and 25 GB/s write sustained; reads and writes are symmetric there.
 */
int model_preset(struct model *m, const char *name)
{
	model_default(m);
	if (!strcmp(name, "optane"))
		return 0;
	if (!strcmp(name, "cxl")) {
		m->lat_ns[SIM_NVM] = m->lat_ns[SIM_DRAM] + 80;
		m->bw_rd[SIM_NVM] = 25;
		m->bw_wr[SIM_NVM] = 25;
		return 0;
	}
	return -EINVAL;
}

void acct_read(struct acct *a, const struct model *m, int tier, double n)
{
	a->accesses += n;
	a->lat_ns += n * m->lat_ns[tier];
	a->dev_rd[tier] += n * SIM_LINE;
	if (tier == SIM_DRAM)
		a->dram_acc += n;
}

/* Write-backs are posted: bandwidth, no latency. */
void acct_write(struct acct *a, const struct model *m, int tier, double n)
{
	a->accesses += n;
	a->dev_wr[tier] += n * SIM_LINE;
	if (tier == SIM_DRAM)
		a->dram_acc += n;
}

/* A copy of bytes from tier 'from' to the other tier. */
void acct_copy(struct acct *a, int from, double bytes)
{
	a->dev_rd[from] += bytes;
	a->dev_wr[!from] += bytes;
	a->migrated += bytes;
}

double model_lat_time(const struct model *m, const struct acct *a)
{
	return (a->accesses * m->cpu_ns + a->lat_ns / m->mlp + a->stall_ns) /
	       m->vcpus;
}

static double occupancy(const struct model *m, const struct acct *a, int t)
{
	return a->dev_rd[t] / m->bw_rd[t] + a->dev_wr[t] / m->bw_wr[t];
}

/*
 * Max-min fair share of one device: VM i would use u[i] of it running at
 * its latency-bound speed; returns the shares in s[] (sum <= 1).
 */
static void waterfill(const double *u, uint32_t n, double *s)
{
	double left = 1;
	uint32_t i, open = 0, done[TRACE_MAX_VMS] = { 0 };

	for (i = 0; i < n; i++) {
		s[i] = 0;
		open += u[i] > 0;
		done[i] = u[i] <= 0;
	}
	while (open && left > 1e-12) {
		double fair = left / open, minu = 1e300;

		for (i = 0; i < n; i++)
			if (!done[i] && u[i] - s[i] < minu)
				minu = u[i] - s[i];
		if (minu > fair)
			minu = fair;
		for (i = 0; i < n; i++) {
			if (done[i])
				continue;
			s[i] += minu;
			left -= minu;
			if (u[i] - s[i] <= 1e-15) {
				done[i] = 1;
				open--;
			}
		}
		if (minu == fair)
			break;
	}
}

void model_interval_times(const struct model *m, const struct acct *const *a,
			  uint32_t n, double *t)
{
	double u[TRACE_MAX_VMS], s[TRACE_MAX_VMS], occ[TRACE_MAX_VMS];
	uint32_t i;
	int tier;

	for (i = 0; i < n; i++)
		t[i] = model_lat_time(m, a[i]);
	for (tier = 0; tier < 2; tier++) {
		double sum = 0;

		for (i = 0; i < n; i++) {
			occ[i] = occupancy(m, a[i], tier);
			u[i] = t[i] > 0 ? occ[i] / t[i] : (occ[i] > 0 ? 1e300 : 0);
			sum += u[i];
		}
		if (sum <= 1)
			continue;	/* the device keeps up with everyone */
		waterfill(u, n, s);
		for (i = 0; i < n; i++)
			if (occ[i] > 0 && s[i] > 0 && occ[i] / s[i] > t[i])
				t[i] = occ[i] / s[i];
	}
}
