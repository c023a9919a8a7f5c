/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `hmmv run` option table. Each flag is one entry; an area adds its
 * flags as entries whose parse function fills that area's struct inside
 * struct vm_config. Parse functions return 0, or -EINVAL with a short
 * reason in @why (the caller prefixes the flag name and exits 2).
 */
#ifndef HMMV_VMM_OPTIONS_H
#define HMMV_VMM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/config.h"

struct run_opt {
	const char *name;	/* long name without "--" */
	char short_name;	/* 0 when none */
	const char *metavar;	/* NULL: the flag takes no value */
	const char *help;	/* one line or more, '\n' separated */
	int (*parse)(struct vm_config *cfg, const char *arg, char *why,
		     size_t whylen);
};

extern const struct run_opt run_opts[];
extern const size_t run_opts_count;

/* Fills @cfg with defaults, then parses argv; returns 0, 1 for --help
 * (already printed), or -EINVAL with the one-line message in @why. */
int run_opts_parse(struct vm_config *cfg, int argc, char **argv,
		   char *why, size_t whylen);
void run_opts_usage(FILE *f);

#endif
