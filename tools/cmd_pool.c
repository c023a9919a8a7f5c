// SPDX-License-Identifier: GPL-2.0
/* hmmv pool: placeholder until its issue lands. */
#include <stdio.h>

#include "vmm/cmd.h"

int cmd_pool(int argc, char **argv)
{
	fprintf(stderr, "hmmv pool: not implemented yet\n");
	return EXIT_USAGE;
}
