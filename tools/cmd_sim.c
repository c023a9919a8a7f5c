// SPDX-License-Identifier: GPL-2.0
/* hmmv sim: placeholder until its issue lands. */
#include <stdio.h>

#include "vmm/cmd.h"

int cmd_sim(int argc, char **argv)
{
	fprintf(stderr, "hmmv sim: not implemented yet\n");
	return EXIT_USAGE;
}
