/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (virtio 1.x, section 2.7) with full validation of every
 * guest-supplied index, address and length. The ring lives in guest memory,
 * which the guest may rewrite at any time, so every field is read once into
 * a local copy and checked there.
 */
#ifndef HMMV_DEVICES_VIRTQUEUE_H
#define HMMV_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "memory/memory.h"

#define VQ_MAX_SIZE	256	/* largest queue a device offers */
#define VQ_MAX_CHAIN	VQ_MAX_SIZE

struct vq_elem {
	uint64_t gpa;
	uint32_t len;
	bool write;		/* device-writable */
};

/* One descriptor chain, translated and checked. */
struct vq_chain {
	uint16_t head;
	uint16_t nr;
	uint32_t out_len;	/* device-readable bytes */
	uint32_t in_len;	/* device-writable bytes */
	struct vq_elem elem[VQ_MAX_CHAIN];
};

struct vq {
	struct guest_mem *mem;
	uint16_t size;		/* power of two, <= VQ_MAX_SIZE */
	bool ready;
	uint64_t desc, avail, used;	/* guest-physical ring addresses */
	uint16_t last_avail;
	uint16_t used_idx;
};

/*
 * Result of vq_pop: a chain, nothing to do, a chain whose buffers are bad
 * (complete it with length 0 and go on), or a ring that is corrupt (the
 * device must be marked DEVICE_NEEDS_RESET).
 */
enum vq_pop_result {
	VQ_EMPTY = 0,
	VQ_CHAIN,
	VQ_BAD_CHAIN,
	VQ_BROKEN,
};

/* Checks size and that the three rings lie in guest RAM; -EINVAL if not. */
int vq_setup(struct vq *q, struct guest_mem *mem, uint16_t size,
	     uint64_t desc, uint64_t avail, uint64_t used);
void vq_reset(struct vq *q);
enum vq_pop_result vq_pop(struct vq *q, struct vq_chain *c);
/* Gives back the chain vq_pop just returned, unused (e.g. no packet yet). */
void vq_unpop(struct vq *q);
/* Returns a chain to the driver; -EFAULT when the used ring is unreachable. */
int vq_push(struct vq *q, uint16_t head, uint32_t len);
/* True unless the driver asked not to be interrupted. */
bool vq_should_notify(struct vq *q);

/*
 * Host iovecs for the device-readable (@write false) or device-writable
 * part of @c, skipping the first @skip bytes and stopping after @max bytes.
 * Returns the number of iovecs (<= @nr_iov) or -EFAULT.
 */
int vq_chain_iov(struct vq *q, const struct vq_chain *c, bool write,
		 uint32_t skip, uint32_t max, struct iovec *iov, int nr_iov,
		 uint32_t *bytes);
/* Copies @len readable bytes from offset @off of the chain into @buf. */
int vq_chain_read(struct vq *q, const struct vq_chain *c, uint32_t off,
		  void *buf, uint32_t len);
/* Copies into the writable part of the chain at offset @off. */
int vq_chain_write(struct vq *q, const struct vq_chain *c, uint32_t off,
		   const void *buf, uint32_t len);

#endif
