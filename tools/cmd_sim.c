// SPDX-License-Identifier: GPL-2.0
/* hmmv sim: the trace-driven tier simulator's command line. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "hmmv/safe_file.h"
#include "tools/sim/sim.h"
#include "vmm/cmd.h"

enum ftype { F_DBL, F_U32, F_MB, F_STR, F_BOOL };

struct flag {
	const char *name;
	enum ftype type;
	void *ptr;
	const char *arg;
	const char *help;
};

struct simcfg {
	struct model m;
	struct pol_params pp;
	struct wl_params wl;
	const char *trace, *write_trace, *policies, *csv, *share, *label;
	const char *measure, *estimate, *cut_ivals, *cut_pages, *stretch, *touch;
	const char *schedule, *placement, *hv_placement, *scans, *frames, *budget;
	const char *hv_state, *hv_state_out;
	uint32_t meas_from, meas_to;
	struct trace_cut cut;
	const char *preset;
	double dram_mb, dram_pct, dimm_rd, dimm_wr, dimms, llc_mb, llc_other_mb, llc_trace_other_mb;
	uint32_t check, quiet, help, presence_lines;
	double hot_mb, vm_mb, interval_ms, pool_min_mb;
};

#define D(n, f, a, h) { n, F_DBL, &c->f, a, h }
#define U(n, f, a, h) { n, F_U32, &c->f, a, h }

/* Room for the flags and getopt_long's terminating entry. */
#define SIM_MAX_FLAGS	128

/* Fills fl[] (room for SIM_MAX_FLAGS - 1) and returns how many. */
static int build_flags(struct simcfg *c, struct flag *fl)
{
	const struct flag t[] = {
		{ "workload", F_STR, &c->wl.kind, "KIND",
		  "gups, gups-fit (all updates in the hot set), zipf, shift, scan, mix4, "
		  "clusters, unaligned, coldconf, phases (tools/sim/README.md)" },
		{ "trace", F_STR, &c->trace, "FILE", "replay a recorded trace (hmmv/trace.h)" },
		U("presence-lines", presence_lines, "N",
		  "transfers per presence bit of a TRACE_F_PRESENCE trace (64)"),
		{ "write-trace", F_STR, &c->write_trace, "FILE",
		  "write the workload as a trace file and exit" },
		{ "estimate", F_STR, &c->estimate, "FILE",
		  "with the trace of hmmv run --trace: write the traffic its observations "
		  "imply as a trace, for the other policies (tools/sim/README.md)" },
		{ "measure", F_STR, &c->measure, "FROM:TO",
		  "count only trace intervals FROM..TO-1 in the results, counted from the "
		  "first replayed (TO empty: to the end)" },
		{ "trace-intervals", F_STR, &c->cut_ivals, "FROM:TO",
		  "replay only the trace's intervals FROM..TO-1 (TO empty: to the end)" },
		{ "trace-pages", F_STR, &c->cut_pages, "FIRST:COUNT",
		  "replay only these 4 KiB pages of a one-VM trace, as pages 0..COUNT-1 "
		  "(a guest's part of a range the meter traced)" },
		{ "trace-stretch", F_STR, &c->stretch, "FROM:TO:K,...",
		  "replay each of the trace's intervals FROM..TO-1 as K (>= 1) intervals, "
		  "its traffic spread over them: the same work done K times slower "
		  "(up to 512 ranges, ascending)" },
		{ "touch-trace", F_STR, &c->touch, "FILE",
		  "with --trace: the same pages' touches, cache hits included (the meter's "
		  "touch=), for hmm-v's sampling, with the time slots they fell in and when "
		  "the first was where it says so, and for every policy the lines a moved "
		  "page leaves in the cache (--llc-mb); the trace's fills stay its traffic" },
		{ "policies", F_STR, &c->policies, "LIST",
		  "comma-separated (default: all; on an engine trace, hmm-v); "
		  "schedule only by name, with --schedule" },
		{ "schedule", F_STR, &c->schedule, "FILE",
		  "the schedule policy's moves, lines 'STEP CHUNK dram|nvm': a one-VM "
		  "trace's 2 MiB CHUNK is on that tier from trace interval STEP on "
		  "(counted as --measure counts; step 0: the start)" },
		D("schedule-recopy-pages", pp.sched_recopy_pages, "N",
		  "with --schedule: N pages copied again (written to during their chunk's copy, "
		  "the engine's recopied_pages), spread evenly over the moves and charged as "
		  "hm-v charges its own (0)"),
		D("dram-mb", dram_mb, "MB", "DRAM budget for all VMs (default: --dram-pct)"),
		D("dram-pct", dram_pct, "PCT", "DRAM as % of the total footprint (25)"),
		{ "csv", F_STR, &c->csv, "FILE", "append result rows as CSV" },
		{ "share", F_STR, &c->share, "PREFIX",
		  "write PREFIX-POLICY.dat: DRAM MiB per VM per interval" },
		{ "label", F_STR, &c->label, "NAME", "workload label in the output" },
		{ "check", F_BOOL, &c->check, NULL,
		  "exit 1 if a policy beats all-dram or the oracle at idle latency, or overuses DRAM" },
		{ "quiet", F_BOOL, &c->quiet, NULL, "no text table" },
		D("vm-mb", vm_mb, "MB", "footprint per VM (256)"),
		D("hot-mb", hot_mb, "MB", "hot set of gups/shift (32)"),
		D("hot-frac", wl.hot_frac, "F", "share of updates in the hot set (0.9)"),
		D("accesses", wl.accesses, "N",
		  "updates per VM per interval (0: what all-DRAM does in one interval)"),
		U("intervals", wl.intervals, "N", "intervals to generate (200)"),
		D("interval-ms", interval_ms, "MS", "nominal interval length (100)"),
		U("shift-every", wl.shift_every, "N", "shift: intervals between hot set moves (50)"),
		{ "seed", F_DBL, NULL, "N", "random seed (1)" },
		{ "preset", F_STR, &c->preset, "NAME", "slow tier: optane (default) or cxl" },
		D("lat-dram-ns", m.lat_ns[SIM_DRAM], "NS", "DRAM random read latency (81)"),
		D("lat-slow-ns", m.lat_ns[SIM_NVM], "NS", "slow tier random read latency (305)"),
		D("gran-slow", m.gran[SIM_NVM], "B", "slow tier media granularity (256; cxl 64)"),
		D("load-k", m.load_k, "K", "loaded latency x (1 + K u / (1 - u)) (0.5)"),
		D("bw-dram-read", m.bw_rd[SIM_DRAM], "GB/S", "DRAM read bandwidth (100)"),
		D("bw-dram-write", m.bw_wr[SIM_DRAM], "GB/S", "DRAM write bandwidth (60)"),
		D("bw-slow-read", dimm_rd, "GB/S", "slow tier read bandwidth per DIMM (6.6)"),
		D("bw-slow-write", dimm_wr, "GB/S", "slow tier write bandwidth per DIMM (2.3)"),
		D("slow-dimms", dimms, "N", "slow tier DIMMs (6; cxl: 1 device)"),
		D("cpu-ns", m.cpu_ns, "NS", "work per memory transfer (20)"),
		D("mlp", m.mlp, "N", "misses in flight per vCPU (2)"),
		D("vcpus", m.vcpus, "N", "vCPUs per VM (2)"),
		D("fault-ns", m.fault_ns, "NS", "EPT violation / hint fault (1000)"),
		D("pml-ns", m.pml_ns, "NS", "dirty log per written page (20)"),
		D("zap-ns", m.zap_ns, "NS", "zap + shootdown per call, a run of adjacent sampled blocks (5000)"),
		D("remap-ns", m.remap_ns, "NS", "remap of one 2 MiB chunk (20000)"),
		D("move-ns", m.move_ns, "NS", "hm-v: one chunk move's wall time on the engine's thread, copy and remap (0: the copy at the tiers' bandwidth); moves run one after another past the interval's end, the engine sampling nothing while they do"),
		D("pause-ns", m.pause_ns, "NS", "pause/resume all vCPUs per batch (50000)"),
		D("migrate-4k-ns", m.migrate_4k_ns, "NS", "kernel migration of one 4 KiB page (5000)"),
		D("pebs-ns", m.pebs_ns, "NS", "PEBS assist per sample (200)"),
		D("ept-split-ns", m.ept_split_ns, "NS", "per access through 4 KiB EPT: HMM-V's logging, chunks others split (2)"),
		D("window-ms", m.window_ms, "MS", "HMM-V sample window per interval (5)"),
		D("llc-mb", llc_mb, "MB", "last-level cache, for the traffic a meter counts: a move onto frames another move just read fills no lines; with --touch-trace, a moved page's lines the cache held are copied from it and missed at the new frame (33; 0: none)"),
		D("llc-other-mb", llc_other_mb, "MB", "brought into that cache each interval besides the trace's accesses and the moves' copies, which pushes the lines moves left there out sooner (a meter's host: its kernel, the VMM; make eval-real: the run's own) (0)"),
		D("llc-trace-other-mb", llc_trace_other_mb, "MB", "with --touch-trace: brought into that cache in each trace interval besides the trace's fills, in the run the trace was taken from (its host), for the lines the guest held there (0)"),
		U("hmmv-sample-pages", pp.hmmv.sample_pages, "N", "block of pages watched per sampled chunk (128)"),
		U("hmmv-windows", pp.hmmv.windows, "N", "sampling windows per interval (2)"),
		U("hmmv-window-shift", pp.hmmv.window_shift, "N", "window k lasts 2^-(k*N) of the first (0)"),
		U("hmmv-levels", pp.hmmv.levels, "N", "MLQ levels (3)"),
		U("hmmv-decay-shift", pp.hmmv.decay_shift, "N", "EWMA weight 2^-N (1)"),
		U("hmmv-hyst-pct", pp.hmmv.hyst_pct, "PCT", "promotion margin over victim (25)"),
		U("hmmv-hyst-min", pp.hmmv.hyst_min, "N", "... plus this many page-windows of the chunk (2)"),
		U("hmmv-residency", pp.hmmv.min_residency, "N", "intervals before moving back (4)"),
		U("hmmv-max-moves", pp.hmmv.max_moves, "N", "chunk moves per interval (64)"),
		U("hmmv-max-samples", pp.hmmv.max_samples, "N", "chunks sampled per interval at most (32)"),
		U("hmmv-4k-sample-pages", pp.hmmv4k.sample_pages, "N", "hmm-v-4k: pages watched per sampled chunk (512)"),
		U("hmmv-4k-levels", pp.hmmv4k.levels, "N", "hmm-v-4k: MLQ levels (1)"),
		U("hmmv-4k-windows", pp.hmmv4k.windows, "N", "hmm-v-4k: sampling windows per interval (3)"),
		U("hmmv-4k-window-shift", pp.hmmv4k.window_shift, "N", "hmm-v-4k: window k lasts 2^-(k*N) of the first (2)"),
		U("hmmv-4k-unit", pp.hmmv4k.page_unit, "N", "hmm-v-4k: pages placed together, a power of 2 (1)"),
		U("hmmv-4k-max-moves", pp.hmmv4k.max_page_moves, "N", "hmm-v-4k: page moves per interval (4096)"),
		U("hmmv-4k-headroom", pp.hmmv4k.page_headroom_pct, "PCT", "hmm-v-4k: % of the DRAM quota kept free for early promotion at the first window, 0 = none (12)"),
		U("hmmv-track-pct", pp.hmmv_track_pct, "PCT", "hmm-v: tracking budget, % of vCPU time its refaults may take, 0 = none (3)"),
		U("hmmv-log-off", pp.hmmv_log_off, "0|1", "hm-v: dirty logging off from the interval's last move to the next interval, huge second-level mappings back, as hmmv run --hmmv-dirty-log sampling does (1); 0: on throughout, as --hmmv-dirty-log always"),
		{ "hmmv-placement", F_STR, &c->hv_placement, "FILE",
		  "hmm-v, hmm-v-4k: the 2 MiB chunks in DRAM at the start, those whose first page "
		  "FILE puts there (lines 'FIRST COUNT 0|1' of a one-VM trace's pages, as "
		  "--nb-placement; the lowest within the DRAM budget), every other chunk on the "
		  "slow tier (a measured placement; default: the lowest chunks in DRAM)" },
		{ "hmmv-frames", F_STR, &c->frames, "FILE",
		  "hm-v, schedule: the 2 MiB chunks' frames at the start, lines 'CHUNK dram|nvm "
		  "FRAME' of a one-VM trace (make eval-real: the engine's, from its moves before "
		  "the workload); a move takes its tier's lowest free frame, as hmmv's remaps do, "
		  "and a frame a move freed holds its lines in the cache (--llc-mb) for a while "
		  "(default: the chunks' frames in chunk order, as hmmv launches them)" },
		{ "hmmv-state", F_STR, &c->hv_state, "FILE",
		  "hm-v: start from the learned state (temperatures, levels, sample and move "
		  "times) in FILE, written by --hmmv-state-out from a replay of a one-VM trace of "
		  "the same size, --hmmv-sample-pages and --hmmv-levels (make eval-real: the "
		  "engine's own state where a workload starts; hmm-v-4k ignores it)" },
		{ "hmmv-state-out", F_STR, &c->hv_state_out, "FILE",
		  "hm-v: write its learned state at the end of the replay to FILE (a new file), "
		  "for --hmmv-state" },
		U("hmmv-4k-track-pct", pp.hmmv4k_track_pct, "PCT", "hmm-v-4k: the same (3)"),
		U("hmmv-4k-settled-every", pp.hmmv4k.settled_every, "N", "hmm-v-4k: once no promotion is possible, sample 1/N of the chunks each interval, 1 = all (4)"),
		U("hmmv-4k-hyst", pp.hmmv4k.page_hyst, "N", "hmm-v-4k: promotion margin over the victim's, 1/16 window (16); also --hmmv-hyst-pct"),
		U("pool-period", pp.pool_period, "N", "intervals between pool rounds (10)"),
		D("pool-min-mb", pool_min_mb, "MB", "pool minimum per VM, as hmmv run --dram-min (0)"),
		D("nb-scan-period-ms", pp.nb_scan_period_ms, "MS", "numa_balancing_scan_period_min_ms (100)"),
		D("nb-scan-size-mb", pp.nb_scan_size_mb, "MB", "numa_balancing_scan_size_mb (256)"),
		D("nb-hot-threshold-ms", pp.nb_hot_threshold_ms, "MS", "numa_balancing_hot_threshold_ms (3)"),
		D("nb-rate-limit-mbps", pp.nb_rate_limit_mbps, "MB/S",
		  "numa_balancing_promote_rate_limit_MBps (0: 1/10 of slow write bw)"),
		D("nb-scan-period-max-ms", pp.nb_scan_period_max_ms, "MS",
		  "threshold adjustment period, scan_period_max (60000)"),
		D("nb-wmark-scale", pp.nb_wmark_scale, "N",
		  "vm.watermark_scale_factor: gap between watermarks, 1/10000 (1000)"),
		D("nb-scan-ns", pp.nb_scan_ns, "NS", "scanner cost per PTE (10)"),
		{ "nb-scan-adapt", F_BOOL, &c->pp.nb_scan_adapt, NULL,
		  "numa-balancing: each VM's scan period adapts as the kernel's does in "
		  "tiering mode for a task with one thread: from the scan period, twice as long "
		  "at the first promotion after each pass over the VM, up to scan_period_max "
		  "over the VM's scan windows (default: fixed)" },
		D("nb-scan-period-start-ms", pp.nb_scan_period_start_ms, "MS",
		  "with --nb-scan-adapt: each VM's scan period at the start, its first scan "
		  "that long after it, for a VM that ran before the trace; with --nb-placement "
		  "its slow-tier pages start armed long ago (default 0: a new task's, the scan "
		  "period after it)"),
		{ "nb-alloc-touch", F_BOOL, &c->pp.nb_alloc_touch, NULL,
		  "numa-balancing: place each page where the host allocates it, at its "
		  "first touch in the trace (default: lowest addresses in DRAM)" },
		{ "nb-placement", F_STR, &c->placement, "FILE",
		  "numa-balancing, with --nb-alloc-touch: the pages allocated at the start and "
		  "where, lines 'FIRST COUNT 0|1' (DRAM or slow tier) of a one-VM trace's pages "
		  "(a measured placement); with --measure, at the start of the measured span, "
		  "the intervals before it only clearing the scanner's arms on the pages they "
		  "touch" },
		{ "nb-scans", F_STR, &c->scans, "FILE",
		  "numa-balancing: scan when and where measured, lines 'INTERVAL FIRST COUNT' "
		  "in time order: by the end of trace interval INTERVAL (counted as --measure "
		  "counts) pages FIRST..FIRST+COUNT-1 were made PROT_NONE, instead of scanning "
		  "every period (tools/sim/scans.c; one-VM traces)" },
		{ "nb-dram", F_STR, &c->budget, "FILE",
		  "numa-balancing: the DRAM the host left the VM over time, as measured, lines "
		  "'INTERVAL MIB' in time order: from trace interval INTERVAL on (counted as "
		  "--measure counts) the VM may hold MIB, kswapd demoting its coldest pages "
		  "where it holds more; --dram-mb before the first line (tools/sim/budget.c; "
		  "one-VM traces)" },
		D("hemem-period", pp.hemem_period, "N", "PEBS sample period (5003)"),
		D("hemem-cool", pp.hemem_cool, "N", "cooling threshold (18)"),
		D("hemem-hot-read", pp.hemem_hot_rd, "N", "hot read samples (8)"),
		D("hemem-hot-write", pp.hemem_hot_wr, "N", "hot write samples (4)"),
		D("hemem-rate-gbps", pp.hemem_rate_gbps, "GB/S", "migration rate (10)"),
		D("hemem-tick-ms", pp.hemem_tick_ms, "MS", "migration thread period, 0 = once an interval, else at least 0.1 (10)"),
		D("memtis-period", pp.memtis_period, "N", "PEBS sample period (199)"),
		D("memtis-cooling", pp.memtis_cooling, "N", "samples per cooling (2000000)"),
		D("memtis-adapt", pp.memtis_adapt, "N", "samples per threshold adaptation (100000)"),
		D("memtis-mig-ms", pp.memtis_mig_ms, "MS", "kmigrated period (100)"),
		D("memtis-rate-mbps", pp.memtis_rate_mbps, "MB/S", "migration cap (2048)"),
		{ "help", F_BOOL, &c->help, NULL, "this text" },
	};
	_Static_assert(sizeof(t) / sizeof(t[0]) < SIM_MAX_FLAGS,
		       "hmmv sim: more flags than SIM_MAX_FLAGS");
	memcpy(fl, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

static void usage(FILE *f, const struct flag *fl, int n)
{
	int i;

	fprintf(f, "usage: hmmv sim [--workload KIND | --trace FILE] [OPTIONS]\n\n"
		"Replays page-level accesses of one or more VMs through every tiering\n"
		"policy on a memory model and prints runtime, slowdown against all-DRAM,\n"
		"DRAM hit ratio, bytes migrated, tracking and migration overheads.\n"
		"Policies: all-dram all-slow first-touch numa-balancing memory-mode\n"
		"          hemem memtis oracle oracle-2m presence-2m hmm-v hmm-v-4k\n"
		"(presence-2m: oracle-2m ranking chunks by their pages touched, what\n"
		"HMM-V's sampling measures, instead of their traffic)\n\noptions:\n");
	for (i = 0; i < n; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", fl[i].name,
			 fl[i].arg ? " " : "", fl[i].arg ? fl[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, fl[i].help);
	}
}

/* Every number flag: finite, 0 .. 1e9 (finish_cfg() narrows further). */
static int parse_num(const char *flag, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*out) || *out < 0 || *out > 1e9) {
		fprintf(stderr, "hmmv sim: --%s: '%s' is not a number within 0..1e9\n",
			flag, s);
		return -1;
	}
	return 0;
}

static int set_flag(struct simcfg *c, const struct flag *f, const char *arg)
{
	double x;

	switch (f->type) {
	case F_STR:
		*(const char **)f->ptr = arg;
		return 0;
	case F_BOOL:
		*(uint32_t *)f->ptr = 1;
		return 0;
	default:
		break;
	}
	if (parse_num(f->name, arg, &x))
		return -1;
	if (!f->ptr) {		/* --seed */
		if (x != floor(x)) {
			fprintf(stderr, "hmmv sim: --seed: '%s' is not an integer\n", arg);
			return -1;
		}
		c->wl.seed = (uint64_t)x;
		return 0;
	}
	if (f->type == F_U32) {
		if (x > UINT32_MAX || x != (uint32_t)x) {
			fprintf(stderr, "hmmv sim: --%s: '%s' is not a 32-bit integer\n",
				f->name, arg);
			return -1;
		}
		*(uint32_t *)f->ptr = (uint32_t)x;
	} else {
		*(double *)f->ptr = x;
	}
	return 0;
}

static void cfg_default(struct simcfg *c)
{
	memset(c, 0, sizeof(*c));
	model_default(&c->m);
	pol_params_default(&c->pp);
	wl_params_default(&c->wl);
	c->dram_pct = 25;
	c->dimm_rd = 6.6;
	c->dimm_wr = 2.3;
	c->dimms = 6;
	c->llc_mb = c->m.llc_bytes / 1048576;
	c->vm_mb = 256;
	c->hot_mb = 32;
	c->interval_ms = 100;
	c->pool_min_mb = 0;
	c->presence_lines = SIM_PRESENCE_LINES;
}

/* The preset goes first so that other model flags refine it. */
static int apply_preset(struct simcfg *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (!strncmp(argv[i], "--preset=", 9))
			v = argv[i] + 9;
		else if (!strcmp(argv[i], "--preset") && i + 1 < argc)
			v = argv[i + 1];
		if (!v)
			continue;
		if (model_preset(&c->m, v)) {
			fprintf(stderr, "hmmv sim: --preset: unknown '%s' (optane, cxl)\n", v);
			return -1;
		}
		if (!strcmp(v, "cxl")) {
			c->dimm_rd = c->m.bw_rd[SIM_NVM];
			c->dimm_wr = c->m.bw_wr[SIM_NVM];
			c->dimms = 1;
		}
	}
	return 0;
}

static int parse_args(struct simcfg *c, int argc, char **argv,
		      struct flag *fl, int nfl)
{
	struct option opts[SIM_MAX_FLAGS];
	int i, o, idx;

	for (i = 0; i < nfl; i++)
		opts[i] = (struct option){ fl[i].name,
			fl[i].type == F_BOOL ? no_argument : required_argument, NULL, 0 };
	opts[nfl] = (struct option){ 0 };
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (o == '?') {
			fprintf(stderr, "hmmv sim: unknown or incomplete option '%s'; "
				"see 'hmmv sim --help'\n", argv[optind - 1]);
			return -1;
		}
		if (set_flag(c, &fl[idx], optarg))
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "hmmv sim: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* Ranges beyond parse_num()'s, one line naming the flag. */
static int check_ranges(const struct simcfg *c)
{
	const char *bad = NULL;

	if (c->dram_pct <= 0 || c->dram_pct > 100)
		bad = "--dram-pct must be within (0, 100]";
	else if (c->vm_mb > 16384 || c->dram_mb > 16384 * TRACE_MAX_VMS)
		bad = "--vm-mb and --dram-mb are limited to 16 GiB per VM";
	else if (c->hot_mb > c->vm_mb)
		bad = "--hot-mb must not exceed --vm-mb";
	else if (c->interval_ms > 3.6e6)
		bad = "--interval-ms must not exceed an hour";
	else if (c->wl.hot_frac > 1)
		bad = "--hot-frac must be within 0..1";
	else if (!c->presence_lines || c->presence_lines > 1u << 20)
		bad = "--presence-lines must be within 1..2^20";
	else if (c->llc_mb < 0 || c->llc_mb > 4096)
		bad = "--llc-mb must be within 0..4096";
	else if (c->llc_other_mb < 0 || c->llc_other_mb > 65536)
		bad = "--llc-other-mb must be within 0..65536";
	else if (c->llc_trace_other_mb < 0 || c->llc_trace_other_mb > 65536)
		bad = "--llc-trace-other-mb must be within 0..65536";
	else if (c->pp.sched_recopy_pages > 0 && !c->schedule)
		bad = "--schedule-recopy-pages needs --schedule";
	else if (c->pp.hemem_tick_ms > 0 && c->pp.hemem_tick_ms < 0.1)
		bad = "--hemem-tick-ms must be 0 (once an interval) or at least 0.1";
	if (bad)
		fprintf(stderr, "hmmv sim: %s\n", bad);
	return bad ? -1 : 0;
}

/* HMM-V's parameters, checked by its own policy core up front. */
static int check_hmmv(struct simcfg *c)
{
	struct policy_params *k = &c->pp.hmmv4k;
	struct policy *p;
	int i;

	if (c->pp.hmmv_track_pct > 100 || c->pp.hmmv4k_track_pct > 100) {
		fprintf(stderr, "hmmv sim: --hmmv%s-track-pct must be within 0..100\n",
			c->pp.hmmv_track_pct > 100 ? "" : "-4k");
		return -1;
	}
	if (c->pp.hmmv_log_off > 1) {
		fprintf(stderr, "hmmv sim: --hmmv-log-off must be 0 or 1\n");
		return -1;
	}
	/* The sampling's common flags are hmm-v-4k's too. */
	k->decay_shift = c->pp.hmmv.decay_shift;
	k->hyst_pct = c->pp.hmmv.hyst_pct;
	k->max_samples = c->pp.hmmv.max_samples;
	for (i = 0; i < 2; i++) {
		if (policy_create(i ? k : &c->pp.hmmv, 1, &p)) {
			fprintf(stderr, "hmmv sim: --hmmv-%s*: the policy refuses these "
				"parameters (see 'hmmv sim --help' for their ranges)\n",
				i ? "4k-" : "");
			return -1;
		}
		policy_destroy(p);
	}
	return 0;
}

/* The HMM-V windows must fit in an interval (hmmv/policy.h). */
static int check_windows(const struct simcfg *c, uint64_t interval_ns,
			 const char *what)
{
	uint32_t w = c->pp.hmmv.windows > c->pp.hmmv4k.windows ?
		     c->pp.hmmv.windows : c->pp.hmmv4k.windows;

	if (c->m.window_ms * 1e6 * w <= (double)interval_ns)
		return 0;
	fprintf(stderr, "hmmv sim: %s: an interval of %llu ns is shorter than "
		"--hmmv[-4k]-windows x --window-ms\n", what, (unsigned long long)interval_ns);
	return -1;
}

/* A 32-bit decimal at *v, unsigned; *v moves past it. */
static int take_u32(const char **v, uint32_t *out)
{
	unsigned long x;
	char *end;

	errno = 0;
	x = strtoul(*v, &end, 10);
	if (errno || end == *v || **v == '-' || x > UINT32_MAX)
		return -1;
	*v = end;
	*out = (uint32_t)x;
	return 0;
}

/*
 * A:B as two 32-bit numbers. @span: B is a count (> 0), else an end (> A,
 * or empty for "to the end", given as 0).
 */
static int parse_pair(const char *flag, const char *v, int span, uint32_t *a,
		      uint32_t *b)
{
	const char *p = v;
	uint32_t x, y = 0;

	if (!v)
		return 0;
	if (take_u32(&p, &x) || *p++ != ':')
		goto bad;
	if (*p) {
		if (take_u32(&p, &y) || *p || (span ? !y : y <= x))
			goto bad;
	} else if (span) {
		goto bad;
	}
	*a = x;
	*b = y;
	return 0;
bad:
	fprintf(stderr, "hmmv sim: --%s: '%s' is not %s\n", flag, v, span ?
		"FIRST:COUNT (COUNT > 0)" : "FROM:TO (FROM < TO) or FROM:");
	return -1;
}

/* One FROM:TO:K of --trace-stretch, at *v; *v moves past it. */
static int parse_stretch1(const char **v, struct trace_stretch *t)
{
	char *end;

	if (take_u32(v, &t->from) || *(*v)++ != ':' || take_u32(v, &t->to) ||
	    *(*v)++ != ':' || t->to <= t->from)
		return -1;
	errno = 0;
	t->k = strtod(*v, &end);
	if (errno || end == *v || !(t->k >= 1 && t->k <= 1000) || (*end && *end != ','))
		return -1;
	*v = *end ? end + 1 : end;
	return 0;
}

static int parse_stretch(struct simcfg *c)
{
	struct trace_cut *cut = &c->cut;
	const char *v = c->stretch;

	while (v && *v) {
		struct trace_stretch *t = &cut->stretch[cut->nstretch];

		if (cut->nstretch == SIM_MAX_STRETCH || parse_stretch1(&v, t) ||
		    (cut->nstretch && t->from < cut->stretch[cut->nstretch - 1].to)) {
			fprintf(stderr, "hmmv sim: --trace-stretch: '%s' is not up to %d "
				"FROM:TO:K (FROM < TO, ascending, not overlapping; 1 <= K <= 1000)\n",
				c->stretch, SIM_MAX_STRETCH);
			return -1;
		}
		cut->nstretch++;
	}
	if (c->stretch && !cut->nstretch) {
		fprintf(stderr, "hmmv sim: --trace-stretch: empty\n");
		return -1;
	}
	return 0;
}

static int parse_measure(struct simcfg *c)
{
	return parse_pair("measure", c->measure, 0, &c->meas_from, &c->meas_to) ||
	       parse_stretch(c) ||
	       parse_pair("trace-intervals", c->cut_ivals, 0, &c->cut.ival_from,
			  &c->cut.ival_to) ||
	       parse_pair("trace-pages", c->cut_pages, 1, &c->cut.page_first,
			  &c->cut.page_count);
}

/* Whether comma-separated @list names @name. */
static int policy_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

static int finish_cfg(struct simcfg *c)
{
	if (check_ranges(c) || check_hmmv(c) || parse_measure(c))
		return -1;
	c->m.bw_rd[SIM_NVM] = c->dimm_rd * c->dimms;
	c->m.bw_wr[SIM_NVM] = c->dimm_wr * c->dimms;
	c->m.llc_bytes = c->llc_mb * 1048576;
	c->m.llc_other_bytes = c->llc_other_mb * 1048576;
	c->m.llc_trace_other_bytes = c->llc_trace_other_mb * 1048576;
	c->wl.vm_bytes = (uint64_t)(c->vm_mb * 1048576);
	c->wl.hot_bytes = (uint64_t)(c->hot_mb * 1048576);
	c->wl.interval_ns = (uint64_t)(c->interval_ms * 1e6);
	c->pp.pool_min_bytes = (uint64_t)(c->pool_min_mb * 1048576);
	if (c->m.mlp <= 0 || c->m.vcpus <= 0 || c->m.lat_ns[0] <= 0 ||
	    c->m.bw_rd[0] <= 0 || c->m.bw_wr[0] <= 0 || c->m.bw_rd[1] <= 0 ||
	    c->m.bw_wr[1] <= 0) {
		fprintf(stderr, "hmmv sim: latencies, bandwidths, --mlp and --vcpus must be > 0\n");
		return -1;
	}
	if (!c->wl.interval_ns || check_windows(c, c->wl.interval_ns, "--interval-ms"))
		return -1;
	if (c->trace && c->write_trace) {
		fprintf(stderr, "hmmv sim: --trace and --write-trace exclude each other\n");
		return -1;
	}
	if ((c->cut_ivals || c->cut_pages || c->stretch || c->touch) && !c->trace) {
		fprintf(stderr, "hmmv sim: --trace-intervals, --trace-pages, --trace-stretch and --touch-trace need --trace\n");
		return -1;
	}
	if (!c->schedule != !(c->policies && policy_listed(c->policies, pol_sched.name))) {
		fprintf(stderr, "hmmv sim: --schedule FILE and --policies schedule go together\n");
		return -1;
	}
	if (c->placement && !c->pp.nb_alloc_touch) {
		fprintf(stderr, "hmmv sim: --nb-placement FILE needs --nb-alloc-touch\n");
		return -1;
	}
	if (c->estimate && (!c->trace || c->write_trace)) {
		fprintf(stderr, "hmmv sim: --estimate needs --trace (a trace of hmmv run --trace)\n");
		return -1;
	}
	if ((c->hv_state || c->hv_state_out) &&
	    ((c->policies && !policy_listed(c->policies, pol_hmmv.name)) || c->estimate)) {
		fprintf(stderr, "hmmv sim: --hmmv-state and --hmmv-state-out are hm-v's: list it in --policies, without --estimate\n");
		return -1;
	}
	/* Default load: what a VM does in one interval on all-DRAM (updates). */
	if (!c->wl.accesses)
		c->wl.accesses = c->wl.interval_ns * c->m.vcpus /
				 (2 * c->m.cpu_ns + c->m.lat_ns[SIM_DRAM] / c->m.mlp);
	return 0;
}

static int pick_policies(const char *list, const struct sim_ops **ops)
{
	char buf[512], *save = NULL, *tok;
	int n = 0, i;

	if (!list) {
		for (i = 0; sim_policies[i]; i++)
			ops[n++] = sim_policies[i];
		return n;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ops[n] = sim_find_policy(tok);
		if (!ops[n]) {
			fprintf(stderr, "hmmv sim: --policies: unknown policy '%s'\n", tok);
			return -1;
		}
		if (++n == SIM_MAX_POLICIES)
			break;
	}
	return n;
}

/*
 * An engine trace holds the sample the engine's policy chose, not the
 * guest's traffic: only hmm-v (which repeats the engine's moves) replays
 * it; the others run on what --estimate writes. Without --policies,
 * hmm-v alone.
 */
static int engine_policies(const struct simcfg *c, const struct trace_hdr *h,
			   const struct sim_ops **ops)
{
	int n, i;

	if (!(h->flags & TRACE_F_WINDOWS))
		return pick_policies(c->policies, ops);
	if (!c->policies) {
		ops[0] = &pol_hmmv;
		return 1;
	}
	n = pick_policies(c->policies, ops);
	for (i = 0; i < n; i++) {
		if (ops[i] == &pol_hmmv)
			continue;
		fprintf(stderr, "hmmv sim: --policies: %s cannot replay an engine trace (the engine's sample, not the guest's traffic): use %s, or --estimate FILE and replay FILE\n",
			ops[i]->name, pol_hmmv.name);
		return -1;
	}
	return n;
}

static int write_trace(struct source *src, const char *path)
{
	const struct trace_hdr *h = source_hdr(src);
	struct ival iv;
	uint32_t i;
	int r = 0;
	FILE *f = fopen(path, "wbx");

	if (!f) {
		fprintf(stderr, "hmmv sim: --write-trace %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = trace_write_header(f, h);
	while (!r && (r = source_next(src, &iv)) == 1) {
		r = 0;
		for (i = 0; !r && i < iv.nvms; i++)
			r = trace_write_block(f, h, iv.index, i, iv.rec[i], iv.n[i]);
	}
	if (!r)
		r = trace_write_end(f);
	if (fclose(f) && !r)
		r = -EIO;
	if (r) {
		fprintf(stderr, "hmmv sim: --write-trace %s: %s\n", path, strerror(-r));
		unlink(path);
		return 1;
	}
	return 0;
}

/*
 * --estimate: hmm-v replays the engine's observations and writes the
 * traffic they imply (a plain count trace) for the other policies.
 */
static int estimate(const struct simcfg *c, struct sim_run *run,
		    struct source *src)
{
	struct trace_hdr h = *source_hdr(src);
	int r;
	FILE *f;

	/* On an engine trace the policies are hmm-v alone (engine_policies()). */
	if (!(h.flags & TRACE_F_WINDOWS)) {
		fprintf(stderr, "hmmv sim: --estimate: the trace is not an engine's (hmmv run --trace)\n");
		return EXIT_USAGE;
	}
	f = fopen(c->estimate, "wbx");
	if (!f) {
		fprintf(stderr, "hmmv sim: --estimate %s: %s\n", c->estimate,
			strerror(errno));
		return 1;
	}
	h.flags = 0;
	run->estimate = f;
	r = trace_write_header(f, &h);
	if (!r)
		r = sim_run(run, src);
	if (!r)
		r = trace_write_end(f);
	if (fclose(f) && !r)
		r = -EIO;
	if (r) {
		if (r < 0)
			fprintf(stderr, "hmmv sim: --estimate %s: %s\n", c->estimate,
				strerror(-r));
		unlink(c->estimate);
		return 1;
	}
	return 0;
}

/* Bad input (a file that is not a usable trace, sizes) is a usage error. */
static int source_rc(int r)
{
	return r == -ENOMEM || r == -EIO ? 1 : EXIT_USAGE;
}

/* A file of --@flag is of one VM: the trace must hold one (or be cut to one). */
static int one_vm(const struct trace_hdr *h, const char *flag, const char *what)
{
	if (h->nvms == 1)
		return 0;
	fprintf(stderr, "hmmv sim: --%s: the trace holds %u VMs; %s of one (--trace-pages)\n",
		flag, h->nvms, what);
	return EXIT_USAGE;
}

/* --schedule FILE, read and checked against the trace and the DRAM. */
static int load_schedule(const struct simcfg *c, const struct trace_hdr *h,
			 uint64_t dram_pages, struct sim_sched **out)
{
	uint32_t line;
	int r;

	if (one_vm(h, "schedule", "a schedule moves the chunks"))
		return EXIT_USAGE;
	r = sched_load(out, c->schedule, &line);
	if (!r)
		r = sched_check(*out, (uint32_t)h->vm_pages[0], dram_pages, &line);
	if (!r)
		return 0;
	if (r == -EINVAL)
		fprintf(stderr, "hmmv sim: --schedule %s line %u: not 'STEP CHUNK dram|nvm' with steps ascending\n",
			c->schedule, line);
	else if (r == -ERANGE)
		fprintf(stderr, "hmmv sim: --schedule %s line %u: the chunk is outside the trace's %llu chunks\n",
			c->schedule, line,
			(unsigned long long)(h->vm_pages[0] + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES);
	else if (r == -ENOSPC)
		fprintf(stderr, "hmmv sim: --schedule %s line %u: the moves of this step need more DRAM than the %llu MiB budget\n",
			c->schedule, line, (unsigned long long)(dram_pages * SIM_PAGE >> 20));
	else
		fprintf(stderr, "hmmv sim: --schedule %s: %s\n", c->schedule, strerror(-r));
	sched_free(*out);
	*out = NULL;
	return source_rc(r);
}

/* Placement FILE of --FLAG, read and checked against the trace. */
static int load_placement(const char *flag, const char *path, const struct trace_hdr *h,
			  struct sim_placement **out)
{
	uint32_t line;
	int r;

	if (one_vm(h, flag, "a placement is"))
		return EXIT_USAGE;
	r = placement_load(out, path, &line);
	if (!r)
		r = placement_check(*out, h->vm_pages[0], &line);
	if (!r)
		return 0;
	if (r == -EINVAL)
		fprintf(stderr, "hmmv sim: --%s %s line %u: not 'FIRST COUNT 0|1'\n",
			flag, path, line);
	else if (r == -ERANGE)
		fprintf(stderr, "hmmv sim: --%s %s line %u: the pages are outside the trace's %llu\n",
			flag, path, line, (unsigned long long)h->vm_pages[0]);
	else
		fprintf(stderr, "hmmv sim: --%s %s: %s\n", flag, path, strerror(-r));
	placement_free(*out);
	*out = NULL;
	return source_rc(r);
}

/* --hmmv-frames FILE, read and checked against the trace. */
static int load_frames(const char *path, const struct trace_hdr *h,
		       struct sim_frames_start **out)
{
	uint32_t line;
	int r;

	if (one_vm(h, "hmmv-frames", "frames are"))
		return EXIT_USAGE;
	r = sim_frames_load(out, path, (uint32_t)(h->vm_pages[0] / SIM_CHUNK_PAGES), &line);
	if (!r)
		return 0;
	if (r == -EINVAL && line)
		fprintf(stderr, "hmmv sim: --hmmv-frames %s line %u: not 'CHUNK dram|nvm FRAME' "
			"with CHUNK and FRAME below the trace's %llu chunks, or a chunk named again\n",
			path, line, (unsigned long long)(h->vm_pages[0] / SIM_CHUNK_PAGES));
	else if (r == -EINVAL)
		fprintf(stderr, "hmmv sim: --hmmv-frames %s: a frame of one tier named twice\n", path);
	else
		fprintf(stderr, "hmmv sim: --hmmv-frames %s: %s\n", path, strerror(-r));
	return source_rc(r);
}

/* A state of 256 GiB of guest memory is 3.5 MiB: anything far larger is not one. */
#define STATE_MAX_BYTES	(64u << 20)

/* Whether a state fits hm-v over the one VM of @h: a policy takes it. */
static int state_fits(const struct policy_params *par, const struct trace_hdr *h,
		      const void *buf, size_t len)
{
	uint32_t nch = (uint32_t)((h->vm_pages[0] + SIM_CHUNK_PAGES - 1) / SIM_CHUNK_PAGES);
	struct policy *p;
	int r;

	if (policy_create(par, nch, &p))
		return 1;	/* bad parameters: said where they are checked */
	r = policy_state_load(p, buf, len);
	policy_destroy(p);
	return !r;
}

/* --hmmv-state FILE, read whole and checked against the replay. */
static int load_state(const char *path, const struct policy_params *par,
		      const struct trace_hdr *h, void **buf, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t got;
	int fd, r;

	if (one_vm(h, "hmmv-state", "a state is"))
		return EXIT_USAGE;
	fd = safe_file_open(path, O_RDONLY, 0);
	if (fd < 0) {
		fprintf(stderr, "hmmv sim: --hmmv-state %s: %s\n", path, safe_file_strerror(fd));
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > STATE_MAX_BYTES) {
		fprintf(stderr, "hmmv sim: --hmmv-state %s: not a state (--hmmv-state-out writes one)\n", path);
		close(fd);
		return EXIT_USAGE;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len);
	while (*buf && off < *len) {
		got = read(fd, (char *)*buf + off, *len - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		off += (size_t)got;
	}
	close(fd);
	if (*buf && off == *len && state_fits(par, h, *buf, *len))
		return 0;
	if (*buf && off == *len)
		fprintf(stderr, "hmmv sim: --hmmv-state %s: not a state of this replay's VM "
			"(written over a VM of another size, or with other --hmmv-sample-pages "
			"or --hmmv-levels)\n", path);
	else
		fprintf(stderr, "hmmv sim: --hmmv-state %s: %s\n", path,
			*buf ? "read failed" : strerror(ENOMEM));
	r = *buf && off == *len ? EXIT_USAGE : 1;
	free(*buf);
	*buf = NULL;
	return r;
}

/* Scans FILE of --nb-scans, read and checked against the trace. */
static int load_scans(const char *path, const struct trace_hdr *h, struct sim_scans **out)
{
	uint32_t line;
	int r;

	if (one_vm(h, "nb-scans", "the scans are"))
		return EXIT_USAGE;
	r = scans_load(out, path, &line);
	if (!r)
		r = scans_check(*out, h->vm_pages[0], &line);
	if (!r)
		return 0;
	if (r == -EINVAL)
		fprintf(stderr, "hmmv sim: --nb-scans %s line %u: not 'INTERVAL FIRST COUNT'\n", path, line);
	else if (r == -EDOM)
		fprintf(stderr, "hmmv sim: --nb-scans %s line %u: earlier than the line before\n",
			path, line);
	else if (r == -ERANGE)
		fprintf(stderr, "hmmv sim: --nb-scans %s line %u: the pages are outside the trace's %llu\n",
			path, line, (unsigned long long)h->vm_pages[0]);
	else
		fprintf(stderr, "hmmv sim: --nb-scans %s: %s\n", path, strerror(-r));
	scans_free(*out);
	*out = NULL;
	return source_rc(r);
}

/* Budget FILE of --nb-dram, read and checked against the trace. */
static int load_budget(const char *path, const struct trace_hdr *h, struct sim_budget **out)
{
	uint32_t line;
	int r;

	if (one_vm(h, "nb-dram", "the budget is"))
		return EXIT_USAGE;
	r = budget_load(out, path, &line);
	if (!r)
		return 0;
	if (r == -EINVAL)
		fprintf(stderr, "hmmv sim: --nb-dram %s line %u: not 'INTERVAL MIB'\n", path, line);
	else if (r == -EDOM)
		fprintf(stderr, "hmmv sim: --nb-dram %s line %u: earlier than the line before\n",
			path, line);
	else
		fprintf(stderr, "hmmv sim: --nb-dram %s: %s\n", path, strerror(-r));
	return source_rc(r);
}

/* One run of every chosen policy over src, reported as the flags say. */
static int simulate(const struct simcfg *c, struct source *src)
{
	const struct trace_hdr *h = source_hdr(src);
	struct sim_run run = {
		.m = &c->m, .pp = &c->pp, .seed = c->wl.seed,
		.what = c->trace ? c->trace : "workload",
		.label = c->label ? c->label : c->trace ? "trace" : c->wl.kind,
		.csv = c->csv, .share = c->share, .quiet = c->quiet,
		.check = c->check,
		.share_intervals = c->trace ? 100000 : c->wl.intervals,
		.meas_from = c->meas_from, .meas_to = c->meas_to,
		.presence_lines = c->presence_lines,
	};
	struct sim_sched *sched = NULL;
	struct sim_placement *place = NULL, *hv_place = NULL;
	struct sim_frames_start *frames = NULL;
	struct sim_scans *scans = NULL;
	struct sim_budget *budget = NULL;
	void *state = NULL;
	FILE *out = NULL;
	uint64_t total = 0, dram;
	uint32_t i;
	int r;

	run.nops = engine_policies(c, h, run.ops);
	if (run.nops <= 0)
		return EXIT_USAGE;
	for (i = 0; i < h->nvms; i++)
		total += h->vm_pages[i];
	dram = c->dram_mb > 0 ? (uint64_t)(c->dram_mb * 256) :
	       (uint64_t)(total * c->dram_pct / 100);
	run.dram_pages = dram / SIM_CHUNK_PAGES * SIM_CHUNK_PAGES;
	/* As the pool refuses a VM whose minimum does not fit (tools/pool). */
	if (h->nvms > 1 && c->pp.pool_min_bytes / SIM_PAGE * h->nvms > run.dram_pages) {
		fprintf(stderr, "hmmv sim: --pool-min-mb %g for each of %u VMs exceeds the DRAM of %llu MiB\n",
			c->pool_min_mb, h->nvms,
			(unsigned long long)(run.dram_pages * SIM_PAGE >> 20));
		return EXIT_USAGE;
	}
	if (c->estimate)
		return estimate(c, &run, src);
	if (c->schedule) {
		r = load_schedule(c, h, run.dram_pages, &sched);
		if (r)
			return r;
		run.sched = sched;
	}
	r = c->placement ? load_placement("nb-placement", c->placement, h, &place) : 0;
	r = r || !c->hv_placement ? r :
	    load_placement("hmmv-placement", c->hv_placement, h, &hv_place);
	r = r || !c->frames ? r : load_frames(c->frames, h, &frames);
	r = r || !c->scans ? r : load_scans(c->scans, h, &scans);
	r = r || !c->budget ? r : load_budget(c->budget, h, &budget);
	r = r || !c->hv_state ? r : load_state(c->hv_state, &c->pp.hmmv, h, &state,
							     &run.hv_state_len);
	if (!r && c->hv_state_out)
		r = one_vm(h, "hmmv-state-out", "a state is");
	if (!r && c->hv_state_out) {
		out = fopen(c->hv_state_out, "wbx");
		if (!out) {
			fprintf(stderr, "hmmv sim: --hmmv-state-out %s: %s\n", c->hv_state_out,
				strerror(errno));
			r = 1;
		}
	}
	if (!r) {
		run.placement = place;
		run.hv_placement = hv_place;
		run.frames_start = frames;
		run.scans = scans;
		run.budget = budget;
		run.hv_state = state;
		run.hv_state_out = out;
		r = sim_run(&run, src);
	}
	if (out && fclose(out) && !r) {
		fprintf(stderr, "hmmv sim: --hmmv-state-out %s: %s\n", c->hv_state_out,
			strerror(EIO));
		r = -EIO;
	}
	if (out && r < 0)
		unlink(c->hv_state_out);
	sched_free(sched);
	placement_free(place);
	placement_free(hv_place);
	sim_frames_start_free(frames);
	scans_free(scans);
	budget_free(budget);
	free(state);
	return r < 0 ? 1 : r;
}

static int open_source(const struct simcfg *c, struct source **src)
{
	int r;

	if (c->trace) {
		r = source_open_trace_cut(src, c->trace, c->presence_lines, &c->cut);
		if (r) {
			fprintf(stderr, "hmmv sim: --trace %s: %s\n", c->trace,
				source_strerror(r));
			return source_rc(r);
		}
		if (check_windows(c, source_hdr(*src)->interval_ns, c->trace)) {
			source_close(*src);
			return EXIT_USAGE;
		}
		r = c->touch ? source_open_touch(*src, c->touch) : 0;
		if (!r)
			return 0;
		fprintf(stderr, "hmmv sim: --touch-trace %s: %s\n", c->touch,
			source_strerror(r));
		source_close(*src);
		return source_rc(r);
	}
	r = source_open_workload(src, &c->wl);
	if (!r)
		return 0;
	fprintf(stderr, "hmmv sim: --workload %s: %s\n", c->wl.kind,
		r == -ENOENT ? "unknown workload" :
		r == -EINVAL ? "bad sizes (--vm-mb multiple of 2, --hot-mb <= --vm-mb)" :
		r == -EFBIG ? "too large (16 GiB in all, VMs x pages x --intervals "
			      "within 2^31 4 KiB page-intervals)" :
		strerror(-r));
	return source_rc(r);
}

int cmd_sim(int argc, char **argv)
{
	struct simcfg c;
	struct flag fl[SIM_MAX_FLAGS];
	struct source *src = NULL;
	int nfl, r, rc;

	cfg_default(&c);
	nfl = build_flags(&c, fl);
	if (apply_preset(&c, argc, argv) ||
	    parse_args(&c, argc, argv, fl, nfl))
		return EXIT_USAGE;
	if (c.help) {
		usage(stdout, fl, nfl);
		return 0;
	}
	if (finish_cfg(&c))
		return EXIT_USAGE;
	r = open_source(&c, &src);
	if (r)
		return r;
	rc = c.write_trace ? write_trace(src, c.write_trace) : simulate(&c, src);
	source_close(src);
	return rc;
}
