// SPDX-License-Identifier: GPL-2.0
/*
 * make eval's captures (tools/capture/programs.sh) do not depend on where
 * they are taken: the same program captured into two directories of
 * different path lengths, from different working directories, gives the
 * same trace and touches, byte for byte. Short captures
 * (CAPTURE_ACCESSES) of perl and python, whose hashes are otherwise
 * seeded at random.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"

#define SCRIPT "tools/capture/programs.sh"

/* Whether files a and b hold the same bytes (both readable, not empty). */
static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = fa && fb, n = 0;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
		n++;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same && n > 0;
}

/* Runs cmd through the shell; 0 when it exited 0. */
static int run(const char *cmd)
{
	int st = system(cmd);

	return st == 0 ? 0 : -1;
}

static void check_program(const char *root, const char *base, const char *prog)
{
	static const char *const ext[] = { "trace", "touch" }, *const what[] = { "trace", "touches" };
	char cmd[3 * PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	int ok, i;

	/* From the tree with relative paths; from the output with absolute ones. */
	ok = snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir -p '%s/a' && CAPTURE_ACCESSES=200000 "
		      "sh " SCRIPT " build/hmmv '%s/a' %s >/dev/null 2>&1",
		      root, base, base, prog) < (int)sizeof(cmd) && !run(cmd);
	ok = ok && snprintf(cmd, sizeof(cmd), "mkdir -p '%s/a-much-longer-directory-name' && "
			    "cd '%s/a-much-longer-directory-name' && CAPTURE_ACCESSES=200000 "
			    "sh '%s/" SCRIPT "' '%s/build/hmmv' . %s >/dev/null 2>&1",
			    base, base, root, root, prog) < (int)sizeof(cmd) && !run(cmd);
	tap_ok(ok, "%s: captured twice", prog);
	for (i = 0; i < 2; i++) {
		snprintf(a, sizeof(a), "%s/a/%s.%s", base, prog, ext[i]);
		snprintf(b, sizeof(b), "%s/a-much-longer-directory-name/%s.%s", base, prog, ext[i]);
		tap_ok(ok && same_file(a, b), "%s: the same %s from both directories", prog, what[i]);
	}
}

int main(void)
{
	char root[PATH_MAX], base[] = "/tmp/hmmv-capture-repeat.XXXXXX", cmd[PATH_MAX + 16];

	/* make check runs it from the tree, hmmv built, valgrind installed. */
	if (!tap_ok(getcwd(root, sizeof(root)) && !access(SCRIPT, R_OK) &&
		    !access("build/hmmv", X_OK) &&
		    !system("valgrind --version >/dev/null 2>&1") && mkdtemp(base),
		    "run from the tree, with build/hmmv, valgrind and a scratch directory"))
		return tap_done(0);
	check_program(root, base, "perl");
	check_program(root, base, "python");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	tap_ok(!run(cmd), "scratch directory removed");
	return tap_done(0);
}
