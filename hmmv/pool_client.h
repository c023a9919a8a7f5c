/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's side of the DRAM pool (`hmmv run --pool PATH`): registers with
 * `hmmv pool`, reports the engine's temperature histogram and DRAM use
 * every period, hands each quota the pool grants to the engine (which
 * demotes down to it; freed DRAM frames are hole-punched), and
 * acknowledges once the VM's DRAM use is within it.
 *
 * A pool that goes away leaves the VM running within its last quota (said
 * once on stderr); the client reconnects every period and registers again
 * when a pool serves PATH.
 */
#ifndef HMMV_POOL_CLIENT_H
#define HMMV_POOL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "hmmv/pool_proto.h"

struct pool_client_config {
	const char *path;	/* --pool; NULL: no pool */
	const char *name;	/* --name; NULL: vm-PID */
	uint64_t min_bytes;	/* --dram-min */
	uint64_t max_bytes;	/* --dram-max; 0: the DRAM tier's size */
};

/* What the client needs of the engine. */
struct pool_client_ops {
	/* DRAM in use now, the hot set and the histogram. */
	void (*report)(void *arg, struct pool_report *r);
	/* The DRAM the VM may use from now on. */
	void (*set_quota)(void *arg, uint64_t bytes);
};

struct pool_client;

/* Parses --pool, --name, --dram-min, --dram-max; -EINVAL, reason in @why. */
int pool_client_parse_flag(struct pool_client_config *cfg, const char *flag,
			   const char *val, char *why, size_t whylen);
/*
 * Connects and registers (guest_bytes, chunk_bytes, the DRAM tier's
 * size as the default maximum), sets the first quota, and starts the
 * thread, which runs until pool_client_stop(). -errno with one line in
 * @why: no pool at PATH, or the pool refused the VM.
 */
int pool_client_start(struct pool_client **out, const struct pool_client_config *cfg,
		      uint64_t guest_bytes, uint64_t dram_bytes, uint64_t chunk_bytes,
		      const struct pool_client_ops *ops, void *arg, char *why,
		      size_t whylen);
void pool_client_stop(struct pool_client *c);

#endif
