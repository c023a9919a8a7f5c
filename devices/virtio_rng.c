// SPDX-License-Identifier: GPL-2.0
/* virtio-rng: fills each device-writable buffer with getrandom(2). */
#include <errno.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "devices/virtio_rng.h"

/* Fills one writable segment; returns the bytes written. */
static uint32_t rng_fill(struct virtio_rng *r, const struct vq_elem *e, uint32_t room)
{
	struct guest_mem *mem = r->vdev.env.mem;
	uint32_t len = e->len < room ? e->len : room;
	ssize_t got;
	void *p;

	if (!len || memory_io_begin(mem, e->gpa, len, true))
		return 0;
	p = memory_translate(mem, e->gpa, len);
	got = p ? getrandom(p, len, GRND_NONBLOCK) : -1;
	memory_io_end(mem, e->gpa, len, true);
	return got > 0 ? (uint32_t)got : 0;
}

static void rng_queue_notify(struct virtio_dev *vdev, int q)
{
	struct virtio_rng *r = vdev->priv;
	uint32_t total, got;
	bool done = false;
	int i;

	while (virtio_queue_pop(vdev, 0, &r->chain)) {
		total = 0;
		for (i = 0; i < r->chain.nr && total < RNG_MAX_REQUEST; i++) {
			if (!r->chain.elem[i].write)
				continue;
			got = rng_fill(r, &r->chain.elem[i], RNG_MAX_REQUEST - total);
			total += got;
			/* The used length covers a prefix: stop at a short fill. */
			if (got < r->chain.elem[i].len)
				break;
		}
		virtio_queue_push(vdev, 0, r->chain.head, total);
		done = true;
	}
	if (done)
		virtio_queue_interrupt(vdev, 0);
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0x00ff00,		/* unclassified */
	.nr_queues = 1,
	.config_len = 0,
	.queue_notify = rng_queue_notify,
};

int virtio_rng_init(struct virtio_rng *r, const struct virtio_env *env)
{
	return virtio_pci_init(&r->vdev, &rng_ops, r, env, 0);
}

int virtio_rng_start(struct virtio_rng *r)
{
	return virtio_dev_start(&r->vdev);
}

void virtio_rng_exit(struct virtio_rng *r)
{
	virtio_dev_exit(&r->vdev);
}
