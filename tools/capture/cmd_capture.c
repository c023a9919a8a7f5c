// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv capture: runs a program under valgrind's lackey, feeds its memory
 * accesses through a modelled LLC and writes what reaches memory as a
 * trace for hmmv sim. Runs are bounded by a count of the program's data
 * accesses (deterministic) and, as a safety net, by wall-clock time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/capture/capture.h"
#include "vmm/cmd.h"

#define LOG_FD		3
#define BUF_BYTES	(1u << 20)

struct capcfg {
	const char *out, *touch, *in, *valgrind;
	double llc_kb, ways, interval, skip, max, seconds, transfers, ms;
	int by_accesses;	/* --pace accesses: intervals as cut */
	char **argv;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hmmv capture -o FILE [OPTIONS] PROGRAM [ARGS...]\n\n"
		"Runs PROGRAM under valgrind --tool=lackey, passes its memory accesses\n"
		"through a modelled last-level cache and writes the fills and write-backs\n"
		"per 4 KiB page and interval as an hmmv trace (replay: hmmv sim --trace).\n"
		"PROGRAM's output goes to /dev/null; it is stopped once the budget is used.\n\n"
		"options:\n"
		"  -o, --output FILE       trace to write (required)\n"
		"  --touch-output FILE     also write every page's touches per interval,\n"
		"                          cache hits included (what HMM-V's tracking sees),\n"
		"                          as a touch trace of the same pages and intervals\n"
		"                          (hmmv sim --touch-trace)\n"
		"  --stdin FILE            PROGRAM's standard input (default /dev/null)\n"
		"  --llc-kb KB             LLC size (2048)\n"
		"  --llc-ways N            LLC associativity (16)\n"
		"  --interval N            data accesses per interval as recorded (100000)\n"
		"  --pace MODE             transfers (default): the recorded intervals re-cut\n"
		"                          into as many holding equal memory transfers, the\n"
		"                          simulator's clock (a burst of misses lasts several\n"
		"                          intervals); accesses: kept as recorded\n"
		"  --skip N                data accesses before recording starts (0)\n"
		"  --max-accesses N        recorded data accesses, then stop (10000000)\n"
		"  --max-seconds S         stop after S seconds whatever the count (300)\n"
		"  --transfers N           scale counts so that an interval holds N\n"
		"                          transfers on average (0: raw counts)\n"
		"  --interval-ms MS        nominal interval written to the trace (100)\n"
		"  --valgrind PATH         valgrind to run (valgrind)\n"
		"  --help                  this text\n");
}

static int num(const char *flag, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < 0) {
		fprintf(stderr, "hmmv capture: %s: '%s' is not a non-negative number\n",
			flag, s);
		return -1;
	}
	return 0;
}

static int parse(struct capcfg *c, int argc, char **argv)
{
	static const struct option o[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "touch-output", required_argument, NULL, 'T' },
		{ "stdin", required_argument, NULL, 'i' },
		{ "llc-kb", required_argument, NULL, 'k' },
		{ "llc-ways", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'n' },
		{ "skip", required_argument, NULL, 's' },
		{ "max-accesses", required_argument, NULL, 'm' },
		{ "max-seconds", required_argument, NULL, 't' },
		{ "transfers", required_argument, NULL, 'x' },
		{ "interval-ms", required_argument, NULL, 'l' },
		{ "pace", required_argument, NULL, 'p' },
		{ "valgrind", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int ch, r = 0;

	optind = 1;
	opterr = 0;
	while (!r && (ch = getopt_long(argc, argv, "+o:", o, NULL)) != -1) {
		const char *f = argv[optind - 1];

		switch (ch) {
		case 'o': c->out = optarg; break;
		case 'T': c->touch = optarg; break;
		case 'i': c->in = optarg; break;
		case 'v': c->valgrind = optarg; break;
		case 'k': r = num(f, optarg, &c->llc_kb); break;
		case 'w': r = num(f, optarg, &c->ways); break;
		case 'n': r = num(f, optarg, &c->interval); break;
		case 's': r = num(f, optarg, &c->skip); break;
		case 'm': r = num(f, optarg, &c->max); break;
		case 't': r = num(f, optarg, &c->seconds); break;
		case 'x': r = num(f, optarg, &c->transfers); break;
		case 'l': r = num(f, optarg, &c->ms); break;
		case 'p':
			if (strcmp(optarg, "transfers") && strcmp(optarg, "accesses")) {
				fprintf(stderr, "hmmv capture: --pace '%s': expected "
					"transfers or accesses\n", optarg);
				return -1;
			}
			c->by_accesses = !strcmp(optarg, "accesses");
			break;
		case 'h': usage(stdout); return 1;
		default:
			fprintf(stderr, "hmmv capture: unknown or incomplete option '%s'; "
				"see 'hmmv capture --help'\n", f);
			return -1;
		}
	}
	if (r)
		return -1;
	if (!c->out || optind >= argc) {
		fprintf(stderr, "hmmv capture: need -o FILE and a PROGRAM; "
			"see 'hmmv capture --help'\n");
		return -1;
	}
	if (c->touch && !strcmp(c->touch, c->out)) {
		fprintf(stderr, "hmmv capture: --touch-output %s: the same file as -o; "
			"give the touches a file of their own\n", c->touch);
		return -1;
	}
	if (c->interval < 1 || c->max < c->interval || c->ms <= 0 ||
	    c->seconds <= 0) {
		fprintf(stderr, "hmmv capture: --interval must be >= 1 and <= "
			"--max-accesses; --interval-ms and --max-seconds > 0\n");
		return -1;
	}
	c->argv = argv + optind;
	return 0;
}

static void child_exec(const struct capcfg *c, int logw)
{
	const char *pre[] = { c->valgrind, "--tool=lackey", "--trace-mem=yes",
			      "--log-fd=3" };
	char *av[256];
	int in, nul, i, n = 0;

	in = open(c->in ? c->in : "/dev/null", O_RDONLY | O_CLOEXEC);
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (in < 0 || nul < 0 || dup2(in, 0) < 0 || dup2(nul, 1) < 0)
		_exit(126);
	if (logw == LOG_FD ? fcntl(LOG_FD, F_SETFD, 0) : dup2(logw, LOG_FD) < 0)
		_exit(126);
	for (i = 0; i < 4; i++)
		av[n++] = (char *)pre[i];
	for (i = 0; c->argv[i] && n < 255; i++)
		av[n++] = c->argv[i];
	av[n] = NULL;
	execvp(av[0], av);
	_exit(127);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the log until EOF, the access budget or the time limit. */
static int pump(struct capture *cap, int fd, double seconds, int *timed_out)
{
	char *buf = malloc(BUF_BYTES);
	double t0 = now_s();
	ssize_t n;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (!r && !cap->done) {
		n = read(fd, buf, BUF_BYTES);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (!n)
			break;
		r = capture_feed(cap, buf, (size_t)n);
		if (now_s() - t0 > seconds) {
			*timed_out = 1;
			break;
		}
	}
	free(buf);
	return r;
}

static int run_child(const struct capcfg *c, struct capture *cap)
{
	int p[2], st = 0, r, timed_out = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		perror("hmmv capture: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("hmmv capture: fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid)
		child_exec(c, p[1]);
	close(p[1]);
	r = pump(cap, p[0], c->seconds, &timed_out);
	/* valgrind does not stop on a closed log pipe: stop it. */
	if (cap->done || timed_out || r)
		kill(pid, SIGKILL);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (r) {
		fprintf(stderr, "hmmv capture: reading lackey's log: %s\n", strerror(-r));
		return -1;
	}
	if (timed_out)
		fprintf(stderr, "hmmv capture: --max-seconds reached after %llu accesses\n",
			(unsigned long long)capture_recorded(cap));
	if (!cap->done && !timed_out &&
	    (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
		fprintf(stderr, "hmmv capture: %s under %s failed (status %d)\n",
			c->argv[0], c->valgrind, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

/* The output first, so that a bad -o fails before minutes of capture. */
static FILE *open_out(const char *flag, const char *path)
{
	FILE *f = fopen(path, "wbx");

	if (!f && errno == EEXIST && !unlink(path))
		f = fopen(path, "wbx");
	if (!f)
		fprintf(stderr, "hmmv capture: %s %s: %s\n", flag, path, strerror(errno));
	return f;
}

/* Closes an output opened by open_out(): r, or -1 when this first fails. */
static int close_out(const char *flag, const char *path, FILE *f, int r)
{
	if (f && fclose(f) && !r) {
		fprintf(stderr, "hmmv capture: %s %s: %s\n", flag, path, strerror(errno));
		r = -1;
	}
	return r;
}

static int write_trace(const struct capcfg *c, struct capture *cap, FILE *f,
		       FILE *tf)
{
	uint32_t nint;
	double scale = 1;
	int r;

	if (capture_recorded(cap) % (uint64_t)c->interval)
		pagemap_end_interval(cap->map);		/* the partial last one */
	nint = pagemap_intervals(cap->map);
	if (!nint || !pagemap_transfers(cap->map)) {
		fprintf(stderr, "hmmv capture: nothing reached memory (%llu accesses "
			"recorded); a larger --max-accesses or smaller --llc-kb?\n",
			(unsigned long long)capture_recorded(cap));
		return -1;
	}
	if (c->transfers > 0)
		scale = c->transfers * nint / (double)pagemap_transfers(cap->map);
	r = pagemap_write(cap->map, f, tf, (uint64_t)(c->ms * 1e6), scale, !c->by_accesses);
	if (!r && (fflush(f) || (tf && fflush(tf))))
		r = -EIO;
	if (r) {
		fprintf(stderr, "hmmv capture: -o %s: writing the trace: %s\n",
			c->out, strerror(-r));
		return -1;
	}
	fprintf(stderr, "hmmv capture: %s: %u intervals, %llu accesses, %llu "
		"transfers, scale %.3g\n", c->out, nint,
		(unsigned long long)capture_recorded(cap),
		(unsigned long long)pagemap_transfers(cap->map), scale);
	return 0;
}

int cmd_capture(int argc, char **argv)
{
	struct capcfg c = { .valgrind = "valgrind", .llc_kb = 2048, .ways = 16,
			    .interval = 100000, .max = 10000000, .seconds = 300,
			    .ms = 100 };
	struct capture cap = { 0 };
	FILE *out, *tout = NULL;
	int r;

	r = parse(&c, argc, argv);
	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	if (c.in && access(c.in, R_OK)) {
		fprintf(stderr, "hmmv capture: --stdin %s: %s\n", c.in, strerror(errno));
		return EXIT_USAGE;
	}
	r = llc_init(&cap.llc, (uint64_t)(c.llc_kb * 1024), (uint32_t)c.ways);
	if (r == -EINVAL) {
		fprintf(stderr, "hmmv capture: --llc-kb must be a whole number of sets "
			"of --llc-ways (1..64) 64 B lines\n");
		return EXIT_USAGE;
	}
	if (!r)
		r = pagemap_create(&cap.map);
	if (r) {
		llc_free(&cap.llc);
		fprintf(stderr, "hmmv capture: %s\n", strerror(-r));
		return 1;
	}
	cap.interval = (uint64_t)c.interval;
	cap.skip = (uint64_t)c.skip;
	cap.max = (uint64_t)c.max;
	out = open_out("-o", c.out);
	if (out && c.touch)
		tout = open_out("--touch-output", c.touch);
	r = out && (!c.touch || tout) ? run_child(&c, &cap) : -1;
	if (!r)
		r = write_trace(&c, &cap, out, tout);
	r = close_out("-o", c.out, out, r);
	r = close_out("--touch-output", c.touch, tout, r);
	if (r && out)
		unlink(c.out);	/* nothing left behind */
	if (r && tout)
		unlink(c.touch);
	pagemap_destroy(cap.map);
	llc_free(&cap.llc);
	return r ? 1 : 0;
}
