// SPDX-License-Identifier: GPL-2.0
/*
 * scan_watch [--marks] PID CONSOLE: what NUMA balancing's scanner did to
 * the guest RAM of hmmv process PID, and when the guest marked its
 * workloads, on one clock (CLOCK_BOOTTIME, ms); with --marks, the marks
 * alone (no kprobes: make eval-real times the engine's intervals at
 * them). Until SIGTERM or SIGINT, or PID is gone:
 *   "# real-clock: MARK MS"   CONSOLE (a growing file, looked at every
 *                             100 ms) printed "meter-mark: MARK"
 *   "# real-guestva: LO HI"   at the first mark: the guest's RAM mapping
 *                             (of the memfd:hmmv-dram mappings, the one
 *                             with the most pages present; the other is
 *                             hmmv's own view of the same memory)
 * and then, from kprobes on change_prot_numa() (the scanner's call per
 * range of a mapping; tracefs, trace_clock boot):
 *   "# real-scan: MS FIRST COUNT PTES"  PID's scanner made guest pages
 *                             FIRST..FIRST+COUNT-1 PROT_NONE, PTES of them
 *                             changed (the others top tier or armed)
 *   "# real-scan-lost: N"     trace events lost (the buffer overran)
 * make eval-real runs it beside the Linux-tiering run: the scanner runs
 * when the vCPU thread has had its period of CPU time, and its cursor
 * walks every mapping of the process, neither of which the traffic trace
 * carries; the NUMA model's cross-validation takes both as measured
 * (hmmv sim --nb-scans). The probes are removed at exit.
 * Exit 0, 1 with one line on stderr, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define TRACING "/sys/kernel/tracing"
#define TICK_NS 100000000L
#define LINE_MAX_LEN 512
#define PAGE ((uint64_t)4096)

struct watch {
	long pid;
	const char *console;
	int fd;				/* the console, once it exists */
	char line[LINE_MAX_LEN];
	size_t len;			/* of the line being read */
	uint64_t lo, hi;		/* the guest's RAM mapping, once known */
	int marks_only;			/* --marks: no mapping, no scans */
};

static volatile sig_atomic_t stop;

static void watch_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Writes @text to tracefs file @name (appending with @append). */
static int trace_put(const char *name, const char *text, int append)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACING "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

static const char *const probe_on[][2] = {
	{ "kprobe_events", "p:hmmv_scan change_prot_numa start=%si end=%dx\n" },
	{ "kprobe_events", "r:hmmv_scanret change_prot_numa ret=$retval\n" },
	{ "trace_clock", "boot\n" },
	{ "options/record-tgid", "1\n" },
	{ "buffer_size_kb", "16384\n" },
	{ "trace", "\n" },
	{ "events/kprobes/hmmv_scan/enable", "1\n" },
	{ "events/kprobes/hmmv_scanret/enable", "1\n" },
	{ "tracing_on", "1\n" },
};

static const char *const probe_off[][2] = {
	{ "events/kprobes/hmmv_scan/enable", "0\n" },
	{ "events/kprobes/hmmv_scanret/enable", "0\n" },
	{ "kprobe_events", "-:hmmv_scan\n" },
	{ "kprobe_events", "-:hmmv_scanret\n" },
	{ "options/record-tgid", "0\n" },
	{ "trace_clock", "local\n" },
	{ "buffer_size_kb", "1408\n" },
};

/* Each step whether or not the probes are there (errors are no matter). */
static void probes_off(void)
{
	size_t i;

	for (i = 0; i < sizeof(probe_off) / sizeof(probe_off[0]); i++)
		trace_put(probe_off[i][0], probe_off[i][1], 0);
}

static int probes_on(void)
{
	struct stat st;
	size_t i;
	int err;

	if (stat(TRACING "/kprobe_events", &st) &&
	    mount("nodev", TRACING, "tracefs", 0, NULL))
		return -errno;
	/* Probes a run that was killed left behind. */
	probes_off();
	for (i = 0; i < sizeof(probe_on) / sizeof(probe_on[0]); i++) {
		err = trace_put(probe_on[i][0], probe_on[i][1],
				!strcmp(probe_on[i][0], "kprobe_events"));
		if (err) {
			probes_off();
			return err;
		}
	}
	return 0;
}

/* Pages of [lo, hi) present in @pm (a /proc/PID/pagemap). */
static uint64_t present_pages(int pm, uint64_t lo, uint64_t hi)
{
	uint64_t buf[4096], n = 0, p, k, got;
	ssize_t r;

	for (p = lo / PAGE; p < hi / PAGE; p += got) {
		got = hi / PAGE - p < 4096 ? hi / PAGE - p : 4096;
		r = pread(pm, buf, got * 8, (off_t)(p * 8));
		if (r <= 0)
			break;
		got = (uint64_t)r / 8;
		for (k = 0; k < got; k++)
			n += buf[k] >> 63;
	}
	return n;
}

/* The memfd:hmmv-dram mapping of the process with the most pages present. */
static void watch_find_guest(struct watch *w)
{
	char path[64], line[512];
	unsigned long long lo, hi;
	uint64_t best = 0, n;
	FILE *maps;
	int pm, pos;

	snprintf(path, sizeof(path), "/proc/%ld/maps", w->pid);
	maps = fopen(path, "r");
	if (!maps)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/pagemap", w->pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	while (pm >= 0 && fgets(line, sizeof(line), maps)) {
		pos = -1;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &pos) != 2 ||
		    pos < 0 || !strstr(line + pos, "memfd:hmmv-dram"))
			continue;
		n = present_pages(pm, lo, hi);
		if (n > best) {
			best = n;
			w->lo = lo;
			w->hi = hi;
		}
	}
	if (pm >= 0)
		close(pm);
	fclose(maps);
	if (w->hi)
		printf("# real-guestva: %#" PRIx64 " %#" PRIx64 "\n", w->lo, w->hi);
}

static void watch_line(struct watch *w, uint64_t ms)
{
	const char *m;
	size_t n;

	w->line[w->len] = '\0';
	m = strstr(w->line, "meter-mark: ");
	if (!m)
		return;
	m += strlen("meter-mark: ");
	n = strcspn(m, " \t\r");
	if (!n)
		return;
	printf("# real-clock: %.*s %" PRIu64 "\n", (int)n, m, ms);
	if (!w->hi && !w->marks_only)
		watch_find_guest(w);
}

/* What the console gained since the last look, whole lines. */
static void watch_console(struct watch *w)
{
	uint64_t ms = watch_now_ms();
	char buf[4096];
	ssize_t n, i;

	if (w->fd < 0)
		w->fd = open(w->console, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return;
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				watch_line(w, ms);
				w->len = 0;
			} else if (w->len < sizeof(w->line) - 1) {
				w->line[w->len++] = buf[i];
			}
		}
	}
}

/* A trace line's thread group id and time (ms); 0 if it has none. */
static int trace_head(const char *line, long *tgid, uint64_t *ms)
{
	const char *cpu = strstr(line, ") [");
	const char *open, *ts;
	double sec;

	if (!cpu)
		return 0;
	for (open = cpu; open > line && *open != '('; open--)
		;
	ts = strchr(cpu + 3, ']');
	if (*open != '(' || !ts || sscanf(open + 1, "%ld", tgid) != 1)
		return 0;
	ts = strchr(ts + 2, ' ');	/* past the flags */
	if (!ts || sscanf(ts, " %lf:", &sec) != 1)
		return 0;
	*ms = (uint64_t)(sec * 1000);
	return 1;
}

/* The probes' events of the process, as its scans of the guest's pages. */
static void watch_scans(struct watch *w)
{
	unsigned long long start = 0, end = 0, ret, in, out;
	long tgid;
	char line[1024];
	uint64_t ms, at = 0, lo, hi;
	const char *e;
	int open = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "# entries-in-buffer/entries-written: %llu/%llu", &in, &out) == 2 &&
		    out > in)
			printf("# real-scan-lost: %llu\n", out - in);
		if (line[0] == '#' || !trace_head(line, &tgid, &ms) || tgid != w->pid)
			continue;
		if ((e = strstr(line, ": hmmv_scan: ")) &&
		    (e = strstr(e, "start=")) &&
		    sscanf(e, "start=%llx end=%llx", &start, &end) == 2) {
			open = 1;
			at = ms;
		} else if (open && (e = strstr(line, ": hmmv_scanret: ")) &&
			   (e = strstr(e, "ret=")) && sscanf(e, "ret=%llx", &ret) == 1) {
			open = 0;
			lo = start > w->lo ? start : w->lo;
			hi = end < w->hi ? end : w->hi;
			if (lo < hi)
				printf("# real-scan: %" PRIu64 " %" PRIu64 " %" PRIu64 " %llu\n", at,
				       (lo - w->lo) / PAGE, (hi - lo) / PAGE, ret);
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct watch w = { .fd = -1 };
	struct sigaction sa = { .sa_handler = watch_stop };
	struct timespec tick = { 0, TICK_NS };
	char *end = NULL;
	int err;

	w.marks_only = argc > 1 && !strcmp(argv[1], "--marks");
	argv += w.marks_only;
	argc -= w.marks_only;
	w.pid = argc == 3 ? strtol(argv[1], &end, 10) : 0;
	if (argc != 3 || w.pid <= 0 || *end) {
		fprintf(stderr, "usage: scan_watch [--marks] PID CONSOLE\n");
		return 2;
	}
	w.console = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		fprintf(stderr, "scan_watch: sigaction: %s\n", strerror(errno));
		return 1;
	}
	err = w.marks_only ? 0 : probes_on();
	if (err) {
		fprintf(stderr, "scan_watch: kprobes on change_prot_numa (" TRACING "): %s\n",
			strerror(-err));
		return 1;
	}
	while (!stop && !kill((pid_t)w.pid, 0)) {
		watch_console(&w);
		nanosleep(&tick, NULL);
	}
	/* The last marks, printed as the VM shut down. */
	watch_console(&w);
	if (!w.marks_only) {
		trace_put("events/kprobes/hmmv_scan/enable", "0\n", 0);
		trace_put("events/kprobes/hmmv_scanret/enable", "0\n", 0);
		if (w.hi)
			watch_scans(&w);
		probes_off();
	}
	if (w.fd >= 0)
		close(w.fd);
	return 0;
}
