/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's request protocol, apart from any socket so that it
 * can be fuzzed (tests/fuzz/fuzz_control.c): finding a request line in the
 * bytes received, and parsing it against a table of verbs. A request is
 * one line of printable ASCII, "VERB" or "VERB ARGS", at most
 * CONTROL_REQ_MAX - 1 bytes before its newline; anything else is an error,
 * never cut short and executed.
 */
#ifndef HMMV_VMM_CONTROL_REQ_H
#define HMMV_VMM_CONTROL_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONTROL_REQ_MAX	256	/* a request line with its newline */

struct control;
struct control_req;

/* What a verb takes after its name. */
enum control_arg {
	CONTROL_ARG_NONE,	/* nothing */
	CONTROL_ARG_FORMAT,	/* nothing, or "json" */
	CONTROL_ARG_CHUNK,	/* a chunk number */
	CONTROL_ARG_MOVE,	/* a chunk number and a tier: dram, nvm (or slow) */
	CONTROL_ARG_ENGINE,	/* nothing, "json", or "moves" */
	CONTROL_ARG_REMAP,	/* as CONTROL_ARG_MOVE, then optionally wp or pause */
};

/* One verb: a new verb is one entry in vmm/control.c's table. */
struct control_verb {
	const char *name;
	enum control_arg arg;
	const char *usage;	/* e.g. "remap N dram|nvm" */
	void (*run)(struct control *ctl, const struct control_req *req, FILE *out);
};

struct control_req {
	const struct control_verb *verb;
	unsigned int chunk;	/* CONTROL_ARG_CHUNK, CONTROL_ARG_MOVE */
	int tier;		/* CONTROL_ARG_MOVE: MEM_TIER_DRAM or MEM_TIER_NVM */
	int method;		/* CONTROL_ARG_REMAP: MEM_MIGRATE_WP, _PAUSE, or -1 */
	bool json;		/* CONTROL_ARG_FORMAT, CONTROL_ARG_ENGINE */
	bool moves;		/* CONTROL_ARG_ENGINE */
};

/*
 * Looks for the end of the request in the @len bytes received so far
 * (@eof: the client sent all it will). Returns the line's length (newline
 * and a trailing CR excluded, possibly 0) when complete, -EAGAIN when more
 * may come, -EMSGSIZE when it cannot fit CONTROL_REQ_MAX, -ENODATA at EOF
 * with nothing received.
 */
int control_req_scan(const char *buf, size_t len, bool eof);
/*
 * Parses the request line @line (@len bytes, no newline) against @verbs.
 * 0 with @req filled, or -EINVAL with the answer's "error: ..." line in
 * @err (newline included).
 */
int control_req_parse(const char *line, size_t len, const struct control_verb *verbs,
		      size_t nr_verbs, struct control_req *req, char *err, size_t errlen);

#endif
