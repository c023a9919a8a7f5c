// SPDX-License-Identifier: GPL-2.0
/* The HMM-V engine's thread: the interval loop of hmmv/engine.h. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "hmmv/engine.h"

#define STALL_RING	1024	/* pause samples kept for percentiles */
#define MOVE_LOG_MAX	65536	/* moves kept for "engine moves" */
#define PINGPONG_IVALS	16

struct engine_move_rec {
	uint32_t interval;
	uint32_t chunk;
	uint8_t to;
	uint8_t ok;
};

struct engine {
	struct engine_config cfg;
	struct policy_params par;
	struct guest_mem *m;
	struct tracker *t;
	struct policy *p;
	bool moves;
	uint32_t nchunks, ppc, interval_ms, window_ms;
	uint32_t *list;			/* chunks sampled this interval */
	struct tracker_block *blocks;
	uint32_t nblocks;		/* the last interval's blocks */
	uint8_t *counts;		/* per block page: windows touched */
	const uint8_t **eseen;		/* page mode: the blocks, for policy_early_order() */
	uint32_t *eorder;		/* ... the order of the early promotions */
	uint8_t *faults;		/* per block page: refaults counted */
	uint64_t nfaults;		/* ... their sum so far */
	bool pending;			/* observed, its refaults not all counted */
	uint32_t observed;		/* the interval observed */
	struct trace_rec *recs;
	struct policy_move *mv;
	bool pages;			/* page mode (policy.h) */
	bool log_off;			/* dirty logging off between sampling spans */
	struct policy_page_move *pmv;	/* page mode's moves */
	uint8_t *ctier;			/* page mode: each chunk's tier at the last sync */
	bool synced;
	uint32_t *moved_at;		/* per chunk: interval of its last move */
	uint32_t interval;		/* index of the current interval */
	struct tracker_cost cost;	/* this interval's */
	uint64_t track_cpu_ns;		/* CPU in the tracker's calls, this interval */
	pthread_t thread;
	bool thread_on;
	int stop_fd, wake_fd;
	atomic_bool stop;
	_Atomic uint64_t pool_quota;	/* bytes the pool grants; UINT64_MAX: no pool */
	_Atomic uint64_t pool_applied;	/* the grant this interval's moves obey */
	int err;
	char errwhat[64];
	uint64_t t_start, cpu_start;

	pthread_mutex_t lock;		/* what the control thread reads */
	uint64_t hist[POLICY_BUCKETS];	/* for the pool, as of the last interval */
	struct engine_stats st;
	uint64_t stall[STALL_RING];	/* per-move writer stalls (WP) */
	uint32_t nstall;
	uint64_t pause[STALL_RING];	/* per-move whole-VM pauses */
	uint32_t npause;
	struct engine_move_rec *log;
	uint32_t nlog;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int params_from(struct engine *e, const struct engine_config *cfg,
		       char *why, size_t whylen)
{
	struct policy_params *par = &e->par;
	uint64_t pages;

	if (cfg->move == ENGINE_MOVE_PAGE && !memory_pages_movable(e->m)) {
		snprintf(why, whylen, "--hmmv-move page: needs both tiers in NUMA nodes' "
			 "memory (--nvm node=N, DRAM without hugetlb)");
		return -EINVAL;
	}
	e->pages = cfg->move == ENGINE_MOVE_PAGE ||
		   (cfg->move == ENGINE_MOVE_AUTO && memory_pages_movable(e->m));
	if (e->pages)
		policy_params_pages(par);
	else
		policy_params_default(par);
	e->ppc = (uint32_t)(e->m->chunk_size / MEM_PAGE_SIZE);
	par->pages_per_chunk = e->ppc;
	if (e->pages)
		par->sample_pages = e->ppc;	/* the whole chunk */
	if (cfg->sample_pages)
		par->sample_pages = cfg->sample_pages;
	if (par->sample_pages > e->ppc)
		par->sample_pages = e->ppc;	/* small chunks: the whole chunk */
	if (cfg->windows)
		par->windows = cfg->windows;
	if (cfg->levels)
		par->levels = cfg->levels;
	e->interval_ms = cfg->interval_ms ? cfg->interval_ms : POLICY_DEFAULT_INTERVAL_MS;
	e->window_ms = cfg->window_ms ? cfg->window_ms : POLICY_DEFAULT_WINDOW_MS;
	par->track_faults = policy_track_faults(cfg->track_set ? cfg->track_pct :
						POLICY_TRACK_PCT,
						e->interval_ms, cfg->vcpus ? cfg->vcpus : 1,
						cfg->fault_ns);
	/* A trace, or tracking without moves, wants samples all the time. */
	par->sample_idle = !e->moves || tracker_tracing(e->t);
	/*
	 * Page mode keeps logging on: its moved pages are 4 KiB on the host
	 * anyway, and the policy samples most chunks every interval.
	 */
	e->log_off = cfg->dirty_log != ENGINE_LOG_ALWAYS && !e->pages && !par->sample_idle;
	par->max_moves = engine_rate_moves(cfg->rate_mibs, e->interval_ms,
					   e->m->chunk_size, par->max_moves);
	pages = engine_rate_moves(cfg->rate_mibs, e->interval_ms, MEM_PAGE_SIZE,
				  par->max_page_moves);
	if (par->page_unit > par->sample_pages)
		par->page_unit = par->sample_pages;	/* small chunks or blocks */
	par->max_page_moves = pages > par->page_unit ? (uint32_t)pages : par->page_unit;
	if (e->ppc % par->sample_pages) {
		snprintf(why, whylen, "--hmmv-block-pages: %u does not divide a chunk's %u pages",
			 par->sample_pages, e->ppc);
		return -EINVAL;
	}
	return 0;
}

static int engine_alloc(struct engine *e)
{
	uint32_t n = e->nchunks;

	e->list = calloc(n, sizeof(*e->list));
	e->blocks = calloc(n, sizeof(*e->blocks));
	e->counts = calloc((size_t)n * e->par.sample_pages, 1);
	e->faults = calloc((size_t)n * e->par.sample_pages, 1);
	e->recs = calloc((size_t)n * e->par.sample_pages, sizeof(*e->recs));
	e->mv = calloc(n, sizeof(*e->mv));
	e->moved_at = calloc(n, sizeof(*e->moved_at));
	e->log = calloc(MOVE_LOG_MAX, sizeof(*e->log));
	e->pmv = calloc(e->pages ? e->par.max_page_moves : 1, sizeof(*e->pmv));
	e->ctier = calloc(n, 1);
	e->eseen = calloc(n, sizeof(*e->eseen));
	e->eorder = calloc(n, sizeof(*e->eorder));
	if (!e->list || !e->blocks || !e->counts || !e->faults || !e->recs || !e->mv ||
	    !e->moved_at || !e->log || !e->pmv || !e->ctier || !e->eseen || !e->eorder)
		return -ENOMEM;
	return 0;
}

int engine_create(struct engine **out, const struct engine_config *cfg,
		  struct tracker *t, struct guest_mem *m, bool moves,
		  char *why, size_t whylen)
{
	struct engine *e;
	int err;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(why, whylen, "HMM-V engine: out of memory");
		return -ENOMEM;
	}
	e->cfg = *cfg;
	e->m = m;
	e->t = t;
	e->moves = moves;
	e->nchunks = m->nr_chunks;
	e->stop_fd = -1;
	e->wake_fd = -1;
	atomic_init(&e->stop, false);
	atomic_init(&e->pool_quota, UINT64_MAX);
	atomic_init(&e->pool_applied, UINT64_MAX);
	err = pthread_mutex_init(&e->lock, NULL);
	if (err) {
		free(e);
		snprintf(why, whylen, "HMM-V engine: %s", strerror(err));
		return -err;
	}
	err = params_from(e, cfg, why, whylen);
	if (!err) {
		err = engine_alloc(e);
		if (!err)
			err = policy_create(&e->par, e->nchunks, &e->p);
		if (err)
			snprintf(why, whylen, "HMM-V engine: %s", strerror(-err));
	}
	if (err) {
		engine_destroy(e);
		return err;
	}
	*out = e;
	return 0;
}

/*
 * Page mode: each unit where the memory layer has its pages (a unit with a
 * page in DRAM counts as DRAM), at the start and for every chunk moved
 * whole by someone else since.
 */
static void sync_units(struct engine *e)
{
	uint32_t c, u, k, unit = e->par.page_unit;
	struct mem_chunk ch;
	uint64_t pg;
	bool dram;

	for (c = 0; c < e->nchunks; c++) {
		if (memory_chunk_info(e->m, c, &ch))
			continue;
		if (e->synced && e->ctier[c] == ch.tier)
			continue;
		for (u = 0; u < e->ppc; u += unit) {
			pg = (uint64_t)c * e->ppc + u;
			for (k = 0, dram = false; k < unit && !dram; k++)
				dram = memory_page_tier(e->m, pg + k) == MEM_TIER_DRAM;
			policy_set_unit_tier(e->p, (uint32_t)pg, dram ? POLICY_DRAM : POLICY_NVM);
		}
		e->ctier[c] = ch.tier;
	}
	e->synced = true;
}

/* Chunks moved by someone else (the control socket) are where they are. */
static void sync_placement(struct engine *e)
{
	struct mem_chunk ch;
	uint64_t quota, pool;
	uint32_t c;

	quota = e->m->tiers[MEM_TIER_DRAM].quota;
	pool = atomic_load(&e->pool_quota);
	atomic_store(&e->pool_applied, pool);
	if (e->pages) {
		sync_units(e);
		pool = (pool < quota ? pool : quota) / MEM_PAGE_SIZE;
		policy_set_quota_pages(e->p, pool < UINT32_MAX ? (uint32_t)pool : UINT32_MAX);
		return;
	}
	for (c = 0; c < e->nchunks; c++) {
		if (memory_chunk_info(e->m, c, &ch) == 0 &&
		    policy_tier(e->p, c) != ch.tier)
			policy_set_tier(e->p, c, ch.tier == MEM_TIER_DRAM ? POLICY_DRAM :
					POLICY_NVM);
	}
	policy_set_quota(e->p, (uint32_t)((pool < quota ? pool : quota) / e->m->chunk_size));
}

/* Sleeps until @deadline (CLOCK_MONOTONIC ns); false when asked to stop. */
static bool wait_until(struct engine *e, uint64_t deadline)
{
	struct pollfd pfd[2] = {
		{ .fd = e->stop_fd, .events = POLLIN },
		{ .fd = e->wake_fd, .events = POLLIN },
	};
	struct timespec ts;
	uint64_t now;

	while (!atomic_load(&e->stop)) {
		now = now_ns();
		if (now >= deadline)
			return true;
		ts.tv_sec = (time_t)((deadline - now) / 1000000000ULL);
		ts.tv_nsec = (long)((deadline - now) % 1000000000ULL);
		if (ppoll(pfd, 2, &ts, NULL) > 0)
			return false;
	}
	return false;
}

static int fail(struct engine *e, int err, const char *what)
{
	if (!e->err) {
		e->err = err;
		snprintf(e->errwhat, sizeof(e->errwhat), "%s", what);
	}
	return err;
}

static bool log_is_on(const struct engine *e)
{
	return e->m->slot_flags & KVM_MEM_LOG_DIRTY_PAGES;
}

/*
 * Dirty logging on or off: the memslots' flags. Logging forces 4 KiB
 * second-level mappings on what it touches; off, KVM maps the guest huge
 * again where the host does. On, all pages start logged
 * (KVM_DIRTY_LOG_INITIALLY_SET), which splits and protects nothing.
 */
static int log_set(struct engine *e, bool on)
{
	uint32_t want = tracker_slot_flags(e->t);	/* as the slots were made */
	int err;

	if (!on)
		want &= ~(uint32_t)KVM_MEM_LOG_DIRTY_PAGES;
	if (e->m->slot_flags == want)
		return 0;
	err = memory_set_slot_flags(e->m, want);
	if (err)
		return fail(e, err, "dirty logging on/off");
	pthread_mutex_lock(&e->lock);
	e->st.log_switches++;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

/*
 * Idle (policy_idle()), the memslots lose dirty logging: an idle engine
 * costs the guest nothing. It comes back before the next sample: here,
 * or with log_off once there are blocks to watch (plan_blocks()).
 */
static int idle_switch(struct engine *e)
{
	bool idle = !e->par.sample_idle && policy_idle(e->p);
	int err;

	err = log_set(e, !idle && !e->log_off);
	if (err)
		return err;
	pthread_mutex_lock(&e->lock);
	e->st.idle = idle;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

/* The interval's sample: chunks due and one block in each, by page. */
static int plan_blocks(struct engine *e)
{
	uint32_t n, i, first;
	int err;

	sync_placement(e);
	err = idle_switch(e);
	if (err)
		return err;
	n = policy_sample_set(e->p, e->list, e->nchunks);
	if (e->log_off && n) {
		err = log_set(e, true);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		policy_sample_block(e->p, e->list[i], &first);
		e->blocks[i].page = e->list[i] * e->ppc + first;
		e->blocks[i].npages = e->par.sample_pages;
	}
	memset(e->counts, 0, (size_t)n * e->par.sample_pages);
	memset(e->faults, 0, (size_t)n * e->par.sample_pages);
	e->nfaults = 0;
	e->nblocks = n;
	return (int)n;
}

/* Each block's windows, page by page, into the policy. */
static int observe(struct engine *e, uint32_t n)
{
	uint32_t i, sp = e->par.sample_pages;
	int err;

	for (i = 0; i < n; i++) {
		err = policy_observe_pages(e->p, e->list[i], e->counts + (size_t)i * sp);
		if (err)
			return fail(e, err, "policy_observe");
	}
	e->pending = true;
	e->observed = e->interval;
	return 0;
}

/*
 * The observed interval into the trace once its refaults are all counted:
 * per block page the windows it was seen in (reads) and its refaults
 * (writes), so that a replay gives the policy what the engine gave it.
 */
static int trace_interval(struct engine *e)
{
	uint32_t i, k, j, nrec = 0, sp = e->par.sample_pages;
	int err;

	for (i = 0; i < e->nblocks; i++)
		for (k = 0; k < sp; k++) {
			j = i * sp + k;
			if (e->counts[j] || e->faults[j])
				e->recs[nrec++] = (struct trace_rec){
					.page = e->blocks[i].page + k,
					.reads = e->counts[j], .writes = e->faults[j],
				};
		}
	err = tracker_trace_write(e->t, e->observed, e->recs, nrec);
	return err ? fail(e, err, "trace") : 0;
}

/*
 * The one place a move happens: memory_migrate(), pre-copy over the dirty
 * log (moves run between intervals, never inside a window) and a
 * write-protected or paused final copy, as --hmmv-copy says.
 */
static int engine_migrate(struct engine *e, uint32_t chunk, int dst,
			  struct mem_migrate_stats *st)
{
	struct mem_migrate_opts o = {
		.method = e->cfg.copy == ENGINE_COPY_PAUSE ? MEM_MIGRATE_PAUSE :
			  MEM_MIGRATE_WP,
		.dirty = &memory_kvm_dirty_ops,
		.dirty_ctx = e->m,
	};

	return memory_migrate(e->m, chunk, dst, &o, st);
}

static void log_move(struct engine *e, uint32_t chunk, uint32_t to, int ok,
		     const struct mem_migrate_stats *ms)
{
	struct engine_stats *s = &e->st;
	uint64_t bytes = e->m->chunk_size;

	pthread_mutex_lock(&e->lock);
	if (e->nlog < MOVE_LOG_MAX)
		e->log[e->nlog++] = (struct engine_move_rec){
			.interval = e->interval, .chunk = chunk, .to = (uint8_t)to,
			.ok = (uint8_t)ok,
		};
	if (!ok) {
		s->move_failed++;
	} else {
		/* A move in place (NUMA tiers) stalls no one: neither ring. */
		if (ms->method == MEM_MIGRATE_WP)
			e->stall[e->nstall++ % STALL_RING] = ms->writer_stall_ns;
		else if (ms->method == MEM_MIGRATE_PAUSE)
			e->pause[e->npause++ % STALL_RING] = ms->pause_ns;
		s->precopy_rounds += ms->rounds;
		s->recopied_pages += ms->recopied_pages;
		if (to == POLICY_DRAM) {
			s->promotions++;
			s->promoted_bytes += bytes;
		} else {
			s->demotions++;
			s->demoted_bytes += bytes;
		}
		if (e->moved_at[chunk] && e->interval - e->moved_at[chunk] < PINGPONG_IVALS)
			s->pingpong++;
		e->moved_at[chunk] = e->interval;
	}
	pthread_mutex_unlock(&e->lock);
}

static void log_pages(struct engine *e, uint32_t to, uint32_t npages, int ok,
		      bool early)
{
	struct engine_stats *s = &e->st;
	uint64_t bytes = (uint64_t)npages * MEM_PAGE_SIZE;

	pthread_mutex_lock(&e->lock);
	if (!ok) {
		s->move_failed++;
	} else if (to == POLICY_DRAM) {
		s->promotions++;
		s->early_promotions += early;
		s->promoted_bytes += bytes;
	} else {
		s->demotions++;
		s->demoted_bytes += bytes;
	}
	pthread_mutex_unlock(&e->lock);
}

/*
 * Page mode: each unit with move_pages(2), in place, nothing paused; a
 * unit the kernel left partly behind (a busy page) counts as not moved,
 * and the next decision sees it where the policy last knew it.
 */
static void move_units(struct engine *e, uint32_t n, bool early)
{
	const struct policy_page_move *mv;
	uint32_t i;
	int r;

	for (i = 0; i < n; i++) {
		mv = &e->pmv[i];
		r = e->moves ? memory_move_pages(e->m, mv->page, mv->npages,
						 mv->to == POLICY_DRAM ? MEM_TIER_DRAM :
						 MEM_TIER_NVM) : -EPERM;
		policy_page_move_done(e->p, mv->page, r == (int)mv->npages);
		if (e->moves)
			log_pages(e, mv->to, mv->npages, r == (int)mv->npages, early);
	}
}

static int carry_out_pages(struct engine *e)
{
	uint32_t n = 0;
	int err;

	err = policy_decide_pages(e->p, e->pmv, e->par.max_page_moves, &n);
	if (err)
		return fail(e, err, "policy_decide");
	move_units(e, n, false);
	return 0;
}

/*
 * Page mode, after the first window's harvest (between windows, so that
 * no window sees a move): the slow units seen in it go to free DRAM now,
 * not at the interval's end (policy_promote_early()), the chunks with the
 * most pages seen first (policy_early_order()).
 */
static int promote_early(struct engine *e, uint32_t n)
{
	uint32_t i, k, nm;
	int err;

	if (!e->pages)
		return 0;
	for (i = 0; i < n; i++)
		e->eseen[i] = e->counts + (size_t)i * e->par.sample_pages;
	err = policy_early_order(e->p, e->eseen, n, e->eorder);
	if (err)
		return fail(e, err, "policy_early_order");
	for (k = 0; k < n; k++) {
		i = e->eorder[k];
		nm = 0;
		err = policy_promote_early(e->p, e->list[i], e->eseen[i],
					   e->pmv, e->par.max_page_moves, &nm);
		if (err)
			return fail(e, err, "policy_promote_early");
		move_units(e, nm, true);
	}
	return 0;
}

/* The policy's moves, demotions first (they free DRAM frames). */
static int carry_out(struct engine *e)
{
	struct mem_migrate_stats ms;
	uint32_t n = 0, i, c, to;
	int err, ok;

	if (e->pages)
		return carry_out_pages(e);
	err = policy_decide(e->p, e->mv, e->nchunks, &n);
	if (err)
		return fail(e, err, "policy_decide");
	/* Pre-copy reads the dirty log (engine_migrate()). */
	if (e->log_off && n && e->moves) {
		err = log_set(e, true);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		c = e->mv[i].chunk;
		to = e->mv[i].to;
		memset(&ms, 0, sizeof(ms));
		ms.method = -1;
		ok = 1;
		if (e->moves) {
			err = engine_migrate(e, c, to == POLICY_DRAM ? MEM_TIER_DRAM :
					     MEM_TIER_NVM, &ms);
			/* Moved meanwhile by someone else: it is where we want it. */
			ok = !err || err == -EALREADY;
		} else {
			ok = 0;
		}
		policy_move_done(e->p, c, ok);
		if (e->moves)
			log_move(e, c, to, ok, &ms);
	}
	return 0;
}

static void publish(struct engine *e, uint32_t n)
{
	struct engine_stats *s = &e->st;
	struct policy_stats ps;
	uint32_t c, lvl, dram = 0;
	uint64_t hot = 0;

	pthread_mutex_lock(&e->lock);
	memset(s->level_chunks, 0, sizeof(s->level_chunks));
	for (c = 0; c < e->nchunks; c++) {
		lvl = policy_level(e->p, c);
		s->level_chunks[lvl < POLICY_MAX_LEVELS ? lvl : POLICY_MAX_LEVELS - 1]++;
		hot += policy_temp(e->p, c) ? e->m->chunk_size : 0;
		dram += policy_tier(e->p, c) == POLICY_DRAM;
	}
	s->hot_bytes = hot;
	policy_histogram(e->p, e->hist);
	s->dram_bytes = e->pages ? (uint64_t)policy_dram_pages(e->p) * MEM_PAGE_SIZE :
			(uint64_t)dram * e->m->chunk_size;
	s->nvm_bytes = e->m->ram_size > s->dram_bytes ? e->m->ram_size - s->dram_bytes : 0;
	s->intervals++;
	policy_get_stats(e->p, &ps);
	s->idle_intervals = ps.idle;
	s->settled_intervals = ps.settled;
	s->track_capped_intervals = ps.track_capped;
	s->sampled += n;
	s->zap_calls += e->cost.zap_calls;
	s->zapped += e->cost.zapped;
	s->rearmed += e->cost.rearmed;
	s->zap_failed += e->cost.zap_failed;
	s->zap_ns += e->cost.zap_ns;
	s->last_zap_calls = e->cost.zap_calls;
	s->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - e->cpu_start;
	s->track_cpu_ns += e->track_cpu_ns;
	s->run_ns = now_ns() - e->t_start;
	pthread_mutex_unlock(&e->lock);
}

/* Refaults since the blocks' last zap, added to the interval's. */
static int count_faults(struct engine *e)
{
	uint64_t f;
	int err;

	err = tracker_faults(e->t, e->blocks, e->nblocks, e->faults, &f);
	if (err)
		return fail(e, err, "dirty log harvest");
	e->nfaults += f;
	return 0;
}

/*
 * Ends the observed interval once the guest has run to the next one's
 * start: the refaults after its last window counted, the sum told to the
 * policy (its tracking budget) and to hmmv stat, the trace written.
 */
static int close_interval(struct engine *e)
{
	struct engine_stats *s = &e->st;

	if (!e->pending)
		return 0;
	e->pending = false;
	/* With logging off, log_pause() counted them as it went off. */
	if (log_is_on(e) && count_faults(e) < 0)
		return -1;
	policy_note_faults(e->p, e->nfaults);
	pthread_mutex_lock(&e->lock);
	if (e->nblocks) {
		s->refaults += e->nfaults;
		s->last_faults = e->nfaults;
	}
	pthread_mutex_unlock(&e->lock);
	return trace_interval(e);
}

/*
 * log_off (chunk mode): the interval's windows and moves done, dirty
 * logging goes off until the next sample, so that the chunks it split
 * (the blocks' and the moved ones) are mapped huge again. The refaults
 * since the last zap are counted first, while the log still holds them;
 * a block page touched later faults once for its whole chunk, now mapped
 * huge, and is not counted.
 */
static int log_pause(struct engine *e)
{
	if (!e->log_off || !log_is_on(e))
		return 0;
	if (count_faults(e) < 0)
		return -1;
	return log_set(e, false);
}

/* One interval starting at @t0; false when asked to stop. */
static bool engine_interval(struct engine *e, uint64_t t0)
{
	uint32_t n, k, w = e->par.windows;
	uint64_t c0;
	int err;

	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (close_interval(e) < 0)
		return false;
	memset(&e->cost, 0, sizeof(e->cost));
	e->track_cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	err = plan_blocks(e);
	if (err < 0)
		return false;
	n = (uint32_t)err;
	/*
	 * The windows run back to back from the interval's start: a page
	 * refaults once per stretch between zaps in which it is touched,
	 * and short stretches spare the pages touched a few times an
	 * interval most of theirs (windows spread over the interval cost
	 * such a page one refault in each).
	 */
	if (!wait_until(e, t0))
		return false;
	for (k = 0; k < w; k++) {
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		/* Pages touched since the last window's zap each refaulted. */
		if (k > 0 && count_faults(e) < 0)
			return false;
		err = tracker_window_begin(e->t, e->blocks, n, k == 0, &e->cost);
		e->track_cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (err) {
			fail(e, err, "dirty log clear");
			return false;
		}
		/*
		 * The window runs from the last zap: every block gets the
		 * window's length, window_ms shortened 2^-window_shift a window.
		 */
		if (!wait_until(e, now_ns() + ((uint64_t)e->window_ms * 1000000ULL >>
					       (k * e->par.window_shift))))
			return false;
		c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		err = tracker_window_end(e->t, e->blocks, n, e->counts);
		e->track_cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (err) {
			fail(e, err, "dirty log harvest");
			return false;
		}
		if (k == 0 && promote_early(e, n) < 0)
			return false;
	}
	if (observe(e, n) < 0 || carry_out(e) < 0 || log_pause(e) < 0)
		return false;
	publish(e, n);
	return true;
}

static void *engine_thread(void *arg)
{
	struct engine *e = arg;
	uint64_t ival = (uint64_t)e->interval_ms * 1000000ULL, next;

	e->cpu_start = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	e->t_start = now_ns();
	next = e->t_start;
	while (!atomic_load(&e->stop)) {
		if (!engine_interval(e, next))
			break;
		e->interval++;
		next += ival;
		if (!wait_until(e, next))
			break;
		/* A host too busy to keep the pace skips, never bunches up. */
		if (now_ns() > next + ival / 2) {
			pthread_mutex_lock(&e->lock);
			e->st.late++;
			pthread_mutex_unlock(&e->lock);
			next = now_ns();
		}
	}
	/* The last interval observed still goes into the trace. */
	if (!e->err)
		close_interval(e);
	return NULL;
}

int engine_start(struct engine *e, int stop_fd)
{
	int err;

	/* The replay starts from the launch placement (hmmv/trace.h). */
	err = tracker_trace_start(e->t, TRACE_F_WINDOWS |
				  (e->m->placement == MEM_PLACE_DRAM_FIRST ?
				   TRACE_F_DRAM_FIRST : 0),
				  (uint64_t)e->interval_ms * 1000000ULL);
	if (err)
		return fail(e, err, "trace");
	e->stop_fd = stop_fd;
	e->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->wake_fd < 0)
		return fail(e, -errno, "eventfd");
	err = pthread_create(&e->thread, NULL, engine_thread, e);
	if (err)
		return fail(e, -err, "thread");
	e->thread_on = true;
	return 0;
}

int engine_stop(struct engine *e, char *why, size_t whylen)
{
	uint64_t one = 1;

	if (e->thread_on) {
		atomic_store(&e->stop, true);
		if (write(e->wake_fd, &one, sizeof(one)) < 0) {
			/* The flag alone stops it within one window. */
		}
		pthread_join(e->thread, NULL);
		e->thread_on = false;
	}
	if (e->err && why)
		snprintf(why, whylen, "HMM-V engine: %s: %s", e->errwhat, strerror(-e->err));
	return e->err;
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	engine_stop(e, NULL, 0);
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	policy_destroy(e->p);
	free(e->list);
	free(e->blocks);
	free(e->counts);
	free(e->faults);
	free(e->recs);
	free(e->mv);
	free(e->moved_at);
	free(e->log);
	free(e->pmv);
	free(e->ctier);
	free(e->eseen);
	free(e->eorder);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void engine_get_stats(struct engine *e, struct engine_stats *s)
{
	pthread_mutex_lock(&e->lock);
	*s = e->st;
	pthread_mutex_unlock(&e->lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted copy of a ring of samples; returns how many. */
static uint32_t ring_sorted(struct engine *e, const uint64_t *ring, uint32_t count,
			    uint64_t *out)
{
	uint32_t n;

	pthread_mutex_lock(&e->lock);
	n = count < STALL_RING ? count : STALL_RING;
	memcpy(out, ring, n * sizeof(*out));
	pthread_mutex_unlock(&e->lock);
	qsort(out, n, sizeof(*out), cmp_u64);
	return n;
}

static double per_s(uint64_t v, uint64_t ns)
{
	return ns ? (double)v * 1e9 / (double)ns : 0;
}

/* Sorted per-move samples: writer stalls (WP) and whole-VM pauses. */
struct dists {
	uint64_t *wp, *vm;
	uint32_t nwp, nvm;
};

static void json_dist(FILE *out, const char *name, const uint64_t *v, uint32_t n)
{
	fprintf(out, ",\"%s\":{\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64
		",\"n\":%u}", name, engine_percentile(v, n, 50), engine_percentile(v, n, 99),
		n ? v[n - 1] : 0, n);
}

static void print_json(struct engine *e, const struct engine_stats *s,
		       const struct dists *d, FILE *out)
{
	uint32_t l;

	fprintf(out, "{\"mode\":\"%s\",\"move\":\"%s\",\"page_unit\":%u,"
		"\"window_shift\":%u,\"copy\":\"%s\",\"interval_ms\":%u,\"windows\":%u,"
		"\"window_ms\":%u,\"block_pages\":%u,\"levels\":%u,\"max_moves\":%u,"
		"\"intervals\":%" PRIu64 ",\"late\":%" PRIu64 ",\"hot_bytes\":%" PRIu64
		",\"dram_bytes\":%" PRIu64 ",\"nvm_bytes\":%" PRIu64
		",\"idle\":%s,\"idle_intervals\":%" PRIu64 ",\"settled_intervals\":%" PRIu64
		",\"track_faults_budget\":%u,\"track_capped_intervals\":%" PRIu64
		",\"fault_ns\":%u,\"dirty_log\":\"%s\",\"dirty_log_switches\":%" PRIu64
		",\"slot_flags\":%u",
		e->moves ? "on" : "track-only", e->pages ? "page" : "chunk",
		e->pages ? e->par.page_unit : e->ppc, e->par.window_shift,
		e->cfg.copy == ENGINE_COPY_PAUSE ? "pause" : "wp", e->interval_ms,
		e->par.windows, e->window_ms, e->par.sample_pages, e->par.levels,
		e->pages ? e->par.max_page_moves / e->par.page_unit : e->par.max_moves,
		s->intervals, s->late, s->hot_bytes,
		s->dram_bytes, s->nvm_bytes,
		s->idle ? "true" : "false", s->idle_intervals, s->settled_intervals,
		e->par.track_faults, s->track_capped_intervals,
		e->cfg.fault_ns, e->log_off ? "sampling" : "always", s->log_switches,
		e->m->slot_flags);
	fprintf(out, ",\"promotions\":%" PRIu64 ",\"promoted_bytes\":%" PRIu64
		",\"demotions\":%" PRIu64 ",\"demoted_bytes\":%" PRIu64
		",\"pingpong\":%" PRIu64 ",\"move_failed\":%" PRIu64
		",\"early_promotions\":%" PRIu64,
		s->promotions, s->promoted_bytes, s->demotions, s->demoted_bytes,
		s->pingpong, s->move_failed, s->early_promotions);
	json_dist(out, "writer_stall_ns", d->wp, d->nwp);
	json_dist(out, "pause_ns", d->vm, d->nvm);
	fprintf(out, ",\"precopy_rounds\":%" PRIu64 ",\"recopied_pages\":%" PRIu64,
		s->precopy_rounds, s->recopied_pages);
	fprintf(out, ",\"engine_cpu_ms_per_s\":%.3f", per_s(s->cpu_ns, s->run_ns) / 1e6);
	fprintf(out, ",\"tracker_cpu_ms_per_s\":%.3f,\"tracker_faults_per_s\":%.1f"
		",\"refaults\":%" PRIu64
		",\"faults_last_interval\":%" PRIu64 ",\"zap_calls_last_interval\":%" PRIu64
		",\"zap_calls\":%" PRIu64 ",\"zap_ns\":%" PRIu64 ",\"pages_zapped\":%" PRIu64
		",\"pages_zap_failed\":%" PRIu64 ",\"pages_rearmed\":%" PRIu64
		",\"levels_chunks\":[",
		per_s(s->track_cpu_ns, s->run_ns) / 1e6, per_s(s->refaults, s->run_ns),
		s->refaults, s->last_faults, s->last_zap_calls, s->zap_calls, s->zap_ns, s->zapped,
		s->zap_failed, s->rearmed);
	for (l = 0; l < e->par.levels; l++)
		fprintf(out, "%s%u", l ? "," : "", s->level_chunks[l]);
	fprintf(out, "]}");
}

static void table_dist(FILE *out, const char *name, const uint64_t *v, uint32_t n)
{
	fprintf(out, "  %-14s p50 %.2f ms, p99 %.2f ms, max %.2f ms (%u moves)\n", name,
		engine_percentile(v, n, 50) / 1e6, engine_percentile(v, n, 99) / 1e6,
		(n ? v[n - 1] : 0) / 1e6, n);
}

static void print_table(struct engine *e, const struct engine_stats *s,
			const struct dists *d, FILE *out)
{
	uint32_t l;

	fprintf(out, "engine: %s, moves %s of %u KiB, copy %s, interval %u ms, %u windows of"
		" %u ms%s, block %u pages, %u levels, at most %u moves/interval\n",
		e->moves ? "on" : "tracking only", e->pages ? "pages" : "chunks",
		(e->pages ? e->par.page_unit : e->ppc) * 4,
		e->cfg.copy == ENGINE_COPY_PAUSE ? "pause" : "wp", e->interval_ms,
		e->par.windows, e->window_ms, e->par.window_shift ? " shortening" : "",
		e->par.sample_pages, e->par.levels,
		e->pages ? e->par.max_page_moves / e->par.page_unit : e->par.max_moves);
	fprintf(out, "  intervals      %" PRIu64 " (%" PRIu64 " late, %" PRIu64 " idle, %" PRIu64
		" settled, %" PRIu64 " sampling fewer for the tracking budget)%s\n", s->intervals,
		s->late, s->idle_intervals, s->settled_intervals, s->track_capped_intervals,
		s->idle ? "; idle now: all in DRAM within the quota, no sampling,"
			  " no dirty logging" : "");
	fprintf(out, "  dirty logging  %s, %" PRIu64 " switches\n",
		e->log_off ? "on while sampling and moving" : "on but when idle",
		s->log_switches);
	fprintf(out, "  hot set        %" PRIu64 " MiB\n", s->hot_bytes >> 20);
	fprintf(out, "  placement      dram %" PRIu64 " MiB, nvm %" PRIu64 " MiB\n",
		s->dram_bytes >> 20, s->nvm_bytes >> 20);
	fprintf(out, "  promotions     %" PRIu64 " (%" PRIu64 " MiB), %" PRIu64 " early\n",
		s->promotions, s->promoted_bytes >> 20, s->early_promotions);
	fprintf(out, "  demotions      %" PRIu64 " (%" PRIu64 " MiB)\n", s->demotions,
		s->demoted_bytes >> 20);
	fprintf(out, "  ping-pong      %" PRIu64 ", failed moves %" PRIu64 "\n", s->pingpong,
		s->move_failed);
	table_dist(out, "writer stall", d->wp, d->nwp);
	table_dist(out, "VM pause", d->vm, d->nvm);
	fprintf(out, "  pre-copy       %" PRIu64 " rounds, %" PRIu64 " pages re-copied\n",
		s->precopy_rounds, s->recopied_pages);
	fprintf(out, "  engine CPU     %.2f ms/s (tracking, policy and move copies)\n",
		per_s(s->cpu_ns, s->run_ns) / 1e6);
	fprintf(out, "  tracker        %.2f ms CPU/s, %.0f faults/s, last interval %" PRIu64
		" faults in %" PRIu64 " zap calls (%.2f ms each)\n",
		per_s(s->track_cpu_ns, s->run_ns) / 1e6, per_s(s->refaults, s->run_ns),
		s->last_faults, s->last_zap_calls,
		s->zap_calls ? (double)s->zap_ns / 1e6 / (double)s->zap_calls : 0);
	if (s->zap_failed)
		fprintf(out, "  zaps failed    %" PRIu64 " pages (their reads unseen)\n",
			s->zap_failed);
	fprintf(out, "  queue levels  ");
	for (l = 0; l < e->par.levels; l++)
		fprintf(out, " L%u:%u", l, s->level_chunks[l]);
	fprintf(out, "\n");
}

void engine_print(struct engine *e, FILE *out, bool json)
{
	struct engine_stats s;
	struct dists d = {
		.wp = malloc(STALL_RING * sizeof(uint64_t)),
		.vm = malloc(STALL_RING * sizeof(uint64_t)),
	};

	if (!d.wp || !d.vm) {
		fprintf(out, json ? "null" : "engine: out of memory\n");
		free(d.wp);
		free(d.vm);
		return;
	}
	engine_get_stats(e, &s);
	d.nwp = ring_sorted(e, e->stall, e->nstall, d.wp);
	d.nvm = ring_sorted(e, e->pause, e->npause, d.vm);
	if (json)
		print_json(e, &s, &d, out);
	else
		print_table(e, &s, &d, out);
	free(d.wp);
	free(d.vm);
}

void engine_print_moves(struct engine *e, FILE *out)
{
	uint32_t i, n, last;

	pthread_mutex_lock(&e->lock);
	n = e->nlog;
	last = e->interval;
	pthread_mutex_unlock(&e->lock);
	/* Entries below n are never rewritten. */
	fprintf(out, "interval %u moves %u\n", last, n);
	for (i = 0; i < n; i++)
		fprintf(out, "move %u %u %s %s\n", e->log[i].interval, e->log[i].chunk,
			e->log[i].to == POLICY_DRAM ? "dram" : "nvm",
			e->log[i].ok ? "ok" : "failed");
}

void engine_summary(struct engine *e, char *buf, size_t len)
{
	struct engine_stats s;
	uint64_t n;

	engine_get_stats(e, &s);
	n = s.intervals ? s.intervals : 1;
	snprintf(buf, len, "HMM-V engine: %" PRIu64 " intervals of %u ms (%" PRIu64
		 " late), %" PRIu64 " promotions, %" PRIu64 " demotions, tracker %.1f ms CPU"
		 " and %.0f faults per interval (zaps %.1f ms)", s.intervals, e->interval_ms,
		 s.late, s.promotions, s.demotions, (double)s.track_cpu_ns / 1e6 / (double)n,
		 (double)s.refaults / (double)n, (double)s.zap_ns / 1e6 / (double)n);
}

void engine_set_quota(struct engine *e, uint64_t bytes)
{
	atomic_store(&e->pool_quota, bytes);
}

void engine_pool_report(struct engine *e, uint64_t *held, uint64_t *hot,
			uint64_t hist[POLICY_BUCKETS])
{
	struct mem_tier_stat st = { 0 };
	uint64_t applied;

	pthread_mutex_lock(&e->lock);
	*hot = e->st.hot_bytes;
	memcpy(hist, e->hist, sizeof(e->hist));
	pthread_mutex_unlock(&e->lock);
	*held = memory_tier_stat(e->m, MEM_TIER_DRAM, &st) == 0 ? st.used : 0;
	/*
	 * A new grant not yet applied: this interval's moves still obey the
	 * one before, and may grow into it. Say so, so that no acknowledgement
	 * of a shrink goes out before the engine keeps to it.
	 */
	applied = atomic_load(&e->pool_applied);
	if (applied > st.capacity)
		applied = st.capacity;
	if (applied != atomic_load(&e->pool_quota) && applied > *held)
		*held = applied;
}
