// SPDX-License-Identifier: GPL-2.0
/* hmmv stat: placeholder until its issue lands. */
#include <stdio.h>

#include "vmm/cmd.h"

int cmd_stat(int argc, char **argv)
{
	fprintf(stderr, "hmmv stat: not implemented yet\n");
	return EXIT_USAGE;
}
