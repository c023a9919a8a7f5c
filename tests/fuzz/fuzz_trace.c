// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the access trace parser (hmmv/trace.h) on any input. */
#include <stdint.h>
#include <stdlib.h>

#include "hmmv/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_rec recs[1 << 16];
	struct trace_cursor c;
	struct trace_block b;
	int r;

	if (trace_open_mem(&c, data, size))
		return 0;
	do
		r = trace_next_block(&c, &b, recs, 1 << 16);
	while (r == 1);
	return 0;
}
