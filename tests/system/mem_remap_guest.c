// SPDX-License-Identifier: GPL-2.0
/*
 * Remap under a running guest: a tiny guest fills and checks its RAM with a
 * per-pass pattern while this program remaps random chunks between DRAM and
 * the slow tier (vCPU paused per remap). Passes when the guest saw zero
 * mismatches over passes that overlapped the remaps, and the slow tier's
 * backing store (read through a fresh descriptor, or page nodes for a NUMA
 * tier) holds the guest's last pattern.
 *
 * usage: mem_remap_guest [-m SIZE] [--dram SIZE] [--nvm X] [--chunk SIZE]
 *                        [--placement P] [--remaps N] [--stride BYTES]
 *                        [--max-seconds N] [--gap-us N] [--inplace|--pages]
 * Between moves it sleeps a random 0..gap-us microseconds (default 2000).
 * --pages (NUMA-node tiers): runs of 1 to 16 pages move with
 * memory_move_pages(), every 8th move a whole chunk in place; afterwards
 * every page of guest RAM is where the memory layer says it is.
 */
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory/memory.h"
#include "tests/system/mem_miniguest.h"
#include "tests/tap.h"

struct opts {
	struct memory_config cfg;
	unsigned int remaps;
	uint32_t stride;
	unsigned int max_seconds;
	unsigned int gap_us;
	bool inplace;
	bool pages;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	char why[256];
	uint64_t v;
	int i;

	memset(o, 0, sizeof(*o));
	memory_config_init(&o->cfg, 256ULL << 20);
	o->remaps = 200;
	o->stride = 64;
	o->max_seconds = 300;
	o->gap_us = 2000;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--inplace")) {
			o->inplace = true;
		} else if (!strcmp(argv[i], "--pages")) {
			o->pages = true;
		} else if (i + 1 >= argc) {
			fprintf(stderr, "mem_remap_guest: %s needs a value\n", argv[i]);
			return -1;
		} else if (!strcmp(argv[i], "-m")) {
			if (memory_parse_size(argv[++i], &o->cfg.ram_size))
				return -1;
		} else if (!strcmp(argv[i], "--remaps")) {
			if (memory_parse_size(argv[++i], &v))
				return -1;
			o->remaps = (unsigned int)v;
		} else if (!strcmp(argv[i], "--max-seconds")) {
			if (memory_parse_size(argv[++i], &v) || !v)
				return -1;
			o->max_seconds = (unsigned int)v;
		} else if (!strcmp(argv[i], "--gap-us")) {
			if (memory_parse_size(argv[++i], &v) || !v || v > 10000000)
				return -1;
			o->gap_us = (unsigned int)v;
		} else if (!strcmp(argv[i], "--stride")) {
			if (memory_parse_size(argv[++i], &v) || v < 4 || (v & (v - 1)) || v > 4096)
				return -1;
			o->stride = (uint32_t)v;
		} else if (memory_parse_flag(&o->cfg, argv[i], argv[i + 1], why, sizeof(why))) {
			fprintf(stderr, "mem_remap_guest: %s\n", why);
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

static int move_chunk(struct guest_mem *m, uint32_t c, int dst, bool inplace)
{
	return inplace ? memory_move_inplace(m, c, dst) : memory_remap_paused(m, c, dst, NULL);
}

/*
 * One move of chunk @c to the other tier. While the destination is full,
 * a chunk of it goes the other way first: with pages away, one such move
 * may free less than a chunk, so a few may be needed.
 */
static int move_one(struct guest_mem *m, uint32_t c, uint32_t first, uint32_t nr, bool inplace)
{
	struct mem_chunk ch, victim;
	uint32_t v;
	int dst, err, tries, round;

	memory_chunk_info(m, c, &ch);
	dst = ch.tier == MEM_TIER_DRAM ? MEM_TIER_NVM : MEM_TIER_DRAM;
	err = move_chunk(m, c, dst, inplace);
	for (round = 0; err == -ENOSPC && round < 16; round++) {
		for (tries = 0; tries < 1000; tries++) {
			v = first + (uint32_t)(rng() % nr);
			memory_chunk_info(m, v, &victim);
			if (victim.tier == dst && v != c)
				break;
		}
		err = move_chunk(m, v, !dst, inplace);
		if (err)
			return err;
		err = move_chunk(m, c, dst, inplace);
	}
	return err;
}

/* A run of 1..16 pages of chunk @c to the tier its first page is not on. */
static int move_run(struct guest_mem *m, uint32_t c, uint32_t first, uint32_t nr)
{
	uint64_t ppc = m->chunk_size / MEM_PAGE_SIZE, pg, v;
	uint32_t n = 1 + (uint32_t)(rng() % 16), tries;
	int dst, r;

	if (n > ppc)
		n = (uint32_t)ppc;
	pg = c * ppc + rng() % (ppc - n + 1);
	dst = !memory_page_tier(m, pg);
	r = memory_move_pages(m, pg, n, dst);
	if (r != -ENOSPC)
		return r < 0 ? r : 0;
	/* The destination is full: a run of it goes the other way first. */
	for (tries = 0; tries < 100000; tries++) {
		v = (first + rng() % nr) * ppc + rng() % (ppc - n + 1);
		if (memory_page_tier(m, v) == dst)
			break;
	}
	r = memory_move_pages(m, v, n, !dst);
	if (r < 0)
		return r;
	r = memory_move_pages(m, pg, n, dst);
	return r == -ENOSPC ? 0 : r < 0 ? r : 0;	/* still full: fine */
}

/* Every page of [start, end) where memory_page_tier() says: n bad pages. */
static uint64_t pages_misplaced(const struct opts *o, struct guest_mem *m,
				uint32_t start, uint32_t end, uint64_t *checked)
{
	enum { N = 512 };
	void *pages[N];
	int status[N], want[N], k, count;
	uint64_t pg = start / MEM_PAGE_SIZE, bad = 0;

	*checked = 0;
	while (pg < end / MEM_PAGE_SIZE) {
		for (count = 0; count < N && pg < end / MEM_PAGE_SIZE; pg++, count++) {
			pages[count] = m->host + pg * MEM_PAGE_SIZE;
			want[count] = memory_page_tier(m, pg) == MEM_TIER_NVM ?
				      o->cfg.nvm.node : -1;
		}
		if (move_pages(0, (unsigned long)count, pages, NULL, status, 0))
			return UINT64_MAX;
		for (k = 0; k < count; k++)
			bad += want[k] >= 0 ? status[k] != want[k] : status[k] == o->cfg.nvm.node;
		*checked += (uint64_t)count;
	}
	return bad;
}

/* Samples chunk @c through a fresh view of the slow tier's backing store. */
static bool backing_has(const struct opts *o, struct guest_mem *m, uint32_t c,
			uint32_t pass, uint32_t start, uint32_t end)
{
	struct mem_chunk ch;
	uint64_t cs = m->chunk_size, gpa = memory_chunk_gpa(m, c), off, i;
	uint32_t word;
	bool ok = true;
	uint8_t *p;
	int fd;

	memory_chunk_info(m, c, &ch);
	fd = open(o->cfg.nvm.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	off = (uint64_t)ch.frame * cs;
	p = mmap(NULL, cs, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (p == MAP_FAILED) {
		close(fd);
		return false;
	}
	for (i = 0; i < cs && ok; i += 4096 + o->stride) {
		if (gpa + i < start || gpa + i >= end)
			continue;
		memcpy(&word, p + i, 4);
		ok = word == (uint32_t)((gpa + i) ^ pass);
	}
	munmap(p, cs);
	close(fd);
	return ok;
}

/* 1 when every sampled guest-written page of chunk @c is on @node. */
static int pages_on_node(struct guest_mem *m, uint32_t c, int node, uint32_t start)
{
	enum { N = 64 };
	uint64_t step = m->chunk_size / N < 4096 ? 4096 : m->chunk_size / N;
	uint64_t gpa = memory_chunk_gpa(m, c), i;
	int status[N], k, n = 0, count = 0;
	void *pages[N];

	for (i = 0; i < m->chunk_size && count < N; i += step) {
		if (gpa + i < start)
			continue;
		pages[count] = m->host + (uint64_t)c * m->chunk_size + i;
		/* A remap leaves pages unmapped until touched: map them. */
		(void)*(volatile uint8_t *)pages[count++];
	}
	if (move_pages(0, (unsigned long)count, pages, NULL, status, 0))
		return -errno;
	for (k = 0; k < count; k++)
		n += status[k] == node;
	return count && n == count ? 1 : 0;
}

static void check_slow_tier(const struct opts *o, struct guest_mem *m, uint32_t pass,
			    uint32_t start, uint32_t end)
{
	uint32_t c, seen = 0, good = 0;
	struct mem_chunk ch;

	for (c = 0; c < m->nr_chunks; c++) {
		memory_chunk_info(m, c, &ch);
		if (ch.tier != MEM_TIER_NVM || memory_chunk_gpa(m, c) >= end)
			continue;
		seen++;
		if (o->cfg.nvm.kind == MEM_BACK_NODE)
			good += pages_on_node(m, c, o->cfg.nvm.node, start) == 1;
		else
			good += backing_has(o, m, c, pass, start, end);
	}
	tap_ok(seen > 0 && good == seen,
	       "slow tier holds the guest's data: %u/%u chunks %s", good, seen,
	       o->cfg.nvm.kind == MEM_BACK_NODE ? "with every page on the node" :
	       "matching the pattern in a fresh mapping of the backing store");
}

static void check_pages(const struct opts *o, struct guest_mem *m, uint32_t start,
			uint32_t end)
{
	uint64_t checked, bad = pages_misplaced(o, m, start, end, &checked);

	tap_ok(bad == 0 && checked > 0, "every page is where the memory layer says: "
	       "%llu of %llu pages elsewhere", (unsigned long long)bad,
	       (unsigned long long)checked);
}

static void check_counts(struct guest_mem *m)
{
	struct mem_tier_stat d, n;

	memory_tier_stat(m, MEM_TIER_DRAM, &d);
	memory_tier_stat(m, MEM_TIER_NVM, &n);
	tap_ok(d.chunks + n.chunks == m->nr_chunks && d.used <= d.capacity &&
	       n.used <= n.capacity && d.used + n.used == m->ram_size,
	       "tier counts add up: dram %u + slow %u = %u chunks, %llu + %llu MiB used",
	       d.chunks, n.chunks, m->nr_chunks, (unsigned long long)d.used >> 20,
	       (unsigned long long)n.used >> 20);
}

static void run(struct opts *o, struct guest_mem *m)
{
	uint32_t start = 1u << 20, end, first, nr, c;
	uint64_t before, during;
	struct miniguest g;
	time_t t0;
	unsigned int i, failed = 0;
	int err;

	end = (uint32_t)(m->ram_size < MEM_PCI_HOLE_START ? m->ram_size : MEM_PCI_HOLE_START);
	first = 0;
	nr = end / (uint32_t)m->chunk_size;
	err = mg_create(&g, m, start, end, o->stride);
	if (!tap_ok(!err, "tiny guest created (%d)", err) ||
	    !tap_ok(!mg_start(&g), "vCPU thread started")) {
		mg_destroy(&g);
		return;
	}
	while (!atomic_load(&g.passes) && !g.error)
		usleep(1000);
	before = atomic_load(&g.passes);
	t0 = time(NULL);
	/* Until two whole passes (fill + check) ran under remaps, or time is up. */
	for (i = 0; (i < o->remaps || atomic_load(&g.passes) - before < 3) &&
	     !g.error && time(NULL) - t0 < (time_t)o->max_seconds; i++) {
		c = first + (uint32_t)(rng() % nr);
		if (o->pages && i % 8)
			err = move_run(m, c, first, nr);
		else
			err = move_one(m, c, first, nr, o->inplace || o->pages);
		if (err) {
			failed++;
			tap_diag("move of chunk %u failed: %s", c, strerror(-err));
		}
		usleep((useconds_t)(rng() % o->gap_us));
	}
	during = atomic_load(&g.passes) - before;
	mg_finish(&g);
	tap_ok(!failed && i >= o->remaps, "%u %s, none failed", i,
	       o->pages ? "page-run and chunk moves" : o->inplace ? "in-place moves" : "remaps");
	tap_ok(!g.error, "guest ran without an unexpected exit (%d)", g.error);
	tap_ok(during >= 2, "guest passes overlapped the remaps: %llu", (unsigned long long)during);
	tap_ok(atomic_load(&g.mismatches) == 0 && atomic_load(&g.passes) >= 2,
	       "zero mismatches over %llu passes of %u MiB",
	       (unsigned long long)atomic_load(&g.passes), (end - start) >> 20);
	if (o->pages)
		check_pages(o, m, start, end);
	else
		check_slow_tier(o, m, (uint32_t)atomic_load(&g.last_pass), start, end);
	check_counts(m);
	mg_destroy(&g);
}

int main(int argc, char **argv)
{
	struct guest_mem m;
	struct opts o;
	char why[256];
	int err;

	if (parse_args(argc, argv, &o))
		return 2;
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("1..0 # SKIP no /dev/kvm\n");
		return 0;
	}
	if (o.cfg.nvm.kind == MEM_BACK_NONE) {
		fprintf(stderr, "mem_remap_guest: --nvm is needed\n");
		return 2;
	}
	rng_state = (uint64_t)time(NULL) | 1;
	tap_diag("seed %llu", (unsigned long long)rng_state);
	err = memory_config_validate(&o.cfg, why, sizeof(why));
	if (err) {
		fprintf(stderr, "mem_remap_guest: %s\n", why);
		return 2;
	}
	err = memory_init(&m, &o.cfg);
	if (!tap_ok(!err, "guest RAM on dram + %s (%s)", o.cfg.nvm.path[0] ? o.cfg.nvm.path : "node",
		    strerror(-err)))
		return tap_done(0);
	run(&o, &m);
	memory_exit(&m);
	return tap_done(0);
}
