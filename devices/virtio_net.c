// SPDX-License-Identifier: GPL-2.0
/* virtio-net: one rx and one tx queue bridged to a tap device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "devices/virtio_net.h"

#define NET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)
#define NET_TAG_TAP	0

static void net_park_rx(struct virtio_net *n, bool park)
{
	if (n->rx_parked == park)
		return;
	n->rx_parked = park;
	virtio_dev_rewatch(&n->vdev, n->tap_fd, NET_TAG_TAP, park ? 0 : EPOLLIN);
}

/* Reads one packet into the next rx chain; false when nothing more to do. */
static bool net_rx_one(struct virtio_net *n)
{
	struct guest_mem *mem = n->vdev.env.mem;
	struct vq *q = &n->vdev.q[NET_RXQ].vq;
	uint16_t one = 1;
	uint32_t room;
	ssize_t got;
	int niov, i;

	if (!virtio_queue_pop(&n->vdev, NET_RXQ, &n->chain)) {
		net_park_rx(n, true);
		return false;
	}
	niov = vq_chain_iov(q, &n->chain, true, 0, UINT32_MAX, n->iov,
			    VQ_MAX_CHAIN, &room);
	if (niov < 0 || room < NET_HDR_LEN) {
		virtio_dev_log_bad(&n->vdev, "rx buffer too small for the header");
		virtio_queue_push(&n->vdev, NET_RXQ, n->chain.head, 0);
		return true;
	}
	for (i = 0; i < n->chain.nr; i++)
		if (n->chain.elem[i].write)
			memory_io_begin(mem, n->chain.elem[i].gpa, n->chain.elem[i].len, true);
	got = readv(n->tap_fd, n->iov, niov);
	for (i = 0; i < n->chain.nr; i++)
		if (n->chain.elem[i].write)
			memory_io_end(mem, n->chain.elem[i].gpa, n->chain.elem[i].len, true);
	if (got < (ssize_t)NET_HDR_LEN) {
		vq_unpop(q);	/* no packet waiting: keep the buffer */
		return false;
	}
	/* Without mergeable buffers a packet always takes one chain. */
	vq_chain_write(q, &n->chain, offsetof(struct virtio_net_hdr_v1, num_buffers),
		       &one, sizeof(one));
	virtio_queue_push(&n->vdev, NET_RXQ, n->chain.head, (uint32_t)got);
	return true;
}

static void net_rx(struct virtio_net *n)
{
	int i;

	for (i = 0; i < NET_BATCH && virtio_dev_running(&n->vdev); i++)
		if (!net_rx_one(n))
			break;
	if (i)
		virtio_queue_interrupt(&n->vdev, NET_RXQ);
}

static void net_tx(struct virtio_net *n)
{
	struct vq *q = &n->vdev.q[NET_TXQ].vq;
	uint32_t len;
	bool done = false;
	int niov;

	while (virtio_queue_pop(&n->vdev, NET_TXQ, &n->chain)) {
		niov = vq_chain_iov(q, &n->chain, false, 0, UINT32_MAX, n->iov,
				    VQ_MAX_CHAIN, &len);
		if (niov < 0 || len < NET_HDR_LEN)
			virtio_dev_log_bad(&n->vdev, "tx packet without a header");
		/* A full tap queue drops the packet, as a NIC would. */
		else if (writev(n->tap_fd, n->iov, niov) < 0 && errno != EAGAIN)
			virtio_dev_log_bad(&n->vdev, "tap write failed");
		virtio_queue_push(&n->vdev, NET_TXQ, n->chain.head, 0);
		done = true;
	}
	if (done)
		virtio_queue_interrupt(&n->vdev, NET_TXQ);
}

static void net_queue_notify(struct virtio_dev *vdev, int q)
{
	struct virtio_net *n = vdev->priv;

	if (q == NET_TXQ) {
		net_tx(n);
		return;
	}
	net_park_rx(n, false);
	net_rx(n);
}

static void net_event(struct virtio_dev *vdev, int tag, uint32_t events)
{
	struct virtio_net *n = vdev->priv;

	if (!virtio_dev_running(vdev) || !vdev->q[NET_RXQ].enabled) {
		net_park_rx(n, true);	/* the kick after DRIVER_OK wakes us */
		return;
	}
	net_rx(n);
}

static void net_reset(struct virtio_dev *vdev)
{
	struct virtio_net *n = vdev->priv;

	net_park_rx(n, true);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000,		/* ethernet */
	.nr_queues = 2,
	.features = 1ULL << VIRTIO_NET_F_MAC,
	.config_len = sizeof(struct virtio_net_config),
	.queue_notify = net_queue_notify,
	.event = net_event,
	.reset = net_reset,
};

static int net_tap_open(struct virtio_net *n, const char *ifname, char *why,
			size_t whylen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr = NET_HDR_LEN, err;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
		snprintf(why, whylen, "--net tap=%s: bad interface name", ifname);
		return -EINVAL;
	}
	n->tap_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (n->tap_fd < 0) {
		err = -errno;
		snprintf(why, whylen, "--net tap=%s: cannot open /dev/net/tun: %s%s",
			 ifname, strerror(errno),
			 errno == ENOENT || errno == ENODEV ? " (is the tun module loaded?)" : "");
		return err;
	}
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(n->tap_fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		if (errno == EBUSY)
			snprintf(why, whylen, "--net tap=%s: tap device busy (attached elsewhere)", ifname);
		else if (errno == EPERM || errno == EACCES)
			snprintf(why, whylen, "--net tap=%s: no permission to attach (needs CAP_NET_ADMIN or tap ownership)", ifname);
		else
			snprintf(why, whylen, "--net tap=%s: %s", ifname, strerror(errno));
		return err;
	}
	if (ioctl(n->tap_fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		err = -errno;
		snprintf(why, whylen, "--net tap=%s: vnet header size: %s", ifname, strerror(errno));
		return err;
	}
	return 0;
}

int virtio_net_init(struct virtio_net *n, const char *ifname,
		    const struct virtio_env *env, int index, char *why,
		    size_t whylen)
{
	struct virtio_net_config cfg = {
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + index) },
	};
	int err;

	memset(n, 0, sizeof(*n));
	n->tap_fd = -1;
	err = net_tap_open(n, ifname, why, whylen);
	n->bad_input = err < 0;
	if (!err) {
		err = virtio_pci_init(&n->vdev, &net_ops, n, env, index);
		if (err)
			snprintf(why, whylen, "virtio-net: %s", strerror(-err));
	}
	if (err) {
		if (n->tap_fd >= 0)
			close(n->tap_fd);
		return err;
	}
	memcpy(n->vdev.devcfg, &cfg, sizeof(cfg));
	/* Parked until the driver posts rx buffers. */
	n->rx_parked = true;
	err = virtio_dev_watch(&n->vdev, n->tap_fd, NET_TAG_TAP, 0);
	if (err) {
		snprintf(why, whylen, "virtio-net: epoll: %s", strerror(-err));
		virtio_net_exit(n);
	}
	return err;
}

int virtio_net_start(struct virtio_net *n)
{
	return virtio_dev_start(&n->vdev);
}

void virtio_net_exit(struct virtio_net *n)
{
	virtio_dev_exit(&n->vdev);
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	n->tap_fd = -1;
}
