/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DRAM pool's wire protocol (docs/pool-protocol.md), between `hmmv
 * pool` and the VMs that draw DRAM from it, on a UNIX stream socket.
 *
 * Every message is a 12-byte header and a payload, all little-endian:
 *
 *   u32 magic "HMPL", u16 version (1), u16 type, u32 payload length
 *
 * VM -> pool:  HELLO (register), REPORT (every period), ACK (a quota
 *              reached). Pool -> VM: WELCOME, QUOTA, ERROR.
 *
 * Pure encode/decode over byte buffers: no I/O, fuzzed (tests/fuzz/
 * fuzz_pool_proto.c). A decoder never trusts a length, a count or a name.
 */
#ifndef HMMV_POOL_PROTO_H
#define HMMV_POOL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "hmmv/policy.h"

#define POOL_MAGIC		0x4c504d48u	/* "HMPL" as bytes on the wire */
#define POOL_VERSION		1
#define POOL_HDR_LEN		12
#define POOL_PAYLOAD_MAX	512
#define POOL_MSG_MAX		(POOL_HDR_LEN + POOL_PAYLOAD_MAX)
#define POOL_NAME_LEN		32	/* printable ASCII, NUL-padded */

enum pool_msg_type {
	POOL_HELLO = 1,
	POOL_REPORT = 2,
	POOL_ACK = 3,
	POOL_WELCOME = 129,
	POOL_QUOTA = 130,
	POOL_ERROR = 131,
};

struct pool_hello {
	char name[POOL_NAME_LEN + 1];	/* NUL-terminated after decode */
	uint64_t guest_bytes;		/* guest RAM */
	uint64_t min_bytes;		/* --dram-min */
	uint64_t max_bytes;		/* --dram-max: the DRAM tier's size */
	uint64_t held_bytes;		/* DRAM in use now (a re-registration) */
	uint64_t chunk_bytes;		/* the VM's unit of placement */
};

struct pool_report {
	uint64_t held_bytes;
	uint64_t hot_bytes;		/* the engine's hot set */
	uint64_t hist[POLICY_BUCKETS];	/* bytes per temperature bucket */
};

struct pool_ack {
	uint32_t seq;			/* of the QUOTA now met */
	uint64_t held_bytes;
};

struct pool_welcome {
	uint32_t vm_id;
	uint32_t period_ms;		/* report every period_ms */
	uint32_t seq;
	uint64_t quota;
};

struct pool_quota {
	uint32_t seq;
	uint64_t quota;
};

struct pool_msg {
	uint16_t type;
	union {
		struct pool_hello hello;
		struct pool_report report;
		struct pool_ack ack;
		struct pool_welcome welcome;
		struct pool_quota quota;
		char error[POOL_PAYLOAD_MAX + 1];
	} u;
};

/*
 * Encodes @msg into @buf (@len bytes, at least POOL_MSG_MAX). Returns the
 * bytes written, or -EINVAL for an unknown type or a bad field.
 */
int pool_msg_encode(const struct pool_msg *msg, uint8_t *buf, size_t len);
/*
 * Decodes one message from the @len bytes at @buf. Returns its total
 * length (header + payload) with *@msg filled, 0 when more bytes are
 * needed, -EPROTO for a bad magic or version, -EMSGSIZE for a payload over
 * POOL_PAYLOAD_MAX, -EINVAL for an unknown type, a wrong payload size or a
 * bad field (name not printable, sizes out of order, histogram over the
 * guest size is the server's to check).
 */
int pool_msg_decode(const uint8_t *buf, size_t len, struct pool_msg *msg);
/* A VM name the protocol accepts: 1..32 printable, no space, quote, backslash. */
int pool_name_ok(const char *s);
/* True when @buf starts like a pool message (the magic's first bytes). */
int pool_msg_is_binary(const uint8_t *buf, size_t len);

#endif
