// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: hmmv sim with hostile inputs (issue 14 item 8). Each case
 * runs the command in a child under a memory and time limit and checks
 * its exit status: usage errors exit 2, nothing crashes, nothing runs away.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"
#include "vmm/cmd.h"

static char dir[] = "/tmp/hmmv-sim-inputs.XXXXXX";

/* Exit status of hmmv sim ARGS..., or 128 + signal; -1 on a harness error. */
static int sim_status(unsigned secs, ...)
{
	char *argv[32] = { "sim" };
	va_list ap;
	pid_t pid;
	int argc = 1, st;

	va_start(ap, secs);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct rlimit rl = { 1ull << 30, 1ull << 30 };	/* 1 GiB */
		int fd = open("/dev/null", O_WRONLY);

		setrlimit(RLIMIT_AS, &rl);
		alarm(secs);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		_exit(cmd_sim(argc, argv));
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void put_leb(FILE *f, uint64_t v)
{
	do {
		uint8_t b = v & 0x7f;

		v >>= 7;
		fputc(v ? b | 0x80 : b, f);
	} while (v);
}

static void put_le(FILE *f, uint64_t v, int n)
{
	while (n--) {
		fputc(v & 0xff, f);
		v >>= 8;
	}
}

/*
 * A trace written by hand (hmmv/trace.h), so that headers the writer
 * refuses can be made too: blocks of one record (interval, vm, page, r, w).
 */
static const char *mktrace(const char *name, uint32_t flags, uint32_t shift,
			   uint32_t nvms, uint64_t interval_ns, uint64_t pages,
			   const uint32_t (*blk)[5], int nblk)
{
	static char path[256];
	FILE *f;
	uint32_t i;
	int k;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return path;
	fwrite(TRACE_MAGIC, 1, 8, f);
	put_le(f, TRACE_VERSION, 4);
	put_le(f, flags, 4);
	put_le(f, shift, 4);
	put_le(f, nvms, 4);
	put_le(f, interval_ns, 8);
	for (i = 0; i < nvms; i++)
		put_le(f, pages, 8);
	for (k = 0; k < nblk; k++) {
		fputc(TRACE_TAG_BLOCK, f);
		put_leb(f, blk[k][0]);
		put_leb(f, blk[k][1]);
		put_leb(f, 1);
		put_leb(f, blk[k][2]);
		put_leb(f, blk[k][3]);
		put_leb(f, blk[k][4]);
	}
	fputc(TRACE_TAG_END, f);
	fclose(f);
	return path;
}

/*
 * The small traces of the file-input tests: at @tr, one VM of 2048 pages
 * touched at intervals 0 and 3; at @two, two VMs (refused where a file is
 * one VM's). mktrace() returns its own buffer: each path copied.
 */
static void mktraces(const char *name, char *tr, char *two, size_t len)
{
	static const uint32_t one[][5] = { { 0, 0, 0, 10, 0 }, { 3, 0, 600, 10, 0 } };
	char name2[64];

	snprintf(tr, len, "%s", mktrace(name, 0, 12, 1, 100000000, 2048, one, 2));
	snprintf(name2, sizeof(name2), "%s2", name);
	snprintf(two, len, "%s", mktrace(name2, 0, 12, 2, 100000000, 2048, one, 1));
}

#define QUICK "--quiet", "--intervals", "2", "--vm-mb", "4", "--hot-mb", "1"

static void test_flags(void)
{
	tap_is(sim_status(20, "--dram-pct", "nan", QUICK, NULL), 2, "--dram-pct nan: exit 2");
	tap_is(sim_status(20, "--hot-frac", "inf", QUICK, NULL), 2, "--hot-frac inf: exit 2");
	tap_is(sim_status(20, "--dram-pct", "150", QUICK, NULL), 2, "--dram-pct 150: exit 2");
	tap_is(sim_status(20, QUICK, "--vm-mb", "1e300", NULL), 2, "--vm-mb 1e300: exit 2");
	tap_is(sim_status(20, QUICK, "--seed", "1e30", NULL), 2, "--seed 1e30: exit 2");
	tap_is(sim_status(20, QUICK, "--cpu-ns", "inf", NULL), 2, "--cpu-ns inf: exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-levels", "0", NULL), 2,
	       "bad HMM-V parameter (--hmmv-levels 0): exit 2, not 1");
	tap_is(sim_status(20, QUICK, "--workload", "mix4", "--pool-min-mb", "16", NULL), 2,
	       "pool minimums above the DRAM (4 x 16 MiB of 4 MiB): exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-window-shift", "5", NULL), 2,
	       "--hmmv-window-shift 5 (at most 4): exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-window-shift", "x", NULL), 2,
	       "--hmmv-window-shift x: exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-4k-headroom", "60", NULL), 2,
	       "--hmmv-4k-headroom 60 (at most 50): exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-4k-track-pct", "101", NULL), 2,
	       "--hmmv-4k-track-pct 101 (at most 100): exit 2");
	tap_is(sim_status(20, QUICK, "--hmmv-log-off", "2", NULL), 2,
	       "--hmmv-log-off 2 (0 or 1): exit 2");
	tap_is(sim_status(20, QUICK, "--intervals", "1000000", "--vm-mb", "4096", NULL), 2,
	       "VMs x pages x intervals beyond the bound: exit 2");
	tap_is(sim_status(20, QUICK, "--nb-scan-adapt=1", NULL), 2,
	       "--nb-scan-adapt=1 (a switch, no value): exit 2");
	tap_is(sim_status(20, QUICK, "--policies", "numa-balancing", "--nb-scan-adapt", NULL), 0,
	       "--nb-scan-adapt: a valid run exits 0");
	tap_is(sim_status(20, QUICK, "--move-ns", "-5", NULL), 2, "--move-ns -5: exit 2");
	tap_is(sim_status(20, QUICK, "--move-ns", "2e9", NULL), 2,
	       "--move-ns 2e9 (at most 1e9, ten intervals): exit 2");
	tap_is(sim_status(20, QUICK, "--policies", "hmm-v", "--move-ns", "3e8", NULL), 0,
	       "--move-ns 3e8 runs");
	tap_is(sim_status(20, QUICK, "--llc-mb", "-1", NULL), 2, "--llc-mb -1: exit 2");
	tap_is(sim_status(20, QUICK, "--llc-mb", "5000", NULL), 2,
	       "--llc-mb 5000 (at most 4096): exit 2");
	tap_is(sim_status(20, QUICK, "--llc-mb", "0", NULL), 0, "--llc-mb 0 (no cache) runs");
	tap_is(sim_status(20, QUICK, "--llc-other-mb", "-1", NULL), 2, "--llc-other-mb -1: exit 2");
	tap_is(sim_status(20, QUICK, "--llc-trace-other-mb", "70000", NULL), 2,
	       "--llc-trace-other-mb 70000 (at most 65536): exit 2");
	tap_is(sim_status(20, QUICK, "--llc-other-mb", "0.5", "--llc-trace-other-mb", "0.2", NULL), 0,
	       "--llc-other-mb 0.5 --llc-trace-other-mb 0.2 run");
	tap_is(sim_status(20, QUICK, "--hemem-tick-ms", "-10", NULL), 2,
	       "--hemem-tick-ms -10: exit 2");
	tap_is(sim_status(20, QUICK, "--hemem-tick-ms", "0.001", NULL), 2,
	       "--hemem-tick-ms 0.001 (at least 0.1): exit 2");
	tap_is(sim_status(20, QUICK, "--policies", "hemem", "--hemem-tick-ms", "0", NULL), 0,
	       "--hemem-tick-ms 0 (once an interval): a valid run exits 0");
	tap_is(sim_status(20, QUICK, "--nb-scan-period-start-ms", "-1000", NULL), 2,
	       "--nb-scan-period-start-ms -1000: exit 2");
	tap_is(sim_status(20, QUICK, "--nb-scan-period-start-ms", "soon", NULL), 2,
	       "--nb-scan-period-start-ms soon: exit 2");
	tap_is(sim_status(20, QUICK, "--policies", "numa-balancing", "--nb-scan-adapt",
			  "--nb-scan-period-start-ms", "30000", NULL), 0,
	       "--nb-scan-period-start-ms 30000: a valid run exits 0");
	tap_is(sim_status(20, QUICK, NULL), 0, "a small valid run still exits 0");
}

static void test_traces(void)
{
	static const uint32_t one[][5] = { { 0, 0, 0, 10, 0 } };
	static const uint32_t far[][5] = { { 0, 0, 0, 10, 0 }, { 999999, 0, 1, 10, 0 },
					  { 4000000000u, 0, 2, 10, 0 } };
	static const uint32_t many[][5] = { { 0, 0, 0, 10, 0 }, { 0, 63, 5, 1, 0 } };

	tap_is(sim_status(20, "--trace", dir, NULL), 2,
	       "--trace DIR: exit 2, no double free");
	tap_is(sim_status(20, "--trace", "/dev/null", NULL), 2, "--trace /dev/null: exit 2");
	tap_is(sim_status(20, "--trace", mktrace("big", 0, 12, 64, 100000000, 1ull << 22,
						 many, 2), "--quiet", NULL), 2,
	       "64 VMs of 16 GiB in a tiny trace: refused (exit 2), not 2.7 GB");
	tap_is(sim_status(20, "--trace", mktrace("far", 0, 12, 1, 100000000, 512, far, 3),
			  "--quiet", NULL), 0,
	       "intervals 0, 999999, 4e9: empty stretches not simulated one by one");
	tap_is(sim_status(20, "--trace", mktrace("tiny", 0, 12, 1, 1, 512, one, 1),
			  "--quiet", NULL), 2, "interval_ns 1 (shorter than a window): exit 2");
	tap_is(sim_status(20, "--trace", mktrace("huge", 0, 12, 1, 1ull << 63, 512, one, 1),
			  "--quiet", NULL), 2, "interval_ns 2^63: exit 2");
}

/* A file NAME of the test directory holding @text; its path in @path. */
static void put_file(char *path, size_t len, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;		/* the runs over it then fail their checks */
	fputs(text, f);
	fclose(f);
}

/* hmmv sim --schedule: bad input exits 2, a good schedule runs. */
static void test_schedule(void)
{
	char sched[256], bad[256], tr[256], two[256];

	mktraces("sched", tr, two, sizeof(tr));
	put_file(sched, sizeof(sched), "sched.txt", "0 0 dram\n2 0 nvm\n2 1 dram\n");
	put_file(bad, sizeof(bad), "bad.txt", "0 0 dram\n0 1 dram\n0 2 dram\n");
	tap_is(sim_status(20, "--trace", tr, "--dram-mb", "4", "--policies", "schedule",
			  "--schedule", sched, "--quiet", NULL), 0,
	       "--policies schedule --schedule FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--schedule", sched, "--quiet", NULL), 2,
	       "--schedule without --policies schedule: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "schedule,all-slow", "--quiet", NULL), 2,
	       "--policies schedule without --schedule: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "schedule", "--schedule", dir,
			  "--quiet", NULL), 2, "--schedule DIR: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--dram-mb", "4", "--policies", "schedule",
			  "--schedule", bad, "--quiet", NULL), 2,
	       "--schedule putting 6 MiB in 4 MiB of DRAM: exit 2");
	tap_is(sim_status(20, "--trace", two, "--dram-mb", "4", "--policies", "schedule",
			  "--schedule", sched, "--quiet", NULL), 2,
	       "--schedule over a two-VM trace: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--dram-mb", "4", "--policies", "schedule",
			  "--schedule", sched, "--schedule-recopy-pages", "40", "--quiet", NULL), 0,
	       "--schedule-recopy-pages 40: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--schedule-recopy-pages", "40", "--quiet", NULL), 2,
	       "--schedule-recopy-pages without --schedule: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--dram-mb", "4", "--policies", "schedule",
			  "--schedule", sched, "--schedule-recopy-pages", "-1", "--quiet", NULL), 2,
	       "--schedule-recopy-pages -1: exit 2");
}

/* hmmv sim --nb-placement, --hmmv-placement: bad input exits 2, a good placement runs. */
static void test_placement(void)
{
	char good[256], far[256], bad[256], tr[256], two[256];

	mktraces("place", tr, two, sizeof(tr));
	put_file(good, sizeof(good), "place.txt", "0 600 0\n600 1000 1\n");
	put_file(far, sizeof(far), "far.txt", "2000 49 1\n");
	put_file(bad, sizeof(bad), "badplace.txt", "0 600 dram\n");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-placement", good, "--quiet", NULL), 0,
	       "--nb-placement FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing",
			  "--nb-placement", good, "--quiet", NULL), 2,
	       "--nb-placement without --nb-alloc-touch: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-placement", far, "--quiet", NULL), 2,
	       "--nb-placement past the trace's 2048 pages: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-placement", bad, "--quiet", NULL), 2,
	       "--nb-placement with a malformed line: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-placement", dir, "--quiet", NULL), 2, "--nb-placement DIR: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-placement", good, "--quiet", NULL), 2,
	       "--nb-placement over a two-VM trace: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-placement", good,
			  "--quiet", NULL), 0, "--hmmv-placement FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-placement", far,
			  "--quiet", NULL), 2, "--hmmv-placement past the trace's 2048 pages: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-placement", bad,
			  "--quiet", NULL), 2, "--hmmv-placement with a malformed line: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "hmm-v", "--hmmv-placement", good,
			  "--quiet", NULL), 2, "--hmmv-placement over a two-VM trace: exit 2");
}

/* hmmv sim --hmmv-frames: bad input exits 2, good frames run. */
static void test_frames(void)
{
	static const uint32_t one[][5] = { { 0, 0, 0, 10, 0 }, { 3, 0, 600, 10, 0 } };
	char good[256], far[256], bad[256], twice[256], tr[256];

	snprintf(tr, sizeof(tr), "%s", mktrace("frames", 0, 12, 1, 100000000, 2048, one, 2));
	put_file(good, sizeof(good), "frames.txt", "0 dram 0\n1 nvm 3\n# 2 and 3: launch order\n");
	put_file(far, sizeof(far), "farframe.txt", "0 nvm 4\n");
	put_file(bad, sizeof(bad), "badframes.txt", "0 slow 0\n");
	put_file(twice, sizeof(twice), "twiceframe.txt", "0 nvm 1\n1 nvm 1\n");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-frames", good,
			  "--quiet", NULL), 0, "--hmmv-frames FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-frames", far,
			  "--quiet", NULL), 2, "--hmmv-frames: a frame past the trace's 4 chunks: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-frames", bad,
			  "--quiet", NULL), 2, "--hmmv-frames with a tier not dram|nvm: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-frames", twice,
			  "--quiet", NULL), 2, "--hmmv-frames naming one frame twice: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-frames", dir,
			  "--quiet", NULL), 2, "--hmmv-frames DIR: exit 2");
}

/* The size of @path, or -1. */
static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/*
 * hmmv sim --hmmv-state-out FILE writes hm-v's learned state (a new file),
 * --hmmv-state FILE starts from it; a state that does not fit the replay,
 * or flags that cannot go with them, exit 2.
 */
static void test_state(void)
{
	static const uint32_t one[][5] = { { 0, 0, 0, 10, 0 }, { 3, 0, 600, 10, 0 } };
	char tr[256], two[256], big[256], out[256], junk[256], est[256];

	mktraces("state", tr, two, sizeof(tr));
	snprintf(big, sizeof(big), "%s", mktrace("state8", 0, 12, 1, 100000000, 4096, one, 2));
	snprintf(out, sizeof(out), "%s/state.out", dir);
	snprintf(est, sizeof(est), "%s/state.est", dir);
	put_file(junk, sizeof(junk), "state.junk", "not a state\n");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state-out", out,
			  "--quiet", NULL), 0, "--hmmv-state-out FILE: runs, exit 0");
	/* 4 chunks of 4 blocks: a 48-byte header, 20 bytes a chunk, 2 a block. */
	tap_is(file_size(out), 48 + 4 * 20 + 16 * 2, "the state of 4 chunks is 160 bytes");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state-out", out,
			  "--quiet", NULL), 1, "--hmmv-state-out over an existing file: exit 1");
	tap_is(file_size(out), 160, "and the file is left as it was");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state", out,
			  "--quiet", NULL), 0, "--hmmv-state FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state", out,
			  "--hmmv-levels", "2", "--quiet", NULL), 2,
	       "--hmmv-state of 3 levels with --hmmv-levels 2: exit 2");
	tap_is(sim_status(20, "--trace", big, "--policies", "hmm-v", "--hmmv-state", out,
			  "--quiet", NULL), 2, "--hmmv-state of 4 chunks over a VM of 8: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "hmm-v", "--hmmv-state", out,
			  "--quiet", NULL), 2, "--hmmv-state over a two-VM trace: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state", junk,
			  "--quiet", NULL), 2, "--hmmv-state of a text file: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "hmm-v", "--hmmv-state", dir,
			  "--quiet", NULL), 2, "--hmmv-state DIR: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "all-slow", "--hmmv-state", out,
			  "--quiet", NULL), 2, "--hmmv-state without hm-v in --policies: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--estimate", est, "--hmmv-state-out", junk,
			  "--quiet", NULL), 2, "--hmmv-state-out with --estimate: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "hmm-v", "--hmmv-state-out", est,
			  "--quiet", NULL), 2, "--hmmv-state-out over a two-VM trace: exit 2");
	tap_is(file_size(est), -1, "and writes no file");
}

/* hmmv sim --nb-scans: bad input exits 2, good scans run. */
static void test_scans(void)
{
	char good[256], late[256], bad[256], far[256], tr[256], two[256];

	mktraces("scans", tr, two, sizeof(tr));
	put_file(good, sizeof(good), "scans.txt", "# measured\n1 0 600\n2 1000 48\n");
	put_file(late, sizeof(late), "late.txt", "2 0 600\n1 0 10\n");
	put_file(bad, sizeof(bad), "badscans.txt", "1 0 -600\n");
	put_file(far, sizeof(far), "farscans.txt", "1 2000 49\n");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-scans", good,
			  "--quiet", NULL), 0, "--nb-scans FILE: runs, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-scans", late,
			  "--quiet", NULL), 2, "--nb-scans out of time order: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-scans", bad,
			  "--quiet", NULL), 2, "--nb-scans with a negative count: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-scans", far,
			  "--quiet", NULL), 2, "--nb-scans past the trace's 2048 pages: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-scans", dir,
			  "--quiet", NULL), 2, "--nb-scans DIR: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "numa-balancing", "--nb-scans", good,
			  "--quiet", NULL), 2, "--nb-scans over a two-VM trace: exit 2");
}

/* hmmv sim --nb-dram: bad input exits 2, a good budget runs. */
static void test_budget(void)
{
	char good[256], late[256], bad[256], tr[256], two[256];

	mktraces("budget", tr, two, sizeof(tr));
	put_file(good, sizeof(good), "budget.txt", "# measured\n0 1.5\n2 0.5\n");
	put_file(late, sizeof(late), "latebudget.txt", "2 1\n1 1\n");
	put_file(bad, sizeof(bad), "badbudget.txt", "1 lots\n");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-alloc-touch",
			  "--nb-dram", good, "--check", "--quiet", NULL), 0,
	       "--nb-dram FILE: runs, --check passes, exit 0");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-dram", late,
			  "--quiet", NULL), 2, "--nb-dram out of time order: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-dram", bad,
			  "--quiet", NULL), 2, "--nb-dram with a word for its MiB: exit 2");
	tap_is(sim_status(20, "--trace", tr, "--policies", "numa-balancing", "--nb-dram", dir,
			  "--quiet", NULL), 2, "--nb-dram DIR: exit 2");
	tap_is(sim_status(20, "--trace", two, "--policies", "numa-balancing", "--nb-dram", good,
			  "--quiet", NULL), 2, "--nb-dram over a two-VM trace: exit 2");
}

/*
 * --trace-pages of a few pages of a block holding many: the block is
 * converted whole before the cut (a buffer sized to the cut overflowed).
 */
static void test_cut_block(void)
{
	struct trace_hdr h = { .version = TRACE_VERSION, .page_shift = 12, .nvms = 1,
			       .interval_ns = 100000000, .vm_pages = { 65536 } };
	static struct trace_rec r[65536];
	char path[256];
	uint32_t k;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/wide", dir);
	f = fopen(path, "w");
	for (k = 0; k < 65536; k++)
		r[k] = (struct trace_rec){ k, 3, 1 };
	ok = f && !trace_write_header(f, &h) && !trace_write_block(f, &h, 0, 0, r, 65536) &&
	     !trace_write_block(f, &h, 1, 0, r, 65536) && !trace_write_end(f);
	if (f)
		fclose(f);
	tap_ok(ok && sim_status(20, "--trace", path, "--trace-pages", "100:1", "--policies",
				"all-slow", "--quiet", NULL) == 0,
	       "--trace-pages 100:1 of a block of 65536 records: exit 0 (no overflow)");
}

/* Intervals a trace source hands out, and the records of the first. */
static int drain(const char *path, uint32_t lines, struct trace_hdr *h,
		 struct trace_rec *first, uint32_t *nfirst)
{
	struct source *src;
	struct ival iv;
	int n = 0, r = source_open_trace(&src, path, lines);

	if (r)
		return r;
	*h = *source_hdr(src);
	while ((r = source_next(src, &iv)) == 1) {
		if (!n++) {
			*nfirst = iv.n[0];
			memcpy(first, iv.rec[0], iv.n[0] * sizeof(*first));
		}
	}
	source_close(src);
	return r ? r : n;
}

static void test_trace_units(void)
{
	static const uint32_t big[][5] = { { 0, 0, 3, 1027, 2 } };
	static const uint32_t small[][5] = { { 0, 0, 9, 5, 0 } };
	static const uint32_t far[][5] = { { 0, 0, 0, 1, 0 }, { 1, 0, 0, 1, 0 },
					  { 999999, 0, 1, 1, 0 } };
	static struct trace_rec rec[4096];
	struct trace_hdr h;
	uint32_t n = 0, k;
	int ok;

	/* 2 MiB pages: page 3 is 4 KiB pages 1536..2047, counts spread. */
	tap_is(drain(mktrace("shift21", 0, 21, 1, 100000000, 4, big, 1), 64, &h, rec, &n),
	       1, "page_shift 21: one interval");
	ok = h.vm_pages[0] == 2048 && n == 512 && rec[0].page == 1536 &&
	     rec[511].page == 2047 && rec[0].reads == 3 && rec[3].reads == 2 &&
	     rec[0].writes == 1 && rec[1].writes == 1 && n == 512 && rec[2].writes == 0;
	tap_ok(ok, "page_shift 21: 4 VM pages are 2048 4 KiB pages, counts spread evenly");
	/* 512 B pages: eight to a 4 KiB page. */
	drain(mktrace("shift9", 0, 9, 1, 100000000, 16, small, 1), 64, &h, rec, &n);
	tap_ok(h.vm_pages[0] == 2 && n == 1 && rec[0].page == 1 && rec[0].reads == 5,
	       "page_shift 9: 16 VM pages are two 4 KiB pages, page 9 in the second");
	drain(mktrace("presence", TRACE_F_PRESENCE, 12, 1, 100000000, 16, far, 1),
	      64, &h, rec, &n);
	tap_ok(n == 1 && rec[0].reads == 64 && rec[0].writes == 0,
	       "TRACE_F_PRESENCE: a presence bit counts as --presence-lines transfers");
	tap_is(drain(mktrace("gap", 0, 12, 1, 100000000, 16, far, 3), 64, &h, rec, &n), 4,
	       "intervals 0, 1, 999999: four simulated (the gap is one empty interval)");
	for (k = 0, ok = 1; k < n; k++)
		ok &= rec[k].page < h.vm_pages[0];
	tap_ok(ok, "converted records stay within the VM");
}

int main(void)
{
	if (!mkdtemp(dir))
		return tap_ok(0, "mkdtemp"), tap_done(0);
	test_flags();
	test_traces();
	test_schedule();
	test_placement();
	test_frames();
	test_state();
	test_scans();
	test_budget();
	test_cut_block();
	test_trace_units();
	if (fork() == 0) {
		execlp("rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	return tap_done(0);
}
