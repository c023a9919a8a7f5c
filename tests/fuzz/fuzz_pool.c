// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the pool's message decoder (hmmv/pool_proto.h) on any
 * bytes, each message it accepts fed to a pool ledger as one client would
 * (tools/pool/ledger.c): nothing may crash, a decoded message re-encodes
 * to the same bytes, and the grants never sum above the budget.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/pool_proto.h"
#include "tools/pool/pool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed(struct pool_ledger *l, int *slot, const struct pool_msg *m,
		 uint64_t now)
{
	if (m->type == POOL_HELLO && *slot < 0)
		*slot = pool_ledger_register(l, &m->u.hello, 42, now);
	else if (m->type == POOL_REPORT && *slot >= 0)
		pool_ledger_report(l, *slot, &m->u.report, now);
	else if (m->type == POOL_ACK && *slot >= 0)
		pool_ledger_ack(l, *slot, m->u.ack.seq, m->u.ack.held_bytes);
	pool_ledger_rebalance(l, now);
	if (pool_ledger_granted(l) > l->budget)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pool_ledger l;
	uint8_t again[POOL_MSG_MAX];
	struct pool_msg m;
	uint64_t now = 0;
	int slot = -1, n, k;

	pool_ledger_init(&l, 64ull << 20, POOL_SPLIT_HMMV, 1000);
	while (size && (n = pool_msg_decode(data, size, &m)) > 0) {
		k = pool_msg_encode(&m, again, sizeof(again));
		/* Canonical: what decodes re-encodes to the very same bytes. */
		if (m.type != POOL_ERROR && (k != n || memcmp(again, data, (size_t)n)))
			abort();
		feed(&l, &slot, &m, now += 1000);
		data += n;
		size -= (size_t)n;
	}
	return 0;
}
