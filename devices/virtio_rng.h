/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-rng: entropy from the host's getrandom(2). */
#ifndef HMMV_DEVICES_VIRTIO_RNG_H
#define HMMV_DEVICES_VIRTIO_RNG_H

#include "devices/virtio_pci.h"

#define RNG_MAX_REQUEST	(64 * 1024)	/* bytes served per buffer */

struct virtio_rng {
	struct virtio_dev vdev;
	struct vq_chain chain;
};

int virtio_rng_init(struct virtio_rng *r, const struct virtio_env *env);
int virtio_rng_start(struct virtio_rng *r);
void virtio_rng_exit(struct virtio_rng *r);

#endif
