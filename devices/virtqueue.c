// SPDX-License-Identifier: GPL-2.0
/* Split virtqueue walking and completion, every guest value checked. */
#include <errno.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "devices/virtqueue.h"

/* Ring sizes in bytes (virtio 1.x 2.7): without VIRTIO_F_EVENT_IDX. */
static uint64_t vq_avail_bytes(uint16_t size)
{
	return 4 + 2ULL * size + 2;
}

static uint64_t vq_used_bytes(uint16_t size)
{
	return 4 + 8ULL * size + 2;
}

int vq_setup(struct vq *q, struct guest_mem *mem, uint16_t size,
	     uint64_t desc, uint64_t avail, uint64_t used)
{
	vq_reset(q);
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	if ((desc & 15) || (avail & 1) || (used & 3))
		return -EINVAL;
	if (!memory_translate(mem, desc, 16ULL * size) ||
	    !memory_translate(mem, avail, vq_avail_bytes(size)) ||
	    !memory_translate(mem, used, vq_used_bytes(size)))
		return -EINVAL;
	q->mem = mem;
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->ready = true;
	return 0;
}

void vq_reset(struct vq *q)
{
	struct guest_mem *mem = q->mem;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
}

static int vq_read_desc(struct vq *q, uint16_t idx, struct vring_desc *d)
{
	return memory_read(q->mem, q->desc + 16ULL * idx, d, sizeof(*d));
}

/* Appends one descriptor; false when the chain's buffers are unusable. */
static bool vq_add_elem(struct vq *q, struct vq_chain *c,
			const struct vring_desc *d, bool *seen_write)
{
	bool write = d->flags & VRING_DESC_F_WRITE;
	uint64_t total = (uint64_t)c->in_len + c->out_len + d->len;
	bool ok = true;

	/* Readable buffers must precede writable ones (2.7.4.2). */
	if (!write && *seen_write)
		ok = false;
	if (total > UINT32_MAX || !memory_translate(q->mem, d->addr, d->len))
		ok = false;
	*seen_write |= write;
	c->elem[c->nr++] = (struct vq_elem){ d->addr, d->len, write };
	if (!ok)
		return false;
	if (write)
		c->in_len += d->len;
	else
		c->out_len += d->len;
	return true;
}

enum vq_pop_result vq_pop(struct vq *q, struct vq_chain *c)
{
	uint16_t avail_idx, head, idx;
	bool seen_write = false, bad = false;
	struct vring_desc d;

	if (!q->ready)
		return VQ_EMPTY;
	if (memory_read(q->mem, q->avail + 2, &avail_idx, 2))
		return VQ_BROKEN;
	if (avail_idx == q->last_avail)
		return VQ_EMPTY;
	/* The driver cannot have more than size buffers outstanding. */
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		return VQ_BROKEN;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (memory_read(q->mem, q->avail + 4 + 2ULL * (q->last_avail % q->size),
			&head, 2))
		return VQ_BROKEN;
	if (head >= q->size)
		return VQ_BROKEN;
	q->last_avail++;
	c->head = head;
	c->nr = 0;
	c->in_len = c->out_len = 0;
	for (idx = head;;) {
		/* A chain longer than the ring is a loop (2.7.5.3.1). */
		if (c->nr == q->size || c->nr == VQ_MAX_CHAIN)
			return VQ_BROKEN;
		if (vq_read_desc(q, idx, &d))
			return VQ_BROKEN;
		/* Indirect descriptors are not offered. */
		if (d.flags & VRING_DESC_F_INDIRECT)
			return VQ_BROKEN;
		if (!vq_add_elem(q, c, &d, &seen_write))
			bad = true;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		if (d.next >= q->size)
			return VQ_BROKEN;
		idx = d.next;
	}
	return bad ? VQ_BAD_CHAIN : VQ_CHAIN;
}

void vq_unpop(struct vq *q)
{
	q->last_avail--;
}

int vq_push(struct vq *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = { .id = head, .len = len };
	uint16_t slot = q->used_idx % q->size;

	if (!q->ready)
		return -EINVAL;
	if (memory_write(q->mem, q->used + 4 + 8ULL * slot, &e, sizeof(e)))
		return -EFAULT;
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->used_idx++;
	return memory_write(q->mem, q->used + 2, &q->used_idx, 2);
}

bool vq_should_notify(struct vq *q)
{
	uint16_t flags;

	/* Order the used index store before reading the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (memory_read(q->mem, q->avail, &flags, 2))
		return true;
	return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
}

int vq_chain_iov(struct vq *q, const struct vq_chain *c, bool write,
		 uint32_t skip, uint32_t max, struct iovec *iov, int nr_iov,
		 uint32_t *bytes)
{
	uint32_t done = 0, len;
	uint64_t gpa;
	int i, n = 0;

	for (i = 0; i < c->nr && done < max; i++) {
		const struct vq_elem *e = &c->elem[i];

		if (e->write != write)
			continue;
		if (skip >= e->len) {
			skip -= e->len;
			continue;
		}
		gpa = e->gpa + skip;
		len = e->len - skip;
		skip = 0;
		if (len > max - done)
			len = max - done;
		if (n == nr_iov)
			return -E2BIG;
		iov[n].iov_base = memory_translate(q->mem, gpa, len);
		if (!iov[n].iov_base)
			return -EFAULT;
		iov[n++].iov_len = len;
		done += len;
	}
	*bytes = done;
	return n;
}

/* Goes through memory_read/write so that the VMM's own writes are recorded. */
static int vq_chain_copy(struct vq *q, const struct vq_chain *c, bool write,
			 uint32_t off, void *buf, uint32_t len)
{
	uint8_t *p = buf;
	uint32_t n;
	int i, err;

	for (i = 0; i < c->nr && len; i++) {
		const struct vq_elem *e = &c->elem[i];

		if (e->write != write)
			continue;
		if (off >= e->len) {
			off -= e->len;
			continue;
		}
		n = e->len - off < len ? e->len - off : len;
		if (write)
			err = memory_write(q->mem, e->gpa + off, p, n);
		else
			err = memory_read(q->mem, e->gpa + off, p, n);
		if (err)
			return err;
		p += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

int vq_chain_read(struct vq *q, const struct vq_chain *c, uint32_t off,
		  void *buf, uint32_t len)
{
	return vq_chain_copy(q, c, false, off, buf, len);
}

int vq_chain_write(struct vq *q, const struct vq_chain *c, uint32_t off,
		   const void *buf, uint32_t len)
{
	return vq_chain_copy(q, c, true, off, (void *)buf, len);
}
