// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's ledger: VMs, grants, and the rebalance round (tools/pool/
 * pool.h). Pure: the server feeds it messages and the clock.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "tools/pool/pool.h"

#define GRANULE		(2ull << 20)

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t down(uint64_t v)
{
	return v - v % GRANULE;
}

void pool_ledger_init(struct pool_ledger *l, uint64_t budget,
		      enum pool_split split, uint32_t period_ms)
{
	memset(l, 0, sizeof(*l));
	l->budget = down(budget);
	l->split = split;
	l->period_ms = period_ms ? period_ms : POOL_DEFAULT_PERIOD_MS;
	/* Ten periods to give DRAM back: a move of 2 MiB takes milliseconds. */
	l->fence_ms = 10 * l->period_ms;
	/* An eighth of the budget per round: quotas move, they do not jump. */
	l->max_step = max64(down(l->budget / 8), GRANULE);
	pool_params_default(&l->pp);
	l->next_id = 1;
}

static bool in_use(const struct pool_vm_entry *v)
{
	return v->state != POOL_VM_FREE;
}

/* What the pool counts as taken by @v: its grant, or more while it gives back. */
static uint64_t reserved(const struct pool_vm_entry *v)
{
	if (!in_use(v))
		return 0;
	return max64(max64(v->quota, v->held), v->pending ? v->claim : 0);
}

uint64_t pool_ledger_reserved(const struct pool_ledger *l)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < POOL_MAX_VMS; i++)
		s += reserved(&l->vm[i]);
	return s;
}

uint64_t pool_ledger_granted(const struct pool_ledger *l)
{
	uint64_t s = 0;
	uint32_t i;

	for (i = 0; i < POOL_MAX_VMS; i++)
		if (in_use(&l->vm[i]))
			s += l->vm[i].quota;
	return s;
}

static uint64_t free_bytes(const struct pool_ledger *l)
{
	uint64_t r = pool_ledger_reserved(l);

	return r < l->budget ? l->budget - r : 0;
}

/*
 * A shrink: until the VM acknowledges it, it may hold anything up to the
 * grant it had, whatever its last report said (it may have grown into the
 * grant since, or still be moving under it), so that much stays counted.
 */
static void set_quota(struct pool_vm_entry *v, uint64_t q, uint64_t now_ms)
{
	if (q == v->quota && !v->pending)
		return;
	if (!v->pending)
		v->claim = 0;
	if (q < v->quota)
		v->claim = max64(v->claim, v->quota);
	v->quota = q;
	v->seq++;
	v->send = true;
	v->pending = max64(v->held, v->claim) > q;
	if (v->pending)
		v->pending_since = now_ms;
}

static int find_pid(const struct pool_ledger *l, int pid)
{
	uint32_t i;

	for (i = 0; i < POOL_MAX_VMS; i++)
		if (in_use(&l->vm[i]) && l->vm[i].pid == pid)
			return (int)i;
	return -1;
}

static int reattach(struct pool_ledger *l, int slot, const struct pool_hello *h,
		    uint64_t now_ms)
{
	struct pool_vm_entry *v = &l->vm[slot];

	if (v->state == POOL_VM_ACTIVE)
		return -EBUSY;
	v->state = POOL_VM_ACTIVE;
	v->hello = *h;
	v->held = h->held_bytes;
	v->last_report = 0;
	/* It stayed within its last quota while away; it keeps it. */
	set_quota(v, v->quota, now_ms);
	v->send = true;
	return slot;
}

int pool_ledger_register(struct pool_ledger *l, const struct pool_hello *h,
			 int pid, uint64_t now_ms)
{
	struct pool_vm_entry *v = NULL;
	uint64_t mins = h->min_bytes, avail;
	uint32_t i;
	int slot = find_pid(l, pid);

	if (slot >= 0)
		return reattach(l, slot, h, now_ms);
	for (i = 0; i < POOL_MAX_VMS; i++) {
		if (in_use(&l->vm[i]))
			mins += l->vm[i].hello.min_bytes;
		else if (!v)
			v = &l->vm[i];
	}
	if (!v)
		return -ENOSPC;
	if (mins > l->budget)
		return -EINVAL;
	avail = free_bytes(l);
	memset(v, 0, sizeof(*v));
	v->state = POOL_VM_ACTIVE;
	v->id = l->next_id++;
	v->pid = pid;
	v->hello = *h;
	v->held = h->held_bytes;
	/* What it holds, as far as the budget has room; the round does the rest. */
	v->quota = down(min64(v->held, avail));
	v->seq = 1;
	v->send = true;
	v->pending = v->held > v->quota;
	v->pending_since = now_ms;
	return (int)(v - l->vm);
}

int pool_ledger_report(struct pool_ledger *l, int slot,
		       const struct pool_report *r, uint64_t now_ms)
{
	struct pool_vm_entry *v = &l->vm[slot];
	uint64_t sum = 0;
	uint32_t b;

	for (b = 0; b < POLICY_BUCKETS; b++) {
		if (r->hist[b] > v->hello.guest_bytes)
			return -EINVAL;
		sum += r->hist[b];
	}
	/* The histogram covers guest RAM (chunks rounded up): no more. */
	if (sum > v->hello.guest_bytes + v->hello.chunk_bytes ||
	    r->held_bytes > v->hello.guest_bytes || r->hot_bytes > v->hello.guest_bytes)
		return -EINVAL;
	memcpy(v->hist, r->hist, sizeof(v->hist));
	v->held = r->held_bytes;
	v->hot = r->hot_bytes;
	v->last_report = now_ms;
	/* No seq: a report may predate the QUOTA; only an ACK ends a shrink. */
	return 0;
}

int pool_ledger_ack(struct pool_ledger *l, int slot, uint32_t seq, uint64_t held)
{
	struct pool_vm_entry *v = &l->vm[slot];

	/* One from the future is a lie; an older one crossed a newer QUOTA. */
	if ((int32_t)(seq - v->seq) > 0 || held > v->hello.guest_bytes)
		return -EINVAL;
	if (seq != v->seq)
		return 0;
	v->held = held;
	if (held <= v->quota) {
		v->pending = false;
		v->claim = 0;
	}
	return 0;
}

void pool_ledger_detach(struct pool_ledger *l, int slot)
{
	if (l->vm[slot].state == POOL_VM_ACTIVE)
		l->vm[slot].state = POOL_VM_DETACHED;
}

void pool_ledger_remove(struct pool_ledger *l, int slot)
{
	memset(&l->vm[slot], 0, sizeof(l->vm[slot]));
}

/* Water-filling: @total shared by @weight within [lo, hi] per VM. */
static void fill(uint64_t *q, const uint64_t *w, const uint64_t *lo,
		 const uint64_t *hi, uint32_t n, uint64_t total)
{
	bool done[POOL_MAX_VMS] = { false };
	uint64_t left = total, wsum;
	uint32_t i, k, open = n;

	for (i = 0; i < n; i++) {
		q[i] = min64(lo[i], hi[i]);
		left -= min64(left, q[i]);
	}
	for (k = 0; k < n && open && left >= GRANULE; k++) {
		uint64_t given = 0;

		wsum = 0;
		for (i = 0; i < n; i++)
			if (!done[i])
				wsum += w[i] ? w[i] : 1;
		for (i = 0; i < n; i++) {
			unsigned __int128 part;
			uint64_t add;

			if (done[i])
				continue;
			part = (unsigned __int128)left * (w[i] ? w[i] : 1) / wsum;
			add = min64((uint64_t)part, hi[i] - q[i]);
			q[i] += add;
			given += add;
			if (q[i] >= hi[i]) {
				done[i] = true;
				open--;
			}
		}
		left -= given;
		if (!given)
			break;
	}
	for (i = 0; i < n; i++)
		q[i] = down(q[i]);
}

/* Targets for the active VMs (@idx) out of @total. */
static void targets(struct pool_ledger *l, const uint32_t *idx, uint32_t n,
		    uint64_t total, uint64_t *t)
{
	uint64_t w[POOL_MAX_VMS], lo[POOL_MAX_VMS], hi[POOL_MAX_VMS];
	struct pool_vm pv[POOL_MAX_VMS];
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct pool_vm_entry *v = &l->vm[idx[i]];

		lo[i] = v->hello.min_bytes;
		hi[i] = v->hello.max_bytes;
		w[i] = l->split == POOL_SPLIT_PROPORTIONAL ? v->hello.guest_bytes : 1;
	}
	if (l->split != POOL_SPLIT_HMMV) {
		fill(t, w, lo, hi, n, total);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct pool_vm_entry *v = &l->vm[idx[i]];

		memcpy(pv[i].hist, v->hist, sizeof(pv[i].hist));
		pv[i].min_bytes = lo[i];
		pv[i].max_bytes = hi[i];
		pv[i].quota = v->quota;
	}
	if (pool_policy_compute(&l->pp, total, pv, n) < 0) {
		fill(t, w, lo, hi, n, total);	/* minimums too large: share */
		return;
	}
	for (i = 0; i < n; i++)
		t[i] = down(pv[i].quota);
}

/* Bounded step towards the target. */
static uint64_t step(const struct pool_ledger *l, uint64_t q, uint64_t t)
{
	if (t > q)
		return q + min64(t - q, l->max_step);
	return q - min64(q - t, l->max_step);
}

static void grow(struct pool_ledger *l, const uint32_t *idx, const uint64_t *t,
		 uint32_t n, uint64_t now_ms, uint32_t *changes)
{
	bool seen[POOL_MAX_VMS] = { false };
	uint32_t k, i, best;

	/* Largest shortfall first, each from DRAM that is really free. */
	for (k = 0; k < n; k++) {
		uint64_t need = 0, give;

		best = n;
		for (i = 0; i < n; i++) {
			uint64_t q = l->vm[idx[i]].quota;
			uint64_t want = step(l, q, t[i]);

			if (!seen[i] && want > q && want - q > need) {
				need = want - q;
				best = i;
			}
		}
		if (best == n)
			return;
		seen[best] = true;
		give = down(min64(need, free_bytes(l)));
		if (!give)
			return;
		set_quota(&l->vm[idx[best]], l->vm[idx[best]].quota + give, now_ms);
		(*changes)++;
	}
}

uint32_t pool_ledger_rebalance(struct pool_ledger *l, uint64_t now_ms)
{
	uint64_t t[POOL_MAX_VMS], total = l->budget, other = 0;
	uint32_t idx[POOL_MAX_VMS], n = 0, i, changes = 0;
	struct pool_round *r;

	for (i = 0; i < POOL_MAX_VMS; i++) {
		if (l->vm[i].state == POOL_VM_ACTIVE)
			idx[n++] = i;
		else
			other += reserved(&l->vm[i]);
	}
	if (!n)
		return 0;
	total = other < total ? total - other : 0;
	targets(l, idx, n, total, t);
	/* Shrinks first: what they give back funds growth once released. */
	for (i = 0; i < n; i++) {
		struct pool_vm_entry *v = &l->vm[idx[i]];
		uint64_t q = step(l, v->quota, t[i]);

		if (q < v->quota) {
			set_quota(v, q, now_ms);
			changes++;
		}
	}
	grow(l, idx, t, n, now_ms, &changes);
	r = &l->hist[l->rounds++ % POOL_HISTORY];
	r->at_ms = now_ms;
	r->changes = changes;
	r->granted = pool_ledger_granted(l);
	return changes;
}

uint32_t pool_ledger_fence(struct pool_ledger *l, uint64_t now_ms, int *slots,
			   uint32_t max)
{
	uint32_t i, n = 0;

	for (i = 0; i < POOL_MAX_VMS && n < max; i++) {
		struct pool_vm_entry *v = &l->vm[i];

		if (v->state == POOL_VM_ACTIVE && v->pending &&
		    now_ms - v->pending_since > l->fence_ms) {
			v->state = POOL_VM_FENCED;
			slots[n++] = (int)i;
		}
	}
	return n;
}
