// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the control socket's request framing and parser
 * (vmm/control_req.h) with the server's own verb table (vmm/control.c),
 * without a socket. The input arrives in pieces as reads would deliver it
 * (the first byte picks the piece size); whatever is complete is parsed.
 * Checked: a line never exceeds the limit, a parse either names a verb
 * with valid arguments or yields exactly one "error: ...\n" line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "vmm/control.h"
#include "vmm/control_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parse(const char *line, size_t len)
{
	struct control_req req;
	char err[512];
	size_t n;

	memset(err, 0, sizeof(err));
	if (control_parse(line, len, &req, err, sizeof(err)) == 0) {
		if (!req.verb || !req.verb->run || !req.verb->name)
			abort();
		if ((req.verb->arg == CONTROL_ARG_MOVE || req.verb->arg == CONTROL_ARG_REMAP) &&
		    req.tier != MEM_TIER_DRAM && req.tier != MEM_TIER_NVM)
			abort();
		if (req.method != -1 && (req.verb->arg != CONTROL_ARG_REMAP ||
		    (req.method != MEM_MIGRATE_WP && req.method != MEM_MIGRATE_PAUSE)))
			abort();
		if (req.json && req.moves)
			abort();
		return;
	}
	n = strnlen(err, sizeof(err));
	if (n == sizeof(err) || strncmp(err, "error: ", 7) || err[n - 1] != '\n' ||
	    memchr(err, '\n', n - 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[CONTROL_REQ_MAX];
	size_t got = 0, piece, take;
	int r;

	if (!size)
		return 0;
	piece = (size_t)(data[0] % 16) + 1;
	data++;
	size--;
	/* Exactly what the server does: read pieces into a bounded buffer. */
	for (;;) {
		take = size < piece ? size : piece;
		if (take > sizeof(buf) - got)
			take = sizeof(buf) - got;
		memcpy(buf + got, data, take);
		got += take;
		data += take;
		size -= take;
		r = control_req_scan(buf, got, size == 0);
		if (r == -EAGAIN && size)
			continue;
		if (r >= 0) {
			if ((size_t)r >= CONTROL_REQ_MAX || (size_t)r > got)
				abort();
			check_parse(buf, (size_t)r);
		} else if (r != -EMSGSIZE && r != -ENODATA) {
			abort();
		}
		return 0;
	}
}
