/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmmv tier simulator: replays page-level access traces (hmmv/trace.h) of
 * one or several VMs through a placement policy and a memory model.
 *
 * Time model, per interval and VM (the trace interval is a fixed amount of
 * the VM's work; the model computes how long that work takes):
 *   t_lat = (accesses * cpu_ns + sum(read latency) / mlp + stall_ns) / vcpus
 *   device occupancy per tier = bytes read / read bw + bytes written / write bw
 *   (CPU traffic, migration copies, DRAM-cache fills and write-backs),
 *   shared max-min fairly among the VMs using the tier;
 *   time = max(t_lat, occupancy / share) over the tiers.
 * Writes are posted (cost bandwidth, not latency). Stalls (faults, pauses,
 * TLB shootdowns) are vCPU-nanoseconds. Policy clocks tick per interval.
 */
#ifndef HMMV_TOOLS_SIM_H
#define HMMV_TOOLS_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "hmmv/policy.h"
#include "hmmv/pool_policy.h"
#include "hmmv/trace.h"

/* Tiers numbered as memory/ numbers them (MEM_TIER_DRAM, MEM_TIER_NVM). */
#define SIM_DRAM	0
#define SIM_NVM		1
/* Old name, kept only until pol_hmmv.c (the policy area's) says SIM_NVM. */
#define SIM_SLOW	SIM_NVM
#define SIM_LINE	64u
#define SIM_PAGE	4096u
#define SIM_CHUNK_PAGES	512u
#define SIM_MAX_POLICIES 16
/* Bounds on what one run may take (a tiny trace may declare huge VMs). */
#define SIM_MAX_PAGES	(1u << 22)	/* 4 KiB pages over all VMs: 16 GiB */
#define SIM_MAX_WORK	(1ull << 31)	/* pages x intervals: minutes of CPU */
#define SIM_MAX_INTERVAL_NS (3600ull * 1000000000)
#define SIM_PRESENCE_LINES 64		/* default transfers per presence bit */

/* Every constant of the memory and mechanism model; see model.c for sources. */
struct model {
	double lat_ns[2];		/* idle random read latency per tier */
	double bw_rd[2], bw_wr[2];	/* sequential GB/s = bytes/ns, whole tier */
	double gran[2];			/* media access granularity, bytes */
	double load_k;			/* loaded latency: x (1 + k u / (1 - u)) */
	double cpu_ns;			/* work per access besides memory */
	double mlp;			/* outstanding misses per vCPU */
	double vcpus;			/* vCPUs per VM */
	double fault_ns;		/* EPT violation / hint fault round trip */
	double pml_ns;			/* dirty-log cost per newly written page */
	double zap_ns;			/* zap + TLB shootdown per call (a run of blocks) */
	double remap_ns;		/* remap one chunk (mmap + invalidation) */
	double move_ns;			/* one chunk move on the engine's thread, 0: copy at bandwidth */
	double pause_ns;		/* pause and resume all vCPUs, per batch */
	double migrate_4k_ns;		/* kernel 4 KiB migration: unmap, flush */
	double pebs_ns;			/* PEBS assist per sample, on the vCPU */
	double ept_split_ns;		/* extra walk per access with 4 KiB EPT */
	double window_ms;		/* HMM-V sample window per interval */
	double llc_bytes;		/* last-level cache, for the traffic a meter
					 * counts (hotcopy.c); 0: none */
	double llc_other_bytes;		/* brought into it each interval besides
					 * the trace's and the moves' (a meter's
					 * host: its kernel, the VMM) */
	double llc_trace_other_bytes;	/* ... each trace interval of the traced
					 * run (its clock, resident.c) */
};

/* One VM's tally for one interval. */
struct acct {
	double accesses;
	double lat_ns[2];		/* sum of idle read latencies per tier */
	double stall_ns;		/* vCPU-ns lost */
	double track_ns;		/* part of stall_ns: tracking */
	double mig_ns;			/* part of stall_ns: migration */
	double dev_rd[2], dev_wr[2];	/* bytes */
	double dram_acc;		/* accesses served by DRAM */
	double migrated;		/* bytes moved */
	double bytes[2];		/* traffic per tier as a meter counts it:
					 * 64 B per access; a copy's source once,
					 * its destination twice (fill, write-back)
					 * but for lines the cache held (hotcopy.c) */
	double fills;			/* bytes the accesses brought into the cache */
};

/* One interval of the trace: records per VM, pages ascending. */
struct ival {
	uint32_t index;			/* step */
	uint32_t tindex;		/* trace interval (a folded stretch: its
					 * first), from the first one replayed */
	uint32_t parts;			/* the parts of it replayed, --trace-stretch
					 * (0 or 1: whole) */
	uint32_t nvms;
	struct trace_rec *rec[TRACE_MAX_VMS];
	uint32_t n[TRACE_MAX_VMS];
	/*
	 * --touch-trace: the same interval's page touches (reads) and, with
	 * touch_slots, the time slots they fell in (writes: TRACE_TOUCH_SLOTS);
	 * with touch_times, where the first of them fell (SIM_TOUCH_AT)
	 */
	int has_touch;
	int touch_slots;
	int touch_times;
	struct trace_rec *touch[TRACE_MAX_VMS];
	uint32_t ntouch[TRACE_MAX_VMS];
};

/*
 * A touch record's writes with touch times (TRACE_F_TOUCH_TIMES): its
 * slots in bits 0-15, and in bits 16-31 where in the interval handed out
 * the first of them fell, 1 + position x SIM_TOUCH_UNIT (0: not known,
 * the slots of a stretched interval's later parts).
 */
#define SIM_TOUCH_UNIT		32767u
#define SIM_TOUCH_AT(w)		((w) >> 16)

/*
 * Frames a move freed, their lines just read into the last-level cache:
 * runs of bytes freed one after another, newest last (hotcopy.c).
 */
#define SIM_HOT_RUNS 64

struct sim_hot {
	double bytes;
	double stamp;			/* the cache clock when the run ended */
	uint32_t mark;			/* ... and the guest's hits then
					 * (sim_resident_mark()) */
};

struct sim_hotq {
	struct sim_hot run[SIM_HOT_RUNS];
	uint32_t n;
};

struct simvm {
	uint32_t pages;
	uint8_t *loc;			/* tier per 4 KiB page */
	uint8_t *split;			/* per 2 MiB chunk: a 4 KiB page of it
					 * moved, its huge mapping split */
	float *moved_at;		/* per page: when it last changed tier
					 * this interval (share of it), 0: not */
	float *moved_dram;		/* ... its time in DRAM before that */
	uint32_t nmoved;		/* pages marked in moved_at */
	uint64_t dram_pages;		/* pages in DRAM now */
	uint64_t quota_pages;		/* HMM-V under the pool: granted */
	struct sim_hotq hot[2];		/* per tier: frames moves freed (hotcopy.c) */
	struct sim_resident *res;	/* its lines in the cache (resident.c) */
	struct sim_frames *frames;	/* hmmv's frames of its chunks (frames.c) */
	struct acct a;			/* current interval */
	/* totals */
	double time_ns, accesses, dram_acc, migrated, track_ns, mig_ns;
	double idle_ns;			/* time_ns at idle latency, no device shared */
	double bytes[2];
};

struct sim;
struct sim_resident;
struct sim_retouch;
struct sim_frames;
struct sim_frames_start;

struct sim_ops {
	const char *name;
	int (*init)(struct sim *s);
	void (*begin)(struct sim *s, const struct ival *iv);
	void (*account)(struct sim *s, const struct ival *iv);
	void (*end)(struct sim *s, const struct ival *iv);
	void (*fini)(struct sim *s);
	/* Optional: after the run's settings are in (run.c), before interval 0. */
	int (*prepare)(struct sim *s);
};

/* Policy parameters (baselines and HMM-V), flags of hmmv sim. */
struct pol_params {
	struct policy_params hmmv;
	struct policy_params hmmv4k;	/* hmm-v-4k: page mode */
	uint32_t hmmv_track_pct;	/* tracking budget, % of vCPU time */
	uint32_t hmmv4k_track_pct;
	uint32_t hmmv_log_off;		/* hm-v: dirty logging off between spans */
	uint32_t pool_period;		/* intervals between pool rounds */
	uint64_t pool_min_bytes;
	double nb_scan_period_ms, nb_scan_size_mb, nb_hot_threshold_ms;
	double nb_rate_limit_mbps, nb_scan_ns, nb_scan_period_max_ms;
	double nb_scan_period_start_ms;	/* --nb-scan-adapt: at the start (0: delay) */
	double nb_wmark_scale;
	uint32_t nb_alloc_touch;	/* pages allocated at first touch */
	uint32_t nb_scan_adapt;		/* the kernel's per-task scan period */
	double hemem_period, hemem_cool, hemem_hot_rd, hemem_hot_wr;
	double hemem_rate_gbps;
	double hemem_tick_ms;		/* its migration thread's period */
	double memtis_period, memtis_cooling, memtis_adapt, memtis_mig_ms;
	double memtis_rate_mbps;
	double sched_recopy_pages;	/* schedule: pages copied again, all moves */
};

struct sim {
	const struct sim_ops *ops;
	const struct model *m;
	const struct pol_params *pp;
	uint32_t nvms;
	uint64_t dram_pages;		/* DRAM budget, all VMs */
	uint64_t interval_ns;
	uint32_t trace_flags;		/* the source's header flags */
	uint64_t rng;
	struct simvm vm[TRACE_MAX_VMS];
	void *priv;
	uint32_t now;
	uint64_t peak_dram;		/* most DRAM pages in use at once */
	double *share;			/* [interval][vm]: DRAM pages, optional */
	uint32_t share_cap;
	uint32_t meas_from, meas_to;	/* totals over these trace intervals (to 0: all) */
	FILE *estimate;			/* hmm-v on an engine trace: writes the
					 * traffic it implies here (estimate.c) */
	int estimate_err;		/* -errno of the first failed write */
	uint32_t presence_lines;	/* transfers per estimated touch */
	int ept_all;			/* the policy charges 4 KiB second-level
					 * mappings on every access itself */
	const struct sim_sched *sched;	/* the schedule policy's moves */
	const struct sim_placement *placement;	/* numa-balancing's start */
	const struct sim_placement *hv_placement;	/* hm-v's start, by chunk */
	const void *hv_state;		/* hm-v's learned state at the start */
	size_t hv_state_len;		/* (policy_state_load()), or NULL */
	const struct sim_scans *scans;	/* numa-balancing's measured scans */
	const struct sim_budget *budget;	/* ... and the DRAM it was left */
	uint64_t dram_cap;		/* the most DRAM pages allowed so far
					 * (dram_pages moves with the budget) */
	double llc_clock;		/* bytes brought into the cache so far */
	double llc_trace_clock;		/* ... by the trace's fills alone (resident.c) */
	struct sim_retouch *retouch;	/* the guest's hits on lines the cache
					 * held, by interval (resident.c) */
	int step_err;			/* -errno of a failed step (-ENOMEM) */
	int alloc_lifo;			/* moves land on the frames freed last (the
					 * kernel's page allocator), else on any
					 * free frame (hotcopy.c) */
	int chunk_frames;		/* whole-chunk moves take hmmv's frames
					 * (frames.c) */
	const struct sim_frames_start *frames_start;	/* their start, or NULL */
};

/* resident.c */
double sim_resident_move(struct sim *s, struct simvm *v, uint32_t page, uint32_t npages,
			 int tier);
void sim_resident_refill(struct sim *s, const struct ival *iv);
int sim_resident_touch(struct sim *s, const struct ival *iv);
void sim_resident_destroy(struct sim *s);
uint32_t sim_resident_mark(const struct sim *s);
double sim_resident_since(const struct sim *s, uint32_t mark);

/* frames.c */
int sim_frames_load(struct sim_frames_start **out, const char *path, uint32_t nch,
		    uint32_t *line);
void sim_frames_start_free(struct sim_frames_start *st);
void sim_frames_free(struct sim_frames *f);
double sim_frames_take(struct sim *s, struct simvm *v, uint32_t c, int tier,
		       uint32_t *old);
void sim_frames_release(struct sim *s, struct simvm *v, int tier, uint32_t old);

/* hotcopy.c */
double sim_hot_held(const struct sim *s, double stamp, uint32_t mark, double bytes);
double sim_hot_take(struct sim *s, struct simvm *v, int tier, double bytes, double free);
void sim_hot_free(struct sim *s, struct simvm *v, int tier, double bytes, double copied);

/* model.c */
void model_default(struct model *m);
int model_preset(struct model *m, const char *name);
void acct_read(struct acct *a, const struct model *m, int tier, double n);
void acct_write(struct acct *a, const struct model *m, int tier, double n);
void acct_rec(struct acct *a, const struct model *m, int tier,
	      const struct trace_rec *r);
void acct_rec_part(struct acct *a, const struct model *m, int tier,
		   const struct trace_rec *r, double frac);
void acct_copy(struct acct *a, int from, double bytes, double src_held, double dst_held);
double model_copy_bw(const struct model *m, int to);
double model_lat_time(const struct model *m, const struct acct *a);
double model_loaded_time(const struct model *m, const struct acct *a,
			 const double *util);
void model_interval_times(const struct model *m, const struct acct *const *a,
			  uint32_t n, double *t);

/* estimate.c: traffic implied by an engine trace's observations */
struct est;
int est_create(struct est **out, uint32_t nch, double f, uint32_t sample_pages,
	       uint32_t windows);
void est_destroy(struct est *e);
void est_observe(struct est *e, uint32_t chunk, uint32_t hits);
/* Estimated touches per page per interval of @chunk. */
double est_rate(const struct est *e, uint32_t chunk);

/*
 * seen.c: what access tracking sees of an interval. The records it sees
 * (the touch trace's where the replay has one, else the interval's own),
 * and the touches behind one of them, as independent events in time.
 */
const struct trace_rec *sim_seen_recs(const struct ival *iv, uint32_t vm,
				      uint32_t *n);
double sim_touches(const struct sim *s, const struct ival *iv,
		   const struct trace_rec *r);

/* rng.c */
uint64_t rng_next(uint64_t *s);
double rng_u01(uint64_t *s);
uint32_t rng_poisson(uint64_t *s, double lambda);
int rng_bernoulli(uint64_t *s, double p);

/* engine.c */
int sim_create(struct sim *s, const struct sim_ops *ops, const struct model *m,
	       const struct pol_params *pp, const struct trace_hdr *h,
	       uint64_t dram_pages, uint64_t seed, uint32_t max_intervals);
void sim_destroy(struct sim *s);
void sim_step(struct sim *s, const struct ival *iv);
void sim_account_placed(struct sim *s, const struct ival *iv);
void sim_set_tier_at(struct sim *s, uint32_t vm, uint32_t page, uint32_t npages,
		     int tier, double at);
void sim_account_moved(struct sim *s, const struct ival *iv);
void sim_account_at_end(struct sim *s, const struct ival *iv);
void sim_set_tier(struct sim *s, uint32_t vm, uint32_t page, uint32_t npages,
		  int tier);
void sim_copy_again(struct sim *s, uint32_t vm, int tier, double bytes);
void sim_place_first_touch(struct sim *s);
/* Puts a page on a tier where it is first allocated: no copy. */
void sim_place(struct sim *s, uint32_t vm, uint32_t page, int tier);
/* Host DRAM pages the VMs hold, and those no VM holds. */
uint64_t sim_dram_used(const struct sim *s);
uint64_t sim_dram_free(const struct sim *s);
void pol_params_default(struct pol_params *pp);
const struct sim_ops *sim_find_policy(const char *name);
extern const struct sim_ops *const sim_policies[];

/* policies */
extern const struct sim_ops pol_alldram, pol_allslow, pol_static, pol_oracle;
extern const struct sim_ops pol_oracle2m, pol_presence2m;
extern const struct sim_ops pol_numa, pol_mm, pol_hemem, pol_memtis, pol_hmmv;
extern const struct sim_ops pol_hmmv4k;
/*
 * hmm-v, hmm-v-4k: the share of the last interval @chunk's block watched
 * in window @window (its zap calls included), 0 if it was not sampled.
 */
double pol_hmmv_window_share(const struct sim *s, uint32_t vm, uint32_t chunk,
			     uint32_t window);
/*
 * hmm-v, hmm-v-4k: the last interval's hits in @chunk's block (page-
 * windows in which a sampled page was seen), 0 if it was not sampled.
 */
uint32_t pol_hmmv_hits(const struct sim *s, uint32_t vm, uint32_t chunk);
/* hm-v of one VM: its policy's learned state (policy_state_save()) to @f. */
int pol_hmmv_state_write(const struct sim *s, FILE *f);
/* Only by name (sim_find_policy()), with a schedule: not in sim_policies. */
extern const struct sim_ops pol_sched;

/* pol_sched.c: hmmv sim --schedule FILE */
struct sim_sched;
int sched_load(struct sim_sched **out, const char *path, uint32_t *line);
int sched_check(const struct sim_sched *sc, uint32_t pages, uint64_t dram_pages,
		uint32_t *line);
void sched_free(struct sim_sched *sc);

/* linefile.c: a text file of lines, each given to @parse (0 or -errno) */
int sim_lines_read(const char *path, int (*parse)(void *arg, const char *buf, uint32_t line),
		   void *arg, uint32_t *line);
int sim_line_blank(const char *buf);
int sim_grow(void **arr, uint32_t *cap, uint32_t n, size_t size);

/* placement.c: hmmv sim --nb-placement FILE, --hmmv-placement FILE */
struct sim_placement;
int placement_load(struct sim_placement **out, const char *path, uint32_t *line);
int placement_check(const struct sim_placement *pl, uint64_t pages, uint32_t *line);
void placement_each(const struct sim_placement *pl, void (*fn)(void *arg, uint32_t page, int tier),
		    void *arg);
void placement_free(struct sim_placement *pl);

/* scans.c: hmmv sim --nb-scans FILE */
struct sim_scans;
int scans_load(struct sim_scans **out, const char *path, uint32_t *line);
int scans_check(const struct sim_scans *sc, uint64_t pages, uint32_t *line);
int scans_next(const struct sim_scans *sc, uint32_t *next, uint32_t now,
	       uint32_t *first, uint32_t *count);
void scans_free(struct sim_scans *sc);

/* budget.c: hmmv sim --nb-dram FILE */
struct sim_budget;
int budget_load(struct sim_budget **out, const char *path, uint32_t *line);
uint64_t budget_at(const struct sim_budget *b, uint32_t now, uint64_t dflt);
void budget_free(struct sim_budget *b);

/* workload.c: synthetic generators and trace files behind one interface. */
struct wl_params {
	const char *kind;		/* gups gups-fit zipf shift scan mix4 */
	uint64_t vm_bytes;
	uint64_t hot_bytes;
	double hot_frac;
	double accesses;		/* per VM per interval */
	uint32_t intervals;
	uint64_t interval_ns;
	uint32_t shift_every;
	uint64_t seed;
};

struct source;
void wl_params_default(struct wl_params *w);
int source_open_workload(struct source **out, const struct wl_params *w);
/*
 * A trace file, read and validated whole, in 4 KiB pages whatever its
 * page_shift; with TRACE_F_PRESENCE each bit counts as presence_lines
 * transfers. -ENODEV not a regular file, -EFBIG over the bounds above,
 * -ERANGE interval_ns over an hour, trace_open_mem()'s and
 * trace_next_block()'s errors.
 */
int source_open_trace(struct source **out, const char *path,
		      uint32_t presence_lines);
/*
 * Part of a trace (hmmv sim --trace-intervals, --trace-pages): its
 * intervals [ival_from, ival_to) (to 0: to the end) and, of a one-VM
 * trace, the 4 KiB pages [page_first, page_first + page_count) (count 0:
 * all), renumbered from 0. -EDOM when the pages are not in the trace.
 */
#define SIM_MAX_STRETCH 512	/* progress points make one a few MiB of work */
struct trace_stretch {		/* trace intervals [from, to) took k each */
	uint32_t from, to;
	double k;
};
struct trace_cut {
	uint32_t ival_from, ival_to;
	uint32_t page_first, page_count;
	/*
	 * --trace-stretch: each trace interval of a range is replayed as
	 * about k intervals (the range as round(k x its length)), each
	 * page's counts spread over them; a run of empty intervals stays one.
	 */
	struct trace_stretch stretch[SIM_MAX_STRETCH];
	uint32_t nstretch;
};
int source_open_trace_cut(struct source **out, const char *path,
			  uint32_t presence_lines, const struct trace_cut *cut);
/*
 * --touch-trace: a trace of the same pages and intervals whose reads are
 * the pages' touches, cache hits included (the meter's touch=), read
 * alongside the open trace source @s (same cut, same stretch): what
 * HMM-V's sampling sees, in place of the fills. -EXDEV when its header
 * differs, -EPERM on a presence or engine trace; on error @s is as before.
 */
int source_open_touch(struct source *s, const char *path);
const struct trace_hdr *source_hdr(const struct source *s);
/* What a -errno from source_open_trace() or source_next() means. */
const char *source_strerror(int r);
/* 1: *iv filled (valid until the next call), 0: end, -errno. */
int source_next(struct source *s, struct ival *iv);
void source_close(struct source *s);

/* run.c and report.c: every chosen policy over one source, and the results. */
struct sim_run {
	const struct sim_ops *ops[SIM_MAX_POLICIES];
	int nops;
	const struct model *m;
	const struct pol_params *pp;
	uint64_t dram_pages;		/* DRAM budget, all VMs */
	uint64_t seed;
	const char *what;		/* the source, for error messages */
	const char *label;		/* workload column of the results */
	const char *csv;		/* append CSV rows here, or NULL */
	const char *share;		/* PREFIX-POLICY.dat DRAM shares, or NULL */
	uint32_t share_intervals;	/* intervals the share files keep */
	uint32_t meas_from, meas_to;	/* totals over [from, to); to 0: to the end */
	FILE *estimate;			/* see struct sim */
	const struct sim_sched *sched;	/* see struct sim */
	const struct sim_placement *placement;	/* see struct sim */
	const struct sim_placement *hv_placement;	/* see struct sim */
	const struct sim_frames_start *frames_start;	/* see struct sim */
	const void *hv_state;		/* see struct sim */
	size_t hv_state_len;
	FILE *hv_state_out;		/* hm-v's learned state at the end goes here */
	const struct sim_scans *scans;	/* see struct sim */
	const struct sim_budget *budget;	/* see struct sim */
	uint32_t presence_lines;
	int quiet;			/* no text table on stdout */
	int check;			/* run sim_check() */
};

struct sim_result {
	const char *name;
	double thr;			/* M accesses per second */
	double thr_idle;		/* ... at idle latency (--check) */
	double slow;			/* slowdown against all-DRAM */
	double hit;			/* % of accesses served by DRAM */
	double mig_mb, track, migp;	/* MiB moved; % of time tracking, moving */
	double slow_traffic;		/* % of bytes, accesses and copies, on the slow tier */
	double traffic_mb;		/* those bytes, both tiers, MiB */
};

int sim_run(const struct sim_run *c, struct source *src);
void sim_result(const struct sim *s, const struct sim *ref, int vm,
		struct sim_result *r);
int sim_report(const struct sim_run *c, const struct sim *s, int n);
int sim_check(const struct sim *s, int n);
int sim_write_share(const struct sim_run *c, const struct sim *s, uint32_t nint);

#endif
