// SPDX-License-Identifier: GPL-2.0
/*
 * make bench-remap: what one chunk migration costs, per slow-tier backend,
 * as ratios to a plain memcpy of the same size measured in the same run.
 * A tiny guest keeps running (touching every page) so that the pause is a
 * real vCPU pause. Per backend and direction it reports the medians of:
 *   memcpy   plain memcpy of one chunk between two warm host buffers
 *   copy     the tier copy alone (non-temporal pmem_memcpy into devdax)
 *   pause    pausing and resuming the vCPU with nothing done in between
 *   remap    memory_remap(): copy + mmap(MAP_FIXED) + frame bookkeeping
 *   total    memory_remap_paused(): pause + remap + resume
 * Then memory_migrate(), as the engine moves chunks, both ways in turn,
 * with the memslots dirty-logged (manual protect) as with the engine on:
 *   wp-stall the write-protect method: how long the chunk is read-only to
 *            the guest (pre-copy with the dirty log, then the final copy
 *            and MAP_FIXED), p50 and p99
 *   pause    the pause method: how long every vCPU is stopped, p50, p99
 * each as a ratio to the median 2 MiB memcpy measured between the moves.
 * On a NUMA-node tier moves are in place (move_pages): neither applies.
 * --memcpy alone prints only the median 2 MiB memcpy from memory, not
 * cache ("memcpy_ns=N"), the baseline for the engine's own stall figures
 * (tests/bench/hmmv.sh).
 *
 * usage: mem_bench_remap [--rounds N] --nvm X [--nvm Y ...]
 *        mem_bench_remap --memcpy
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory/internal.h"
#include "tests/system/mem_miniguest.h"
#include "tests/tap.h"

#define MiB (1ULL << 20)
#define MAX_ROUNDS 400
#define MAX_MOVES (2 * MAX_ROUNDS)

enum { T_MEMCPY, T_COPY, T_PAUSE, T_REMAP, T_TOTAL, NR_T };
static const char *const t_names[NR_T] = { "memcpy", "copy", "pause", "remap", "total" };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

struct samples {
	uint64_t t[NR_T][MAX_ROUNDS];
};

/* One round in one direction: chunk @c to tier @dst, all five timings. */
static int round_one(struct guest_mem *m, struct miniguest *g, uint32_t c, int dst,
		     uint8_t *a, uint8_t *b, struct samples *s, int r)
{
	struct mem_tier *t = &m->tiers[dst];
	uint64_t t0, cs = m->chunk_size, spare;
	int64_t frame;
	int err;

	t0 = now_ns();
	memcpy(b, a, cs);
	s->t[T_MEMCPY][r] = now_ns() - t0;
	__asm__ volatile("" ::: "memory");

	frame = mem_frames_alloc(&t->frames);
	if (frame < 0)
		return (int)frame;
	spare = (uint64_t)frame * cs;
	t0 = now_ns();
	mem_tier_copy_in(t, spare, m->host + (uint64_t)c * cs, cs);
	s->t[T_COPY][r] = now_ns() - t0;
	mem_tier_release(t, spare, cs);
	mem_frames_free(&t->frames, (uint32_t)frame);

	t0 = now_ns();
	mg_pause(g);
	mg_resume(g);
	s->t[T_PAUSE][r] = now_ns() - t0;

	t0 = now_ns();
	mg_pause(g);
	err = memory_remap(m, c, dst);
	s->t[T_REMAP][r] = now_ns() - t0;
	mg_resume(g);
	if (err)
		return err;
	/* Back again, timed as a whole, so the next round starts alike. */
	t0 = now_ns();
	err = memory_remap_paused(m, c, !dst, NULL);
	s->t[T_TOTAL][r] = now_ns() - t0;
	return err;
}

static uint64_t pct(uint64_t *v, int n, int q)
{
	int i = n * q / 100;

	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[i < n ? i : n - 1];
}

struct mig_samples {
	uint64_t memcpy[MAX_MOVES], stall[MAX_MOVES], pause[MAX_MOVES], total[MAX_MOVES];
	uint64_t rounds, recopied;
	int n, boosted;
};

/* One memory_migrate() of chunk @c to @dst by @method, and a memcpy. */
static int mig_one(struct guest_mem *m, uint32_t c, int dst, int method, uint8_t *a,
		   uint8_t *b, struct mig_samples *s)
{
	struct mem_migrate_opts o = {
		.method = method, .dirty = &memory_kvm_dirty_ops, .dirty_ctx = m,
	};
	struct mem_migrate_stats st;
	uint64_t t0;
	int err;

	t0 = now_ns();
	memcpy(b, a, m->chunk_size);
	s->memcpy[s->n] = now_ns() - t0;
	__asm__ volatile("" ::: "memory");
	err = memory_migrate(m, c, dst, &o, &st);
	if (err)
		return err;
	s->stall[s->n] = st.writer_stall_ns;
	s->pause[s->n] = st.pause_ns;
	s->total[s->n] = st.total_ns;
	s->rounds += st.rounds;
	s->recopied += st.recopied_pages;
	s->boosted += st.boosted == 1;
	s->n++;
	return 0;
}

/* @rounds chunks to the slow tier and as many back, by @method. */
static int mig_run(struct guest_mem *m, int method, int rounds, uint8_t *a, uint8_t *b,
		   struct mig_samples *s)
{
	int r, err = 0;

	memset(s, 0, sizeof(*s));
	for (r = 0; !err && r < rounds; r++) {
		err = mig_one(m, 1 + (uint32_t)(r % 14), MEM_TIER_NVM, method, a, b, s);
		if (!err)
			err = mig_one(m, 16 + (uint32_t)(r % 15), MEM_TIER_DRAM, method, a, b, s);
		/* Put both back for the next round. */
		if (!err)
			err = memory_migrate(m, 1 + (uint32_t)(r % 14), MEM_TIER_DRAM, NULL, NULL);
		if (!err)
			err = memory_migrate(m, 16 + (uint32_t)(r % 15), MEM_TIER_NVM, NULL, NULL);
	}
	return err;
}

static void mig_report(const char *backend, struct mig_samples *wp, struct mig_samples *pz,
		       uint64_t waits)
{
	uint64_t mc, s50, s99, p50, p99;
	int n = wp->n;

	/* The memcpy baseline over both runs' moves. */
	memcpy(wp->memcpy + wp->n, pz->memcpy, (size_t)pz->n * sizeof(uint64_t));
	mc = median(wp->memcpy, wp->n + pz->n);
	s50 = pct(wp->stall, n, 50);
	s99 = pct(wp->stall, n, 99);
	p50 = pct(pz->pause, pz->n, 50);
	p99 = pct(pz->pause, pz->n, 99);
	if (!s99 && !p99) {
		printf("# %-16s moves in place (move_pages): no stall, no pause; total p50 %.1f us"
		       " (%.2fx memcpy %.1f us)\n", backend, pct(wp->total, n, 50) / 1e3,
		       (double)pct(wp->total, n, 50) / (double)mc, mc / 1e3);
		return;
	}
	printf("# %-16s %d moves each: memcpy %.1f us | wp-stall p50 %.1f us (%.2fx) p99 %.1f us"
	       " (%.2fx) | pause p50 %.1f us (%.2fx) p99 %.1f us (%.2fx)\n", backend, n,
	       mc / 1e3, s50 / 1e3, (double)s50 / (double)mc, s99 / 1e3,
	       (double)s99 / (double)mc, p50 / 1e3, (double)p50 / (double)mc, p99 / 1e3,
	       (double)p99 / (double)mc);
	printf("# %-16s wp: pre-copy rounds %.1f and re-copied pages %.1f per move, %llu vCPU"
	       " write stalls, %d of %d windows at SCHED_FIFO; target wp-stall p99 <= 10x"
	       " memcpy: %s\n", backend, (double)wp->rounds / n, (double)wp->recopied / n,
	       (unsigned long long)waits, wp->boosted, n, s99 <= 10 * mc ? "met" : "NOT met");
	fflush(stdout);
}

static int bench_migrate(struct guest_mem *m, struct miniguest *g, const char *backend,
			 int rounds, uint8_t *a, uint8_t *b)
{
	struct mig_samples *wp = calloc(1, sizeof(*wp)), *pz = calloc(1, sizeof(*pz));
	uint64_t waits;
	int err = -ENOMEM;

	if (wp && pz) {
		waits = atomic_load(&g->wp_waits) + atomic_load(&g->wp_mmio);
		err = mig_run(m, MEM_MIGRATE_WP, rounds, a, b, wp);
		waits = atomic_load(&g->wp_waits) + atomic_load(&g->wp_mmio) - waits;
		if (!err)
			err = mig_run(m, MEM_MIGRATE_PAUSE, rounds, a, b, pz);
		if (!err)
			mig_report(backend, wp, pz, waits);
	}
	free(wp);
	free(pz);
	return err;
}

static void report(const char *backend, const char *dir, struct samples *s, int n)
{
	uint64_t med[NR_T];
	int k;

	for (k = 0; k < NR_T; k++)
		med[k] = median(s->t[k], n);
	printf("# %-16s %-9s", backend, dir);
	for (k = 0; k < NR_T; k++)
		printf(" %s %7.1f us (%5.2fx)", t_names[k], med[k] / 1e3,
		       (double)med[k] / (double)med[T_MEMCPY]);
	printf("\n");
	fflush(stdout);
}

static int bench_backend(const char *nvm, int rounds)
{
	struct samples *to_slow = calloc(1, sizeof(*to_slow));
	struct samples *to_dram = calloc(1, sizeof(*to_dram));
	uint8_t *a = aligned_alloc(4096, 2 * MiB), *b = aligned_alloc(4096, 2 * MiB);
	struct memory_config cfg;
	struct miniguest g;
	struct guest_mem m;
	char why[256];
	int r, err = -ENOMEM;
	uint32_t c;

	memory_config_init(&cfg, 64 * MiB);
	memory_parse_flag(&cfg, "--dram", "32M", why, sizeof(why));
	if (!to_slow || !to_dram || !a || !b)
		goto out;
	if (memory_parse_flag(&cfg, "--nvm", nvm, why, sizeof(why)) ||
	    memory_config_validate(&cfg, why, sizeof(why))) {
		printf("# %s: %s\n", nvm, why);
		err = -EINVAL;
		goto out;
	}
	err = memory_init(&m, &cfg);
	if (err)
		goto out;
	memset(a, 0x5a, 2 * MiB);
	memset(b, 0xa5, 2 * MiB);
	err = mg_create_log(&g, &m, 1 << 20, 64 << 20, 4096, true);
	if (!err)
		err = mg_start(&g);
	while (!err && !atomic_load(&g.passes) && !g.error)
		usleep(1000);
	/* dram-first: chunks 0..15 in DRAM; free one DRAM frame for the way in. */
	if (!err)
		err = memory_remap_paused(&m, 15, MEM_TIER_NVM, NULL);
	for (r = 0; !err && r < rounds; r++) {
		c = 1 + (uint32_t)(r % 14);
		err = round_one(&m, &g, c, MEM_TIER_NVM, a, b, to_slow, r);
		if (!err)
			err = round_one(&m, &g, 16 + (uint32_t)(r % 15), MEM_TIER_DRAM,
					a, b, to_dram, r);
	}
	if (!err) {
		report(mem_backend_name(m.tiers[MEM_TIER_NVM].kind), "to-slow", to_slow, rounds);
		report(mem_backend_name(m.tiers[MEM_TIER_NVM].kind), "to-dram", to_dram, rounds);
		err = bench_migrate(&m, &g, mem_backend_name(m.tiers[MEM_TIER_NVM].kind),
				    rounds, a, b);
	}
	mg_stop(&g);
	if (g.error)
		printf("# %s: the guest's vCPU stopped: %s %d\n", nvm,
		       g.error < 0 ? strerror(-g.error) : "unexpected exit reason",
		       g.error > 0 ? g.error : 0);
	if (!err && g.error)
		err = -EIO;
	if (!err && atomic_load(&g.mismatches))
		err = -EILSEQ;
	mg_destroy(&g);
	memory_exit(&m);
out:
	free(to_slow);
	free(to_dram);
	free(a);
	free(b);
	return err;
}

/*
 * The median of 101 copies of 2 MiB, each between buffers not touched for
 * the 15 copies before (64 MiB in all: beyond the last-level cache, as the
 * copy of a moving chunk is).
 */
static int memcpy_only(void)
{
	uint8_t *a = aligned_alloc(4096, 32 * MiB), *b = aligned_alloc(4096, 32 * MiB);
	uint64_t t[101], t0, off;
	int i;

	if (!a || !b) {
		free(a);
		free(b);
		return 1;
	}
	memset(a, 0x5a, 32 * MiB);
	memset(b, 0xa5, 32 * MiB);
	for (i = 0; i < 101; i++) {
		off = (uint64_t)(i % 16) * 2 * MiB;
		t0 = now_ns();
		memcpy(b + off, a + off, 2 * MiB);
		t[i] = now_ns() - t0;
		__asm__ volatile("" ::: "memory");
	}
	printf("memcpy_ns=%llu\n", (unsigned long long)median(t, 101));
	free(a);
	free(b);
	return 0;
}

int main(int argc, char **argv)
{
	int i, rounds = 100, err;

	if (argc == 2 && !strcmp(argv[1], "--memcpy"))
		return memcpy_only();
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("1..0 # SKIP no /dev/kvm\n");
		return 0;
	}
	printf("# chunk 2 MiB; medians over the rounds; (ratio to memcpy of the same size)\n");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > MAX_ROUNDS)
				rounds = 100;
		} else if (!strcmp(argv[i], "--nvm") && i + 1 < argc) {
			err = bench_backend(argv[++i], rounds);
			tap_ok(!err, "bench --nvm %s (%s)", argv[i], err ? strerror(-err) : "done");
		}
	}
	return tap_done(0);
}
