/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `hmmv pool`: one host DRAM budget shared by the VMs registered on a UNIX
 * socket (docs/pool-protocol.md).
 *
 * The ledger (ledger.c) is the pool's state and decisions, pure and
 * unit-tested: which VMs there are, what each was granted and still holds,
 * and every period the new quotas. Its one promise: the quotas it grants
 * never sum above the budget, and DRAM a VM is giving back is granted to
 * another only once that VM says it has let it go (acknowledged, or a
 * report showing it within its quota). The server (server.c) is the
 * sockets around it: poll, peer credentials, pidfds, timeouts.
 */
#ifndef HMMV_TOOLS_POOL_H
#define HMMV_TOOLS_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hmmv/pool_policy.h"
#include "hmmv/pool_proto.h"

#define POOL_MAX_VMS		64
#define POOL_DEFAULT_PERIOD_MS	1000
#define POOL_HISTORY		32	/* rebalance rounds kept for hmmv stat */

enum pool_split {
	POOL_SPLIT_HMMV,	/* hottest memory host-wide (hmmv/pool_policy.c) */
	POOL_SPLIT_EQUAL,	/* the same for every VM */
	POOL_SPLIT_PROPORTIONAL,	/* in proportion to guest size */
};

enum pool_vm_state {
	POOL_VM_FREE,		/* slot unused */
	POOL_VM_ACTIVE,		/* connected */
	POOL_VM_DETACHED,	/* connection gone, process alive: still holds */
	POOL_VM_FENCED,		/* never acknowledged: cut off, still holds */
};

struct pool_vm_entry {
	enum pool_vm_state state;
	uint32_t id;
	int pid;
	struct pool_hello hello;
	uint64_t quota;		/* granted */
	uint64_t held;		/* last reported DRAM use */
	uint64_t hot;		/* last reported hot set */
	uint64_t hist[POLICY_BUCKETS];
	uint32_t seq;		/* of the last QUOTA sent */
	bool pending;		/* a shrink not yet acknowledged */
	uint64_t claim;		/* while pending: the grant it shrank from */
	uint64_t pending_since;	/* ms */
	uint64_t last_report;	/* ms, 0: none yet */
	bool send;		/* a QUOTA to send */
};

struct pool_round {
	uint64_t at_ms;
	uint32_t changes;
	uint64_t granted;	/* sum of quotas after the round */
};

struct pool_ledger {
	uint64_t budget;
	enum pool_split split;
	uint32_t period_ms;
	uint32_t fence_ms;	/* an unacknowledged shrink older than this */
	uint64_t max_step;	/* most a quota moves per round */
	struct pool_params pp;
	struct pool_vm_entry vm[POOL_MAX_VMS];
	uint32_t next_id;
	struct pool_round hist[POOL_HISTORY];
	uint32_t rounds;
};

void pool_ledger_init(struct pool_ledger *l, uint64_t budget,
		      enum pool_split split, uint32_t period_ms);
/*
 * A VM registers (or re-registers: same @pid as a detached or fenced
 * entry). Returns the slot, -ENOSPC when full, -EINVAL for a minimum the
 * budget cannot honour next to the others'. Its first quota is what it
 * holds, as far as the free budget allows.
 */
int pool_ledger_register(struct pool_ledger *l, const struct pool_hello *h,
			 int pid, uint64_t now_ms);
/* A report; -EINVAL when its figures exceed the VM's size (ignored). */
int pool_ledger_report(struct pool_ledger *l, int slot,
		       const struct pool_report *r, uint64_t now_ms);
/*
 * An acknowledgement of QUOTA @seq; one of an older QUOTA (it crossed a
 * newer one on the wire) is ignored. -EINVAL: a seq never sent.
 */
int pool_ledger_ack(struct pool_ledger *l, int slot, uint32_t seq,
		    uint64_t held);
/* The connection closed, the process lives on: keep what it holds. */
void pool_ledger_detach(struct pool_ledger *l, int slot);
/* The process is gone: its DRAM is free. */
void pool_ledger_remove(struct pool_ledger *l, int slot);
/*
 * One rebalance round: new quotas (marked ->send), shrinks first, growth
 * only from DRAM actually free. Returns the number of changes.
 */
uint32_t pool_ledger_rebalance(struct pool_ledger *l, uint64_t now_ms);
/* Active VMs whose shrink is unacknowledged past fence_ms: fenced. */
uint32_t pool_ledger_fence(struct pool_ledger *l, uint64_t now_ms,
			   int *slots, uint32_t max);
/* Sum of granted quotas; and of what the pool must count as taken. */
uint64_t pool_ledger_granted(const struct pool_ledger *l);
uint64_t pool_ledger_reserved(const struct pool_ledger *l);
/* hmmv stat POOL: text, JSON, or the Prometheus exposition format. */
void pool_ledger_print(const struct pool_ledger *l, FILE *out, uint64_t now_ms,
		       int format);
#define POOL_PRINT_TEXT		0
#define POOL_PRINT_JSON		1
#define POOL_PRINT_PROM		2

struct pool_server_config {
	uint64_t budget;		/* --dram */
	int node;			/* --node, -1: none given */
	const char *socket;		/* --socket */
	enum pool_split split;		/* --policy */
	uint32_t period_ms;		/* --period-ms */
	bool group;			/* --group: socket 0660 */
};

struct pool_server;

int pool_server_create(struct pool_server **out,
		       const struct pool_server_config *cfg, char *why,
		       size_t whylen);
/* Serves until @stop_fd polls readable; -errno on a fatal error. */
int pool_server_run(struct pool_server *s, int stop_fd);
/* Closes every connection, removes the socket. */
void pool_server_destroy(struct pool_server *s);

#endif
