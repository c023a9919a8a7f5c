// SPDX-License-Identifier: GPL-2.0
/* Unit tests for hmmv capture (tools/capture/): LLC filter, lackey parser, packing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/capture/capture.h"
#include "tests/tap.h"
#include "vmm/cmd.h"

static void test_llc(void)
{
	struct llc c;
	uint64_t v = 0;
	int r, i;

	tap_is(llc_init(&c, 1000, 4), -EINVAL, "llc: size not a whole number of sets refused");
	tap_is(llc_init(&c, 4096, 0), -EINVAL, "llc: zero ways refused");
	/* 2 sets of 2 ways: lines 0, 2, 4 share set 0. */
	if (!tap_is(llc_init(&c, 4 * 64, 2), 0, "llc: 2 sets x 2 ways"))
		return;
	tap_is(llc_access(&c, 0, 0, &v), LLC_MISS, "llc: first access misses");
	tap_is(llc_access(&c, 0, 0, &v), LLC_HIT, "llc: second access hits");
	tap_is(llc_access(&c, 2, 1, &v), LLC_MISS, "llc: a store to a new line misses (write-allocate)");
	tap_is(llc_access(&c, 0, 0, &v), LLC_HIT, "llc: line 0 still cached (2 ways)");
	r = llc_access(&c, 4, 0, &v);
	tap_ok(r == (LLC_MISS | LLC_WRITEBACK) && v == 2,
	       "llc: LRU line 2, dirty, is written back on eviction");
	r = llc_access(&c, 6, 0, &v);
	tap_is(r, LLC_MISS, "llc: a clean LRU line (0) goes without a write-back");
	tap_is(llc_access(&c, 1, 0, &v), LLC_MISS, "llc: set 1 is independent of set 0");
	for (i = 0; i < 3; i++)
		llc_access(&c, 4, 0, &v);
	tap_is(llc_access(&c, 4, 0, &v), LLC_HIT, "llc: repeated hits stay hits");
	llc_free(&c);
}

static int cap_init(struct capture *c, uint64_t interval, uint64_t skip, uint64_t max)
{
	memset(c, 0, sizeof(*c));
	c->interval = interval;
	c->skip = skip;
	c->max = max;
	if (llc_init(&c->llc, 2 * 64, 2))
		return -1;
	return pagemap_create(&c->map);
}

static void cap_fini(struct capture *c)
{
	pagemap_destroy(c->map);
	llc_free(&c->llc);
}

static void test_parse(void)
{
	const char *log = "==123== Lackey, an example Valgrind tool\n"
			  "I  00400000,4\n"
			  " L 00001000,8\n"
			  " S 00002000,8\n"
			  " M 00003000,4\n"
			  " L 0000103e,4\n"	/* crosses into line 0x41 */
			  "garbage line\n"
			  " L 00005000,8\n";
	struct capture c;
	size_t len = strlen(log), cut;

	if (cap_init(&c, 2, 0, 100))
		return;
	/* In two pieces cut mid-line: the split line must count once. */
	cut = 60;
	tap_is(capture_feed(&c, log, cut), 0, "parse: first piece");
	tap_is(capture_feed(&c, log + cut, len - cut), 0, "parse: second piece");
	tap_is(c.fetches, 1, "parse: one instruction fetch");
	tap_is(capture_recorded(&c), 5, "parse: five data accesses (valgrind and junk lines ignored)");
	tap_is(pagemap_intervals(c.map), 2, "parse: an interval closes every 2 accesses");
	cap_fini(&c);

	if (cap_init(&c, 1, 2, 2))
		return;
	capture_feed(&c, log, len);
	tap_ok(c.done && capture_recorded(&c) == 2, "parse: stops after max recorded accesses");
	tap_is(c.seen, 4, "parse: skipped accesses are not recorded");
	cap_fini(&c);
}

/* The trace of m (100 ms intervals) into a memory buffer, and (tbuf) its touches. */
static int write_both(struct pagemap *m, double scale, int paced, char **buf,
		      size_t *len, char **tbuf, size_t *tlen)
{
	FILE *f = open_memstream(buf, len), *t = NULL;
	int r = -ENOMEM;

	if (tbuf)
		t = open_memstream(tbuf, tlen);
	if (f && (!tbuf || t))
		r = pagemap_write(m, f, t, 100000000, scale, paced);
	if (f)
		fclose(f);
	if (t)
		fclose(t);
	return r;
}

static int write_mem(struct pagemap *m, double scale, int paced, char **buf,
		     size_t *len)
{
	return write_both(m, scale, paced, buf, len, NULL, NULL);
}

static void test_pack(void)
{
	struct pagemap *m;
	struct trace_cursor cur;
	struct trace_block b;
	struct trace_rec rec[8];
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (pagemap_create(&m))
		return;
	/* Two regions far apart: virtual pages 5 and 0x100000 + 7. */
	pagemap_count(m, 5, 0);
	pagemap_count(m, 5, 0);
	pagemap_count(m, 0x100007, 1);
	pagemap_end_interval(m);
	pagemap_count(m, 0x100007, 0);
	pagemap_end_interval(m);
	tap_is(pagemap_transfers(m), 4, "pack: four transfers recorded");
	r = write_mem(m, 3, 0, &buf, &len);
	tap_is(r, 0, "pack: written");
	r = trace_open_mem(&cur, (const uint8_t *)buf, len);
	tap_ok(!r && cur.hdr.vm_pages[0] == 1024, "pack: two 2 MiB regions, packed");
	r = trace_next_block(&cur, &b, rec, 8);
	tap_ok(r == 1 && b.nrec == 2 && rec[0].page == 5 && rec[1].page == 512 + 7,
	       "pack: offsets in a region kept, regions in address order");
	tap_ok(rec[0].reads == 6 && rec[1].writes == 3 && rec[1].reads == 0,
	       "pack: counts scaled");
	r = trace_next_block(&cur, &b, rec, 8);
	tap_ok(r == 1 && b.interval == 1 && b.nrec == 1, "pack: second interval");
	tap_is(trace_next_block(&cur, &b, rec, 8), 0, "pack: end marker");
	free(buf);
	pagemap_destroy(m);
}

/* Paced: a burst of 6 transfers and two of 1 re-cut into 3 of 8/3 each. */
static void test_pace(void)
{
	struct pagemap *m;
	struct trace_cursor cur;
	struct trace_block b;
	struct trace_rec rec[8];
	uint64_t sum[3] = { 0 }, all = 0;
	char *buf = NULL;
	size_t len = 0;
	int r, k, n = 0, p1 = 0;

	if (pagemap_create(&m))
		return;
	for (k = 0; k < 6; k++)
		pagemap_count(m, 1, 0);
	pagemap_end_interval(m);
	pagemap_count(m, 2, 1);
	pagemap_end_interval(m);
	pagemap_count(m, 3, 0);
	pagemap_end_interval(m);
	r = write_mem(m, 300, 1, &buf, &len);
	tap_is(r, 0, "pace: written");
	r = trace_open_mem(&cur, (const uint8_t *)buf, len);
	while (!r && trace_next_block(&cur, &b, rec, 8) == 1 && n < 3) {
		for (k = 0; k < (int)b.nrec; k++) {
			sum[b.interval] += rec[k].reads + rec[k].writes;
			p1 += rec[k].page == 1;
		}
		all += sum[b.interval];
		n++;
	}
	tap_is(n, 3, "pace: as many intervals as recorded");
	tap_ok(sum[0] == 800 && sum[1] == 800 && sum[2] == 800,
	       "pace: equal transfers in each (the burst spread over two and a third)");
	tap_ok(all == 2400 && p1 == 3, "pace: every transfer kept; the burst's page in all three");
	free(buf);
	pagemap_destroy(m);
}

/*
 * Touches: every access, a cache hit or not, per page of the trace's
 * layout, in a second trace of the same header and intervals.
 */
static void test_touch(void)
{
	const char *log = " L 00005000,8\n L 00005000,8\n S 00005008,8\n"
			  " L 00009000,4\n L 00009000,4\n"
			  " L 80000000,4\n";
	struct trace_cursor cur, tcur;
	struct trace_block b, tb;
	struct trace_rec rec[8], trec[8];
	struct capture c;
	char *buf = NULL, *tbuf = NULL;
	size_t len = 0, tlen = 0;
	int r;

	/* One interval; the LLC holds 2 lines: page 0x80000's evicts page 5's. */
	if (cap_init(&c, 6, 0, 6))
		return;
	capture_feed(&c, log, strlen(log));
	pagemap_end_interval(c.map);
	r = write_both(c.map, 2, 0, &buf, &len, &tbuf, &tlen);
	tap_is(r, 0, "touch: both traces written");
	r = trace_open_mem(&cur, (const uint8_t *)buf, len);
	r = r ? r : trace_open_mem(&tcur, (const uint8_t *)tbuf, tlen);
	tap_ok(!r && !memcmp(&cur.hdr, &tcur.hdr, sizeof(cur.hdr)),
	       "touch: the touch trace has the trace's header (layout, interval)");
	r = trace_next_block(&cur, &b, rec, 8);
	tap_ok(r == 1 && b.nrec == 3 && rec[0].page == 5 && rec[0].reads == 2 &&
	       rec[1].page == 9 && rec[1].reads == 2,
	       "touch: the trace keeps the fills only (page 5 one, page 9 one, scaled x2)");
	tap_ok(r == 1 && rec[0].writes == 2 && rec[2].page == 512,
	       "touch: page 5's dirty line written back; page 0x80000 a region of its own");
	r = trace_next_block(&tcur, &tb, trec, 8);
	tap_ok(r == 1 && tb.nrec == 3 && trec[0].page == 5 && trec[0].reads == 6 &&
	       trec[0].writes == 0 && trec[1].page == 9 && trec[1].reads == 4 &&
	       trec[2].page == 512 && trec[2].reads == 2,
	       "touch: every access counted, hits too (page 5 three, page 9 two, x2)");
	free(buf);
	free(tbuf);
	cap_fini(&c);
}

/* Touches of a page never transferred: outside the layout, not in either trace. */
static void test_touch_only(void)
{
	struct trace_cursor cur, tcur;
	struct trace_block b, tb;
	struct trace_rec rec[8], trec[8];
	struct pagemap *m;
	char *buf = NULL, *tbuf = NULL;
	size_t len = 0, tlen = 0;
	uint64_t tsum = 0;
	int r, k, n = 0, p4 = 0, m4 = 0;

	if (pagemap_create(&m))
		return;
	pagemap_count(m, 1, 0);
	pagemap_touch(m, 1);
	pagemap_touch(m, 0x400000);	/* a region of touches alone */
	pagemap_end_interval(m);
	pagemap_touch(m, 4);		/* an interval with no transfer */
	pagemap_touch(m, 4);
	pagemap_end_interval(m);
	pagemap_count(m, 2, 0);
	pagemap_touch(m, 2);
	pagemap_end_interval(m);
	r = write_both(m, 300, 1, &buf, &len, &tbuf, &tlen);
	r = r ? r : trace_open_mem(&cur, (const uint8_t *)buf, len);
	r = r ? r : trace_open_mem(&tcur, (const uint8_t *)tbuf, tlen);
	tap_ok(!r && cur.hdr.vm_pages[0] == 512,
	       "touch: a region only touched is not in the layout");
	while (!r && trace_next_block(&tcur, &tb, trec, 8) == 1) {
		for (k = 0; k < (int)tb.nrec; k++) {
			tsum += trec[k].reads;
			p4 += trec[k].page == 4;
		}
		n++;
	}
	tap_ok(n == 3 && tsum == 1200 && p4 == 1,
	       "touch: paced, every touch in the layout kept, those of an interval "
	       "without transfers in one (%d intervals, %llu touches)", n,
	       (unsigned long long)tsum);
	while (!r && trace_next_block(&cur, &b, rec, 8) == 1)
		for (k = 0; k < (int)b.nrec; k++)
			m4 += rec[k].page == 4;
	tap_ok(!r && !m4, "touch: a page only touched has no record in the trace");
	free(buf);
	free(tbuf);
	pagemap_destroy(m);
}

/*
 * cmd_capture(argv) in a child, its stderr captured: the exit status (-1
 * if it did not exit), the number of lines it wrote there and the first.
 */
static int capture_child(char **argv, int argc, char *first, size_t len, int *lines)
{
	char err[] = "/tmp/hmmv-capture-err.XXXXXX", line[256];
	int fd = mkstemp(err), st = -1;
	FILE *f;
	pid_t pid;

	*lines = 0;
	first[0] = 0;
	if (fd < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(fd, 2);
		_exit(cmd_capture(argc, argv));
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	close(fd);
	f = fopen(err, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!(*lines)++)
			snprintf(first, len, "%s", line);
	if (f)
		fclose(f);
	unlink(err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A fresh name in /tmp that does not exist (the mkdtemp template, removed). */
static int fresh_name(char *tmpl)
{
	return mkdtemp(tmpl) && !rmdir(tmpl) ? 0 : -1;
}

/* --pace takes transfers or accesses: anything else is a usage error. */
static void test_pace_flag(void)
{
	char out[] = "/tmp/hmmv-capture-pace.XXXXXX", first[256];
	char *argv[] = { "capture", "-o", out, "--pace", "fast", "true", NULL };
	int st, lines;

	if (fresh_name(out))
		return;
	st = capture_child(argv, 6, first, sizeof(first), &lines);
	tap_is(st, 2, "--pace fast: exit 2");
	tap_ok(lines == 1 && strstr(first, "--pace") && strstr(first, "fast"),
	       "--pace fast: one line naming the flag and the value (%d lines)", lines);
	tap_ok(access(out, F_OK) && errno == ENOENT, "--pace fast: no trace file left behind");
}

/* A --touch-output that cannot be written: one line, exit 1, no -o file left. */
static void test_touch_flag(void)
{
	char out[] = "/tmp/hmmv-capture-touch.XXXXXX", first[256];
	char *argv[] = { "capture", "-o", out, "--touch-output",
			 "/nonexistent-hmmv-dir/x.touch", "true", NULL };
	int st, lines;

	if (fresh_name(out))
		return;
	st = capture_child(argv, 6, first, sizeof(first), &lines);
	tap_is(st, 1, "--touch-output unwritable: exit 1");
	tap_ok(lines == 1 && strstr(first, "--touch-output") && strstr(first, "x.touch"),
	       "--touch-output unwritable: one line naming the flag and the file (%d lines)",
	       lines);
	tap_ok(access(out, F_OK) && errno == ENOENT,
	       "--touch-output unwritable: the -o trace is not left behind");
	/* The same file for both: a usage error, before anything is opened. */
	argv[4] = out;
	st = capture_child(argv, 6, first, sizeof(first), &lines);
	tap_ok(st == 2 && lines == 1 && strstr(first, "same file") && access(out, F_OK),
	       "--touch-output the -o file: exit 2, one line, nothing written");
}

int main(void)
{
	test_llc();
	test_parse();
	test_pack();
	test_pace();
	test_touch();
	test_touch_only();
	test_pace_flag();
	test_touch_flag();
	return tap_done(0);
}
