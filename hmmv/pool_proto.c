// SPDX-License-Identifier: GPL-2.0
/* The DRAM pool's wire protocol: explicit little-endian, every field checked. */
#include <errno.h>
#include <string.h>

#include "hmmv/pool_proto.h"

#define HELLO_LEN	(POOL_NAME_LEN + 5 * 8)
#define REPORT_LEN	((2 + POLICY_BUCKETS) * 8)
#define ACK_LEN		16
#define WELCOME_LEN	24
#define QUOTA_LEN	16

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static int printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* A VM name: 1..32 printable characters, no spaces (it is a label). */
int pool_name_ok(const char *s)
{
	size_t n = strnlen(s, POOL_NAME_LEN + 1);
	size_t i;

	if (!n || n > POOL_NAME_LEN || !printable(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '\\')
			return 0;
	return 1;
}

static int hello_ok(const struct pool_hello *h)
{
	return pool_name_ok(h->name) && h->chunk_bytes && h->guest_bytes &&
	       h->min_bytes <= h->max_bytes && h->max_bytes <= h->guest_bytes &&
	       h->held_bytes <= h->guest_bytes;
}

static size_t encode_payload(const struct pool_msg *m, uint8_t *p)
{
	size_t n, i;

	switch (m->type) {
	case POOL_HELLO:
		memset(p, 0, POOL_NAME_LEN);
		memcpy(p, m->u.hello.name, strnlen(m->u.hello.name, POOL_NAME_LEN));
		put64(p + 32, m->u.hello.guest_bytes);
		put64(p + 40, m->u.hello.min_bytes);
		put64(p + 48, m->u.hello.max_bytes);
		put64(p + 56, m->u.hello.held_bytes);
		put64(p + 64, m->u.hello.chunk_bytes);
		return HELLO_LEN;
	case POOL_REPORT:
		put64(p, m->u.report.held_bytes);
		put64(p + 8, m->u.report.hot_bytes);
		for (i = 0; i < POLICY_BUCKETS; i++)
			put64(p + 16 + 8 * i, m->u.report.hist[i]);
		return REPORT_LEN;
	case POOL_ACK:
		put32(p, m->u.ack.seq);
		put32(p + 4, 0);
		put64(p + 8, m->u.ack.held_bytes);
		return ACK_LEN;
	case POOL_WELCOME:
		put32(p, m->u.welcome.vm_id);
		put32(p + 4, m->u.welcome.period_ms);
		put32(p + 8, m->u.welcome.seq);
		put32(p + 12, 0);
		put64(p + 16, m->u.welcome.quota);
		return WELCOME_LEN;
	case POOL_QUOTA:
		put32(p, m->u.quota.seq);
		put32(p + 4, 0);
		put64(p + 8, m->u.quota.quota);
		return QUOTA_LEN;
	case POOL_ERROR:
		n = strnlen(m->u.error, POOL_PAYLOAD_MAX);
		memcpy(p, m->u.error, n);
		return n;
	}
	return 0;
}

int pool_msg_encode(const struct pool_msg *msg, uint8_t *buf, size_t len)
{
	size_t n;

	if (len < POOL_MSG_MAX)
		return -EINVAL;
	if (msg->type == POOL_HELLO && !hello_ok(&msg->u.hello))
		return -EINVAL;
	n = encode_payload(msg, buf + POOL_HDR_LEN);
	if (!n)
		return -EINVAL;
	put32(buf, POOL_MAGIC);
	buf[4] = POOL_VERSION;
	buf[5] = 0;
	buf[6] = (uint8_t)msg->type;
	buf[7] = (uint8_t)(msg->type >> 8);
	put32(buf + 8, (uint32_t)n);
	return (int)(POOL_HDR_LEN + n);
}

static int decode_hello(const uint8_t *p, uint32_t n, struct pool_hello *h)
{
	size_t len, i;

	if (n != HELLO_LEN)
		return -EINVAL;
	len = strnlen((const char *)p, POOL_NAME_LEN);
	/* Padding after the name must be NULs: one spelling per name. */
	for (i = len; i < POOL_NAME_LEN; i++)
		if (p[i])
			return -EINVAL;
	memcpy(h->name, p, len);
	h->name[len] = '\0';
	h->guest_bytes = get64(p + 32);
	h->min_bytes = get64(p + 40);
	h->max_bytes = get64(p + 48);
	h->held_bytes = get64(p + 56);
	h->chunk_bytes = get64(p + 64);
	return hello_ok(h) ? 0 : -EINVAL;
}

static int decode_payload(uint16_t type, const uint8_t *p, uint32_t n,
			  struct pool_msg *m)
{
	uint32_t i;

	switch (type) {
	case POOL_HELLO:
		return decode_hello(p, n, &m->u.hello);
	case POOL_REPORT:
		if (n != REPORT_LEN)
			return -EINVAL;
		m->u.report.held_bytes = get64(p);
		m->u.report.hot_bytes = get64(p + 8);
		for (i = 0; i < POLICY_BUCKETS; i++)
			m->u.report.hist[i] = get64(p + 16 + 8 * i);
		return 0;
	case POOL_ACK:
		/* Reserved words are zero: one spelling per message. */
		if (n != ACK_LEN || get32(p + 4))
			return -EINVAL;
		m->u.ack.seq = get32(p);
		m->u.ack.held_bytes = get64(p + 8);
		return 0;
	case POOL_WELCOME:
		if (n != WELCOME_LEN || get32(p + 12))
			return -EINVAL;
		m->u.welcome.vm_id = get32(p);
		m->u.welcome.period_ms = get32(p + 4);
		m->u.welcome.seq = get32(p + 8);
		m->u.welcome.quota = get64(p + 16);
		return m->u.welcome.period_ms ? 0 : -EINVAL;
	case POOL_QUOTA:
		if (n != QUOTA_LEN || get32(p + 4))
			return -EINVAL;
		m->u.quota.seq = get32(p);
		m->u.quota.quota = get64(p + 8);
		return 0;
	case POOL_ERROR:
		if (!n || !printable((const char *)p, n))
			return -EINVAL;
		memcpy(m->u.error, p, n);
		m->u.error[n] = '\0';
		return 0;
	}
	return -EINVAL;
}

int pool_msg_decode(const uint8_t *buf, size_t len, struct pool_msg *msg)
{
	uint32_t n;
	int r;

	if (len < POOL_HDR_LEN)
		return 0;
	if (get32(buf) != POOL_MAGIC || buf[4] != POOL_VERSION || buf[5])
		return -EPROTO;
	n = get32(buf + 8);
	if (n > POOL_PAYLOAD_MAX)
		return -EMSGSIZE;
	if (len < POOL_HDR_LEN + n)
		return 0;
	memset(msg, 0, sizeof(*msg));
	msg->type = (uint16_t)(buf[6] | buf[7] << 8);
	r = decode_payload(msg->type, buf + POOL_HDR_LEN, n, msg);
	return r < 0 ? r : (int)(POOL_HDR_LEN + n);
}

int pool_msg_is_binary(const uint8_t *buf, size_t len)
{
	static const uint8_t magic[4] = { 'H', 'M', 'P', 'L' };

	return len > 0 && !memcmp(buf, magic, len < 4 ? len : 4);
}
