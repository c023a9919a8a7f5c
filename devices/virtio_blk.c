// SPDX-License-Identifier: GPL-2.0
/* virtio-blk: request parsing, io_uring submission and completion. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <linux/pci_regs.h>
#include <linux/virtio_ids.h>

#include "devices/virtio_blk.h"

#define BLK_SEG_MAX	(VQ_MAX_SIZE - 2)	/* header and status take two */

static void blk_fail(struct blk_parsed *p, uint8_t status, const char *why)
{
	p->status = status;
	p->why = why;
}

/* Checks [sector, sector + len/512) against the disk. */
static bool blk_range_ok(uint64_t sector, uint32_t len, uint64_t capacity)
{
	uint64_t n = len / BLK_SECTOR;

	return !(len % BLK_SECTOR) && sector <= capacity && n <= capacity - sector;
}

int blk_parse(struct vq *q, const struct vq_chain *c, uint64_t capacity,
	      bool ro, struct blk_parsed *p)
{
	struct virtio_blk_outhdr h;

	memset(p, 0, sizeof(*p));
	p->status = BLK_STATUS_IO;
	if (!c->in_len)
		return -EINVAL;		/* nowhere to put a status */
	p->status_off = c->in_len - 1;
	if (c->out_len < sizeof(h) || vq_chain_read(q, c, 0, &h, sizeof(h))) {
		blk_fail(p, VIRTIO_BLK_S_IOERR, "short header");
		return 0;
	}
	p->type = h.type;
	p->sector = h.sector;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
		p->data_len = c->in_len - 1;
		break;
	case VIRTIO_BLK_T_OUT:
		p->data_len = c->out_len - (uint32_t)sizeof(h);
		if (ro)
			blk_fail(p, VIRTIO_BLK_S_IOERR, "write to a read-only disk");
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (ro)
			p->status = VIRTIO_BLK_S_OK;	/* nothing to flush */
		return 0;
	case VIRTIO_BLK_T_GET_ID:
		p->data_len = c->in_len - 1;
		if (p->data_len > VIRTIO_BLK_ID_BYTES)
			p->data_len = VIRTIO_BLK_ID_BYTES;
		p->status = VIRTIO_BLK_S_OK;
		return 0;
	default:
		blk_fail(p, VIRTIO_BLK_S_UNSUPP, "unsupported request type");
		return 0;
	}
	if (p->status == BLK_STATUS_IO && !blk_range_ok(p->sector, p->data_len, capacity))
		blk_fail(p, VIRTIO_BLK_S_IOERR, "sector range outside the disk or unaligned");
	return 0;
}

/* ---- completion ---------------------------------------------------- */

static void blk_io_end(struct virtio_blk *b, struct blk_req *r)
{
	bool to_guest = r->p.type == VIRTIO_BLK_T_IN;
	struct vq_elem *e;
	int i;

	for (i = 0; i < r->chain.nr; i++) {
		e = &r->chain.elem[i];
		if (r->p.data_len && e->write == to_guest)
			memory_io_end(b->vdev.env.mem, e->gpa, e->len, to_guest);
	}
}

/* Writes the status byte and hands the chain back to the driver. */
static void blk_complete(struct virtio_blk *b, struct blk_req *r, uint8_t status)
{
	struct vq *q = &b->vdev.q[0].vq;

	if (status != VIRTIO_BLK_S_OK && r->p.why)
		virtio_dev_log_bad(&b->vdev, r->p.why);
	if (vq_chain_write(q, &r->chain, r->p.status_off, &status, 1))
		r->used_len = 0;
	virtio_queue_push(&b->vdev, 0, r->chain.head, r->used_len);
	r->busy = false;
}

/* Completes every finished request; returns how many. */
static int blk_reap(struct virtio_blk *b, bool push)
{
	struct io_uring_cqe *cqe;
	struct blk_req *r;
	uint8_t status;
	int n = 0;

	while (b->inflight && !io_uring_peek_cqe(&b->ring, &cqe)) {
		r = &b->req[cqe->user_data];
		status = VIRTIO_BLK_S_OK;
		if (cqe->res < 0 || (r->p.type != VIRTIO_BLK_T_FLUSH &&
				     (uint32_t)cqe->res != r->p.data_len)) {
			status = VIRTIO_BLK_S_IOERR;
			r->p.why = "host I/O error";
		}
		io_uring_cqe_seen(&b->ring, cqe);
		b->inflight--;
		blk_io_end(b, r);
		if (push)
			blk_complete(b, r, status);
		r->busy = false;
		n++;
	}
	return n;
}

static void blk_event(struct virtio_dev *vdev, int tag, uint32_t events)
{
	struct virtio_blk *b = vdev->priv;
	uint64_t n;

	if (read(b->ring_efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	if (blk_reap(b, true))
		virtio_queue_interrupt(vdev, 0);
}

/* ---- submission ---------------------------------------------------- */

static struct io_uring_sqe *blk_get_sqe(struct virtio_blk *b)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&b->ring);

	if (!sqe) {
		io_uring_submit(&b->ring);
		sqe = io_uring_get_sqe(&b->ring);
	}
	return sqe;
}

/* Prepares the data iovecs and brackets them as in-flight DMA. */
static int blk_map_data(struct virtio_blk *b, struct blk_req *r)
{
	bool to_guest = r->p.type == VIRTIO_BLK_T_IN;
	uint32_t skip = to_guest ? 0 : sizeof(struct virtio_blk_outhdr), got;
	struct vq_elem *e;
	int i;

	r->niov = vq_chain_iov(&b->vdev.q[0].vq, &r->chain, to_guest, skip,
			       r->p.data_len, r->iov, VQ_MAX_CHAIN, &got);
	if (r->niov < 0 || got != r->p.data_len)
		return -EFAULT;
	for (i = 0; i < r->chain.nr; i++) {
		e = &r->chain.elem[i];
		if (r->p.data_len && e->write == to_guest &&
		    memory_io_begin(b->vdev.env.mem, e->gpa, e->len, to_guest)) {
			/* Undo the ones already begun. */
			while (--i >= 0)
				if (r->chain.elem[i].write == to_guest)
					memory_io_end(b->vdev.env.mem, r->chain.elem[i].gpa,
						      r->chain.elem[i].len, to_guest);
			return -EFAULT;
		}
	}
	return 0;
}

static void blk_submit(struct virtio_blk *b, struct blk_req *r)
{
	struct io_uring_sqe *sqe;
	uint64_t off = r->p.sector * BLK_SECTOR;

	if (r->p.type != VIRTIO_BLK_T_FLUSH && blk_map_data(b, r)) {
		r->p.why = "data buffer unreachable";
		blk_complete(b, r, VIRTIO_BLK_S_IOERR);
		return;
	}
	sqe = blk_get_sqe(b);
	if (!sqe) {
		blk_io_end(b, r);
		r->p.why = "submission queue full";
		blk_complete(b, r, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (r->p.type == VIRTIO_BLK_T_IN)
		io_uring_prep_readv(sqe, b->fd, r->iov, (unsigned int)r->niov, off);
	else if (r->p.type == VIRTIO_BLK_T_OUT)
		io_uring_prep_writev(sqe, b->fd, r->iov, (unsigned int)r->niov, off);
	else
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
	io_uring_sqe_set_data64(sqe, r->chain.head);
	b->inflight++;
}

static void blk_get_id(struct virtio_blk *b, struct blk_req *r)
{
	if (vq_chain_write(&b->vdev.q[0].vq, &r->chain, 0, b->serial, r->p.data_len))
		r->used_len = 1;
	blk_complete(b, r, VIRTIO_BLK_S_OK);
}

static void blk_handle(struct virtio_blk *b, struct vq_chain *c)
{
	struct blk_req *r = &b->req[c->head];

	/* A head still in flight means the driver reused a live chain. */
	if (r->busy) {
		virtio_dev_broken(&b->vdev, "request chain reused while in flight");
		return;
	}
	r->busy = true;
	memcpy(&r->chain, c, sizeof(*c));
	if (blk_parse(&b->vdev.q[0].vq, &r->chain, b->capacity, b->ro, &r->p)) {
		virtio_dev_log_bad(&b->vdev, "no status byte");
		virtio_queue_push(&b->vdev, 0, c->head, 0);
		r->busy = false;
		return;
	}
	r->used_len = 1 + (r->p.type == VIRTIO_BLK_T_IN || r->p.type == VIRTIO_BLK_T_GET_ID ?
			   r->p.data_len : 0);
	if (r->p.type == VIRTIO_BLK_T_GET_ID)
		blk_get_id(b, r);
	else if (r->p.status != BLK_STATUS_IO)
		blk_complete(b, r, r->p.status);
	else
		blk_submit(b, r);
}

static void blk_queue_notify(struct virtio_dev *vdev, int q)
{
	struct virtio_blk *b = vdev->priv;
	bool done = false;

	while (virtio_queue_pop(vdev, 0, &b->scratch)) {
		blk_handle(b, &b->scratch);
		done = true;
	}
	/* Page-cache hits complete during submit: answer them in this pass. */
	if (b->inflight) {
		io_uring_submit(&b->ring);
		blk_reap(b, true);
	}
	if (done)
		virtio_queue_interrupt(vdev, 0);
}

/* Called on device reset and exit: every request must finish first. */
static void blk_reset(struct virtio_dev *vdev)
{
	struct virtio_blk *b = vdev->priv;
	struct io_uring_cqe *cqe;

	if (!b->ring_ok)
		return;
	io_uring_submit(&b->ring);
	while (b->inflight) {
		if (io_uring_wait_cqe(&b->ring, &cqe))
			break;
		blk_reap(b, false);
	}
}

static const struct virtio_dev_ops blk_ops_template = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.class_code = 0x018000,		/* mass storage, other */
	.nr_queues = 1,
	.features = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_FLUSH),
	.config_len = sizeof(struct virtio_blk_config),
	.queue_notify = blk_queue_notify,
	.event = blk_event,
	.reset = blk_reset,
};

/* ---- setup --------------------------------------------------------- */

static int blk_open(struct virtio_blk *b, const char *path, bool ro,
		    char *why, size_t whylen)
{
	struct stat st;
	uint64_t size;

	b->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		goto err;
	/* Two writers on one image would corrupt it. */
	if (flock(b->fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		snprintf(why, whylen, "--disk %s: image in use by another process", path);
		return -EBUSY;
	}
	if (fstat(b->fd, &st) < 0)
		goto err;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &size) < 0)
			goto err;
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		snprintf(why, whylen, "--disk %s: not a regular file or block device", path);
		return -EINVAL;
	}
	if (size % BLK_SECTOR) {
		snprintf(why, whylen, "--disk %s: size %llu is not a multiple of %d",
			 path, (unsigned long long)size, BLK_SECTOR);
		return -EINVAL;
	}
	b->capacity = size / BLK_SECTOR;
	return 0;
err:
	snprintf(why, whylen, "--disk %s: %s", path, strerror(errno));
	return -errno;
}

static int blk_ring_init(struct virtio_blk *b, char *why, size_t whylen)
{
	int err;

	err = io_uring_queue_init(VQ_MAX_SIZE, &b->ring, 0);
	if (err) {
		snprintf(why, whylen, "virtio-blk: io_uring setup: %s", strerror(-err));
		return err;
	}
	b->ring_ok = true;
	b->ring_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->ring_efd < 0 || io_uring_register_eventfd(&b->ring, b->ring_efd)) {
		snprintf(why, whylen, "virtio-blk: io_uring eventfd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void blk_config(struct virtio_blk *b)
{
	struct virtio_blk_config cfg = {
		.capacity = b->capacity,
		.seg_max = BLK_SEG_MAX,
	};

	memcpy(b->vdev.devcfg, &cfg, sizeof(cfg));
}

static void blk_close(struct virtio_blk *b)
{
	if (b->ring_efd >= 0)
		close(b->ring_efd);
	if (b->ring_ok)
		io_uring_queue_exit(&b->ring);
	/* What the guest wrote reaches the file, whatever the exit path. */
	if (b->fd >= 0 && !b->ro)
		fdatasync(b->fd);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = b->ring_efd = -1;
	b->ring_ok = false;
}

int virtio_blk_init(struct virtio_blk *b, const char *path, bool ro,
		    const struct virtio_env *env, int index, char *why,
		    size_t whylen)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->fd = b->ring_efd = -1;
	b->ro = ro;
	b->ops = blk_ops_template;
	if (ro)
		b->ops.features |= 1ULL << VIRTIO_BLK_F_RO;
	snprintf(b->serial, sizeof(b->serial), "hmmv-disk%d", index);
	err = blk_open(b, path, ro, why, whylen);
	b->bad_input = err < 0;
	if (!err)
		err = blk_ring_init(b, why, whylen);
	if (!err) {
		err = virtio_pci_init(&b->vdev, &b->ops, b, env, index);
		if (err)
			snprintf(why, whylen, "virtio-blk: %s", strerror(-err));
	}
	if (err) {
		blk_close(b);
		return err;
	}
	blk_config(b);
	err = virtio_dev_watch(&b->vdev, b->ring_efd, 0, EPOLLIN);
	if (err) {
		snprintf(why, whylen, "virtio-blk: epoll: %s", strerror(-err));
		virtio_blk_exit(b);
	}
	return err;
}

int virtio_blk_start(struct virtio_blk *b)
{
	return virtio_dev_start(&b->vdev);
}

void virtio_blk_exit(struct virtio_blk *b)
{
	/* The transport's exit resets the device, which drains the ring. */
	virtio_dev_exit(&b->vdev);
	blk_close(b);
}
