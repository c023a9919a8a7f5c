// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv stat SOCKET [--json] [--watch [SECONDS]]: a running VM's tier
 * figures (capacity, used bytes, chunk counts) and its HMM-V engine's
 * (hot set, moves, stalls, tracking cost, queue levels) from its control
 * socket. --request "VERB ARGS" sends any control verb (chunk N, remap N
 * dram|nvm, move N dram|nvm, engine moves), for tests and debugging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/cmd.h"
#include "vmm/control.h"

static void stat_usage(FILE *f)
{
	fprintf(f, "usage: hmmv stat SOCKET [--json] [--watch [SECONDS]] [--request \"VERB ARGS\"]\n\n"
		"Prints a running VM's per-tier capacity, used bytes and chunk counts,\n"
		"and its HMM-V engine's figures (hot set, placement, promotions and\n"
		"demotions, ping-pong, pauses, tracking cost, chunks per queue level).\n"
		"SOCKET is the VM's control socket (hmmv run --control PATH; default\n"
		"$XDG_RUNTIME_DIR/hmmv/vm-PID.sock, else /tmp/hmmv-UID/vm-PID.sock).\n"
		"  --json             one JSON object instead of a table\n"
		"  --watch [SECONDS]  redraw every SECONDS (default 1, 0.1 to 3600)\n"
		"                     until the VM ends, like top\n"
		"  --request REQUEST  send a control verb: 'chunk N', 'remap N dram|nvm',\n"
		"                     'move N dram|nvm' (in place, NUMA tiers)\n");
}

/* Redraws the figures in place until the VM's socket goes away. */
static int stat_watch(const char *sock, const char *req, double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9),
	};
	char why[256] = "";

	for (;;) {
		/* Home and clear: one screen, redrawn like top. */
		fputs("\033[H\033[2J", stdout);
		fflush(stdout);
		if (control_request(sock, req, STDOUT_FILENO, why, sizeof(why)) < 0) {
			fprintf(stderr, "hmmv stat: %s\n", why[0] ? why : "request failed");
			return access(sock, F_OK) ? 0 : 1;	/* the VM ended: done */
		}
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		ts.tv_sec = (time_t)secs;
		ts.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9);
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
	double watch = 0;
	char why[256] = "";
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			stat_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			req = "status json";
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
		return stat_watch(sock, req, watch);
	if (watch > 0)
		return stat_watch(sock, req, watch);
	if (control_request(sock, req, STDOUT_FILENO, why, sizeof(why)) < 0) {
		fprintf(stderr, "hmmv stat: %s\n", why[0] ? why : "request failed");
		return access(sock, F_OK) ? EXIT_USAGE : 1;
	}
	return 0;
}
