/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk on a raw image file, requests run asynchronously on io_uring
 * (several in flight), flushes mapped to fdatasync, read-only images
 * refuse writes with VIRTIO_BLK_S_IOERR.
 */
#ifndef HMMV_DEVICES_VIRTIO_BLK_H
#define HMMV_DEVICES_VIRTIO_BLK_H

#include <liburing.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_blk.h>

#include "devices/virtio_pci.h"

#define BLK_SECTOR	512
#define BLK_STATUS_IO	0xff	/* parsed request: do the I/O */

/* One request as read from its chain, before any I/O. */
struct blk_parsed {
	uint32_t type;
	uint64_t sector;
	uint32_t data_len;	/* bytes moved to or from the guest */
	uint32_t status_off;	/* offset of the status byte in the writable part */
	uint8_t status;		/* final status, or BLK_STATUS_IO */
	const char *why;	/* reason of an error status, for the log */
};

/*
 * Parses the request in @c. Returns 0 with @p filled (possibly with an
 * error status to report), or -EINVAL when the chain has no room for a
 * status byte and must be completed with length 0.
 */
int blk_parse(struct vq *q, const struct vq_chain *c, uint64_t capacity,
	      bool ro, struct blk_parsed *p);

struct blk_req {
	bool busy;
	struct blk_parsed p;
	struct vq_chain chain;
	struct iovec iov[VQ_MAX_CHAIN];
	int niov;
	uint32_t used_len;
};

struct virtio_blk {
	struct virtio_dev vdev;
	int fd;
	bool bad_input;		/* init failed on the image or tap itself */
	bool ro;
	uint64_t capacity;		/* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	struct io_uring ring;
	bool ring_ok;
	int ring_efd;			/* completions */
	unsigned int inflight;
	struct blk_req req[VQ_MAX_SIZE];	/* by head index */
	struct vq_chain scratch;
	struct virtio_dev_ops ops;		/* per disk: F_RO varies */
};

/*
 * Opens @path (read-only when @ro) and builds the device. On failure
 * @why holds one line naming the file and the problem.
 */
int virtio_blk_init(struct virtio_blk *b, const char *path, bool ro,
		    const struct virtio_env *env, int index, char *why,
		    size_t whylen);
int virtio_blk_start(struct virtio_blk *b);
/* Stops the device, waits for in-flight I/O, fdatasyncs, closes. */
void virtio_blk_exit(struct virtio_blk *b);

#endif
