// SPDX-License-Identifier: GPL-2.0
/*
 * Linux NUMA balancing in memory tiering mode (numa_balancing=2, Linux
 * 6.1+), acting on the VMs' memory from the host. Mechanism, from
 * kernel/sched/fair.c, mm/mprotect.c, mm/migrate.c and mm/vmscan.c:
 * - the scanner (task_numa_work) makes scan_size MB of each VM's address
 *   space PROT_NONE every scan period, skipping pages already on the top
 *   tier or already PROT_NONE, and stamps each page it arms with the scan
 *   time; a window with nothing to arm does not count, up to 8 of them;
 *   with --nb-scan-adapt the period is the task's (one vCPU thread): it
 *   starts at the scan delay (the scan period), within task_scan_min() ..
 *   task_scan_max() (the scan period and scan_period_max over the VM's
 *   scan windows, the first at least 1 s / (2560 MB / scan_size)), or at
 *   --nb-scan-period-start-ms (within those bounds) for a task that ran
 *   before the trace, its first scan that long after the start. In
 *   tiering mode task_numa_fault() records a hint fault only when it
 *   promoted the page (a fault that leaves it on the slow node returns
 *   before the statistics), as a remote private fault; so the first
 *   promotion after each pass over the VM (numa_scan_seq moved on) runs
 *   task_numa_placement(), whose update_task_scan_period() sees no local
 *   and no shared faults and doubles the period. Passes without a
 *   promotion leave it: it never shrinks;
 * - the first touch of a scanned slow-tier page takes a NUMA hint fault.
 *   Faults are handled in the order pages are first touched within the
 *   interval (the trace spreads a page's c accesses uniformly, so its
 *   first touch is the minimum of c uniform times), all VMs interleaved;
 * - should_numa_migrate_memory(): with free DRAM above
 *   max(1 GiB, node/16) over the promo watermark every fault promotes and
 *   the threshold resets; otherwise the fault promotes only when its
 *   latency (fault time - scan time) is below the hot threshold, and the
 *   promotion rate limit (numa_promotion_rate_limit(): candidates per
 *   1 s window) is not exceeded;
 * - numa_promotion_adjust_threshold(): every scan_period_max (60 s) the
 *   threshold moves by 2/16 of its default down (more than 110% of the
 *   rate limit's candidates) or up (fewer than 90%), within 1/8 .. 2x;
 * - migrate_balanced_pgdat(): the promotion needs free DRAM above the high
 *   watermark, else it fails and wakes kswapd;
 * - kswapd demotes from the cold end of the LRU until free DRAM reaches
 *   the promo watermark (high + the watermark gap; watermark_scale_factor
 *   10 makes each gap 0.1% of the node), one thread, at most one base page per
 *   --migrate-4k-ns: demotion is rate-bounded and runs concurrently.
 *   Its LRU is modelled better than the kernel keeps it: by last access
 *   interval, then fewest accesses in that interval.
 * 4 KiB pages; initial placement first-touch (each VM's lowest addresses),
 * or with --nb-alloc-touch as the host allocates a VM's memory: a page is
 * placed when the trace first touches it, in DRAM while free DRAM is above
 * the min watermark (waking kswapd under the low one), else on the slow
 * tier (a VM booted at the trace's start, its memory not prefaulted); its
 * zeroing is not charged: the host zeroes the page at the guest's first
 * touch and the guest goes on with its lines still in the cache, so the
 * page costs one fill and one write-back either way (in make eval-real's
 * all-DRAM run the guest's RAM traffic in the hot set was 27 MiB above its
 * traffic in slow-first's, devdax, nothing zeroed, while the host
 * allocated 201 MiB for it);
 * with --nb-placement FILE too, the pages the file names are allocated at
 * the start where it says (DRAM while free DRAM is above the min
 * watermark): the kernel's placement measured at the replay's start; with
 * --nb-scan-period-start-ms too (a task whose scanner has made passes
 * before), its slow-tier pages start armed long ago: each one's first
 * touch takes a hint fault too late to promote it;
 * with --nb-scans FILE (a measured VM, tools/sim/scans.c) the scanner runs
 * when and over the pages the file says, its slow-tier pages at the
 * start armed long ago too; with --nb-dram FILE (tools/sim/budget.c) the
 * DRAM the VM may hold moves as measured, kswapd demoting when it holds
 * more; and with --measure, the placement is the
 * measured span's start, the intervals before it only clear the arms of
 * the pages they touch (nb_warming()).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

#define AGE_MAX 255
#define KEYS ((AGE_MAX + 1) * 32)
#define SLICES 1024		/* first-touch time resolution per interval */
#define ADJUST_STEPS 16		/* NUMA_MIGRATION_ADJUST_STEPS */
#define NB_STALE UINT32_MAX	/* armed before the replay began */

struct nb_vm {
	uint32_t *scanned;	/* interval + 1 of the scan, 0: not armed */
	uint32_t *last;		/* last interval with an access */
	uint32_t *cnt;		/* accesses in that interval */
	uint8_t *born;		/* --nb-alloc-touch: allocated */
	uint64_t cursor;
	/* --nb-scan-adapt: the task's scan period; a pass ended since the
	 * last update (p->numa_scan_seq behind mm->numa_scan_seq) */
	double period_ms, next_ms;
	int seq_moved;
	uint32_t scan_next;	/* --nb-scans: the next measured scan */
};

struct nb_ev {			/* one record, in first-touch order */
	uint32_t vm, k;
	double t;		/* first touch, fraction of the interval */
};

struct nb {
	struct nb_vm v[TRACE_MAX_VMS];
	uint32_t period;		/* scan period in intervals */
	double ims;			/* interval in ms */
	uint64_t scan_pages, rate_pages;
	uint64_t gap, enough;		/* watermark gap; "free space enough" */
	uint64_t dram0;			/* the budget before --nb-dram's first step */
	/* rate limit and threshold state (pgdat->nbp_*) */
	double rl_start_ms, th_start_ms, th_ms;
	uint64_t cand, rl_cand, th_cand;
	int kswapd;			/* woken, not yet balanced */
	double kswapd_credit;		/* pages it may still demote */
	double kswapd_t;		/* time it was brought up to */
	uint64_t *lru;			/* DRAM pages, coldest first */
	uint64_t nlru, next;
	uint64_t *keyn;
	struct nb_ev *ev, *ev2;
	uint32_t *slot;
	uint64_t nev_cap;
	int started;			/* the first interval has begun */
};

static uint32_t at_least1(double x)
{
	return x < 1 ? 1 : x > 0x1p31 ? 1u << 31 : (uint32_t)(x + 0.5);
}

static uint64_t to_pages(double x)
{
	return x < 0x1p62 ? (uint64_t)x : 1ull << 62;
}

static int nb_alloc(struct sim *s, struct nb *nb)
{
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		nb->v[i].scanned = calloc(s->vm[i].pages, sizeof(uint32_t));
		nb->v[i].last = calloc(s->vm[i].pages, sizeof(uint32_t));
		nb->v[i].cnt = calloc(s->vm[i].pages, sizeof(uint32_t));
		nb->v[i].born = calloc(s->vm[i].pages, 1);
		if (!nb->v[i].scanned || !nb->v[i].last || !nb->v[i].cnt ||
		    !nb->v[i].born)
			return -ENOMEM;
		nb->nev_cap += s->vm[i].pages;
	}
	nb->lru = malloc(nb->nev_cap * sizeof(uint64_t));
	nb->keyn = malloc((KEYS + 1) * sizeof(uint64_t));
	nb->ev = malloc(nb->nev_cap * sizeof(*nb->ev));
	nb->ev2 = malloc(nb->nev_cap * sizeof(*nb->ev2));
	nb->slot = malloc((SLICES + 1) * sizeof(uint32_t));
	if (!nb->lru || !nb->keyn || !nb->ev || !nb->ev2 || !nb->slot)
		return -ENOMEM;
	return 0;
}

struct nb_start {
	struct sim *s;
	struct nb *nb;
};

/* --nb-placement: page @page of the one VM was allocated on @tier. */
static void nb_place_start(void *arg, uint32_t page, int tier)
{
	struct nb_start *a = arg;

	a->nb->v[0].born[page] = 1;
	if (tier == SIM_DRAM && sim_dram_free(a->s) > a->nb->gap)
		sim_place(a->s, 0, page, SIM_DRAM);
	/* A task whose scanner has made passes before: every slow-tier page
	 * it has not touched since is PROT_NONE, armed long ago. */
	else if (a->s->pp->nb_scan_period_start_ms > 0 || a->s->scans)
		a->nb->v[0].scanned[page] = NB_STALE;
}

static int nb_init(struct sim *s)
{
	const struct pol_params *pp = s->pp;
	struct nb *nb = calloc(1, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	s->alloc_lifo = 1;	/* the kernel's page allocator */
	s->priv = nb;
	if (nb_alloc(s, nb))
		return -ENOMEM;
	nb->ims = s->interval_ns / 1e6;
	nb->period = at_least1(pp->nb_scan_period_ms / nb->ims);
	nb->scan_pages = to_pages(pp->nb_scan_size_mb * 256);
	/* 0: the kernel documentation's rule of thumb, 1/10 of the slow tier's
	 * write bandwidth (Documentation/admin-guide/sysctl/kernel.rst). */
	nb->rate_pages = to_pages((pp->nb_rate_limit_mbps > 0 ? pp->nb_rate_limit_mbps :
				   s->m->bw_wr[SIM_NVM] * 1e9 / 10 / 1048576) * 256);
	/* watermark_scale_factor (10: each watermark 0.1% of the node apart). */
	nb->gap = (uint64_t)(s->dram_pages * pp->nb_wmark_scale / 10000) + 1;
	nb->enough = s->dram_pages / 16 > 262144 ? s->dram_pages / 16 : 262144;
	nb->dram0 = s->dram_pages;
	if (!pp->nb_alloc_touch)
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
		free(nb->v[i].born);
	}
	free(nb->lru);
	free(nb->keyn);
	free(nb->ev);
	free(nb->ev2);
	free(nb->slot);
	free(nb);
	s->priv = NULL;
}

/* kswapd: demotes the least recently used DRAM page; 0 if none is left. */
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

/*
 * kswapd runs beside the vCPUs: awake from a failed promotion (or free
 * DRAM under the low watermark) until free DRAM reaches the promo
 * watermark, demoting one page per --migrate-4k-ns. Brought up to time t
 * (fraction of the interval) before each fault is handled.
 */
static void nb_kswapd(struct sim *s, struct nb *nb, double t)
{
	double per = s->m->migrate_4k_ns > 0 ? s->m->migrate_4k_ns : 1;

	if (nb->kswapd)
		nb->kswapd_credit += (t - nb->kswapd_t) * s->interval_ns / per;
	nb->kswapd_t = t;
	while (nb->kswapd && nb->kswapd_credit >= 1 && sim_dram_free(s) < 4 * nb->gap) {
		if (!nb_demote_one(s, nb))
			break;
		nb->kswapd_credit -= 1;
	}
	if (sim_dram_free(s) >= 4 * nb->gap) {
		nb->kswapd = 0;
		nb->kswapd_credit = 0;
	}
}

/* numa_promotion_adjust_threshold() */
static void nb_adjust(const struct sim *s, struct nb *nb, double now_ms)
{
	double def = s->pp->nb_hot_threshold_ms, unit = def * 2 / ADJUST_STEPS, th;
	double period = s->pp->nb_scan_period_max_ms;
	double ref, diff;

	if (now_ms - nb->th_start_ms <= period)
		return;
	nb->th_start_ms = now_ms;
	ref = nb->rate_pages * period / 1000;
	diff = (double)(nb->cand - nb->th_cand);
	th = nb->th_ms > 0 ? nb->th_ms : def;
	if (diff > ref * 11 / 10)
		th = th - unit > unit ? th - unit : unit;
	else if (diff < ref * 9 / 10)
		th = th + unit < def * 2 ? th + unit : def * 2;
	nb->th_cand = nb->cand;
	nb->th_ms = th;
}

/* numa_promotion_rate_limit(): 1 when over the limit. */
static int nb_rate_limited(struct nb *nb, double now_ms)
{
	nb->cand++;
	if (now_ms - nb->rl_start_ms > 1000) {
		nb->rl_start_ms = now_ms;
		nb->rl_cand = nb->cand;
	}
	return nb->cand - nb->rl_cand >= nb->rate_pages;
}

/* Free DRAM at or below the low watermark wakes kswapd. */
static void nb_wake_low(struct sim *s, struct nb *nb)
{
	if (sim_dram_free(s) <= 2 * nb->gap)
		nb->kswapd = 1;
}

/* should_numa_migrate_memory() for a slow-tier page in tiering mode. */
static int nb_should_promote(struct sim *s, struct nb *nb, double lat_ms,
			     double now_ms)
{
	if (sim_dram_free(s) > 4 * nb->gap + nb->enough) {
		nb->th_ms = 0;
		return 1;
	}
	nb_adjust(s, nb, now_ms);
	if (lat_ms >= (nb->th_ms > 0 ? nb->th_ms : s->pp->nb_hot_threshold_ms))
		return 0;
	return !nb_rate_limited(nb, now_ms);
}

/* @ms within task_scan_min() .. task_scan_max() of VM @i's task. */
static double nb_scan_clamp(const struct sim *s, const struct nb *nb, uint32_t i, double ms)
{
	double windows = ceil((double)s->vm[i].pages / (double)(nb->scan_pages ? nb->scan_pages : 1));
	double floor_ms = 1000 / (s->pp->nb_scan_size_mb < 2560 ? 2560 / s->pp->nb_scan_size_mb : 1);
	double lo, hi;

	windows = windows < 1 ? 1 : windows;
	lo = s->pp->nb_scan_period_ms / windows;
	lo = lo > floor_ms ? lo : floor_ms;
	hi = s->pp->nb_scan_period_max_ms / windows;
	hi = hi > lo ? hi : lo;
	return ms < lo ? lo : ms > hi ? hi : ms;
}

/*
 * task_numa_placement() at a promotion after a pass over VM @i:
 * update_task_scan_period() with the promotions since the last update as
 * its only recorded faults, all remote and private: "local + shared == 0",
 * so it doubles the period, up to task_scan_max().
 */
static void nb_scan_adapt(const struct sim *s, struct nb *nb, uint32_t i)
{
	struct nb_vm *n = &nb->v[i];

	n->period_ms = nb_scan_clamp(s, nb, i, 2 * n->period_ms);
	n->seq_moved = 0;
}

/* A hint fault on a slow page at time t of the interval: 1 if promoted. */
static int nb_fault(struct sim *s, struct nb *nb, uint32_t vm, uint32_t page,
		    double t)
{
	struct simvm *v = &s->vm[vm];
	double now_ms = (s->now + t) * nb->ims;
	double lat_ms = nb->v[vm].scanned[page] == NB_STALE ? INFINITY :
			now_ms - nb->v[vm].scanned[page] * nb->ims;

	nb->v[vm].scanned[page] = 0;
	v->a.stall_ns += s->m->fault_ns;
	v->a.track_ns += s->m->fault_ns;
	if (!nb_should_promote(s, nb, lat_ms, now_ms))
		return 0;
	/* migrate_balanced_pgdat(): free pages above the high watermark. */
	if (sim_dram_free(s) <= 3 * nb->gap) {
		nb->kswapd = 1;
		return 0;
	}
	if (s->pp->nb_scan_adapt && nb->v[vm].seq_moved)
		nb_scan_adapt(s, nb, vm);
	sim_set_tier(s, vm, page, 1, SIM_DRAM);
	v->a.stall_ns += s->m->migrate_4k_ns;
	v->a.mig_ns += s->m->migrate_4k_ns;
	nb_wake_low(s, nb);
	return 1;
}

/* One record; the faulting access of a promoted page went to the slow tier. */
static void nb_record(struct sim *s, struct nb *nb, uint32_t vm,
		      const struct trace_rec *r, double t)
{
	struct simvm *v = &s->vm[vm];
	uint32_t p = r->page;

	if (s->pp->nb_alloc_touch && !nb->v[vm].born[p]) {
		/* The page fault that allocates it: DRAM above the min watermark. */
		nb->v[vm].born[p] = 1;
		if (sim_dram_free(s) > nb->gap)
			sim_place(s, vm, p, SIM_DRAM);
		nb_wake_low(s, nb);
	}
	nb->v[vm].last[p] = s->now;
	nb->v[vm].cnt[p] = r->reads + r->writes;
	if (v->loc[p] == SIM_NVM && nb->v[vm].scanned[p] && nb_fault(s, nb, vm, p, t)) {
		acct_read(&v->a, s->m, r->reads ? SIM_NVM : SIM_DRAM, r->reads ? 1 : 0);
		acct_read(&v->a, s->m, SIM_DRAM, r->reads ? r->reads - 1 : 0);
		acct_write(&v->a, s->m, r->reads ? SIM_DRAM : SIM_NVM, r->reads ? 0 : 1);
		acct_write(&v->a, s->m, SIM_DRAM, r->reads ? r->writes : r->writes - 1);
		return;
	}
	acct_rec(&v->a, s->m, v->loc[p], r);
}

/* The interval's records of all VMs in first-touch order (bucket sort). */
static uint64_t nb_order(struct sim *s, struct nb *nb, const struct ival *iv)
{
	uint64_t n = 0, k;
	uint32_t i, j, b;

	memset(nb->slot, 0, (SLICES + 1) * sizeof(uint32_t));
	for (i = 0; i < iv->nvms; i++)
		for (j = 0; j < iv->n[i]; j++) {
			double c = (double)iv->rec[i][j].reads + iv->rec[i][j].writes;
			double t = 1 - pow(rng_u01(&s->rng), 1 / c);

			nb->ev[n++] = (struct nb_ev){ i, j, t };
			nb->slot[(uint32_t)(t * SLICES) + 1]++;
		}
	for (b = 1; b <= SLICES; b++)
		nb->slot[b] += nb->slot[b - 1];
	for (k = 0; k < n; k++)
		nb->ev2[nb->slot[(uint32_t)(nb->ev[k].t * SLICES)]++] = nb->ev[k];
	return n;
}

/*
 * --nb-placement is where the kernel had the pages as the measured span
 * (--measure) began; before it the replay only follows the state of the
 * scanner's arms, which that placement does not say: a page touched since
 * its last scan is no longer armed (its fault cleared it), so the scans
 * of the span find it to arm, unlike pages left armed long ago.
 */
static int nb_warming(const struct sim *s, const struct ival *iv)
{
	return s->placement && iv->tindex < s->meas_from;
}

static void nb_warm_account(struct sim *s, struct nb *nb, const struct ival *iv)
{
	uint32_t i, j;

	for (i = 0; i < iv->nvms; i++)
		for (j = 0; j < iv->n[i]; j++) {
			const struct trace_rec *r = &iv->rec[i][j];

			nb->v[i].last[r->page] = s->now;
			nb->v[i].cnt[r->page] = r->reads + r->writes;
			nb->v[i].scanned[r->page] = 0;
		}
}

static void nb_account(struct sim *s, const struct ival *iv)
{
	struct nb *nb = s->priv;
	uint64_t n, k;

	if (nb_warming(s, iv)) {
		nb_warm_account(s, nb, iv);
		return;
	}
	n = nb_order(s, nb, iv);

	nb->kswapd_t = 0;
	for (k = 0; k < n; k++) {
		const struct nb_ev *e = &nb->ev2[k];

		nb_kswapd(s, nb, e->t);
		nb_record(s, nb, e->vm, &iv->rec[e->vm][e->k], e->t);
	}
	nb_kswapd(s, nb, 1);
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

/* Whether VM @i's task scans at the end of this interval. */
static int nb_scan_due(struct sim *s, struct nb *nb, uint32_t i)
{
	struct nb_vm *n = &nb->v[i];
	double end_ms = (s->now + 1) * nb->ims;

	if (!s->pp->nb_scan_adapt)	/* the scan delay, then every period */
		return s->now >= nb->period && !(s->now % nb->period);
	if (!n->next_ms && s->pp->nb_scan_period_start_ms > 0) {
		/* A task that ran before: its period as given, the next scan
		 * one period on. */
		n->period_ms = nb_scan_clamp(s, nb, i, s->pp->nb_scan_period_start_ms);
		n->next_ms = n->period_ms;
	} else if (!n->next_ms) {
		/* numa_scan_period starts at the delay; the first scan ends
		 * interval `period`, as without adaptation. */
		n->period_ms = s->pp->nb_scan_period_ms;
		n->next_ms = (nb->period + 1) * nb->ims;
	}
	if (end_ms < n->next_ms)
		return 0;
	/* numa_next_scan: at the period as it stands before this scan's pass
	 * updates it (task_numa_placement() runs at a later fault). */
	n->next_ms = end_ms + n->period_ms;
	return 1;
}

/*
 * change_pte_range() on page @p of VM @i: arms it, stamped with the scan
 * time, if it is on the slow tier and not armed already (an armed page
 * keeps its scan time); a page the host has not allocated has no PTE to
 * arm. 1 if armed.
 */
static int nb_arm(struct sim *s, struct nb *nb, uint32_t i, uint32_t p)
{
	if (s->pp->nb_alloc_touch && !nb->v[i].born[p])
		return 0;
	if (s->vm[i].loc[p] != SIM_NVM || nb->v[i].scanned[p])
		return 0;
	nb->v[i].scanned[p] = s->now + 1;
	return 1;
}

/*
 * --nb-scans: a scan measured to end by this trace interval made pages
 * @first..@first+@count-1 of the one VM PROT_NONE.
 */
static void nb_scan_measured(struct sim *s, struct nb *nb, uint32_t first, uint32_t count)
{
	uint32_t p;

	for (p = first; p < first + count; p++)
		nb_arm(s, nb, 0, p);
	s->vm[0].a.stall_ns += count * s->pp->nb_scan_ns;
	s->vm[0].a.track_ns += count * s->pp->nb_scan_ns;
}

/* change_prot_numa() over the next scan_size of each VM, at interval end. */
static void nb_scan(struct sim *s, struct nb *nb, const struct ival *iv)
{
	uint32_t i, w, first, count;
	uint64_t k;

	if (s->scans) {
		while (scans_next(s->scans, &nb->v[0].scan_next, iv->tindex, &first, &count))
			nb_scan_measured(s, nb, first, count);
		return;
	}
	for (i = 0; i < s->nvms; i++) {
		struct simvm *v = &s->vm[i];
		uint64_t n = nb->scan_pages < v->pages ? nb->scan_pages : v->pages;
		uint64_t armed = 0;

		if (!nb_scan_due(s, nb, i))
			continue;

		/*
		 * task_numa_work(): a window of scan_size is done when it armed
		 * a page; a window with nothing to arm (top tier, or armed and
		 * not touched since) is passed over, up to 8 windows (virtpages).
		 * An armed page keeps its scan time (change_pte_range() skips a
		 * PROT_NONE entry), so its hint fault latency runs from its
		 * first scan since it was last touched.
		 */
		for (w = 0; w < 8 && !armed; w++) {
			for (k = 0; k < n; k++)
				armed += nb_arm(s, nb, i, (uint32_t)((nb->v[i].cursor + k) % v->pages));
			/* A pass over the VM ends: numa_scan_seq moves on. */
			if ((nb->v[i].cursor + n) / v->pages != nb->v[i].cursor / v->pages)
				nb->v[i].seq_moved = 1;
			nb->v[i].cursor += n;
			v->a.stall_ns += n * s->pp->nb_scan_ns;
			v->a.track_ns += n * s->pp->nb_scan_ns;
		}
	}
}

/*
 * --nb-dram: the DRAM the VM may hold from this interval on. Where others
 * took some of the node, free DRAM fell under the low watermark and
 * kswapd demotes; the watermarks stay the node's.
 */
static void nb_budget(struct sim *s, struct nb *nb, const struct ival *iv)
{
	if (!s->budget)
		return;
	s->dram_pages = budget_at(s->budget, iv->tindex, nb->dram0);
	if (s->dram_pages > s->dram_cap)
		s->dram_cap = s->dram_pages;
	nb_wake_low(s, nb);
}

static void nb_begin(struct sim *s, const struct ival *iv)
{
	struct nb *nb = s->priv;

	nb_budget(s, nb, iv);
	/* The measured start, at the first interval (set after init: run.c). */
	if (!nb->started && s->placement && s->pp->nb_alloc_touch)
		placement_each(s->placement, nb_place_start, &(struct nb_start){ s, nb });
	nb->started = 1;
	nb_build_lru(s, nb);
}

static void nb_end(struct sim *s, const struct ival *iv)
{
	nb_scan(s, s->priv, iv);
}

const struct sim_ops pol_numa = {
	.name = "numa-balancing", .init = nb_init, .begin = nb_begin,
	.account = nb_account,
	.end = nb_end, .fini = nb_fini,
};
