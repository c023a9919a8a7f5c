/* SPDX-License-Identifier: GPL-2.0 */
/* A VM's figures in the Prometheus text format (the control socket's verb). */
#ifndef HMMV_VMM_CONTROL_PROM_H
#define HMMV_VMM_CONTROL_PROM_H

#include <stdio.h>

#include "hmmv/engine.h"
#include "memory/memory.h"

/* @e may be NULL (engine off): tier figures only. @vm is the label. */
void control_prometheus(struct guest_mem *m, struct engine *e, const char *vm,
			FILE *out);

#endif
