// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the access trace format (hmmv/trace.h): round trip, checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/trace.h"
#include "tests/tap.h"

static uint8_t *write_sample(size_t *len, const struct trace_hdr *h,
			     const struct trace_rec *r, uint32_t n)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	trace_write_header(f, h);
	trace_write_block(f, h, 0, 0, r, n);
	trace_write_block(f, h, 0, 1, r, 2);
	trace_write_block(f, h, 3, 0, r + 1, n - 1);
	trace_write_end(f);
	fclose(f);
	return (uint8_t *)buf;
}

int main(void)
{
	struct trace_hdr h = { .page_shift = 12, .nvms = 2, .interval_ns = 100000000 };
	struct trace_rec r[4] = {
		{ 0, 5, 1 }, { 7, 0, 3 }, { 300, 70000, 0 }, { 4095, 1, 1 },
	};
	struct trace_rec got[8], bad[2] = { { 9, 1, 0 }, { 9, 1, 0 } };
	struct trace_cursor c;
	struct trace_block b;
	uint8_t *buf;
	size_t len;
	int ok;

	tap_plan(12);
	h.vm_pages[0] = 4096;
	h.vm_pages[1] = 512;
	buf = write_sample(&len, &h, r, 4);
	tap_ok(buf && len > 40, "trace written");
	tap_is(trace_open_mem(&c, buf, len), 0, "header parses");
	tap_ok(c.hdr.nvms == 2 && c.hdr.vm_pages[0] == 4096 &&
	       c.hdr.interval_ns == 100000000, "header fields round-trip");
	ok = trace_next_block(&c, &b, got, 8) == 1 && b.interval == 0 &&
	     b.vm == 0 && b.nrec == 4 && !memcmp(got, r, sizeof(r));
	tap_ok(ok, "first block round-trips records exactly");
	ok = trace_next_block(&c, &b, got, 8) == 1 && b.vm == 1 && b.nrec == 2;
	ok = trace_next_block(&c, &b, got, 8) == 1 && ok && b.interval == 3 &&
	     got[0].page == 7 && got[2].page == 4095;
	tap_ok(ok, "later blocks round-trip");
	tap_is(trace_next_block(&c, &b, got, 8), 0, "end marker reached");

	tap_is(trace_open_mem(&c, buf, len - 1), 0, "truncated trace: header still fine");
	while (trace_next_block(&c, &b, got, 8) == 1)
		;
	tap_is(trace_next_block(&c, &b, got, 8), -ENODATA, "truncated trace detected");
	tap_is(trace_write_block(stdout, &h, 0, 0, bad, 2), -EINVAL,
	       "writer refuses unsorted pages");
	tap_is(trace_open_mem(&c, buf, len), 0, "reopen");
	tap_is(trace_next_block(&c, &b, got, 2), -E2BIG, "too many records for the buffer");
	buf[0] = 'X';
	tap_is(trace_open_mem(&c, buf, len), -EINVAL, "bad magic refused");
	free(buf);
	return tap_done(1);
}
