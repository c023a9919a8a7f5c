// SPDX-License-Identifier: GPL-2.0
/* hmmv access trace: reader and writer of the format in trace.h. */
#include <errno.h>
#include <string.h>

#include "hmmv/trace.h"

#define HDR_FIXED 32

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static int hdr_valid(const struct trace_hdr *h)
{
	uint32_t i;

	if (h->page_shift < 9 || h->page_shift > 30)
		return 0;
	if (!h->nvms || h->nvms > TRACE_MAX_VMS || !h->interval_ns)
		return 0;
	for (i = 0; i < h->nvms; i++)
		if (!h->vm_pages[i] || h->vm_pages[i] > (1ull << 32))
			return 0;
	return 1;
}

int trace_open_mem(struct trace_cursor *c, const uint8_t *buf, size_t len)
{
	struct trace_hdr *h = &c->hdr;
	uint32_t i;

	memset(c, 0, sizeof(*c));
	if (len < HDR_FIXED || memcmp(buf, TRACE_MAGIC, 8))
		return -EINVAL;
	h->version = get32(buf + 8);
	if (h->version != TRACE_VERSION)
		return -EPROTO;
	h->flags = get32(buf + 12);
	h->page_shift = get32(buf + 16);
	h->nvms = get32(buf + 20);
	h->interval_ns = get64(buf + 24);
	if (!h->nvms || h->nvms > TRACE_MAX_VMS)
		return -EINVAL;
	if (len < HDR_FIXED + 8 * (size_t)h->nvms)
		return -EINVAL;
	for (i = 0; i < h->nvms; i++)
		h->vm_pages[i] = get64(buf + HDR_FIXED + 8 * i);
	if (!hdr_valid(h) || h->flags & ~TRACE_F_ALL)
		return -EINVAL;
	c->buf = buf;
	c->len = len;
	c->off = HDR_FIXED + 8 * (size_t)h->nvms;
	return 0;
}

/* LEB128, at most 32 bits. */
static int get_varint(struct trace_cursor *c, uint32_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (c->off >= c->len)
			return -ENODATA;
		b = c->buf[c->off++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			if (x > UINT32_MAX)
				return -EINVAL;
			*v = (uint32_t)x;
			return 0;
		}
	}
	return -EINVAL;
}

static int get_records(struct trace_cursor *c, uint32_t vm,
		       struct trace_rec *recs, uint32_t n)
{
	uint64_t page = 0;
	uint32_t i, d;
	int r;

	for (i = 0; i < n; i++) {
		r = get_varint(c, &d);
		if (!r)
			r = get_varint(c, &recs[i].reads);
		if (!r)
			r = get_varint(c, &recs[i].writes);
		if (r)
			return r;
		page = i ? page + 1 + d : d;
		if (page >= c->hdr.vm_pages[vm])
			return -EINVAL;
		if (!recs[i].reads && !recs[i].writes)
			return -EINVAL;
		recs[i].page = (uint32_t)page;
	}
	return 0;
}

int trace_next_block(struct trace_cursor *c, struct trace_block *b,
		     struct trace_rec *recs, uint32_t max)
{
	uint64_t key;
	uint8_t tag;
	int r;

	if (c->ended)
		return 0;
	if (c->off >= c->len)
		return -ENODATA;
	tag = c->buf[c->off++];
	if (tag == TRACE_TAG_END) {
		c->ended = 1;
		return c->off == c->len ? 0 : -EINVAL;
	}
	if (tag != TRACE_TAG_BLOCK)
		return -EINVAL;
	r = get_varint(c, &b->interval);
	if (!r)
		r = get_varint(c, &b->vm);
	if (!r)
		r = get_varint(c, &b->nrec);
	if (r)
		return r;
	if (b->vm >= c->hdr.nvms || !b->nrec || b->nrec > c->hdr.vm_pages[b->vm])
		return -EINVAL;
	key = ((uint64_t)b->interval << 32 | b->vm) + 1;
	if (key <= c->last)
		return -EINVAL;
	c->last = key;
	if (b->nrec > max)
		return -E2BIG;
	r = get_records(c, b->vm, recs, b->nrec);
	return r ? r : 1;
}

int trace_write_header(FILE *f, const struct trace_hdr *h)
{
	uint8_t buf[HDR_FIXED + 8 * TRACE_MAX_VMS];
	size_t len;
	uint32_t i;

	if (!hdr_valid(h) || h->flags & ~TRACE_F_ALL)
		return -EINVAL;
	memcpy(buf, TRACE_MAGIC, 8);
	put32(buf + 8, TRACE_VERSION);
	put32(buf + 12, h->flags);
	put32(buf + 16, h->page_shift);
	put32(buf + 20, h->nvms);
	put64(buf + 24, h->interval_ns);
	for (i = 0; i < h->nvms; i++)
		put64(buf + HDR_FIXED + 8 * i, h->vm_pages[i]);
	len = HDR_FIXED + 8 * (size_t)h->nvms;
	return fwrite(buf, 1, len, f) == len ? 0 : -EIO;
}

static int put_varint(FILE *f, uint32_t v)
{
	uint8_t b[5];
	int n = 0;

	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	return fwrite(b, 1, n, f) == (size_t)n ? 0 : -EIO;
}

int trace_write_block(FILE *f, const struct trace_hdr *h, uint32_t interval,
		      uint32_t vm, const struct trace_rec *recs, uint32_t n)
{
	uint32_t i;
	int r;

	if (vm >= h->nvms)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (recs[i].page >= h->vm_pages[vm] ||
		    (i && recs[i].page <= recs[i - 1].page) ||
		    (!recs[i].reads && !recs[i].writes))
			return -EINVAL;
	}
	if (!n)
		return 0;
	if (fputc(TRACE_TAG_BLOCK, f) == EOF)
		return -EIO;
	r = put_varint(f, interval);
	if (!r)
		r = put_varint(f, vm);
	if (!r)
		r = put_varint(f, n);
	for (i = 0; !r && i < n; i++) {
		r = put_varint(f, i ? recs[i].page - recs[i - 1].page - 1 : recs[i].page);
		if (!r)
			r = put_varint(f, recs[i].reads);
		if (!r)
			r = put_varint(f, recs[i].writes);
	}
	return r;
}

int trace_write_end(FILE *f)
{
	return fputc(TRACE_TAG_END, f) == EOF ? -EIO : 0;
}
