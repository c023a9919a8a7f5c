// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a hostile driver controls the whole of guest RAM (the
 * rings and the buffers) and the queue parameters; the virtqueue code must
 * never touch memory outside guest RAM nor hand out a chain that leaves it.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "memory/memory.h"

#define RAM	(64 * 1024)

static struct guest_mem mem;
static struct vq_chain chain;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct memory_config cfg = { .ram_size = RAM, .chunk_size = RAM };

	if (memory_init(&mem, &cfg))
		abort();
	return 0;
}

static void check_chain(struct vq *q, const struct vq_chain *c)
{
	struct iovec iov[VQ_MAX_CHAIN];
	uint8_t buf[64];
	uint32_t got, i;
	int n;

	if (c->nr > q->size || c->head >= q->size)
		abort();
	for (i = 0; i < c->nr; i++)
		if (!memory_translate(&mem, c->elem[i].gpa, c->elem[i].len))
			abort();
	n = vq_chain_iov(q, c, true, 3, UINT32_MAX, iov, VQ_MAX_CHAIN, &got);
	for (i = 0; n > 0 && i < (uint32_t)n; i++) {
		uint8_t *p = iov[i].iov_base;

		if (p < mem.host || p + iov[i].iov_len > mem.host + RAM)
			abort();
	}
	if (!vq_chain_read(q, c, 1, buf, sizeof(buf) < c->out_len ? sizeof(buf) : 0))
		memset(buf, 0, sizeof(buf));
	vq_chain_write(q, c, c->in_len ? c->in_len - 1 : 0, buf, c->in_len ? 1 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vq q = { .mem = &mem };
	uint64_t desc = 0, avail = 0x4000, used = 0x6000;
	uint16_t qsize;
	int i;

	if (size < 8)
		return 0;
	qsize = (uint16_t)(1u << (data[0] % 10));	/* 1..512: 512 is too big */
	if (data[1] & 1)
		qsize = (uint16_t)(data[2] | data[3] << 8);
	if (data[1] & 2) {	/* rings anywhere, RAM or not */
		desc = (uint64_t)data[4] << 10;
		avail = (uint64_t)data[5] << 9;
		used = (uint64_t)data[6] << 10 | (data[1] & 0x80 ? 1ULL << 40 : 0);
	}
	memset(mem.host, 0, RAM);
	memcpy(mem.host, data + 8, size - 8 < RAM ? size - 8 : RAM);
	if (vq_setup(&q, &mem, qsize, desc, avail, used))
		return 0;
	q.last_avail = data[7];
	for (i = 0; i < 2 * VQ_MAX_SIZE; i++) {
		enum vq_pop_result r = vq_pop(&q, &chain);

		if (r == VQ_EMPTY || r == VQ_BROKEN)
			break;
		if (r == VQ_CHAIN)
			check_chain(&q, &chain);
		vq_push(&q, chain.head, chain.in_len);
		vq_should_notify(&q);
	}
	return 0;
}
