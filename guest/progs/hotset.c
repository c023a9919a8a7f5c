// SPDX-License-Identifier: GPL-2.0
/*
 * hotset: a hot set of known size for the tracker's tests (GUPS-style):
 * random read-modify-write updates of 64-bit words spread over HOT_MIB,
 * for SECONDS. The hot set is 2 MiB aligned and asks for transparent huge
 * pages, so that it fills whole 2 MiB guest-physical frames (hmmv chunks);
 * COLD_MIB more are written once at the start and never again.
 *
 * With -s SHIFT, the updates move at SHIFT seconds to a second hot set of
 * the same size (written once at the start, like the cold memory). With
 * -n UPDATES it does that many updates (rounded up to 4096) however long
 * they take, instead of running for SECONDS: a fixed amount of work; and
 * with -S UPDATES too, the updates move after that many (a fixed amount
 * of work on each hot set).
 *
 * usage: hotset [-m HOT_MIB] [-c COLD_MIB] [-t SECONDS | -n UPDATES] [-s SHIFT | -S UPDATES]
 * Output: "hotset: frames N: F:P F:P ..." (the N distinct 2 MiB
 * guest-physical frames, gpa >> 21, holding the hot set, each with the
 * number P of its 4 KiB pages in it, from /proc/self/pagemap), with -s
 * "hotset: shifted" and the new hot set's frames line at the shift, then
 * "hotset: done updates=N seconds=S" (S with -t; with -n, "seconds=S.sss
 * start=B.bbb", the time the updates took and when they started, in
 * seconds since boot as /proc/uptime counts, and with -S " shift=T.ttt",
 * the seconds from the start to the shift). Exit status 0 on success.
 * The updates begin and end with the traffic meter's phase instruction,
 * and -S's shift both ends and begins a phase with it
 * (xchg %bx,%bx, tools/meter/meter.c; a no-op without the meter): the
 * meter's clock places them where the guest's, which drifts from it by
 * tenths of a second, cannot. Each 4 MiB the start writes and, with -n,
 * each 1/32 of the updates end with the meter's progress instruction
 * (xchg %si,%si): points of the same work in every run, so that the
 * analysis maps one run's time onto another's (tools/evalreal/analyse.sh).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB	(1UL << 20)
#define HUGE	(2 * MIB)
#define PAGE	4096UL

static uint8_t *alloc_aligned(size_t len)
{
	uint8_t *p = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

static void meter_phase(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xdb" ::: "memory", "bx");
}

static void meter_progress(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xf6" ::: "memory", "si");
}

#define FILL_STEP	(4 * MIB)

/* memset() in steps, each ending with a progress point. */
static void fill(uint8_t *p, int v, size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = len - off < FILL_STEP ? len - off : FILL_STEP;
		memset(p + off, v, n);
		meter_progress();
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Prints the distinct 2 MiB guest-physical frames under [p, p+len). */
static int print_frames(const uint8_t *p, size_t len)
{
	size_t n = len / PAGE, i, k = 0;
	uint64_t e, *fr = calloc(n, sizeof(uint64_t));
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || !fr) {
		perror("hotset: pagemap");
		return -1;
	}
	for (i = 0; i < n; i++) {
		off_t off = (off_t)(((uintptr_t)p / PAGE + i) * 8);

		if (pread(fd, &e, 8, off) != 8 || !(e >> 63) || !(e & ((1ULL << 55) - 1))) {
			fprintf(stderr, "hotset: page %zu not present or no PFN\n", i);
			close(fd);
			free(fr);
			return -1;
		}
		fr[i] = (e & ((1ULL << 55) - 1)) >> 9;
	}
	close(fd);
	qsort(fr, n, sizeof(*fr), cmp_u64);
	for (i = 0; i < n; i++)
		k += !i || fr[i] != fr[i - 1];
	printf("hotset: frames %zu:", k);
	for (i = 0; i < n; i += k) {
		for (k = 1; i + k < n && fr[i + k] == fr[i]; k++)
			;
		printf(" %llu:%zu", (unsigned long long)fr[i], k);
	}
	printf("\n");
	free(fr);
	return 0;
}

/* Seconds since boot, the clock of /proc/uptime. */
static double boot_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long hot = 32, cold = 0, secs = 10, shift = 0;
	uint64_t x = 88172645463325252ULL, updates = 0, words, *h, n = 0, at = 0, step;
	double t0, boot0, shifted = 0;
	uint8_t *c, *h2 = NULL;
	int opt, k;

	while ((opt = getopt(argc, argv, "m:c:t:n:s:S:")) != -1) {
		switch (opt) {
		case 'm': hot = strtoul(optarg, NULL, 0); break;
		case 'c': cold = strtoul(optarg, NULL, 0); break;
		case 't': secs = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoull(optarg, NULL, 0); break;
		case 's': shift = strtoul(optarg, NULL, 0); break;
		case 'S': at = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: hotset [-m HOT_MIB] [-c COLD_MIB] [-t SECONDS | -n UPDATES] [-s SHIFT | -S UPDATES]\n");
			return 2;
		}
	}
	if (at && (!n || shift || at >= n)) {
		fprintf(stderr, "hotset: -S needs -n, more updates than it, and no -s\n");
		return 2;
	}
	h = (uint64_t *)alloc_aligned(hot * MIB);
	c = cold ? alloc_aligned(cold * MIB) : NULL;
	if (shift || at)
		h2 = alloc_aligned(hot * MIB);
	if (!hot || !h || (cold && !c) || ((shift || at) && !h2)) {
		fprintf(stderr, "hotset: cannot map %lu + %lu MiB\n", hot, cold);
		return 1;
	}
	fill((uint8_t *)h, 1, hot * MIB);
	if (c)
		fill(c, 2, cold * MIB);
	if (h2)
		fill(h2, 3, hot * MIB);
	if (print_frames((uint8_t *)h, hot * MIB))
		return 1;
	fflush(stdout);
	words = hot * MIB / 8;
	/* A progress point each 1/32 of -n's updates, in whole batches. */
	step = (n / 32 + 4095) / 4096 * 4096;
	meter_phase();
	t0 = now_s();
	boot0 = boot_s();
	while (n ? updates < n : now_s() - t0 < (double)secs) {
		if (h2 && (at ? updates >= at : now_s() - t0 >= (double)shift)) {
			h = (uint64_t *)h2;
			h2 = NULL;
			shifted = now_s() - t0;
			if (at) {
				meter_phase();
				meter_phase();
			}
			printf("hotset: shifted\n");
			if (print_frames((uint8_t *)h, hot * MIB))
				return 1;
			fflush(stdout);
		}
		for (k = 0; k < 4096; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			h[x % words] += x;
		}
		updates += 4096;
		if (n && step && updates % step == 0)
			meter_progress();
	}
	meter_phase();
	if (n && at)
		printf("hotset: done updates=%llu seconds=%.3f start=%.3f shift=%.3f\n",
		       (unsigned long long)updates, now_s() - t0, boot0, shifted);
	else if (n)
		printf("hotset: done updates=%llu seconds=%.3f start=%.3f\n",
		       (unsigned long long)updates, now_s() - t0, boot0);
	else
		printf("hotset: done updates=%llu seconds=%lu\n",
		       (unsigned long long)updates, secs);
	return 0;
}
