// SPDX-License-Identifier: GPL-2.0
/* The virtio device core: status, features, queues, the device thread. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/virtio_config.h>

#include "devices/virtio.h"

#define VIRTIO_TAG_STOP		0xffffffffU
#define VIRTIO_TAG_EXTRA	0x100U

uint64_t virtio_dev_features(const struct virtio_dev *vdev)
{
	return (1ULL << VIRTIO_F_VERSION_1) | vdev->ops->features;
}

void virtio_dev_log_bad(struct virtio_dev *vdev, const char *why)
{
	if (vdev->logged_bad)
		return;
	vdev->logged_bad = true;
	fprintf(stderr, "hmmv: %s: guest sent a bad request (%s); failing it\n",
		vdev->name, why);
}

void virtio_dev_broken(struct virtio_dev *vdev, const char *why)
{
	if (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (!vdev->logged_broken) {
		vdev->logged_broken = true;
		fprintf(stderr, "hmmv: %s: %s; device needs reset\n", vdev->name, why);
	}
	vdev->transport->interrupt(vdev, vdev->config_vector, VIRTIO_INT_CONFIG);
}

/* ---- queues -------------------------------------------------------- */

bool virtio_dev_running(const struct virtio_dev *vdev)
{
	return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

bool virtio_queue_pop(struct virtio_dev *vdev, int q, struct vq_chain *c)
{
	struct virtio_queue *vq = &vdev->q[q];

	while (virtio_dev_running(vdev) && vq->enabled) {
		switch (vq_pop(&vq->vq, c)) {
		case VQ_EMPTY:
			return false;
		case VQ_CHAIN:
			return true;
		case VQ_BAD_CHAIN:
			virtio_dev_log_bad(vdev, "buffer outside guest RAM or misordered");
			virtio_queue_push(vdev, q, c->head, 0);
			break;
		case VQ_BROKEN:
			virtio_dev_broken(vdev, "virtqueue corrupt (index, loop or chain length)");
			return false;
		}
	}
	return false;
}

void virtio_queue_push(struct virtio_dev *vdev, int q, uint16_t head, uint32_t len)
{
	if (vq_push(&vdev->q[q].vq, head, len))
		virtio_dev_broken(vdev, "used ring unreachable");
}

void virtio_queue_interrupt(struct virtio_dev *vdev, int q)
{
	if (vq_should_notify(&vdev->q[q].vq))
		vdev->transport->interrupt(vdev, vdev->q[q].vector, VIRTIO_INT_QUEUE);
}

void virtio_queue_enable(struct virtio_dev *vdev, struct virtio_queue *q)
{
	if (q->enabled)
		return;
	if (vq_setup(&q->vq, vdev->env.mem, q->size, q->desc, q->avail, q->used)) {
		virtio_dev_broken(vdev, "queue size or ring address invalid");
		return;
	}
	q->enabled = true;
}

void virtio_queue_kick(struct virtio_dev *vdev, unsigned int q)
{
	uint64_t one = 1;

	if (q < vdev->ops->nr_queues &&
	    write(vdev->q[q].kick_fd, &one, sizeof(one)) < 0)
		virtio_dev_log_bad(vdev, "kick eventfd write failed");
}

/* ---- status -------------------------------------------------------- */

void virtio_dev_reset(struct virtio_dev *vdev)
{
	int i;

	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	for (i = 0; i < vdev->ops->nr_queues; i++) {
		struct virtio_queue *q = &vdev->q[i];

		vq_reset(&q->vq);
		q->enabled = false;
		q->size = VQ_MAX_SIZE;
		q->vector = VIRTIO_NO_VECTOR;
		q->desc = q->avail = q->used = 0;
	}
	vdev->status = 0;
	vdev->driver_features = 0;
	vdev->config_vector = VIRTIO_NO_VECTOR;
	vdev->transport->reset(vdev);
}

void virtio_dev_set_status(struct virtio_dev *vdev, uint8_t val)
{
	uint64_t extra = vdev->driver_features & ~virtio_dev_features(vdev);
	bool was_ok = vdev->status & VIRTIO_CONFIG_S_DRIVER_OK;
	int i;

	if (!val) {
		virtio_dev_reset(vdev);
		return;
	}
	/* FEATURES_OK only for a subset of ours that includes VERSION_1. */
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    (extra || !(vdev->driver_features & (1ULL << VIRTIO_F_VERSION_1))))
		val &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	vdev->status = val | (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Buffers made available before DRIVER_OK are served now. */
	if (!was_ok && virtio_dev_running(vdev))
		for (i = 0; i < vdev->ops->nr_queues; i++)
			virtio_queue_kick(vdev, (unsigned int)i);
}

/* ---- device thread ------------------------------------------------- */

int virtio_dev_rewatch(struct virtio_dev *vdev, int fd, int tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = VIRTIO_TAG_EXTRA + (uint32_t)tag };

	return epoll_ctl(vdev->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

int virtio_dev_watch(struct virtio_dev *vdev, int fd, int tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = VIRTIO_TAG_EXTRA + (uint32_t)tag };

	return epoll_ctl(vdev->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void virtio_handle_kick(struct virtio_dev *vdev, int q)
{
	uint64_t n;

	/* Drain the eventfd; many kicks collapse into one pass. */
	if (read(vdev->q[q].kick_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&vdev->lock);
	if (virtio_dev_running(vdev) && vdev->q[q].enabled)
		vdev->ops->queue_notify(vdev, q);
	pthread_mutex_unlock(&vdev->lock);
}

static void *virtio_thread(void *arg)
{
	struct virtio_dev *vdev = arg;
	struct epoll_event ev[8];
	int i, n;

	for (;;) {
		n = epoll_wait(vdev->epoll_fd, ev, 8, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		for (i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u32;

			if (tag == VIRTIO_TAG_STOP)
				return NULL;
			if (tag < VIRTIO_TAG_EXTRA) {
				virtio_handle_kick(vdev, (int)tag);
				continue;
			}
			pthread_mutex_lock(&vdev->lock);
			if (vdev->ops->event)
				vdev->ops->event(vdev, (int)(tag - VIRTIO_TAG_EXTRA), ev[i].events);
			pthread_mutex_unlock(&vdev->lock);
		}
	}
}

void virtio_dev_poll(struct virtio_dev *vdev)
{
	int q;

	for (q = 0; q < vdev->ops->nr_queues; q++)
		virtio_handle_kick(vdev, q);
}

/* ---- life cycle ---------------------------------------------------- */

static int virtio_open_fds(struct virtio_dev *vdev)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	vdev->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	vdev->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vdev->epoll_fd < 0 || vdev->stop_fd < 0)
		return -errno;
	ev.data.u32 = VIRTIO_TAG_STOP;
	if (epoll_ctl(vdev->epoll_fd, EPOLL_CTL_ADD, vdev->stop_fd, &ev) < 0)
		return -errno;
	for (i = 0; i < vdev->ops->nr_queues; i++) {
		vdev->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vdev->q[i].kick_fd < 0)
			return -errno;
		ev.data.u32 = (uint32_t)i;
		if (epoll_ctl(vdev->epoll_fd, EPOLL_CTL_ADD, vdev->q[i].kick_fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

static void virtio_close_fds(struct virtio_dev *vdev)
{
	int i;

	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (vdev->q[i].kick_fd >= 0)
			close(vdev->q[i].kick_fd);
		vdev->q[i].kick_fd = -1;
	}
	if (vdev->stop_fd >= 0)
		close(vdev->stop_fd);
	if (vdev->epoll_fd >= 0)
		close(vdev->epoll_fd);
	vdev->stop_fd = vdev->epoll_fd = -1;
}

int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, const struct virtio_env *env, int index)
{
	int i, err;

	memset(vdev, 0, sizeof(*vdev));
	if (ops->nr_queues > VIRTIO_MAX_QUEUES || ops->config_len > VIRTIO_CFG_MAX)
		return -EINVAL;
	vdev->priv = priv;
	vdev->env = *env;
	snprintf(vdev->name, sizeof(vdev->name), "%s%d", ops->name, index);
	vdev->epoll_fd = vdev->stop_fd = -1;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		vdev->q[i].kick_fd = -1;
		vdev->q[i].vq.mem = env->mem;
	}
	err = pthread_mutex_init(&vdev->lock, NULL);
	if (err)
		return -err;
	vdev->ops = ops;	/* from here on virtio_dev_exit undoes the init */
	err = virtio_open_fds(vdev);
	if (err)
		virtio_dev_exit(vdev);
	return err;
}

int virtio_dev_start(struct virtio_dev *vdev)
{
	int err;

	err = vdev->transport->plug(vdev);
	if (err < 0)
		return err;
	vdev->plugged = true;
	err = pthread_create(&vdev->thread, NULL, virtio_thread, vdev);
	if (err)
		return -err;
	vdev->thread_started = true;
	return 0;
}

void virtio_dev_exit(struct virtio_dev *vdev)
{
	uint64_t one = 1;

	if (!vdev->ops)
		return;
	if (vdev->thread_started) {
		if (write(vdev->stop_fd, &one, sizeof(one)) < 0)
			pthread_cancel(vdev->thread);
		pthread_join(vdev->thread, NULL);
		vdev->thread_started = false;
	}
	if (vdev->plugged)
		vdev->transport->unplug(vdev);
	vdev->plugged = false;
	if (vdev->transport) {
		pthread_mutex_lock(&vdev->lock);
		virtio_dev_reset(vdev);
		pthread_mutex_unlock(&vdev->lock);
		vdev->transport->exit(vdev);
		vdev->transport = NULL;
	}
	virtio_close_fds(vdev);
	pthread_mutex_destroy(&vdev->lock);
	vdev->ops = NULL;
}
