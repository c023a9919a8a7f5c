// SPDX-License-Identifier: GPL-2.0
/* hmmv: the command-line front door, dispatching to subcommands. */
#include <stdio.h>
#include <string.h>

#include "vmm/cmd.h"
#include "vmm/version.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_version(int argc, char **argv)
{
	printf("hmmv %s\n", HMMV_VERSION);
	return 0;
}

static const struct subcommand subcommands[] = {
	{ "run", cmd_run, "boot a guest (hmmv run --help)" },
	{ "pool", cmd_pool, "serve a shared DRAM budget to VMs" },
	{ "stat", cmd_stat, "print a running VM's tiering figures" },
	{ "sim", cmd_sim, "trace-driven tier simulator" },
	{ "capture", cmd_capture, "record a program's memory accesses as a trace" },
	{ "version", cmd_version, "print the version" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hmmv COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\n'hmmv COMMAND --help' documents each command's flags.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hmmv: unknown command '%s'; see 'hmmv --help'\n", argv[1]);
	return EXIT_USAGE;
}
