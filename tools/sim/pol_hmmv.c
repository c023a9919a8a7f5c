// SPDX-License-Identifier: GPL-2.0
/*
 * HMM-V through the very policy core the VMM runs (hmmv/policy.h), with
 * the pool policy (hmmv/pool_policy.h) splitting DRAM among VMs.
 *
 * The mechanism is modelled as the engine drives it (hmmv/policy.h, the
 * sampling model): each interval the queue picks the chunks to sample and
 * the policy one block of pages in each; in each of `windows` windows the
 * blocks are zapped, one call per run of adjacent blocks (all of them in
 * the first window, those touched since in the later ones), and the dirty
 * log harvested window_ms after the last call: a block zapped early
 * watches for longer (hv_zap_plan(); zap_ns a call). The trace
 * spreads an interval's accesses uniformly, so a page touched c times
 * (sim_touches(): its LLC fills, not its write-backs, or the time slots a
 * touch trace counts) is seen in a window
 * that is a fraction f of the interval with probability 1 - (1 - f)^c, and
 * in Binomial(windows, that) windows; where the touch trace says when the
 * first slot was, that burst is seen by the windows it falls in
 * (windows_at()).
 * Costs charged to the vCPUs: a refault per block page and stretch
 * between zaps in which it is touched (the windows run back to back from
 * the interval's start, each zapping the blocks again; the last stretch
 * runs to the interval's end, or to the end of the logging span, below);
 * the zap calls; the 4 KiB second-level mappings while logging is on (all
 * accesses; hm-v: the sampled and moved chunks' for the span from the
 * interval's start to its last move, hv_log_off()); per batch of moves one
 * pause covering the remaps and the stop-and-copy of pages written during
 * the pre-copy; the copy itself occupies a host core for bytes / bandwidth
 * (taken from the vCPUs: hosts running tiered VMs have no idle cores to
 * spare) and uses both tiers' bandwidth.
 * The decision comes as the last window is harvested, as the engine takes
 * it (hmmv/engine.c): its moves, one after the other, serve the rest of
 * the interval (sim_set_tier_at(); the traffic is accounted at the end,
 * hv_end()).
 *
 * hmm-v-4k is the same core in page mode (hmmv/policy.h; a slow tier that
 * is a NUMA node): the block's pages are observed one by one, window k
 * lasting window_ms shortened 2^-(k * window_shift), and units of
 * page_unit pages move with move_pages(2): per page the kernel's migration
 * on a core taken from the vCPUs and the guest's refault, no pause.
 *
 * Replay: a trace the engine recorded (TRACE_F_WINDOWS: reads = windows in
 * which a sampled block page was touched, writes = its refaults) carries
 * the engine's own observations: they are fed to the policy as they are,
 * and each move is printed on stderr as "hmm-v move INTERVAL CHUNK
 * dram|nvm", so that the sequence can be compared with the engine's
 * (tests/system/hmmv_agree.sh). Every chunk starts on the slow tier, or
 * the lowest ones in DRAM with TRACE_F_DRAM_FIRST, as the engine's run
 * started. The observations are a sample the policy chose, not the
 * guest's traffic: the traffic accounted is the one they imply
 * (estimate.c), and hmmv sim --estimate writes it out as a trace for the
 * other policies.
 */
#include <stdio.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sim/sim.h"

struct hv_vm {
	struct policy *p;
	uint32_t nch;
	uint32_t *list, nlist;			/* this interval's sampled chunks */
	uint8_t *sampled;
	uint32_t *hits, *run;			/* per chunk; run: its zap call's place */
	uint8_t *phits;				/* per chunk, its block's pages */
	struct policy_move *moves;
	struct policy_page_move *pmoves;	/* page mode */
	const uint8_t **eseen;			/* early: the sampled chunks' blocks */
	uint8_t *busy;				/* per chunk: its block touched this interval */
	uint8_t *on4k;				/* per chunk: mapped 4 KiB while logging is on (sampled, moved) */
	double *wl1f;				/* per chunk and window: log(1 - share) */
	double *rl1f;				/* per chunk: the same, last zap to the end */
	double zap[POLICY_MAX_WINDOWS];		/* each window's zap calls, share of the interval */
	double wend[POLICY_MAX_WINDOWS];	/* where each window ends in the interval */
	double phase;				/* touch times: where the interval starts in the trace's */
	uint32_t *eord;				/* ... the order they are taken in */
	struct est *est;			/* engine traces only */
	struct trace_rec *erec;			/* --estimate's records */
	struct hv_pend *pend;			/* --move-ns: moves landing after this interval */
	uint32_t npend;
	double mbusy;				/* ... the thread moving until then (intervals from this one's start) */
	int skip;				/* ... this interval passed over: still moving */
};

struct hv_pend {
	uint32_t chunk;
	int to;
	double at;				/* intervals from this one's start */
};

struct hv {
	struct hv_vm v[TRACE_MAX_VMS];
	struct pool_params pool;
	struct policy_params par;		/* pp->hmmv, or pp->hmmv4k (page mode) */
	int started;				/* the first interval has begun */
};

static void hv_fini(struct sim *s)
{
	struct hv *h = s->priv;
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		struct hv_vm *v = &h->v[i];

		policy_destroy(v->p);
		free(v->list);
		free(v->sampled);
		free(v->hits);
		free(v->run);
		free(v->phits);
		free(v->moves);
		free(v->pmoves);
		free(v->eseen);
		free(v->eord);
		free(v->busy);
		free(v->on4k);
		free(v->wl1f);
		free(v->rl1f);
		est_destroy(v->est);
		free(v->erec);
		free(v->pend);
	}
	free(h);
	s->priv = NULL;
}

/* The quota in pages: whole chunks unless pages move. */
static void hv_set_quota(struct hv_vm *v, const struct policy_params *par,
			 uint64_t pages)
{
	uint32_t q = pages < UINT32_MAX ? (uint32_t)pages : UINT32_MAX;

	if (par->page_moves)
		policy_set_quota_pages(v->p, q);
	else
		policy_set_quota(v->p, q / SIM_CHUNK_PAGES);
}

/* The first window's share of the interval (window_ms). */
static double window0_frac(const struct sim *s)
{
	return s->m->window_ms * 1e6 / s->interval_ns;
}

static int hv_vm_init(struct sim *s, struct hv_vm *v, uint32_t vm, uint64_t quota)
{
	const struct policy_params *par = &((struct hv *)s->priv)->par;
	uint32_t c, pg;
	int r;

	v->nch = (s->vm[vm].pages + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES;
	r = policy_create(par, v->nch, &v->p);
	if (r)
		return r;
	v->list = calloc(v->nch, sizeof(uint32_t));
	v->sampled = calloc(v->nch, 1);
	v->hits = calloc(v->nch, sizeof(uint32_t));
	v->run = calloc(v->nch, sizeof(uint32_t));
	v->phits = calloc(v->nch, par->sample_pages);
	v->moves = calloc(v->nch, sizeof(struct policy_move));
	v->pmoves = calloc(par->max_page_moves, sizeof(struct policy_page_move));
	v->eseen = calloc(v->nch, sizeof(*v->eseen));
	v->eord = calloc(v->nch, sizeof(uint32_t));
	v->busy = calloc(v->nch, 1);
	v->on4k = calloc(v->nch, 1);
	v->wl1f = calloc((size_t)v->nch * POLICY_MAX_WINDOWS, sizeof(double));
	v->rl1f = calloc(v->nch, sizeof(double));
	v->pend = calloc(v->nch, sizeof(*v->pend));
	if (!v->list || !v->sampled || !v->hits || !v->run || !v->phits ||
	    !v->moves || !v->pmoves || !v->eseen || !v->eord || !v->busy || !v->on4k ||
	    !v->wl1f || !v->rl1f || !v->pend)
		return -ENOMEM;
	for (c = 0; c < v->nch; c++)
		policy_set_tier(v->p, c, s->vm[vm].loc[c * SIM_CHUNK_PAGES] == SIM_DRAM ?
				POLICY_DRAM : POLICY_NVM);
	/* A unit with a page in DRAM counts as DRAM: the quota holds. */
	for (pg = 0; par->page_moves && pg < s->vm[vm].pages; pg++)
		if (s->vm[vm].loc[pg] == SIM_DRAM)
			policy_set_unit_tier(v->p, pg - pg % par->page_unit, POLICY_DRAM);
	hv_set_quota(v, par, quota);
	if (!(s->trace_flags & TRACE_F_WINDOWS))
		return 0;
	return est_create(&v->est, v->nch, window0_frac(s),
			  par->sample_pages, par->windows);
}

static int hv_init_mode(struct sim *s, const struct policy_params *par)
{
	struct hv *h = calloc(1, sizeof(*h));
	uint32_t i;
	int r;

	if (!h)
		return -ENOMEM;
	s->priv = h;
	h->par = *par;
	if (h->par.pages_per_chunk != SIM_CHUNK_PAGES)
		return -EINVAL;
	/* Dirty logging maps pages 4 KiB: charged in hv_charge_ept(). */
	s->ept_all = 1;
	/* The tracking budget at the model's refault cost, as the engine's. */
	h->par.track_faults = policy_track_faults(par->page_moves ? s->pp->hmmv4k_track_pct :
						  s->pp->hmmv_track_pct,
						  (uint32_t)(s->interval_ns / 1000000),
						  (uint32_t)s->m->vcpus, (uint32_t)s->m->fault_ns);
	pool_params_default(&h->pool);
	if (!(s->trace_flags & TRACE_F_WINDOWS) ||
	    s->trace_flags & TRACE_F_DRAM_FIRST)
		sim_place_first_touch(s);
	for (i = 0; i < s->nvms; i++) {
		r = hv_vm_init(s, &h->v[i], i, s->dram_pages / s->nvms);
		if (r)
			return r;
		s->vm[i].quota_pages = s->dram_pages / s->nvms;
	}
	return 0;
}

/* --hmmv-placement: chunk @c of the one VM starts on @tier, at no cost. */
static void hv_place_chunk(struct sim *s, struct hv_vm *v, uint32_t c, int tier)
{
	const struct policy_params *par = &((struct hv *)s->priv)->par;
	enum policy_tier t = tier == SIM_DRAM ? POLICY_DRAM : POLICY_NVM;
	uint32_t pg;

	for (pg = c * SIM_CHUNK_PAGES; pg < (c + 1) * SIM_CHUNK_PAGES; pg++) {
		sim_place(s, 0, pg, tier);
		if (par->page_moves && pg % par->page_unit == 0)
			policy_set_unit_tier(v->p, pg, t);
	}
	policy_set_tier(v->p, c, t);
}

struct hv_start {
	uint8_t *dram;		/* per chunk: its first page named in DRAM */
	uint32_t nch;
};

static void hv_start_page(void *arg, uint32_t page, int tier)
{
	struct hv_start *a = arg;

	if (page % SIM_CHUNK_PAGES == 0 && page / SIM_CHUNK_PAGES < a->nch && tier == SIM_DRAM)
		a->dram[page / SIM_CHUNK_PAGES] = 1;
}

/*
 * The measured start (set after init: run.c): the chunks whose first page
 * the placement puts in DRAM there (within the quota, lowest first), every
 * other chunk on the slow tier. The sample set marks them meanwhile.
 */
static void hv_place_start(struct sim *s)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[0];
	struct hv_start a = { v->sampled, v->nch };
	uint64_t room = s->vm[0].quota_pages / SIM_CHUNK_PAGES;
	uint32_t c;

	memset(a.dram, 0, v->nch);
	placement_each(s->hv_placement, hv_start_page, &a);
	for (c = 0; c < v->nch; c++)
		if (!a.dram[c] && s->vm[0].loc[c * SIM_CHUNK_PAGES] == SIM_DRAM)
			hv_place_chunk(s, v, c, SIM_NVM);
	for (c = 0; c < v->nch; c++) {
		if (!a.dram[c] || !room)
			continue;
		room--;
		if (s->vm[0].loc[c * SIM_CHUNK_PAGES] != SIM_DRAM)
			hv_place_chunk(s, v, c, SIM_DRAM);
	}
}

static double seen(double count, double l1f)
{
	return 1 - exp(count * l1f);
}

/*
 * Windows [k0, k1) of chunk @c in which a page is seen whose first burst
 * came at @u of the trace's interval, and @rest more at times not known:
 * the engine's interval starts at v->phase of the trace's (the two clocks
 * are not aligned), and chunk @c's window k is the last share of the
 * interval before v->wend[k]. Pages touched once, in one go, as a fill
 * touches them, are seen together or not at all, as the engine sees them.
 */
static uint32_t windows_at(struct sim *s, const struct hv_vm *v, uint32_t c,
			   uint32_t k0, uint32_t k1, double u, uint32_t rest)
{
	const double *l1f = &v->wl1f[(size_t)c * POLICY_MAX_WINDOWS];
	double t = u - v->phase, sh;
	uint32_t k, n = 0;

	t += t < 0 ? 1 : 0;
	for (k = k0; k < k1; k++) {
		sh = -expm1(l1f[k]);
		if (t >= v->wend[k] - sh && t < v->wend[k])
			n++;
		else if (rest)
			n += rng_bernoulli(&s->rng, seen(rest, l1f[k]));
	}
	return n;
}

/* Windows, of w, in which a page with `count` accesses is seen. */
static uint32_t windows_seen(struct sim *s, double count, const double *l1f, uint32_t w)
{
	uint32_t k, n = 0;

	for (k = 0; k < w; k++)
		n += rng_bernoulli(&s->rng, seen(count, l1f[k]));
	return n;
}

/* log(1 - f), f short of 1. */
static double l1(double f)
{
	return log1p(-(f < 1 ? f : 0.999999));
}

/*
 * Window k's share of the interval (window k lasts 2^-(k * window_shift)
 * of the first); returns the windows.
 */
static uint32_t window_frac(const struct sim *s, double *f)
{
	const struct policy_params *par = &((struct hv *)s->priv)->par;
	uint32_t k;

	f[0] = window0_frac(s);
	for (k = 1; k < par->windows; k++)
		f[k] = ldexp(f[k - 1], -(int)par->window_shift);
	return par->windows;
}

/* Whether a replay harvests the first window early (hmmv/policy.h). */
static int hv_early_on(const struct sim *s)
{
	const struct policy_params *par = &((struct hv *)s->priv)->par;

	return par->page_moves && par->page_headroom_pct &&
	       !(s->trace_flags & TRACE_F_WINDOWS);
}

/*
 * Whether chunk moves take --move-ns each on the engine's thread: the
 * engine copies between its intervals, so moves that run past the
 * interval's end land in later ones, and an interval whose first half the
 * thread spends moving is passed over (engine_thread(): a late interval
 * is skipped). Replays of the engine's own trace repeat its moves as they are.
 */
static int hv_timed(const struct sim *s)
{
	const struct policy_params *par = &((struct hv *)s->priv)->par;

	return s->m->move_ns > 0 && !par->page_moves && !(s->trace_flags & TRACE_F_WINDOWS);
}

/*
 * Chunk mode, as the engine runs it (hmmv/engine.c, log_off): dirty
 * logging on only from the interval's start to its last move, so that
 * only the chunks sampled or moved meanwhile are mapped 4 KiB, and off
 * again after (KVM gives the guest its huge second-level mappings back).
 * An engine trace was recorded with logging on throughout.
 */
static int hv_log_off(const struct sim *s)
{
	const struct hv *h = s->priv;

	return !h->par.page_moves && s->pp->hmmv_log_off &&
	       !(s->trace_flags & TRACE_F_WINDOWS);
}

/* Where logging goes off: the last move's end, as a share of the interval. */
static double hv_span(const struct hv_vm *v)
{
	return v->mbusy < 1 ? v->mbusy : 1;
}

/* A new interval: the moves in flight come one interval nearer. */
static void hv_tick(struct sim *s, struct hv_vm *v)
{
	uint32_t k;

	v->mbusy = v->mbusy > 1 ? v->mbusy - 1 : 0;
	for (k = 0; k < v->npend; k++)
		v->pend[k].at -= 1;
	v->skip = v->mbusy > 0.5;
}

/* The moves in flight that end within this interval take effect then. */
static void hv_land(struct sim *s, uint32_t vm)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	uint32_t k, n = 0;

	for (k = 0; k < v->npend; k++) {
		if (v->pend[k].at >= 1) {
			v->pend[n++] = v->pend[k];
			continue;
		}
		sim_set_tier_at(s, vm, v->pend[k].chunk * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES,
				v->pend[k].to, v->pend[k].at);
	}
	v->npend = n;
}

/*
 * Where @page lies in the block sampled in its chunk this interval (its
 * chunk in *@chunk), or -1 outside every sampled block.
 */
static int block_offset(const struct hv_vm *v, uint32_t sp, uint32_t page,
			uint32_t *chunk)
{
	uint32_t c = page / SIM_CHUNK_PAGES, off = page % SIM_CHUNK_PAGES, first;

	if (c >= v->nch || !v->sampled[c])
		return -1;
	policy_sample_block(v->p, c, &first);
	if (off < first || off >= first + sp)
		return -1;
	*chunk = c;
	return (int)(off - first);
}

/* Marks the chunks whose sampled block has a record this interval. */
static void hv_mark_busy(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	uint32_t sp = ((struct hv *)s->priv)->par.sample_pages, k, c, nrec;
	const struct trace_rec *rec = sim_seen_recs(iv, vm, &nrec);

	memset(v->busy, 0, v->nch);
	for (k = 0; k < nrec; k++)
		if (block_offset(v, sp, rec[k].page, &c) >= 0)
			v->busy[c] = 1;
}

/*
 * Window @k's zap calls, one per run of adjacent blocks (list ascending):
 * every block in the first window, later only those touched since their
 * last zap (tracker_window_begin()), here the busy ones. Sets each zapped
 * chunk's place in the calls (run); returns the calls.
 */
static uint32_t hv_zap_runs(const struct sim *s, struct hv_vm *v, uint32_t k)
{
	uint32_t sp = ((struct hv *)s->priv)->par.sample_pages;
	uint32_t i, c, first, start, runs = 0, prev_end = UINT32_MAX;

	for (i = 0; i < v->nlist; i++) {
		c = v->list[i];
		if (k && !v->busy[c])
			continue;
		policy_sample_block(v->p, c, &first);
		start = c * SIM_CHUNK_PAGES + first;
		runs += start != prev_end;
		prev_end = start + sp;
		v->run[c] = runs - 1;
	}
	return runs;
}

/*
 * Each sampled chunk's last stretch, from its last zap to @end (a share of
 * the interval: its end, or where logging goes off), as log(1 - share).
 */
static void hv_last_stretch(struct hv_vm *v, uint32_t w, double end)
{
	double used;
	uint32_t i, k;

	for (i = 0; i < v->nlist; i++) {
		const double *e = &v->wl1f[(size_t)v->list[i] * POLICY_MAX_WINDOWS];

		for (k = 0, used = 0; k + 1 < w; k++)
			used += -expm1(e[k]);
		v->rl1f[v->list[i]] = l1(used < end ? end - used : 0);
	}
}

/*
 * The engine zaps the blocks one call after another and starts a window's
 * clock after the last: a block zapped earlier watches for longer, by the
 * calls after its own (zap_ns each; ~1 ms in the nested test host, where
 * that is most of a 5 ms window). Sets each sampled chunk's share of the
 * interval per window (wl1f; a window is also the stretch from its zap to
 * the next) and from its last zap to the interval's end (rl1f), as
 * log(1 - share), and each window's zap time; returns the interval's zap
 * calls.
 */
static uint32_t hv_zap_plan(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	double f[POLICY_MAX_WINDOWS], call = s->m->zap_ns / s->interval_ns, sh;
	uint32_t w = window_frac(s, f), i, k, c, runs, calls = 0;

	hv_mark_busy(s, vm, iv);
	for (k = 0; k < w; k++) {
		runs = hv_zap_runs(s, v, k);
		calls += runs;
		v->zap[k] = runs * call;
		v->wend[k] = (k ? v->wend[k - 1] : 0) + v->zap[k] + f[k];
		for (i = 0; i < v->nlist; i++) {
			c = v->list[i];
			sh = f[k];
			if (!k || v->busy[c])
				sh += (runs - 1 - v->run[c]) * call;
			v->wl1f[(size_t)c * POLICY_MAX_WINDOWS + k] = l1(sh);
		}
	}
	hv_last_stretch(v, w, 1);
	return calls;
}

double pol_hmmv_window_share(const struct sim *s, uint32_t vm, uint32_t chunk,
			     uint32_t window)
{
	const struct hv_vm *v = &((struct hv *)s->priv)->v[vm];

	if (chunk >= v->nch || window >= POLICY_MAX_WINDOWS || !v->sampled[chunk])
		return 0;
	return -expm1(v->wl1f[(size_t)chunk * POLICY_MAX_WINDOWS + window]);
}

uint32_t pol_hmmv_hits(const struct sim *s, uint32_t vm, uint32_t chunk)
{
	const struct hv_vm *v = &((struct hv *)s->priv)->v[vm];

	return chunk < v->nch && v->sampled[chunk] ? v->hits[chunk] : 0;
}

static void hv_begin(struct sim *s, const struct ival *iv)
{
	struct hv *h = s->priv;
	uint32_t i, k, n;
	double cost;

	if (!h->started && s->hv_placement && s->nvms == 1)
		hv_place_start(s);
	h->started = 1;
	for (i = 0; i < s->nvms; i++) {
		struct hv_vm *v = &h->v[i];

		memset(v->sampled, 0, v->nch);
		memset(v->on4k, 0, v->nch);
		v->nlist = 0;
		if (iv->has_touch && iv->touch_times)
			v->phase = rng_u01(&s->rng);
		if (hv_timed(s))
			hv_tick(s, v);
		if (v->skip)
			continue;
		n = policy_sample_set(v->p, v->list, v->nch);
		v->nlist = n;
		for (k = 0; k < n; k++)
			v->sampled[v->list[k]] = v->on4k[v->list[k]] = 1;
		cost = hv_zap_plan(s, i, iv) * s->m->zap_ns;
		s->vm[i].a.stall_ns += cost;
		s->vm[i].a.track_ns += cost;
	}
}

/*
 * Windows [k0, k1) of the sampled blocks' pages, added to phits and
 * hits (from zero when k0 is the first window).
 */
static void hv_windows(struct sim *s, uint32_t vm, const struct ival *iv,
		       uint32_t k0, uint32_t k1)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];
	uint32_t w = h->par.windows, sp = h->par.sample_pages;
	uint32_t k, c, n, nrec, at;
	int off;
	const struct trace_rec *rec = sim_seen_recs(iv, vm, &nrec);

	if (!k0) {
		memset(v->hits, 0, v->nch * sizeof(uint32_t));
		memset(v->phits, 0, (size_t)v->nch * sp);
	}
	for (k = 0; k < nrec; k++) {
		const struct trace_rec *r = &rec[k];

		off = block_offset(v, sp, r->page, &c);
		if (off < 0)
			continue;
		/* The engine's own observation, or what sampling would see. */
		at = iv->has_touch && iv->touch_times ? SIM_TOUCH_AT(r->writes) : 0;
		if (s->trace_flags & TRACE_F_WINDOWS)
			n = r->reads < w ? r->reads : w;
		else if (at)
			n = windows_at(s, v, c, k0, k1, (double)(at - 1) / SIM_TOUCH_UNIT,
				       TRACE_TOUCH_SLOTS(r->writes) - 1);
		else
			n = windows_seen(s, sim_touches(s, iv, r),
					 &v->wl1f[(size_t)c * POLICY_MAX_WINDOWS + k0], k1 - k0);
		v->hits[c] += n;
		v->phits[(size_t)c * sp + (uint32_t)off] += (uint8_t)n;
	}
}

/*
 * Refaults of a block page touched c times in the interval, spread
 * evenly over it: one in each stretch between zaps in which it is
 * touched, in a window or not (the engine counts them all:
 * tracker_faults()). The stretches are the w - 1 first windows (a zap
 * to the next, log(1 - share) in wl1f) and the last zap to the
 * interval's end (rl1f).
 */
static double page_faults(double c, const double *wl1f, uint32_t w, double rl1f)
{
	double f = 0;
	uint32_t k;

	if (c <= 0)
		return 0;
	for (k = 0; k + 1 < w; k++)
		f += -expm1(c * wl1f[k]);
	return f + -expm1(c * rl1f);
}

/*
 * The refaults sampling cost the guest this interval, charged to its
 * vCPUs and told to the policy (its tracking budget). An engine trace
 * carries those the engine counted (a record's writes).
 */
static void hv_faults(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];
	uint32_t w = h->par.windows, sp = h->par.sample_pages, k, c, nrec;
	const struct trace_rec *rec = sim_seen_recs(iv, vm, &nrec);
	double f = 0;

	for (k = 0; k < nrec; k++) {
		if (block_offset(v, sp, rec[k].page, &c) < 0)
			continue;
		f += s->trace_flags & TRACE_F_WINDOWS ? rec[k].writes :
		     page_faults(sim_touches(s, iv, &rec[k]),
				 &v->wl1f[(size_t)c * POLICY_MAX_WINDOWS], w, v->rl1f[c]);
	}
	policy_note_faults(v->p, (uint64_t)llround(f));
	s->vm[vm].a.stall_ns += f * s->m->fault_ns;
	s->vm[vm].a.track_ns += f * s->m->fault_ns;
}

/* What the dirty log shows over the windows, and what it cost. */
static void hv_observe(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];
	uint32_t sp = h->par.sample_pages, c;

	/* The first window was harvested early (hv_early()). */
	hv_windows(s, vm, iv, hv_early_on(s) ? 1 : 0, h->par.windows);
	for (c = 0; c < v->nch; c++) {
		if (!v->sampled[c])
			continue;
		policy_observe_pages(v->p, c, &v->phits[(size_t)c * sp]);
		if (v->est)
			est_observe(v->est, c, v->hits[c]);
	}
}

/* The share of the interval its zaps and windows take: the engine decides then. */
static double hv_decide_frac(const struct sim *s, uint32_t vm)
{
	const struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	double f[POLICY_MAX_WINDOWS], sum = 0;
	uint32_t k, w = window_frac(s, f);

	for (k = 0; k < w; k++)
		sum += v->zap[k] + f[k];
	return sum < 1 ? sum : 1;
}

/*
 * Carries out pmoves[0..n), the mover's first starting @f of the interval
 * in (each unit's pages set where it goes once the units before it have
 * moved), and charges them: per page the kernel's migration on a core
 * taken from the vCPUs and the guest's refault. Returns when the last
 * move ends, as a share of the interval.
 */
static double hv_apply_pages(struct sim *s, uint32_t vm, uint32_t n, double f)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	uint32_t k, to, pg, np, vp = s->vm[vm].pages;
	double cost, pages = 0;

	for (k = 0; k < n; k++) {
		to = v->pmoves[k].to == POLICY_DRAM ? SIM_DRAM : SIM_SLOW;
		pg = v->pmoves[k].page;
		np = v->pmoves[k].npages;
		f += np * s->m->migrate_4k_ns / s->interval_ns;
		if (pg < vp)
			sim_set_tier_at(s, vm, pg, np < vp - pg ? np : vp - pg, to, f);
		pages += np;
		policy_page_move_done(v->p, pg, 1);
	}
	cost = pages * (s->m->migrate_4k_ns + s->m->fault_ns);
	s->vm[vm].a.stall_ns += cost;
	s->vm[vm].a.mig_ns += cost;
	return f;
}

/*
 * Page mode's early promotion: the first window is harvested when it
 * ends (its zaps and window_ms into the interval), the slow units seen in it go to free DRAM
 * at once (policy_promote_early(), the densest chunks first as the
 * engine takes them, policy_early_order()): their pages' accesses before
 * that are served by the slow tier, the rest by DRAM.
 */
static void hv_promote_early(struct sim *s, uint32_t vm)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];
	uint32_t sp = h->par.sample_pages, i, k, n;
	double f = v->zap[0] + window0_frac(s);

	for (i = 0; i < v->nlist; i++)
		v->eseen[i] = &v->phits[(size_t)v->list[i] * sp];
	if (policy_early_order(v->p, v->eseen, v->nlist, v->eord))
		return;
	for (k = 0; k < v->nlist; k++) {
		n = 0;
		i = v->eord[k];
		policy_promote_early(v->p, v->list[i], v->eseen[i], v->pmoves,
				     h->par.max_page_moves, &n);
		f = hv_apply_pages(s, vm, n, f);
	}
}

/* The first window harvested as it ends, its units promoted early. */
static void hv_early(struct sim *s, uint32_t vm, const struct ival *iv)
{
	hv_windows(s, vm, iv, 0, 1);
	hv_promote_early(s, vm);
}

/*
 * Every access walks 4 KiB second-level entries while logging is on: on
 * throughout but when idle (the engine's idle_switch()).
 */
static void hv_charge_ept_all(struct sim *s, uint32_t vm)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	struct acct *a = &s->vm[vm].a;

	if (!v->nlist && !v->skip && policy_idle(v->p))
		return;
	a->stall_ns += a->accesses * s->m->ept_split_ns;
	a->track_ns += a->accesses * s->m->ept_split_ns;
}

/*
 * Logging on from the interval's start to the end of its last move (a
 * share q of it; hv_log_off()): the chunks sampled or moved are mapped 4
 * KiB until then (their accesses spread evenly over the interval), each
 * of them touched later refaults once as KVM maps it huge again, and
 * each switch of the memslots' flags kicks every vCPU out once (KVM's
 * request to update PML): a refault's cost. The rest keep their huge
 * mappings: with the log initially set, turning it on splits nothing.
 */
static void hv_charge_ept(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	const struct trace_rec *r;
	double q = hv_span(v), n = 0, ns;
	uint32_t k, c, last = UINT32_MAX, touched = 0;

	if (!hv_log_off(s) || v->skip) {
		hv_charge_ept_all(s, vm);
		return;
	}
	if (!memchr(v->on4k, 1, v->nch))
		return;		/* nothing sampled or moved: logging stayed off */
	for (k = 0; k < iv->n[vm]; k++) {
		r = &iv->rec[vm][k];
		c = r->page / SIM_CHUNK_PAGES;
		if (c >= v->nch || !v->on4k[c])
			continue;
		n += (double)r->reads + r->writes;
		touched += c != last;
		last = c;
	}
	ns = n * q * s->m->ept_split_ns + 2 * s->m->vcpus * s->m->fault_ns;
	if (q < 1)
		ns += touched * s->m->fault_ns;
	s->vm[vm].a.stall_ns += ns;
	s->vm[vm].a.track_ns += ns;
}

/*
 * The interval's refaults (hv_faults()), once its moves are decided: with
 * logging off after them, the last stretch ends there (hv_log_off()).
 */
static void hv_faults_end(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];

	if (v->skip)
		return;
	if (hv_log_off(s))
		hv_last_stretch(v, h->par.windows, hv_span(v));
	hv_faults(s, vm, iv);
}

/* An engine trace: the traffic its observations imply, where it is now. */
static void hv_account_est(struct sim *s, uint32_t vm)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	struct simvm *sv = &s->vm[vm];
	uint32_t c, pages;
	double r;

	for (c = 0; c < v->nch; c++) {
		r = est_rate(v->est, c);
		if (r <= 0)
			continue;
		pages = sv->pages - c * SIM_CHUNK_PAGES;
		if (pages > SIM_CHUNK_PAGES)
			pages = SIM_CHUNK_PAGES;
		acct_read(&sv->a, s->m, sv->loc[c * SIM_CHUNK_PAGES],
			  r * s->presence_lines * pages);
	}
}

/* Writes this interval's implied traffic (touches x presence_lines). */
static int hv_write_est(struct sim *s, uint32_t vm, uint32_t index)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	struct trace_hdr h = { .nvms = s->nvms };
	uint32_t p, n = 0, npages = s->vm[vm].pages;
	double x;

	if (!v->erec) {
		v->erec = calloc(npages, sizeof(*v->erec));
		if (!v->erec)
			return -ENOMEM;
	}
	for (p = 0; p < npages; p++) {
		x = est_rate(v->est, p / SIM_CHUNK_PAGES) * s->presence_lines;
		/* Rounded at random, so that small rates add up right. */
		x = floor(x + rng_u01(&s->rng));
		if (x < 1)
			continue;
		v->erec[n++] = (struct trace_rec){
			.page = p, .reads = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x,
		};
	}
	for (p = 0; p < s->nvms; p++)
		h.vm_pages[p] = s->vm[p].pages;
	return trace_write_block(s->estimate, &h, index, vm, v->erec, n);
}

/* Pages of chunk c written while it was being copied for tau ns. */
static double dirty_during(const struct ival *iv, uint32_t vm, uint32_t c,
			   double tau, double interval)
{
	double l1f = log1p(-(tau < interval ? tau / interval : 0.999999)), n = 0;
	uint32_t lo = 0, hi = iv->n[vm], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (iv->rec[vm][mid].page < c * SIM_CHUNK_PAGES)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < iv->n[vm] && iv->rec[vm][lo].page < (c + 1) * SIM_CHUNK_PAGES; lo++)
		if (iv->rec[vm][lo].writes)
			n += seen(iv->rec[vm][lo].writes, l1f);
	return n;
}

static void hv_move(struct sim *s, uint32_t vm, const struct ival *iv)
{
	struct hv *h = s->priv;
	struct hv_vm *v = &h->v[vm];
	const struct model *m = s->m;
	double pause = 0, copy = 0, bytes = SIM_CHUNK_PAGES * (double)SIM_PAGE;
	double f = hv_decide_frac(s, vm);
	uint32_t n = 0, k;

	if (hv_timed(s) && v->mbusy > f)
		f = v->mbusy;
	policy_decide(v->p, v->moves, v->nch, &n);
	for (k = 0; k < n; k++) {
		uint32_t c = v->moves[k].chunk, to = v->moves[k].to;
		double bw, dirty, c_ns, p_ns;

		to = to == POLICY_DRAM ? SIM_DRAM : SIM_SLOW;
		bw = model_copy_bw(m, to);
		/* An engine trace's writes are refaults, not the guest's. */
		dirty = s->trace_flags & TRACE_F_WINDOWS ? 0 :
			dirty_during(iv, vm, c, bytes / bw, s->interval_ns);
		if (s->trace_flags & TRACE_F_WINDOWS)
			fprintf(stderr, "hmm-v move %u %u %s\n", s->now, c,
				to == SIM_DRAM ? "dram" : "nvm");
		c_ns = bytes / bw;
		p_ns = m->remap_ns + dirty * SIM_PAGE / bw;
		/* Copied one after another from the decision on. */
		f += (hv_timed(s) ? m->move_ns : c_ns + p_ns) / s->interval_ns;
		/* At most this batch in flight: a decision waits for the last (hv_tick()). */
		if (f < 1 || !hv_timed(s) || v->npend >= v->nch)
			sim_set_tier_at(s, vm, c * SIM_CHUNK_PAGES, SIM_CHUNK_PAGES, to, f);
		else
			v->pend[v->npend++] = (struct hv_pend){ .chunk = c, .to = to, .at = f };
		sim_copy_again(s, vm, to, dirty * SIM_PAGE);
		v->on4k[c] = 1;
		pause += p_ns;
		copy += c_ns;
		policy_move_done(v->p, c, 1);
	}
	v->mbusy = f;
	if (!n)
		return;
	pause = (pause + m->pause_ns) * m->vcpus + copy;
	s->vm[vm].a.stall_ns += pause;
	s->vm[vm].a.mig_ns += pause;
}

/*
 * Page mode: the mover thread's move_pages(2) of 4 KiB pages: per page the
 * kernel's unmap, copy and remap (migrate_4k_ns, on a host core taken
 * from the vCPUs, as the chunk copies are) and the guest's refault of the
 * second-level entry the MMU notifier dropped (fault_ns); no pause, no
 * remap: a page written during its copy is retried by the kernel.
 */
static void hv_move_pages(struct sim *s, uint32_t vm)
{
	struct hv_vm *v = &((struct hv *)s->priv)->v[vm];
	uint32_t n = 0;

	policy_decide_pages(v->p, v->pmoves, UINT32_MAX, &n);
	hv_apply_pages(s, vm, n, hv_decide_frac(s, vm));
}

static void hv_pool(struct sim *s)
{
	struct hv *h = s->priv;
	struct pool_vm pv[TRACE_MAX_VMS];
	uint32_t i;

	for (i = 0; i < s->nvms; i++) {
		policy_histogram(h->v[i].p, pv[i].hist);
		pv[i].min_bytes = s->pp->pool_min_bytes;
		pv[i].max_bytes = (uint64_t)s->vm[i].pages * SIM_PAGE;
		if (pv[i].min_bytes > pv[i].max_bytes)
			pv[i].min_bytes = pv[i].max_bytes;
		pv[i].quota = s->vm[i].quota_pages * SIM_PAGE;
	}
	if (pool_policy_compute(&h->pool, s->dram_pages * SIM_PAGE, pv, s->nvms))
		return;
	for (i = 0; i < s->nvms; i++)
		s->vm[i].quota_pages = pv[i].quota / SIM_PAGE;
}

/*
 * A grant is only as good as the frames the pool has free: shrinking VMs
 * move first, growing ones may use what has actually been released.
 */
static void hv_end(struct sim *s, const struct ival *iv)
{
	struct hv *h = s->priv;
	uint32_t i, pass;

	for (i = 0; i < s->nvms; i++) {
		if (hv_timed(s))
			hv_land(s, i);
		if (h->v[i].skip)
			continue;
		if (hv_early_on(s))
			hv_early(s, i, iv);
		hv_observe(s, i, iv);
		if (!(s->trace_flags & TRACE_F_WINDOWS))
			continue;
		hv_faults(s, i, iv);
		hv_charge_ept_all(s, i);
		hv_account_est(s, i);
		if (s->estimate && !s->estimate_err)
			s->estimate_err = hv_write_est(s, i, iv->index);
	}
	if (s->nvms > 1 && s->pp->pool_period && s->now % s->pp->pool_period == 0)
		hv_pool(s);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < s->nvms; i++) {
			struct simvm *v = &s->vm[i];
			uint64_t cap = v->dram_pages + sim_dram_free(s);
			uint64_t q = v->quota_pages < cap ? v->quota_pages : cap;

			if ((v->quota_pages < v->dram_pages) != !pass || h->v[i].skip)
				continue;
			hv_set_quota(&h->v[i], &h->par, q);
			if (h->par.page_moves)
				hv_move_pages(s, i);
			else
				hv_move(s, i, iv);
		}
	/* The engine decided as its last window ended: its moves serve the rest. */
	if (s->trace_flags & TRACE_F_WINDOWS)
		return;
	sim_account_moved(s, iv);
	for (i = 0; i < s->nvms; i++) {
		hv_faults_end(s, i, iv);
		hv_charge_ept(s, i, iv);
	}
}

/* Chunks: a devdax slow tier, which can only be remapped (the engine's). */
static int hv_init(struct sim *s)
{
	s->chunk_frames = 1;	/* remaps: hmmv's frames */
	return hv_init_mode(s, &s->pp->hmmv);
}

/* Pages: a slow tier that is a NUMA node (move_pages(2)). */
static int hv_init_4k(struct sim *s)
{
	s->alloc_lifo = 1;	/* move_pages(): the kernel's page allocator */
	return hv_init_mode(s, &s->pp->hmmv4k);
}

/*
 * --hmmv-state: the replay starts from what a replay of the engine's trace
 * had learned where it stopped (the workload's start), its placement
 * (--hmmv-placement) applied at the first interval as without one.
 */
static int hv_prepare(struct sim *s)
{
	struct hv *h = s->priv;

	if (!s->hv_state)
		return 0;
	if (s->nvms != 1)
		return -EINVAL;
	return policy_state_load(h->v[0].p, s->hv_state, s->hv_state_len);
}

int pol_hmmv_state_write(const struct sim *s, FILE *f)
{
	const struct policy *p = ((const struct hv *)s->priv)->v[0].p;
	size_t n = policy_state_size(p);
	void *buf;
	int r;

	if (s->nvms != 1)
		return -EINVAL;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	r = policy_state_save(p, buf, n);
	if (!r && (fwrite(buf, 1, n, f) != n || fflush(f)))
		r = -EIO;
	free(buf);
	return r;
}

const struct sim_ops pol_hmmv = {
	.name = "hmm-v", .init = hv_init, .begin = hv_begin,
	.account = sim_account_at_end, .end = hv_end, .fini = hv_fini,
	.prepare = hv_prepare,
};

const struct sim_ops pol_hmmv4k = {
	.name = "hmm-v-4k", .init = hv_init_4k, .begin = hv_begin,
	.account = sim_account_at_end, .end = hv_end, .fini = hv_fini,
};
