/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for hmmv's unit and system test programs, in the
 * spirit of the kselftest harness: a plan, ok/not ok lines, diagnostics.
 */
#ifndef HMMV_TESTS_TAP_H
#define HMMV_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct tap {
	int n;
	int failed;
};

static struct tap tap_state;

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_state.n++;
	if (!cond)
		tap_state.failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_state.n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline void tap_skip(const char *why, const char *name)
{
	tap_state.n++;
	printf("ok %d - %s # SKIP %s\n", tap_state.n, name, why);
	fflush(stdout);
}

#define tap_is(got, want, name)                                              \
	({                                                                   \
		long long __g = (long long)(got), __w = (long long)(want);   \
		int __r = tap_ok(__g == __w, "%s", name);                    \
		if (!__r)                                                    \
			tap_diag("  got %lld, want %lld", __g, __w);         \
		__r;                                                         \
	})

/* Ends the program: prints a plan when none was given up front. */
static inline int tap_done(int planned)
{
	if (!planned)
		printf("1..%d\n", tap_state.n);
	fflush(stdout);
	return tap_state.failed ? 1 : 0;
}

#endif
