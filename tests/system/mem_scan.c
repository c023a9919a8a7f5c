// SPDX-License-Identifier: GPL-2.0
/*
 * mem_scan PATH SEED: counts the 4 KiB pages of a slow-tier backing store
 * (devdax device or file, mapped read-only and shared) that hold a page of
 * guest/progs/memfill.c's pattern for SEED, checked word by word. Prints
 * "pages=N bytes=B"; exit 0, or 1 when the store cannot be read.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAGIC 0x4c4c4946564d4d48ULL

static uint64_t word_of(uint64_t seed, uint64_t page, uint64_t i)
{
	uint64_t x = seed ^ (page * 0x9e3779b97f4a7c15ULL) ^ (i * 0xbf58476d1ce4e5b9ULL);

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 29);
}

static uint64_t store_size(int fd, const struct stat *st)
{
	char path[96];
	unsigned long long v = 0;
	FILE *f;

	if (!S_ISCHR(st->st_mode))
		return (uint64_t)st->st_size;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/size", major(st->st_rdev),
		 minor(st->st_rdev));
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v & ~((2ULL << 20) - 1);
}

int main(int argc, char **argv)
{
	uint64_t seed, size, off, pages = 0, i;
	const uint64_t *w;
	struct stat st;
	uint8_t *p;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: mem_scan PATH SEED\n");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	size = store_size(fd, &st);
	p = size ? mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		perror("mem_scan: mmap");
		close(fd);
		return 1;
	}
	for (off = 0; off + PAGE <= size; off += PAGE) {
		w = (const uint64_t *)(p + off);
		if (w[0] != MAGIC || w[1] != seed)
			continue;
		for (i = 3; i < PAGE / 8 && w[i] == word_of(seed, w[2], i); i++)
			;
		pages += i == PAGE / 8;
	}
	printf("pages=%" PRIu64 " bytes=%" PRIu64 "\n", pages, pages * PAGE);
	munmap(p, size);
	close(fd);
	return 0;
}
