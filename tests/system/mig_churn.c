// SPDX-License-Identifier: GPL-2.0
/*
 * Forces chunk moves at the maximum rate through a VM's control socket,
 * for the integrity test (tests/system/mig_integrity.sh): in turn a random
 * chunk to the slow tier, then a random chunk to DRAM ("remap N TIER
 * METHOD"), so DRAM never stays full. A chunk already there, DRAM full or
 * I/O in flight on the chunk are misses, not failures. Prints one line:
 *   churn: moves=N misses=N busy=N failed=N stall_max_ns=N pause_max_ns=N seconds=N
 * Exit status 0 when nothing failed and the VM answered to the end (or
 * went away after at least one move).
 *
 * usage: mig_churn SOCKET CHUNKS SECONDS wp|pause
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int request(const char *path, const char *req, char *ans, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t k;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		k = -errno;
		close(fd);
		return (int)k;
	}
	while (got < n - 1 && (k = read(fd, ans + got, n - 1 - got)) > 0)
		got += (size_t)k;
	ans[got] = '\0';
	close(fd);
	return got ? 0 : -EPIPE;
}

int main(int argc, char **argv)
{
	unsigned long long moves = 0, misses = 0, busy = 0, failed = 0;
	uint64_t stall, pause, stall_max = 0, pause_max = 0;
	unsigned int chunks, seconds, i = 0;
	char req[64], ans[256];
	time_t t0 = time(NULL);
	int r;

	if (argc != 5 || (strcmp(argv[4], "wp") && strcmp(argv[4], "pause"))) {
		fprintf(stderr, "usage: mig_churn SOCKET CHUNKS SECONDS wp|pause\n");
		return 2;
	}
	chunks = (unsigned int)strtoul(argv[2], NULL, 0);
	seconds = (unsigned int)strtoul(argv[3], NULL, 0);
	if (!chunks) {
		fprintf(stderr, "mig_churn: CHUNKS must be at least 1\n");
		return 2;
	}
	srand((unsigned int)t0);
	while (time(NULL) - t0 < (time_t)seconds) {
		snprintf(req, sizeof(req), "remap %u %s %s\n", (unsigned int)rand() % chunks,
			 i++ % 2 ? "dram" : "nvm", argv[4]);
		r = request(argv[1], req, ans, sizeof(ans));
		if (r)
			break;
		if (sscanf(ans, "ok pause_ns=%" SCNu64 " stall_ns=%" SCNu64, &pause, &stall) == 2) {
			moves++;
			stall_max = stall > stall_max ? stall : stall_max;
			pause_max = pause > pause_max ? pause : pause_max;
		} else if (strstr(ans, "already") || strstr(ans, "No space")) {
			misses++;
		} else if (strstr(ans, "busy")) {
			busy++;
		} else {
			failed++;
			fprintf(stderr, "mig_churn: %s -> %s", req, ans);
		}
	}
	printf("churn: moves=%llu misses=%llu busy=%llu failed=%llu stall_max_ns=%" PRIu64
	       " pause_max_ns=%" PRIu64 " seconds=%lld\n", moves, misses, busy, failed,
	       stall_max, pause_max, (long long)(time(NULL) - t0));
	return failed || !moves ? 1 : 0;
}
