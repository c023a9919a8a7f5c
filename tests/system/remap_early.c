// SPDX-License-Identifier: GPL-2.0
/*
 * Remaps as early as a VM allows: waits for control socket SOCK to appear,
 * then moves chunks FIRST..LAST-1 to the slow tier and back, round after
 * round, as fast as the socket answers, until the socket goes away or
 * SECONDS pass. With PIDFILE and FILE, first tells whether the process
 * named in PIDFILE had FILE open when the socket appeared (a --disk image
 * is opened after the guest is loaded). Prints its findings as TAP
 * comments; always exits 0 (the calling test judges them and the guest).
 *
 * usage: remap_early SOCK FIRST LAST SECONDS [PIDFILE FILE]
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmm/control.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool sock_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISSOCK(st.st_mode);
}

/* One request; true when the server answered "ok". */
static bool request(const char *sock, const char *req)
{
	char why[256], *ans;
	size_t len;
	bool ok;

	if (control_request(sock, req, 5000, &ans, &len, why, sizeof(why)) < 0)
		return false;
	ok = len >= 2 && !memcmp(ans, "ok", 2);
	free(ans);
	return ok;
}

/* Whether process @pid (from @pidfile) has @file open. */
static bool has_open(const char *pidfile, const char *file)
{
	char dir[64], path[PATH_MAX], link[PATH_MAX];
	struct dirent *d;
	bool found = false;
	FILE *f;
	DIR *fds;
	int pid = 0;
	ssize_t n;

	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%d", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = pid > 0 ? opendir(dir) : NULL;
	while (fds && !found && (d = readdir(fds))) {
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = 0;
			found = !strcmp(link, file);
		}
	}
	if (fds)
		closedir(fds);
	return found;
}

int main(int argc, char **argv)
{
	unsigned int first, last, c, ok = 0, failed = 0;
	double t0, t_sock, limit;
	char req[64];
	int i;

	if (argc != 5 && argc != 7) {
		fprintf(stderr, "usage: remap_early SOCK FIRST LAST SECONDS [PIDFILE FILE]\n");
		return 2;
	}
	first = (unsigned int)strtoul(argv[2], NULL, 0);
	last = (unsigned int)strtoul(argv[3], NULL, 0);
	limit = strtod(argv[4], NULL);
	t0 = now_s();
	while (!sock_exists(argv[1]) && now_s() - t0 < 120)
		usleep(200);
	t_sock = now_s();
	printf("# remap_early: socket after %.2f s\n", t_sock - t0);
	if (argc == 7)
		printf("# remap_early: when the socket appeared %s was %s\n", argv[6],
		       has_open(argv[5], argv[6]) ? "open" : "not open");
	while (sock_exists(argv[1]) && now_s() - t_sock < limit) {
		for (c = first; c < last; c++) {
			for (i = 0; i < 2; i++) {
				snprintf(req, sizeof(req), "remap %u %s", c, i ? "dram" : "nvm");
				if (request(argv[1], req))
					ok++;
				else
					failed++;
			}
		}
	}
	printf("# remap_early: %u remaps ok, %u not (%.1f s)\n", ok, failed, now_s() - t_sock);
	return 0;
}
