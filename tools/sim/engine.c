// SPDX-License-Identifier: GPL-2.0
/* Simulator engine: one policy instance stepping through intervals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

const struct sim_ops *const sim_policies[] = {
	&pol_alldram, &pol_allslow, &pol_static, &pol_numa, &pol_mm,
	&pol_hemem, &pol_memtis, &pol_oracle, &pol_oracle2m, &pol_presence2m,
	&pol_hmmv, &pol_hmmv4k, NULL,
};

const struct sim_ops *sim_find_policy(const char *name)
{
	int i;

	for (i = 0; sim_policies[i]; i++)
		if (!strcmp(sim_policies[i]->name, name))
			return sim_policies[i];
	return strcmp(name, pol_sched.name) ? NULL : &pol_sched;
}

/*
 * Baseline parameters, each from the system's documented defaults:
 * - Linux NUMA balancing, memory tiering mode (numa_balancing=2, 6.1):
 *   numa_balancing_scan_period_min_ms 1000 (the scanner kept at its most
 *   aggressive period), numa_balancing_scan_size_mb 256,
 *   numa_balancing_hot_threshold_ms 1000 (promote when the hint fault
 *   comes within 1 s of the scan), numa_balancing_promote_rate_limit_MBps
 *   as the kernel documentation recommends for tiering: below 1/10 of the
 *   slow tier's write bandwidth (0 here: derived from the model; 1380 MB/s
 *   for six Optane DIMMs); scan_period_max 60 s (the threshold adjustment
 *   period); 10 ns per PTE scanned (change_prot_numa, charged to the task);
 *   vm.watermark_scale_factor 1000 (10% of DRAM between watermarks, kernel
 *   default 10): the strongest setting in make sweep (+8%), so kswapd
 *   makes room for promotions in bigger steps; then, by the same rule,
 *   numa_balancing_hot_threshold_ms 3 (default 1000) together with
 *   numa_balancing_scan_period_min_ms 100 (default 1000): +26% over
 *   those defaults in make sweep's cells (10 ms / 250 ms: +17%).
 * - HeMem (SOSP'21, its pebs.h): SAMPLE_PERIOD 5003, HOT_READ_THRESHOLD 8,
 *   HOT_WRITE_THRESHOLD 4, PEBS_COOLING_THRESHOLD 18, migration every
 *   10 ms at up to 10 GB/s (PEBS_KSWAPD_MIGRATE_RATE), 2 MiB pages.
 * - MEMTIS (SOSP'23, its sysfs defaults): htmm_sample_period 199,
 *   htmm_cooling_period 2000000 samples, htmm_adaptation_period 100000
 *   samples, 2048 MB/s migration cap; kmigrated every 100 ms instead of
 *   its 500 ms default: the stronger setting in make sweep (+7%);
 *   modelled at 4 KiB (as if every huge page were split).
 * - Pool: a round every 10 intervals (1 s), 16 MiB minimum per VM.
 */
void pol_params_default(struct pol_params *pp)
{
	memset(pp, 0, sizeof(*pp));
	policy_params_default(&pp->hmmv);
	policy_params_pages(&pp->hmmv4k);
	pp->hmmv_track_pct = POLICY_TRACK_PCT;
	pp->hmmv4k_track_pct = POLICY_TRACK_PCT;
	pp->hmmv_log_off = 1;
	pp->pool_period = 10;
	pp->pool_min_bytes = 0;	/* hmmv run --dram-min's default */
	pp->nb_scan_period_ms = 100;
	pp->nb_scan_size_mb = 256;
	pp->nb_hot_threshold_ms = 3;
	pp->nb_rate_limit_mbps = 0;
	pp->nb_scan_ns = 10;
	pp->nb_scan_period_max_ms = 60000;
	pp->nb_wmark_scale = 1000;
	pp->hemem_period = 5003;
	pp->hemem_cool = 18;
	pp->hemem_hot_rd = 8;
	pp->hemem_hot_wr = 4;
	pp->hemem_rate_gbps = 10;
	pp->hemem_tick_ms = 10;
	pp->memtis_period = 199;
	pp->memtis_cooling = 2000000;
	pp->memtis_adapt = 100000;
	pp->memtis_mig_ms = 100;
	pp->memtis_rate_mbps = 2048;
}

int sim_create(struct sim *s, const struct sim_ops *ops, const struct model *m,
	       const struct pol_params *pp, const struct trace_hdr *h,
	       uint64_t dram_pages, uint64_t seed, uint32_t max_intervals)
{
	uint32_t i;
	int r;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->m = m;
	s->pp = pp;
	s->nvms = h->nvms;
	s->dram_pages = dram_pages;
	s->dram_cap = dram_pages;
	s->interval_ns = h->interval_ns;
	s->trace_flags = h->flags;
	s->rng = seed * 0x9e3779b97f4a7c15ull + 7;
	for (i = 0; i < s->nvms; i++) {
		s->vm[i].pages = (uint32_t)h->vm_pages[i];
		s->vm[i].loc = malloc(s->vm[i].pages);
		s->vm[i].split = calloc(s->vm[i].pages / SIM_CHUNK_PAGES + 1, 1);
		s->vm[i].moved_at = calloc(s->vm[i].pages, sizeof(float));
		s->vm[i].moved_dram = calloc(s->vm[i].pages, sizeof(float));
		if (!s->vm[i].loc || !s->vm[i].split || !s->vm[i].moved_at ||
		    !s->vm[i].moved_dram) {
			sim_destroy(s);
			return -ENOMEM;
		}
		/* Every page starts in NVM (tier 1); policies place DRAM. */
		memset(s->vm[i].loc, SIM_NVM, s->vm[i].pages);
	}
	if (max_intervals) {
		s->share = calloc((size_t)max_intervals * s->nvms, sizeof(double));
		if (!s->share) {
			sim_destroy(s);
			return -ENOMEM;
		}
		s->share_cap = max_intervals;
	}
	r = ops->init ? ops->init(s) : 0;
	if (r)
		sim_destroy(s);
	return r;
}

void sim_destroy(struct sim *s)
{
	uint32_t i;

	if (s->ops && s->ops->fini && s->priv)
		s->ops->fini(s);
	for (i = 0; i < s->nvms; i++) {
		free(s->vm[i].loc);
		s->vm[i].loc = NULL;
		free(s->vm[i].split);
		s->vm[i].split = NULL;
		free(s->vm[i].moved_at);
		s->vm[i].moved_at = NULL;
		free(s->vm[i].moved_dram);
		s->vm[i].moved_dram = NULL;
		sim_frames_free(s->vm[i].frames);
		s->vm[i].frames = NULL;
	}
	sim_resident_destroy(s);
	free(s->share);
	s->share = NULL;
}

/* Puts pages on @tier, keeping the DRAM count; returns how many moved. */
static uint32_t place_range(struct simvm *v, uint32_t page, uint32_t npages, int tier)
{
	uint32_t p, moved = 0;

	for (p = page; p < page + npages && p < v->pages; p++) {
		if (v->loc[p] == tier)
			continue;
		v->loc[p] = (uint8_t)tier;
		moved++;
	}
	if (tier == SIM_DRAM)
		v->dram_pages += moved;
	else
		v->dram_pages -= moved;
	return moved;
}

/* Whether [@page, +@npages) is one whole chunk of @v, all on the other tier. */
static int whole_chunk_move(const struct simvm *v, uint32_t page, uint32_t npages, int tier)
{
	uint32_t p;

	if (page % SIM_CHUNK_PAGES || npages != SIM_CHUNK_PAGES || page + npages > v->pages)
		return 0;
	for (p = page; p < page + npages; p++)
		if (v->loc[p] == tier)
			return 0;
	return 1;
}

/*
 * A move of less than whole 2 MiB chunks splits their huge mappings: the
 * kernel migrates a 4 KiB page of a huge page only once it has split it,
 * and KVM then maps that range with 4 KiB second-level entries too.
 */
void sim_set_tier(struct sim *s, uint32_t vm, uint32_t page, uint32_t npages,
		  int tier)
{
	struct simvm *v = &s->vm[vm];
	double free = (double)(tier == SIM_DRAM ? sim_dram_free(s) : sim_dram_used(s)) * SIM_PAGE;
	double hit = sim_resident_move(s, v, page, npages, tier), held, bytes;
	int frames = s->chunk_frames && whole_chunk_move(v, page, npages, tier);
	uint32_t moved, c, old = 0;

	/* hmmv's remaps take its frames (frames.c); failing, the run stops. */
	if (frames) {
		held = sim_frames_take(s, v, page / SIM_CHUNK_PAGES, tier, &old);
		if (held < 0) {
			s->step_err = s->step_err ? s->step_err : (int)held;
			frames = 0;
		}
	}
	moved = place_range(v, page, npages, tier);
	bytes = (double)moved * SIM_PAGE;
	if (!frames)
		held = sim_hot_take(s, v, tier, bytes, free);
	acct_copy(&v->a, !tier, bytes, hit, held);
	/* Its source's lines and its destination's the cache did not hold. */
	s->llc_clock += 2 * bytes - held - hit;
	if (frames)
		sim_frames_release(s, v, !tier, old);
	else
		sim_hot_free(s, v, !tier, bytes, 2 * bytes - held);
	if (!moved || (page % SIM_CHUNK_PAGES == 0 && npages % SIM_CHUNK_PAGES == 0))
		return;
	for (c = page / SIM_CHUNK_PAGES; c <= (page + npages - 1) / SIM_CHUNK_PAGES &&
	     c <= v->pages / SIM_CHUNK_PAGES; c++)
		v->split[c] = 1;
}

/*
 * @bytes of a chunk moved to @tier copied again, written to during its
 * copy: read from the source, written onto lines the copy has just
 * written, which the cache holds (no fill).
 */
void sim_copy_again(struct sim *s, uint32_t vm, int tier, double bytes)
{
	acct_copy(&s->vm[vm].a, !tier, bytes, 0, bytes);
	s->llc_clock += bytes;
}

/*
 * A move @at of the interval in (a share of it, capped at 1; moves come in
 * time order), for a policy acting within the interval: each page's
 * accesses are served by DRAM for the time it spends there
 * (sim_account_moved()).
 */
void sim_set_tier_at(struct sim *s, uint32_t vm, uint32_t page, uint32_t npages,
		     int tier, double at)
{
	struct simvm *v = &s->vm[vm];
	uint32_t p, end = page < v->pages ? page + (npages < v->pages - page ?
						    npages : v->pages - page) : page;

	at = at < 1 ? at : 1;
	at = at > 0 ? at : 1e-9;
	for (p = page; p < end; p++) {
		if (v->loc[p] == SIM_DRAM)
			v->moved_dram[p] += (float)(at - v->moved_at[p]);
		v->moved_at[p] = (float)at;
	}
	v->nmoved += end - page;
	sim_set_tier(s, vm, page, npages, tier);
}

/*
 * The .account of a policy acting within the interval: nothing yet; its
 * .end accounts the interval once its moves are known (sim_account_moved()).
 */
void sim_account_at_end(struct sim *s, const struct ival *iv)
{
}

/*
 * The interval's traffic where it went: a page moved in it (marked by
 * sim_set_tier_at()) served by DRAM for its time there, by the slow tier
 * for the rest; the marks are cleared.
 */
void sim_account_moved(struct sim *s, const struct ival *iv)
{
	const struct trace_rec *r;
	struct simvm *v;
	uint32_t i, k, p;
	double d;

	for (i = 0; i < iv->nvms; i++) {
		v = &s->vm[i];
		for (k = 0; k < iv->n[i]; k++) {
			r = &iv->rec[i][k];
			p = r->page;
			if (!v->moved_at[p]) {
				acct_rec(&v->a, s->m, v->loc[p], r);
				continue;
			}
			d = v->moved_dram[p] + (v->loc[p] == SIM_DRAM ? 1 - v->moved_at[p] : 0);
			d = d < 1 ? d : 1;
			acct_rec_part(&v->a, s->m, SIM_DRAM, r, d);
			acct_rec_part(&v->a, s->m, SIM_NVM, r, 1 - d);
		}
		if (v->nmoved) {
			memset(v->moved_at, 0, v->pages * sizeof(float));
			memset(v->moved_dram, 0, v->pages * sizeof(float));
		}
		v->nmoved = 0;
	}
}

/*
 * Every access to a split chunk walks 4 KiB second-level entries
 * (ept_split_ns), as HMM-V's every access does while dirty logging is on
 * (which it charges itself: ept_all).
 */
static void sim_charge_split(struct sim *s, const struct ival *iv)
{
	const struct trace_rec *r;
	struct simvm *v;
	double n;
	uint32_t i, k;

	if (s->ept_all)
		return;
	for (i = 0; i < iv->nvms; i++) {
		v = &s->vm[i];
		for (k = 0, n = 0; k < iv->n[i]; k++) {
			r = &iv->rec[i][k];
			if (v->split[r->page / SIM_CHUNK_PAGES])
				n += (double)r->reads + r->writes;
		}
		v->a.stall_ns += n * s->m->ept_split_ns;
		v->a.mig_ns += n * s->m->ept_split_ns;
	}
}

/*
 * Pages in DRAM, all VMs: as many frames free on the slow tier, which
 * holds a home for every page (hotcopy.c).
 */
uint64_t sim_dram_used(const struct sim *s)
{
	uint64_t used = 0;
	uint32_t i;

	for (i = 0; i < s->nvms; i++)
		used += s->vm[i].dram_pages;
	return used;
}

uint64_t sim_dram_free(const struct sim *s)
{
	uint64_t used = sim_dram_used(s);

	return used < s->dram_pages ? s->dram_pages - used : 0;
}

/*
 * Static placement as an application's initialisation leaves it: each VM's
 * lowest addresses in DRAM, the budget split evenly among VMs.
 */
void sim_place_first_touch(struct sim *s)
{
	uint64_t each = s->dram_pages / s->nvms;
	uint32_t i, n;

	for (i = 0; i < s->nvms; i++) {
		n = each < s->vm[i].pages ? (uint32_t)each : s->vm[i].pages;
		memset(s->vm[i].loc, SIM_DRAM, n);
		s->vm[i].dram_pages = n;
	}
}

void sim_place(struct sim *s, uint32_t vm, uint32_t page, int tier)
{
	place_range(&s->vm[vm], page, 1, tier);
}

void sim_account_placed(struct sim *s, const struct ival *iv)
{
	uint32_t i, k;

	for (i = 0; i < iv->nvms; i++) {
		struct simvm *v = &s->vm[i];

		for (k = 0; k < iv->n[i]; k++)
			acct_rec(&v->a, s->m, v->loc[iv->rec[i][k].page], &iv->rec[i][k]);
	}
}

/* Whether interval @index counts in the totals (hmmv sim --measure). */
static int sim_measured(const struct sim *s, uint32_t index)
{
	return index >= s->meas_from && (!s->meas_to || index < s->meas_to);
}

void sim_step(struct sim *s, const struct ival *iv)
{
	const struct acct *ap[TRACE_MAX_VMS];
	double t[TRACE_MAX_VMS];
	uint64_t used;
	uint32_t i;

	s->now = iv->index;
	for (i = 0; i < s->nvms; i++) {
		memset(&s->vm[i].a, 0, sizeof(s->vm[i].a));
		ap[i] = &s->vm[i].a;
	}
	if (s->ops->begin)
		s->ops->begin(s, iv);
	if (s->ops->account)
		s->ops->account(s, iv);
	else
		sim_account_placed(s, iv);
	sim_charge_split(s, iv);
	if (s->ops->end)
		s->ops->end(s, iv);
	sim_resident_refill(s, iv);
	model_interval_times(s->m, ap, s->nvms, t);
	used = sim_dram_used(s);
	if (used > s->peak_dram)
		s->peak_dram = used;
	/* What else the meter's cache took in: its host's own traffic. */
	s->llc_clock += s->m->llc_other_bytes;
	for (i = 0; i < s->nvms; i++) {
		struct simvm *v = &s->vm[i];

		s->llc_clock += v->a.fills;
		if (s->share && iv->index < s->share_cap)
			s->share[(size_t)iv->index * s->nvms + i] = (double)v->dram_pages;
		if (!sim_measured(s, iv->tindex))
			continue;
		v->time_ns += t[i];
		v->idle_ns += model_lat_time(s->m, &v->a);
		v->accesses += v->a.accesses;
		v->dram_acc += v->a.dram_acc;
		v->migrated += v->a.migrated;
		v->track_ns += v->a.track_ns / s->m->vcpus;
		v->mig_ns += v->a.mig_ns / s->m->vcpus;
		v->bytes[SIM_DRAM] += v->a.bytes[SIM_DRAM];
		v->bytes[SIM_NVM] += v->a.bytes[SIM_NVM];
	}
	if (!s->step_err)
		s->step_err = sim_resident_touch(s, iv);
}
