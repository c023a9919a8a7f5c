// SPDX-License-Identifier: GPL-2.0
/*
 * Moves chunks through a VM's control socket between traffic-meter marks,
 * for meter_copy (tests/system/meter_copy.sh). Each argument after the
 * socket is one step: "mark" executes the meter's marker instruction
 * (xchg %cx,%cx) and prints "# meter-mark: mark"; "nvm:N" moves chunk N to
 * the slow tier, "dram:N" to DRAM, both by the write-protect method
 * ("remap N TIER wp"), printing "# mig_marked: remap N TIER -> ANSWER".
 * Exit status 0 when every move answered "ok", 1 otherwise, 2 on bad
 * arguments.
 *
 * usage: mig_marked SOCKET STEP...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void meter_mark(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
}

/* One request, the whole answer in @ans; 0 or -errno. */
static int request(const char *path, const char *req, char *ans, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t k;
	int fd, r = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		r = -errno;
	while (!r && got < n - 1 && (k = read(fd, ans + got, n - 1 - got)) > 0)
		got += (size_t)k;
	ans[got] = '\0';
	close(fd);
	return r ? r : got ? 0 : -EPIPE;
}

/* One step; 0 when done as asked. */
static int step(const char *sock, const char *s)
{
	char req[64], ans[256], *end;
	const char *tier = NULL;
	unsigned long c;
	int r;

	if (!strcmp(s, "mark")) {
		meter_mark();
		printf("# meter-mark: mark\n");
		return 0;
	}
	if (!strncmp(s, "nvm:", 4))
		tier = "nvm";
	else if (!strncmp(s, "dram:", 5))
		tier = "dram";
	c = tier ? strtoul(strchr(s, ':') + 1, &end, 10) : 0;
	if (!tier || *end || end == strchr(s, ':') + 1)
		return -EINVAL;
	snprintf(req, sizeof(req), "remap %lu %s wp\n", c, tier);
	r = request(sock, req, ans, sizeof(ans));
	ans[strcspn(ans, "\n")] = '\0';
	printf("# mig_marked: remap %lu %s -> %s\n", c, tier, r ? strerror(-r) : ans);
	return r || strncmp(ans, "ok", 2) ? -EIO : 0;
}

int main(int argc, char **argv)
{
	int i, r, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: mig_marked SOCKET mark|nvm:N|dram:N...\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		r = step(argv[1], argv[i]);
		if (r == -EINVAL) {
			fprintf(stderr, "mig_marked: step '%s': not mark, nvm:N or dram:N\n", argv[i]);
			return 2;
		}
		failed |= r != 0;
		fflush(stdout);
	}
	return failed;
}
