// SPDX-License-Identifier: GPL-2.0
/* Unit tests: workload generators keep the trace contract and their shape. */
#include <errno.h>
#include <string.h>

#include "tests/tap.h"
#include "tools/sim/sim.h"

static struct source *open_wl(const char *kind, uint64_t vm_mb, uint64_t hot_mb,
			      double acc)
{
	struct wl_params w;
	struct source *src = NULL;

	wl_params_default(&w);
	w.kind = kind;
	w.vm_bytes = vm_mb << 20;
	w.hot_bytes = hot_mb << 20;
	w.intervals = 10;
	w.accesses = acc;
	if (source_open_workload(&src, &w))
		return NULL;
	return src;
}

/* Pages strictly ascending, in range, never an empty record. */
static int contract_ok(const struct source *src, const struct ival *iv)
{
	uint32_t v, k;

	for (v = 0; v < iv->nvms; v++)
		for (k = 0; k < iv->n[v]; k++) {
			const struct trace_rec *r = &iv->rec[v][k];

			if (r->page >= source_hdr(src)->vm_pages[v] ||
			    (k && r->page <= iv->rec[v][k - 1].page) ||
			    (!r->reads && !r->writes))
				return 0;
		}
	return 1;
}

static void test_contract(const char *kind)
{
	struct source *src = open_wl(kind, 64, 8, 100000);
	struct ival iv;
	int ok = src != NULL, n = 0;

	while (ok && source_next(src, &iv) == 1) {
		ok &= contract_ok(src, &iv);
		n++;
	}
	tap_ok(ok && n == 10, "%s: 10 intervals, pages ascending, in range, non-empty", kind);
	source_close(src);
}

static void test_gups_shape(void)
{
	struct source *src = open_wl("gups", 64, 8, 100000);
	struct ival iv;
	double hot = 0, all = 0;
	uint32_t k, lo = UINT32_MAX, hi = 0;

	while (source_next(src, &iv) == 1)
		for (k = 0; k < iv.n[0]; k++) {
			const struct trace_rec *r = &iv.rec[0][k];

			all += r->reads;
			/* Hot pages get ~45 updates per interval, cold ones ~0.2. */
			if (r->reads >= 20) {
				hot += r->reads;
				lo = r->page < lo ? r->page : lo;
				hi = r->page > hi ? r->page : hi;
			}
		}
	tap_ok(hot / all > 0.88 && hot / all < 0.92, "gups: 90%% of updates in the hot set");
	tap_ok(hi - lo + 1 == 2048 && lo % 512 == 0, "gups: hot set is 8 MiB, chunk aligned");
	source_close(src);
}

static void test_scan_shape(void)
{
	struct source *src = open_wl("scan", 16, 1, 100000);
	struct ival iv;
	uint32_t seen[4096] = { 0 }, k, ok = 1, total = 0;

	/* 100000 / 64 = 1562 pages per interval: 10 intervals = 15620 pages. */
	while (source_next(src, &iv) == 1)
		for (k = 0; k < iv.n[0]; k++) {
			seen[iv.rec[0][k].page]++;
			ok &= iv.rec[0][k].reads == 64;
			total++;
		}
	for (k = 0; k < 4096; k++)
		ok &= seen[k] == 3 || seen[k] == 4;
	tap_ok(ok && total == 15620, "scan: every page read in turn, whole pages, wrapping");
	source_close(src);
}

static void test_mix4_shape(void)
{
	struct source *src = open_wl("mix4", 64, 8, 1000000);
	struct ival iv;
	uint32_t v, k, hotp[4] = { 0 };

	source_next(src, &iv);
	tap_is(iv.nvms, 4, "mix4: four VMs");
	for (v = 0; v < 4; v++)
		for (k = 0; k < iv.n[v]; k++)
			hotp[v] += iv.rec[v][k].reads >= 40;	/* hot >= 110, cold <= 7 */
	/* Hot sets of 1/16 .. 1/2 of 16384 pages. */
	tap_ok(hotp[0] == 1024 && hotp[1] == 2048 && hotp[2] == 4096 && hotp[3] == 8192,
	       "mix4: hot sets of 1/16, 1/8, 1/4, 1/2 of the VM");
	source_close(src);
}

/* Hot pages (>= 20 updates) and pages never touched over 10 intervals. */
static void shape(const char *kind, uint32_t *hot, uint32_t *untouched,
		  uint32_t *hot_chunks)
{
	struct source *src = open_wl(kind, 64, 8, 100000);
	static uint32_t cnt[16384];
	struct ival iv;
	uint32_t k, c, inchunk[32] = { 0 };

	memset(cnt, 0, sizeof(cnt));
	*hot = *untouched = *hot_chunks = 0;
	while (src && source_next(src, &iv) == 1)
		for (k = 0; k < iv.n[0]; k++)
			cnt[iv.rec[0][k].page] += iv.rec[0][k].reads;
	for (k = 0; k < 16384; k++) {
		*hot += cnt[k] >= 200;
		*untouched += !cnt[k];
		inchunk[k / 512] += cnt[k] >= 200;
	}
	for (c = 0; c < 32; c++)
		*hot_chunks += inchunk[c] > 0;
	source_close(src);
}

static void test_weighted_shapes(void)
{
	uint32_t hot, none, chunks;

	shape("clusters", &hot, &none, &chunks);
	tap_ok(hot == 2048 && chunks >= 24, "clusters: 8 MiB hot in 4-64 KiB clusters over "
	       "%u of 32 chunks", chunks);
	tap_ok(none >= 16384 - 2 * 2048, "clusters: memory outside hot and cold regions "
	       "never touched (%u pages)", none);
	shape("coldconf", &hot, &none, &chunks);
	tap_ok(hot == 2048 && none >= 16384 - 2 * 2048,
	       "coldconf: cold traffic confined, %u pages truly cold", none);
	shape("unaligned", &hot, &none, &chunks);
	tap_ok(hot == 2048 && chunks == 5, "unaligned: 8 MiB hot set straddles 5 chunks");
}

int main(void)
{
	struct source *src = NULL;

	test_contract("gups");
	test_contract("gups-fit");
	test_contract("zipf");
	test_contract("shift");
	test_contract("scan");
	test_contract("mix4");
	test_contract("clusters");
	test_contract("unaligned");
	test_contract("coldconf");
	test_contract("phases");
	test_weighted_shapes();
	test_gups_shape();
	test_scan_shape();
	test_mix4_shape();
	tap_is(source_open_workload(&src, &(struct wl_params){ .kind = "nope",
		.vm_bytes = 64 << 20, .hot_bytes = 1 << 20 }), -ENOENT, "unknown workload refused");
	return tap_done(0);
}
