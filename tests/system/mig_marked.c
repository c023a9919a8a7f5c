// SPDX-License-Identifier: GPL-2.0
/*
 * Moves chunks through a VM's control socket between traffic-meter marks,
 * for meter_copy (tests/system/meter_copy.sh). Each argument after the
 * socket is one step: "mark" executes the meter's marker instruction
 * (xchg %cx,%cx) and prints "# meter-mark: mark"; "nvm:N" moves chunk N to
 * the slow tier, "dram:N" to DRAM, both by the write-protect method
 * ("remap N TIER wp", vmm/control.h's control_request()), printing
 * "# mig_marked: remap N TIER wp -> ANSWER".
 * Exit status 0 when every move answered "ok", 1 otherwise, 2 on bad
 * arguments.
 *
 * usage: mig_marked SOCKET STEP...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/control.h"

static void meter_mark(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
}

/* One step; 0 when done as asked. */
static int step(const char *sock, const char *s)
{
	char req[64], why[256], *ans, *end;
	const char *tier = NULL;
	unsigned long c;
	size_t len;
	int ok;

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
	snprintf(req, sizeof(req), "remap %lu %s wp", c, tier);
	if (control_request(sock, req, 5000, &ans, &len, why, sizeof(why)) < 0) {
		printf("# mig_marked: %s -> %s\n", req, why);
		return -EIO;
	}
	ans[strcspn(ans, "\n")] = '\0';
	printf("# mig_marked: %s -> %s\n", req, ans);
	ok = !strncmp(ans, "ok", 2);
	free(ans);
	return ok ? 0 : -EIO;
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
