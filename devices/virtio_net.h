/* SPDX-License-Identifier: GPL-2.0 */
/* virtio-net on a host tap device (IFF_TAP | IFF_VNET_HDR). */
#ifndef HMMV_DEVICES_VIRTIO_NET_H
#define HMMV_DEVICES_VIRTIO_NET_H

#include <stddef.h>

#include "devices/virtio_pci.h"

#define NET_RXQ		0
#define NET_TXQ		1
#define NET_BATCH	64	/* packets per wake-up before yielding */

struct virtio_net {
	struct virtio_dev vdev;
	int tap_fd;
	bool bad_input;		/* init failed on the image or tap itself */
	bool rx_parked;		/* no rx buffers: tap fd not polled */
	struct vq_chain chain;
	struct iovec iov[VQ_MAX_CHAIN];
};

/* Attaches to (or creates) tap @ifname; @why names the problem on failure. */
int virtio_net_init(struct virtio_net *n, const char *ifname,
		    const struct virtio_env *env, int index, char *why,
		    size_t whylen);
int virtio_net_start(struct virtio_net *n);
void virtio_net_exit(struct virtio_net *n);

#endif
