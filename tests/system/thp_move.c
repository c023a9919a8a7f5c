// SPDX-License-Identifier: GPL-2.0
/*
 * Why page mode keeps tracked memory off transparent huge pages
 * (tracker_no_thp(), docs/design.md, "Tracking"): pins the kernel
 * behaviour. On a memfd (shmem) range backed by a huge page, move_pages(2)
 * of one 4 KiB page migrates all 512 of the huge page, and the range stays
 * mapped huge; with MADV_NOHUGEPAGE before the first touch, the same call
 * moves that page alone. Data survive both. The caller (thp_move.sh) lets
 * shmem use huge pages (shmem_enabled=advise) and needs a node 1.
 */
#include <errno.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/tap.h"

#define HUGE	(2UL << 20)
#define PAGE	4096UL
#define NPAGE	(HUGE / PAGE)

/* Pages of [p, p + HUGE) on @node. */
static int on_node(char *p, int node)
{
	void *pg[NPAGE];
	int st[NPAGE], i, n = 0;

	for (i = 0; i < (int)NPAGE; i++)
		pg[i] = p + i * PAGE;
	if (move_pages(0, NPAGE, pg, NULL, st, 0) < 0)
		return -1;
	for (i = 0; i < (int)NPAGE; i++)
		n += st[i] == node;
	return n;
}

/* kB of shmem mapped huge in this process (smaps_rollup). */
static long shmem_pmd_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ShmemPmdMapped: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int fill_check(char *p, uint32_t seed, int fill)
{
	unsigned int i, bad = 0;

	for (i = 0; i < NPAGE; i++) {
		uint32_t *w = (uint32_t *)(p + i * PAGE);

		if (fill)
			*w = seed + i;
		else
			bad += *w != seed + i;
	}
	return (int)bad;
}

/* A 2 MiB-aligned shared mapping of a fresh memfd, advised @advice. */
static char *huge_range(int advice)
{
	char *raw, *p;
	int fd = memfd_create("thp_move", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, HUGE) < 0)
		return NULL;
	raw = mmap(NULL, 2 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	p = mmap(p, HUGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || madvise(p, HUGE, advice) < 0)
		return NULL;
	return p;
}

/* Moves page 5 of @p to node 1; how many of its 512 pages went along. */
static int move_one(char *p)
{
	void *pg = p + 5 * PAGE;
	int node = 1, st = -1;

	if (move_pages(0, 1, &pg, &node, &st, MPOL_MF_MOVE) < 0 || st != 1)
		return -1;
	return on_node(p, 1);
}

int main(void)
{
	unsigned long node0 = 1;
	long kb0, kb;
	char *p;
	int n;

	tap_plan(5);
	/* Start on node 0, whatever the default policy would pick. */
	if (set_mempolicy(MPOL_BIND, &node0, 8) < 0)
		return tap_ok(0, "set_mempolicy: %s", strerror(errno)), 1;
	kb0 = shmem_pmd_kb();
	p = huge_range(MADV_HUGEPAGE);
	if (!p)
		return tap_ok(0, "huge_range: %s", strerror(errno)), 1;
	fill_check(p, 0x1000, 1);
	kb = shmem_pmd_kb();
	tap_ok(kb - kb0 == (long)(HUGE >> 10) && on_node(p, 0) == NPAGE,
	       "a shmem range with MADV_HUGEPAGE is one huge page on node 0 (%ld kB mapped huge)",
	       kb - kb0);
	set_mempolicy(MPOL_DEFAULT, NULL, 0);
	n = move_one(p);
	tap_ok(n == (int)NPAGE && shmem_pmd_kb() - kb0 == (long)(HUGE >> 10),
	       "move_pages of one of its pages moved %d of 512, still mapped huge", n);
	tap_ok(!fill_check(p, 0x1000, 0), "... data intact");

	set_mempolicy(MPOL_BIND, &node0, 8);
	kb0 = shmem_pmd_kb();
	p = huge_range(MADV_NOHUGEPAGE);
	if (!p)
		return tap_ok(0, "huge_range: %s", strerror(errno)), 1;
	fill_check(p, 0x2000, 1);
	set_mempolicy(MPOL_DEFAULT, NULL, 0);
	n = move_one(p);
	tap_ok(n == 1 && shmem_pmd_kb() == kb0,
	       "with MADV_NOHUGEPAGE first (tracker_no_thp()): it moved %d page, nothing huge", n);
	tap_ok(!fill_check(p, 0x2000, 0), "... data intact");
	return tap_done(5);
}
