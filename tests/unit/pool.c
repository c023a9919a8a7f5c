// SPDX-License-Identifier: GPL-2.0
/*
 * The DRAM pool without sockets: the wire protocol (round trips, every
 * malformed form refused) and the ledger (quotas never sum above the
 * budget, shrinks before growth, the hottest VM gets more than under an
 * equal split, fencing, a dead VM's DRAM returns, re-registration).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hmmv/pool_proto.h"
#include "tests/tap.h"
#include "tools/pool/pool.h"

#define MIB (1ull << 20)

static struct pool_hello hello(const char *name, uint64_t guest, uint64_t max,
			       uint64_t held)
{
	struct pool_hello h = { .guest_bytes = guest, .max_bytes = max,
				.held_bytes = held, .chunk_bytes = 2 * MIB };

	snprintf(h.name, sizeof(h.name), "%s", name);
	return h;
}

static void test_proto(void)
{
	struct pool_msg m = { .type = POOL_HELLO }, d;
	uint8_t buf[POOL_MSG_MAX], bad[POOL_MSG_MAX];
	int n, k, ok = 1;

	m.u.hello = hello("web-1", 384 * MIB, 256 * MIB, 64 * MIB);
	n = pool_msg_encode(&m, buf, sizeof(buf));
	tap_ok(n > POOL_HDR_LEN && pool_msg_decode(buf, (size_t)n, &d) == n &&
	       !strcmp(d.u.hello.name, "web-1") && d.u.hello.max_bytes == 256 * MIB,
	       "HELLO round trip");
	for (k = 0; k < n; k++)
		ok &= pool_msg_decode(buf, (size_t)k, &d) == 0;
	tap_ok(ok, "a partial message asks for more bytes, never decodes");
	memcpy(bad, buf, (size_t)n);
	bad[0] ^= 1;
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EPROTO, "bad magic refused");
	memcpy(bad, buf, (size_t)n);
	bad[4] = 2;
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EPROTO, "unknown version refused");
	memcpy(bad, buf, (size_t)n);
	bad[8] = 0xff;
	bad[9] = 0xff;
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EMSGSIZE, "huge length refused at once");
	memcpy(bad, buf, (size_t)n);
	bad[POOL_HDR_LEN + 2] = '\n';
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EINVAL, "control character in a name refused");
	memcpy(bad, buf, (size_t)n);
	bad[POOL_HDR_LEN + 10] = 'x';	/* after the name's NUL */
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EINVAL, "garbage after a name refused");
	memcpy(bad, buf, (size_t)n);
	bad[6] = 77;
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EINVAL, "unknown type refused");
	m.u.hello.min_bytes = 300 * MIB;	/* above max */
	tap_is(pool_msg_encode(&m, buf, sizeof(buf)), -EINVAL, "minimum above maximum refused");
	m = (struct pool_msg){ .type = POOL_QUOTA, .u.quota = { .seq = 7, .quota = 96 * MIB } };
	n = pool_msg_encode(&m, buf, sizeof(buf));
	tap_ok(pool_msg_decode(buf, (size_t)n, &d) == n && d.u.quota.seq == 7 &&
	       d.u.quota.quota == 96 * MIB, "QUOTA round trip");
	/* The fuzz target's find: a non-zero reserved word re-encoded as 0. */
	memcpy(bad, buf, (size_t)n);
	bad[POOL_HDR_LEN + 5] = 1;
	tap_is(pool_msg_decode(bad, (size_t)n, &d), -EINVAL, "QUOTA with a non-zero reserved word refused");
	m = (struct pool_msg){ .type = POOL_ACK, .u.ack = { .seq = 3, .held_bytes = MIB } };
	n = pool_msg_encode(&m, buf, sizeof(buf));
	buf[POOL_HDR_LEN + 6] = 1;
	tap_is(pool_msg_decode(buf, (size_t)n, &d), -EINVAL, "ACK with a non-zero reserved word refused");
	m = (struct pool_msg){ .type = POOL_WELCOME,
			       .u.welcome = { .vm_id = 1, .period_ms = 500, .quota = MIB } };
	n = pool_msg_encode(&m, buf, sizeof(buf));
	buf[POOL_HDR_LEN + 12] = 1;
	tap_is(pool_msg_decode(buf, (size_t)n, &d), -EINVAL, "WELCOME with a non-zero reserved word refused");
	tap_ok(!pool_name_ok("") && !pool_name_ok("a b") && pool_name_ok("db_2.x") &&
	       !pool_name_ok("0123456789012345678901234567890123"), "names: 1..32, no spaces");
}

/* A VM that gives back at once: holds its quota and acknowledges it. */
static void settle(struct pool_ledger *l, int slot, uint64_t now)
{
	struct pool_report r = { 0 };
	struct pool_vm_entry *v = &l->vm[slot];

	r.held_bytes = v->quota;
	memcpy(r.hist, v->hist, sizeof(r.hist));
	pool_ledger_report(l, slot, &r, now);
	pool_ledger_ack(l, slot, v->seq, v->quota);
	v->send = false;
}

static void hot_report(struct pool_ledger *l, int slot, uint64_t hot, uint64_t guest,
		       uint64_t now)
{
	struct pool_report r = { .held_bytes = l->vm[slot].held, .hot_bytes = hot };

	r.hist[12] = hot;		/* hot memory in a hot bucket */
	r.hist[0] = guest - hot;	/* the rest idle */
	pool_ledger_report(l, slot, &r, now);
}

static void test_ledger_split(enum pool_split split, uint64_t *big, uint64_t *small)
{
	struct pool_ledger l;
	struct pool_hello h;
	int s[4], i, t, ok = 1;

	pool_ledger_init(&l, 384 * MIB, split, 1000);
	for (i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "vm%d", i);
		h = hello(name, 384 * MIB, 384 * MIB, 0);
		s[i] = pool_ledger_register(&l, &h, 100 + i, 0);
	}
	for (t = 1; t <= 30; t++) {
		for (i = 0; i < 4; i++)
			hot_report(&l, s[i], i < 2 ? 160 * MIB : 16 * MIB, 384 * MIB,
				   (uint64_t)t * 1000);
		pool_ledger_rebalance(&l, (uint64_t)t * 1000);
		ok &= pool_ledger_granted(&l) <= l.budget;
		for (i = 0; i < 4; i++)
			settle(&l, s[i], (uint64_t)t * 1000);
	}
	tap_ok(ok, "%s: granted quotas never sum above the budget",
	       split == POOL_SPLIT_HMMV ? "hmmv" : "equal");
	*big = l.vm[s[0]].quota + l.vm[s[1]].quota;
	*small = l.vm[s[2]].quota + l.vm[s[3]].quota;
}

static void test_ledger(void)
{
	uint64_t hb, hs, eb, es;

	test_ledger_split(POOL_SPLIT_HMMV, &hb, &hs);
	test_ledger_split(POOL_SPLIT_EQUAL, &eb, &es);
	tap_ok(hb > hs && hb >= 2 * 150 * MIB, "hmmv: the VMs with large hot sets get more "
	       "DRAM (%llu vs %llu MiB)", (unsigned long long)(hb / MIB),
	       (unsigned long long)(hs / MIB));
	tap_ok(eb == es, "equal: the same for every VM (%llu vs %llu MiB)",
	       (unsigned long long)(eb / MIB), (unsigned long long)(es / MIB));
}

static void test_shrink_first(void)
{
	struct pool_ledger l;
	struct pool_hello h;
	struct pool_report r = { 0 };
	int a, b, k, ok = 1;

	pool_ledger_init(&l, 256 * MIB, POOL_SPLIT_HMMV, 1000);
	h = hello("a", 512 * MIB, 256 * MIB, 256 * MIB);
	a = pool_ledger_register(&l, &h, 1, 0);
	tap_is(l.vm[a].quota, 256 * MIB, "a first VM keeps what it holds");
	h = hello("b", 512 * MIB, 256 * MIB, 0);
	b = pool_ledger_register(&l, &h, 2, 0);
	tap_is(l.vm[b].quota, 0, "a second VM starts with what is free: nothing");
	/* b is hot, a is idle: a must shrink, b may grow only once a let go. */
	for (k = 0; k < 5; k++) {
		hot_report(&l, b, 200 * MIB, 512 * MIB, 1000 * (uint64_t)k + 1000);
		r.held_bytes = 256 * MIB;	/* a does not give back (yet) */
		r.hist[0] = 512 * MIB;
		pool_ledger_report(&l, a, &r, 1000 * (uint64_t)k + 1000);
		pool_ledger_rebalance(&l, 1000 * (uint64_t)k + 1000);
		ok &= l.vm[b].quota == 0 && pool_ledger_reserved(&l) <= l.budget;
	}
	tap_ok(ok && l.vm[a].quota < 256 * MIB && l.vm[a].pending,
	       "DRAM a still holds is not granted to b (a's quota %llu MiB, pending)",
	       (unsigned long long)(l.vm[a].quota / MIB));
	tap_is(pool_ledger_ack(&l, a, l.vm[a].seq + 5, 0), -EINVAL, "an ACK of a seq never sent refused");
	tap_ok(pool_ledger_ack(&l, a, l.vm[a].seq - 1, 0) == 0 && l.vm[a].pending,
	       "an ACK of an older QUOTA is ignored");
	pool_ledger_ack(&l, a, l.vm[a].seq, l.vm[a].quota);
	pool_ledger_rebalance(&l, 7000);
	tap_ok(l.vm[b].quota > 0 && pool_ledger_granted(&l) <= l.budget,
	       "once a acknowledged, b grows (%llu MiB)",
	       (unsigned long long)(l.vm[b].quota / MIB));
}

/*
 * A VM grown into a larger grant since its last report, then shrunk: the
 * pool must count the grant it shrank from, not the stale report, until
 * the VM acknowledges; a report (it has no seq) does not end the shrink.
 */
static void test_shrink_stale_report(void)
{
	struct pool_ledger l;
	struct pool_hello h;
	int a, b, k, ok = 1;
	uint64_t qa, real;

	pool_ledger_init(&l, 128 * MIB, POOL_SPLIT_HMMV, 1000);
	h = hello("a", 256 * MIB, 128 * MIB, 0);
	a = pool_ledger_register(&l, &h, 1, 0);
	h = hello("b", 256 * MIB, 128 * MIB, 0);
	b = pool_ledger_register(&l, &h, 2, 0);
	/* a hot, b idle: a's grant grows; a reports nothing held yet. */
	for (k = 1; k <= 6; k++) {
		hot_report(&l, a, 120 * MIB, 256 * MIB, 1000 * (uint64_t)k);
		hot_report(&l, b, 0, 256 * MIB, 1000 * (uint64_t)k);
		pool_ledger_rebalance(&l, 1000 * (uint64_t)k);
		pool_ledger_ack(&l, a, l.vm[a].seq, 0);
		pool_ledger_ack(&l, b, l.vm[b].seq, 0);
	}
	qa = l.vm[a].quota;
	/* a now really holds its whole grant, its last report said 0... */
	real = qa;
	/* ...and the heat turns: b hot, a idle (reports still saying 0). */
	for (k = 7; k <= 12; k++) {
		hot_report(&l, b, 120 * MIB, 256 * MIB, 1000 * (uint64_t)k);
		hot_report(&l, a, 0, 256 * MIB, 1000 * (uint64_t)k);
		pool_ledger_rebalance(&l, 1000 * (uint64_t)k);
		ok &= real + l.vm[b].quota <= l.budget;
	}
	tap_ok(qa >= 64 * MIB && l.vm[a].quota < qa && l.vm[a].pending && ok,
	       "a shrink after unreported growth: b gets only what a's old grant "
	       "(%llu MiB) leaves free (b %llu MiB) while a has not acknowledged",
	       (unsigned long long)(qa / MIB), (unsigned long long)(l.vm[b].quota / MIB));
	pool_ledger_ack(&l, a, l.vm[a].seq, l.vm[a].quota);
	pool_ledger_rebalance(&l, 13000);
	tap_ok(!l.vm[a].pending && l.vm[b].quota + l.vm[a].quota <= l.budget &&
	       l.vm[b].quota > l.budget - qa,
	       "once a acknowledged, b grows into what a gave back (%llu MiB)",
	       (unsigned long long)(l.vm[b].quota / MIB));
}

static void test_fence_and_death(void)
{
	struct pool_ledger l;
	struct pool_hello h;
	struct pool_report r = { 0 };
	int a, b, f[4];

	pool_ledger_init(&l, 128 * MIB, POOL_SPLIT_EQUAL, 1000);
	h = hello("a", 256 * MIB, 128 * MIB, 128 * MIB);
	a = pool_ledger_register(&l, &h, 1, 0);
	h = hello("b", 256 * MIB, 128 * MIB, 0);
	b = pool_ledger_register(&l, &h, 2, 0);
	pool_ledger_rebalance(&l, 1000);
	tap_ok(l.vm[a].pending && l.vm[a].quota < 128 * MIB, "equal split asks a to shrink");
	tap_is(pool_ledger_fence(&l, 5000, f, 4), 0, "not fenced before the timeout");
	r.held_bytes = 128 * MIB;
	r.hist[0] = 256 * MIB;
	pool_ledger_report(&l, a, &r, 5000);
	tap_ok(pool_ledger_fence(&l, 12000, f, 4) == 1 && f[0] == a &&
	       l.vm[a].state == POOL_VM_FENCED, "a VM that never gives back is fenced");
	pool_ledger_rebalance(&l, 13000);
	tap_ok(pool_ledger_reserved(&l) <= l.budget && l.vm[b].quota == 0,
	       "what a fenced VM holds stays counted: b gets nothing of it");
	pool_ledger_remove(&l, a);
	pool_ledger_rebalance(&l, 14000);
	tap_ok(l.vm[b].quota > 0, "its process gone, its DRAM goes to b (%llu MiB)",
	       (unsigned long long)(l.vm[b].quota / MIB));
	h = hello("b", 256 * MIB, 128 * MIB, 0);
	tap_is(pool_ledger_register(&l, &h, 2, 15000), -EBUSY,
	       "the same process twice at once refused");
	pool_ledger_detach(&l, b);
	tap_ok(pool_ledger_register(&l, &h, 2, 16000) == b && l.vm[b].state == POOL_VM_ACTIVE,
	       "a detached VM re-registers into its own slot, keeping its quota");
}

static void test_print(void)
{
	struct pool_ledger l;
	struct pool_hello h = hello("db", 256 * MIB, 128 * MIB, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	pool_ledger_init(&l, 128 * MIB, POOL_SPLIT_HMMV, 1000);
	pool_ledger_register(&l, &h, 1, 0);
	f = open_memstream(&buf, &len);
	pool_ledger_print(&l, f, 0, POOL_PRINT_PROM);
	fclose(f);
	tap_ok(buf && strstr(buf, "# TYPE hmmv_pool_budget_bytes gauge\n") &&
	       strstr(buf, "hmmv_pool_budget_bytes 134217728\n") &&
	       strstr(buf, "hmmv_pool_vm_quota_bytes{vm=\"db\"} 0\n"),
	       "Prometheus text: typed metrics, a vm label");
	free(buf);
}

int main(void)
{
	test_proto();
	test_ledger();
	test_shrink_first();
	test_shrink_stale_report();
	test_fence_and_death();
	test_print();
	return tap_done(0);
}
