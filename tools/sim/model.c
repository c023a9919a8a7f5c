// SPDX-License-Identifier: GPL-2.0
/* Memory model: tier latency and bandwidth, mechanism costs, interval time. */
#include <errno.h>
#include <string.h>

#include "tools/sim/sim.h"

/*
 * Defaults and their sources (tools/sim/README.md, "Memory model").
 * - Latency: Izraelevitz et al., "Basic Performance Measurements of the
 *   Intel Optane DC Persistent Memory Module" (arXiv 1903.05714, 2019):
 *   idle random 64 B read ~81 ns local DRAM, ~305 ns Optane.
 * - Optane bandwidth, same paper: ~6.6 GB/s sequential read and ~2.3 GB/s
 *   write per DIMM; six DIMMs (one per channel of a 2nd gen. Xeon socket).
 * - Optane media granularity 256 B (Yang et al., "An Empirical Guide to
 *   the Behavior and Use of Scalable Persistent Memory", FAST'20, sec. 3):
 *   a random 64 B access costs a 256 B media access, so random 64 B
 *   traffic gets a quarter of the sequential bandwidth. DRAM and a CXL
 *   DRAM expander: 64 B.
 * - DRAM bandwidth: six DDR4-2666 channels are 128 GB/s peak; 100 GB/s
 *   read and 60 GB/s write sustained assumed (estimate).
 * - Loaded latency: idle latency x (1 + k u / (1 - u)) at utilisation u
 *   of the tier (u capped at 0.95), k = 0.5: 1.5x at u = 0.5, 3x at 0.8,
 *   the shape of published loaded-latency curves (Intel MLC; Yang et al.
 *   FAST'20 fig. 4 for Optane); an estimate, a flag (--load-k).
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
 *   access through 4 KiB second-level mappings (dirty logging's, or a
 *   chunk split by a 4 KiB migration: engine.c, sim_set_tier()).
 * - HMM-V sample window: 5 ms of each interval (zap, clear, harvest).
 * - Last-level cache 33 MiB: 1.375 MiB of L3 per core, 24 cores (a 2nd
 *   gen. Xeon Scalable socket); it changes only the traffic a meter would
 *   count (hotcopy.c), not the times.
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
	m->gran[SIM_DRAM] = 64;
	m->gran[SIM_NVM] = 256;
	m->load_k = 0.5;
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
	m->window_ms = POLICY_DEFAULT_WINDOW_MS;	/* the engine's (hmmv/policy.h) */
	m->llc_bytes = 33.0 * 1048576;
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
		m->gran[SIM_NVM] = 64;
		return 0;
	}
	return -EINVAL;
}

/* Device bytes of n 64 B transfers: random ones cost a media granule. */
static double media_bytes(const struct model *m, int tier, double n, int seq)
{
	return n * (seq || m->gran[tier] < SIM_LINE ? SIM_LINE : m->gran[tier]);
}

static void acct_rd(struct acct *a, const struct model *m, int tier, double n,
		    int seq)
{
	a->accesses += n;
	a->bytes[tier] += n * SIM_LINE;
	a->fills += n * SIM_LINE;
	a->lat_ns[tier] += n * m->lat_ns[tier];
	a->dev_rd[tier] += media_bytes(m, tier, n, seq);
	if (tier == SIM_DRAM)
		a->dram_acc += n;
}

/* Write-backs are posted: bandwidth, no latency. */
static void acct_wr(struct acct *a, const struct model *m, int tier, double n,
		    int seq)
{
	a->accesses += n;
	a->bytes[tier] += n * SIM_LINE;
	a->dev_wr[tier] += media_bytes(m, tier, n, seq);
	if (tier == SIM_DRAM)
		a->dram_acc += n;
}

/* n random 64 B reads or writes. */
void acct_read(struct acct *a, const struct model *m, int tier, double n)
{
	acct_rd(a, m, tier, n, 0);
}

void acct_write(struct acct *a, const struct model *m, int tier, double n)
{
	acct_wr(a, m, tier, n, 0);
}

/*
 * One trace record. The trace has page counts, not addresses: a page
 * whose reads (writes) are a whole number of 64-line passes is taken as
 * streamed through (sequential), any other count as random lines.
 */
void acct_rec(struct acct *a, const struct model *m, int tier,
	      const struct trace_rec *r)
{
	acct_rec_part(a, m, tier, r, 1);
}

/* The share frac of a record's accesses (those before or after a move). */
void acct_rec_part(struct acct *a, const struct model *m, int tier,
		   const struct trace_rec *r, double frac)
{
	const uint32_t lines = SIM_PAGE / SIM_LINE;

	if (r->reads)
		acct_rd(a, m, tier, r->reads * frac, r->reads % lines == 0);
	if (r->writes)
		acct_wr(a, m, tier, r->writes * frac, r->writes % lines == 0);
}

/*
 * A copy of bytes from tier 'from' to the other tier. As a meter behind a
 * write-allocate cache counts it, the source's lines are filled, but for
 * the @src_held bytes the cache held (resident.c), and the destination's
 * are filled before they are written back: the copy shows twice on that
 * side, but for the @dst_held bytes whose lines the cache held already
 * (hotcopy.c).
 */
void acct_copy(struct acct *a, int from, double bytes, double src_held, double dst_held)
{
	a->dev_rd[from] += bytes - src_held;
	a->dev_wr[!from] += bytes;
	a->bytes[from] += bytes - src_held;
	a->bytes[!from] += 2 * bytes - dst_held;
	a->migrated += bytes;
}

/* A copy onto tier @to streams at the slower of its read and write side. */
double model_copy_bw(const struct model *m, int to)
{
	return m->bw_rd[!to] < m->bw_wr[to] ? m->bw_rd[!to] : m->bw_wr[to];
}

/* Time at idle latency. */
double model_lat_time(const struct model *m, const struct acct *a)
{
	static const double idle[2] = { 0, 0 };

	return model_loaded_time(m, a, idle);
}

static double load_factor(const struct model *m, double u)
{
	u = u < 0.95 ? u : 0.95;
	return 1 + m->load_k * u / (1 - u);
}

/* Time with each tier's read latency raised by its utilisation util[t]. */
double model_loaded_time(const struct model *m, const struct acct *a,
			 const double *util)
{
	double lat = a->lat_ns[0] * load_factor(m, util[0]) +
		     a->lat_ns[1] * load_factor(m, util[1]);

	return (a->accesses * m->cpu_ns + lat / m->mlp + a->stall_ns) / m->vcpus;
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

/*
 * Loaded latency: the tiers' utilisation depends on the VMs' times and
 * the times on the latency; a few damped fixed-point steps settle it.
 */
static void loaded_times(const struct model *m, const struct acct *const *a,
			 uint32_t n, double *t)
{
	double util[2], t1;
	uint32_t i, it;
	int tier;

	for (i = 0; i < n; i++)
		t[i] = model_lat_time(m, a[i]);
	for (it = 0; it < 8; it++) {
		for (tier = 0; tier < 2; tier++) {
			util[tier] = 0;
			for (i = 0; i < n; i++)
				if (t[i] > 0)
					util[tier] += occupancy(m, a[i], tier) / t[i];
		}
		for (i = 0; i < n; i++) {
			t1 = model_loaded_time(m, a[i], util);
			t[i] = (t[i] + t1) / 2;
		}
	}
}

void model_interval_times(const struct model *m, const struct acct *const *a,
			  uint32_t n, double *t)
{
	double u[TRACE_MAX_VMS], s[TRACE_MAX_VMS], occ[TRACE_MAX_VMS];
	uint32_t i;
	int tier;

	loaded_times(m, a, n, t);
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
