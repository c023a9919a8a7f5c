// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: 4 KiB sequential and random read and write on a file or block
 * device, each phase for a fixed time, one request at a time; prints
 * throughput and per-request latency percentiles. The same program runs in
 * the guest (/bin/blkbench on /dev/vda) and on the test host (dev_blkbench
 * on the image file), so `make bench-blk` can report ratios.
 *   blkbench PATH MIB SECONDS
 *   blkbench --rtt DEVICE COUNT   (COUNT 64-byte reads, e.g. of /dev/hwrng:
 *                                  the virtio round trip without any disk)
 * O_DIRECT is used where the file supports it (the output says which).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_DIRECT */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BS		4096
#define MAX_SAMPLES	(1 << 20)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One phase: returns 0 and prints a line, or -1 on an I/O error. */
static int phase(int fd, const char *name, int write, int rnd, uint64_t blocks,
		 double secs, uint8_t *buf, double *lat, const char *mode)
{
	double t0 = now_us(), t, end = t0 + secs * 1e6;
	uint64_t n = 0, blk, seed = 0x9e3779b97f4a7c15ULL;
	ssize_t r;

	do {
		blk = rnd ? next_rand(&seed) % blocks : n % blocks;
		t = now_us();
		r = write ? pwrite(fd, buf, BS, (off_t)(blk * BS))
			  : pread(fd, buf, BS, (off_t)(blk * BS));
		if (r != BS) {
			fprintf(stderr, "blkbench: %s at block %llu: %s\n", name,
				(unsigned long long)blk, r < 0 ? strerror(errno) : "short");
			return -1;
		}
		if (n < MAX_SAMPLES)
			lat[n] = now_us() - t;
		n++;
	} while (now_us() < end);
	if (write && fdatasync(fd) && errno != EINVAL) {
		perror("blkbench: fdatasync");
		return -1;
	}
	t = now_us() - t0;
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("blkbench: %s ops %llu MBps %.2f p50 %.1f p99 %.1f p999 %.1f mode %s\n",
	       name, (unsigned long long)n, n * (double)BS / t, lat[n / 2],
	       lat[n * 99 / 100], lat[n * 999 / 1000], mode);
	fflush(stdout);
	return 0;
}

/* Latency of small reads from a device that answers each with one request. */
static int rtt(const char *path, long count, double *lat)
{
	uint8_t buf[64];
	long i;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || count <= 0 || count > MAX_SAMPLES) {
		fprintf(stderr, "blkbench: --rtt %s %ld: %s\n", path, count,
			fd < 0 ? strerror(errno) : "bad count");
		return 1;
	}
	for (i = 0; i < count; i++) {
		double t = now_us();

		if (read(fd, buf, sizeof(buf)) <= 0) {
			perror("blkbench: read");
			close(fd);
			return 1;
		}
		lat[i] = now_us() - t;
	}
	close(fd);
	qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
	printf("blkbench: rtt ops %ld p50 %.1f p99 %.1f\n", count, lat[count / 2],
	       lat[count * 99 / 100]);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int write, rnd; } ph[] = {
		{ "seqread", 0, 0 }, { "randread", 0, 1 },
		{ "seqwrite", 1, 0 }, { "randwrite", 1, 1 },
	};
	const char *mode = "direct";
	uint64_t blocks;
	double secs, *lat;
	uint8_t *buf;
	size_t i;
	int fd;

	if (argc == 4 && !strcmp(argv[1], "--rtt")) {
		lat = malloc(MAX_SAMPLES * sizeof(*lat));
		return lat ? rtt(argv[2], atol(argv[3]), lat) : 1;
	}
	if (argc != 4 || atoi(argv[2]) <= 0 || atof(argv[3]) <= 0) {
		fprintf(stderr, "usage: blkbench PATH MIB SECONDS | blkbench --rtt DEVICE COUNT\n");
		return 2;
	}
	blocks = (uint64_t)atoi(argv[2]) * (1 << 20) / BS;
	secs = atof(argv[3]);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 && errno == EINVAL) {
		mode = "buffered";
		fd = open(argv[1], O_RDWR);
	}
	if (fd < 0) {
		fprintf(stderr, "blkbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	lat = malloc(MAX_SAMPLES * sizeof(*lat));
	if (!lat || posix_memalign((void **)&buf, BS, BS)) {
		fprintf(stderr, "blkbench: out of memory\n");
		return 1;
	}
	memset(buf, 0xa5, BS);
	for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
		if (phase(fd, ph[i].name, ph[i].write, ph[i].rnd, blocks, secs, buf, lat, mode))
			return 1;
	free(buf);
	free(lat);
	close(fd);
	return 0;
}
