// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv stat SOCKET [--json]: a running VM's tier figures (capacity, used
 * bytes, chunk counts) from its control socket. --request "VERB ARGS" sends
 * any control verb (chunk N, remap N dram|nvm, move N dram|nvm), for tests
 * and debugging.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm/cmd.h"
#include "vmm/control.h"

static void stat_usage(FILE *f)
{
	fprintf(f, "usage: hmmv stat SOCKET [--json] [--request \"VERB ARGS\"]\n\n"
		"Prints a running VM's per-tier capacity, used bytes and chunk counts.\n"
		"SOCKET is the VM's control socket (hmmv run --control PATH; default\n"
		"$XDG_RUNTIME_DIR/hmmv/vm-PID.sock, else /tmp/hmmv-UID/vm-PID.sock).\n"
		"  --json             one JSON object instead of a table\n"
		"  --request REQUEST  send a control verb: 'chunk N', 'remap N dram|nvm',\n"
		"                     'move N dram|nvm' (in place, NUMA tiers)\n");
}

int cmd_stat(int argc, char **argv)
{
	const char *sock = NULL, *req = "stat";
	char why[256] = "";
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			stat_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			req = "stat json";
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
	if (control_request(sock, req, STDOUT_FILENO, why, sizeof(why)) < 0) {
		fprintf(stderr, "hmmv stat: %s\n", why[0] ? why : "request failed");
		return access(sock, F_OK) ? EXIT_USAGE : 1;
	}
	return 0;
}
