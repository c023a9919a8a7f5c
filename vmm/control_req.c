// SPDX-License-Identifier: GPL-2.0
/* The control socket's request lines: framing and parsing (control_req.h). */
#include <errno.h>
#include <string.h>

#include "memory/memory.h"
#include "vmm/control_req.h"

int control_req_scan(const char *buf, size_t len, bool eof)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n;

	if (!nl && len >= CONTROL_REQ_MAX)
		return -EMSGSIZE;
	if (!nl && !eof)
		return -EAGAIN;
	if (!nl && !len)
		return -ENODATA;
	n = nl ? (size_t)(nl - buf) : len;
	if (n >= CONTROL_REQ_MAX)
		return -EMSGSIZE;
	if (n && buf[n - 1] == '\r')
		n--;
	return (int)n;
}

/* A decimal chunk number, nothing else; advances *@s past it. */
static int parse_chunk(const char **s, const char *end, unsigned int *out)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (p == end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned int)(*p - '0');
		if (v > 0xffffffffULL)
			return -EINVAL;
	}
	*out = (unsigned int)v;
	*s = p;
	return 0;
}

static bool word_is(const char *s, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - s) == n && !memcmp(s, word, n);
}

static int parse_tier(const char *s, const char *end)
{
	if (word_is(s, end, "dram"))
		return MEM_TIER_DRAM;
	if (word_is(s, end, "nvm") || word_is(s, end, "slow"))
		return MEM_TIER_NVM;
	return -1;
}

static int parse_args(struct control_req *req, const char *s, const char *end)
{
	const char *sp;

	switch (req->verb->arg) {
	case CONTROL_ARG_NONE:
		return s == end ? 0 : -EINVAL;
	case CONTROL_ARG_FORMAT:
		req->json = word_is(s, end, "json");
		return s == end || req->json ? 0 : -EINVAL;
	case CONTROL_ARG_ENGINE:
		req->json = word_is(s, end, "json");
		req->moves = word_is(s, end, "moves");
		return s == end || req->json || req->moves ? 0 : -EINVAL;
	case CONTROL_ARG_CHUNK:
		return parse_chunk(&s, end, &req->chunk) || s != end ? -EINVAL : 0;
	case CONTROL_ARG_MOVE:
		if (parse_chunk(&s, end, &req->chunk) || s == end || *s++ != ' ')
			return -EINVAL;
		req->tier = parse_tier(s, end);
		return req->tier < 0 ? -EINVAL : 0;
	case CONTROL_ARG_REMAP:
		req->method = -1;
		if (parse_chunk(&s, end, &req->chunk) || s == end || *s++ != ' ')
			return -EINVAL;
		sp = memchr(s, ' ', (size_t)(end - s));
		req->tier = parse_tier(s, sp ? sp : end);
		if (req->tier < 0)
			return -EINVAL;
		if (!sp)
			return 0;
		if (word_is(sp + 1, end, "wp"))
			req->method = MEM_MIGRATE_WP;
		else if (word_is(sp + 1, end, "pause"))
			req->method = MEM_MIGRATE_PAUSE;
		return req->method < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}

static void unknown_verb(const char *line, size_t len, const struct control_verb *verbs,
			 size_t nr_verbs, char *err, size_t errlen)
{
	size_t i, off;
	int n;

	n = snprintf(err, errlen, "error: unknown request '%.*s' (",
		     (int)(len < 32 ? len : 32), line);
	off = n < 0 ? 0 : (size_t)n;
	for (i = 0; i < nr_verbs && off < errlen; i++) {
		n = snprintf(err + off, errlen - off, "%s%s", i ? ", " : "", verbs[i].usage);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off < errlen)
		snprintf(err + off, errlen - off, ")\n");
}

int control_req_parse(const char *line, size_t len, const struct control_verb *verbs,
		      size_t nr_verbs, struct control_req *req, char *err, size_t errlen)
{
	const char *end = line + len, *sp;
	size_t i, vlen;

	memset(req, 0, sizeof(*req));
	req->method = -1;	/* MEM_MIGRATE_WP is 0 */
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f) {
			snprintf(err, errlen, "error: request: byte 0x%02x at %zu is not "
				 "printable ASCII\n", (unsigned char)line[i], i);
			return -EINVAL;
		}
	}
	sp = memchr(line, ' ', len);
	vlen = sp ? (size_t)(sp - line) : len;
	for (i = 0; i < nr_verbs; i++)
		if (word_is(line, line + vlen, verbs[i].name))
			break;
	if (i == nr_verbs) {
		unknown_verb(line, vlen, verbs, nr_verbs, err, errlen);
		return -EINVAL;
	}
	req->verb = &verbs[i];
	if (parse_args(req, sp ? sp + 1 : end, end) < 0) {
		snprintf(err, errlen, "error: %s: expected %s\n", verbs[i].name, verbs[i].usage);
		return -EINVAL;
	}
	return 0;
}
