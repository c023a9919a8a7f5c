// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv stat SOCKET [--json] [--watch [SECONDS]]: a running VM's tier
 * figures (capacity, used bytes, chunk counts) and its HMM-V engine's
 * (hot set, moves, stalls, tracking cost, queue levels) from its control
 * socket. --request "VERB ARGS" sends any control verb (chunk N, remap N
 * dram|nvm, move N dram|nvm, engine moves), for tests and debugging. The
 * answer is printed with control characters replaced (it goes to a
 * terminal); an "error:" answer exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/cmd.h"
#include "vmm/control.h"

#define STAT_TIMEOUT_S		10	/* a remap under load takes a while */
#define STAT_TIMEOUT_MAX_S	3600

static void stat_usage(FILE *f)
{
	fprintf(f, "usage: hmmv stat SOCKET [--json|--prometheus] [--watch [SECONDS]]\n"
		"                 [--timeout S] [--request \"VERB ARGS\"]\n\n"
		"Prints a running VM's per-tier capacity, used bytes and chunk counts,\n"
		"and its HMM-V engine's figures (hot set, placement, promotions and\n"
		"demotions, ping-pong, pauses, tracking cost, chunks per queue level).\n"
		"SOCKET is the VM's control socket (hmmv run --control PATH; default\n"
		"$XDG_RUNTIME_DIR/hmmv/vm-PID.sock, else /tmp/hmmv-UID/vm-PID.sock),\n"
		"or a DRAM pool's (hmmv pool --socket PATH): then the budget, each VM's\n"
		"quota, DRAM use, hot set and report age, and the recent rebalances.\n"
		"  --json             one JSON object instead of a table\n"
		"  --prometheus       the Prometheus text exposition format (metric\n"
		"                     names hmmv_vm_* or hmmv_pool_*, a vm label)\n"
		"  --watch [SECONDS]  redraw every SECONDS (default 1, 0.1 to 3600)\n"
		"                     until the VM ends, like top\n"
		"  --timeout S        give up after S seconds, 1 to %d (default %d)\n"
		"  --request REQUEST  send a control verb: 'chunk N', 'remap N dram|nvm',\n"
		"                     'move N dram|nvm' (in place, NUMA tiers)\n\n"
		"exit status: 0 answered, 1 the VM answered 'error:' or did not answer,\n"
		"2 usage error or no such socket.\n", STAT_TIMEOUT_MAX_S, STAT_TIMEOUT_S);
}

/* The server's answer, with anything a terminal would act on made visible. */
static int stat_print(char *answer, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)answer[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
			answer[i] = '?';
	}
	if (fwrite(answer, 1, len, stdout) != len || fflush(stdout))
		return -EIO;
	return 0;
}

static int parse_timeout(const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > STAT_TIMEOUT_MAX_S)
		return -EINVAL;
	*ms = (int)v * 1000;
	return 0;
}

/* Redraws the figures in place until the VM's socket goes away. */
static int stat_watch(const char *sock, const char *req, double secs,
		      int timeout_ms)
{
	struct timespec ts;
	char why[256] = "", *answer;
	size_t len;

	for (;;) {
		if (control_request(sock, req, timeout_ms, &answer, &len, why,
				    sizeof(why)) < 0) {
			fprintf(stderr, "hmmv stat: %s\n", why[0] ? why : "request failed");
			return access(sock, F_OK) ? 0 : 1;	/* the VM ended: done */
		}
		/* Home and clear: one screen, redrawn like top. */
		fputs("\033[H\033[2J", stdout);
		stat_print(answer, len);
		fflush(stdout);
		free(answer);
		ts.tv_sec = (time_t)secs;
		ts.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

static int parse_secs(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0.1 && v <= 3600))
		return -EINVAL;
	*out = v;
	return 0;
}

int cmd_stat(int argc, char **argv)
{
	const char *sock = NULL, *req = "status";
	int i, r, timeout_ms = STAT_TIMEOUT_S * 1000;
	char why[256] = "", *answer;
	double watch = 0;
	size_t len;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			stat_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			req = "status json";
		} else if (!strcmp(argv[i], "--prometheus")) {
			req = "prometheus";
		} else if (!strcmp(argv[i], "--watch")) {
			watch = 1;
			if (i + 1 < argc && argv[i + 1][0] != '-' &&
			    strspn(argv[i + 1], "0123456789.") == strlen(argv[i + 1])) {
				if (parse_secs(argv[++i], &watch) < 0) {
					fprintf(stderr, "hmmv stat: --watch: '%s' is not a number of "
						"seconds from 0.1 to 3600\n", argv[i]);
					return EXIT_USAGE;
				}
			}
		} else if (!strcmp(argv[i], "--request") && i + 1 < argc) {
			req = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_timeout(argv[++i], &timeout_ms) < 0) {
				fprintf(stderr, "hmmv stat: --timeout %s: not a number of seconds "
					"from 1 to %d\n", argv[i], STAT_TIMEOUT_MAX_S);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] != '-' && !sock) {
			sock = argv[i];
		} else {
			fprintf(stderr, "hmmv stat: unexpected argument '%s' (see hmmv stat --help)\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!sock) {
		stat_usage(stderr);
		return EXIT_USAGE;
	}
	if (strchr(req, '\n')) {
		fprintf(stderr, "hmmv stat: --request: one line only\n");
		return EXIT_USAGE;
	}
	if (watch > 0)
		return stat_watch(sock, req, watch, timeout_ms);
	r = control_request(sock, req, timeout_ms, &answer, &len, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "hmmv stat: %s\n", why[0] ? why : "request failed");
		return r == -EMSGSIZE || access(sock, F_OK) ? EXIT_USAGE : 1;
	}
	r = stat_print(answer, len);
	/* The server's own verdict: "error: ..." is a failed request. */
	if (r == 0 && !strncmp(answer, "error:", 6))
		r = -EINVAL;
	free(answer);
	return r < 0 ? 1 : 0;
}
