// SPDX-License-Identifier: GPL-2.0
/* The guest's blkbench, built for the test host as /bin/dev_blkbench (baseline). */
#include "guest/progs/blkbench.c"
