// SPDX-License-Identifier: GPL-2.0
/*
 * memfill: fills almost all of the guest's free memory with a pattern and
 * verifies it, for the memory tests that move the guest's chunks between
 * tiers underneath. Every 4 KiB page starts with the magic "HMMVFILL", the
 * run's seed and the page's index (so the host can find the guest's data on
 * the slow tier's device); the rest of the page is a function of seed, page
 * and word.
 *
 * usage: memfill [-r ROUNDS] [-k MIB_LEFT | -m MIB] [-s SEED] [-h SECONDS] [-t SECONDS]
 *   fills and verifies ROUNDS times (new seed each round), leaving MIB_LEFT
 *   MiB free (or filling MIB MiB), then holds the last pattern for SECONDS
 *   and verifies again. With -t, rounds go on until SECONDS have passed
 *   (at least one, at most ROUNDS).
 * Output: "memfill: ..." lines; last line "memfill: done ... mismatches=N".
 * Exit status 0 only with zero mismatches.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAGIC 0x4c4c4946564d4d48ULL	/* "HMMVFILL" little endian */

static uint64_t word_of(uint64_t seed, uint64_t page, uint64_t i)
{
	uint64_t x = seed ^ (page * 0x9e3779b97f4a7c15ULL) ^ (i * 0xbf58476d1ce4e5b9ULL);

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 29);
}

static uint64_t mem_available(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static void fill(uint64_t *p, size_t pages, uint64_t seed)
{
	size_t pg, i, n = PAGE / 8;

	for (pg = 0; pg < pages; pg++) {
		uint64_t *w = p + pg * n;

		w[0] = MAGIC;
		w[1] = seed;
		w[2] = pg;
		for (i = 3; i < n; i++)
			w[i] = word_of(seed, pg, i);
	}
}

static uint64_t verify(const uint64_t *p, size_t pages, uint64_t seed)
{
	size_t pg, i, n = PAGE / 8;
	uint64_t bad = 0;

	for (pg = 0; pg < pages; pg++) {
		const uint64_t *w = p + pg * n;

		bad += w[0] != MAGIC || w[1] != seed || w[2] != pg;
		for (i = 3; i < n; i++)
			bad += w[i] != word_of(seed, pg, i);
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long rounds = 2, left_mib = 48, hold = 0, fill_mib = 0, secs = 0, r;
	time_t t0 = time(NULL);
	uint64_t seed = (uint64_t)time(NULL) * 2654435761ULL ^ (uint64_t)getpid();
	uint64_t avail, bytes, bad = 0, b;
	size_t pages;
	uint64_t *p;
	int opt;

	while ((opt = getopt(argc, argv, "r:k:s:h:m:t:")) != -1) {
		switch (opt) {
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'k': left_mib = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'h': hold = strtoul(optarg, NULL, 0); break;
		case 'm': fill_mib = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: memfill [-r ROUNDS] [-k MIB_LEFT | -m MIB] [-s SEED]"
				" [-h SECONDS] [-t SECONDS]\n");
			return 2;
		}
	}
	avail = mem_available();
	if (avail <= (left_mib << 20) + (16UL << 20)) {
		printf("memfill: only %llu MiB available\n", (unsigned long long)(avail >> 20));
		return 1;
	}
	bytes = (avail - (left_mib << 20)) & ~(PAGE - 1);
	if (fill_mib && (fill_mib << 20) < bytes)
		bytes = fill_mib << 20;
	pages = bytes / PAGE;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		perror("memfill: mmap");
		return 1;
	}
	printf("memfill: filling %llu MiB (%zu pages), %lu rounds\n",
	       (unsigned long long)(bytes >> 20), pages, rounds);
	fflush(stdout);
	for (r = 0; r < rounds; r++) {
		fill(p, pages, seed + r);
		b = verify(p, pages, seed + r);
		bad += b;
		printf("memfill: round %lu seed=0x%llx mismatches=%llu\n", r,
		       (unsigned long long)(seed + r), (unsigned long long)b);
		fflush(stdout);
		if (secs && time(NULL) - t0 >= (time_t)secs) {
			rounds = r + 1;
			break;
		}
	}
	if (hold && rounds) {
		printf("memfill: holding seed=0x%llx bytes=%llu for %lu s\n",
		       (unsigned long long)(seed + rounds - 1), (unsigned long long)bytes, hold);
		fflush(stdout);
		sleep((unsigned int)hold);
		b = verify(p, pages, seed + rounds - 1);
		bad += b;
		printf("memfill: after hold mismatches=%llu\n", (unsigned long long)b);
	}
	printf("memfill: done bytes=%llu rounds=%lu mismatches=%llu\n",
	       (unsigned long long)bytes, rounds, (unsigned long long)bad);
	fflush(stdout);
	munmap(p, bytes);
	return bad ? 1 : 0;
}
