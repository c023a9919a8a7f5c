/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x device core shared by every virtio device, whatever its
 * transport: feature negotiation and device status, the virtqueues, and one
 * device thread per device that waits on its queue kicks and on
 * device-specific fds. A transport (devices/virtio_pci.c; like kvmtool's
 * virtio/core.c beside virtio/pci.c) puts the device in front of the guest
 * and delivers its interrupts through struct virtio_transport; a second
 * transport would add a file beside it, not change this one.
 *
 * Locking: vdev->lock protects the core, the transport state and the
 * queues. Device callbacks run with it held, from the device thread
 * (queue_notify, event) or from a vCPU (reset).
 */
#ifndef HMMV_DEVICES_VIRTIO_H
#define HMMV_DEVICES_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "devices/pci.h"
#include "devices/virtqueue.h"
#include "memory/memory.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_CFG_MAX		256
#define VIRTIO_NO_VECTOR	0xffff	/* a queue or config change without one */
#define VIRTIO_INT_QUEUE	0x1	/* interrupt causes (the ISR bits) */
#define VIRTIO_INT_CONFIG	0x2

struct virtio_dev;

struct virtio_dev_ops {
	const char *name;		/* "virtio-blk" ... for messages */
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint32_t class_code;		/* PCI class << 8 */
	uint16_t nr_queues;
	uint64_t features;		/* on top of VIRTIO_F_VERSION_1 */
	uint32_t config_len;
	/* Buffers were made available on queue @q. */
	void (*queue_notify)(struct virtio_dev *vdev, int q);
	/* A device fd added with virtio_dev_watch became ready. */
	void (*event)(struct virtio_dev *vdev, int tag, uint32_t events);
	/* Device reset: finish or cancel in-flight requests before returning. */
	void (*reset)(struct virtio_dev *vdev);
};

/* What the core asks of the transport a device sits on (lock held). */
struct virtio_transport {
	/* Interrupts the driver: @vector as the driver configured it, @cause
	 * VIRTIO_INT_QUEUE or VIRTIO_INT_CONFIG. */
	void (*interrupt)(struct virtio_dev *vdev, uint16_t vector, uint8_t cause);
	/* Device reset: the transport's registers back to their defaults. */
	void (*reset)(struct virtio_dev *vdev);
	/* Makes the device visible to the guest; undone by unplug. */
	int (*plug)(struct virtio_dev *vdev);
	void (*unplug)(struct virtio_dev *vdev);
	/* Releases the transport's state (its fds, its memory). */
	void (*exit)(struct virtio_dev *vdev);
};

/* What a device needs from the VM; vm_fd < 0 runs without KVM (tests). */
struct virtio_env {
	int vm_fd;
	struct guest_mem *mem;
	struct irq_router *irq;
	struct pci_bus *pci;
};

struct virtio_queue {
	struct vq vq;
	uint16_t size;
	uint16_t vector;	/* the transport's interrupt vector, or NO_VECTOR */
	bool enabled;
	uint64_t desc, avail, used;
	int kick_fd;
	bool ioeventfd;		/* kick_fd bound to the notify address */
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	void *priv;
	struct virtio_env env;
	char name[32];
	pthread_mutex_t lock;

	uint64_t driver_features;
	uint8_t status;
	uint16_t config_vector;
	struct virtio_queue q[VIRTIO_MAX_QUEUES];
	uint8_t devcfg[VIRTIO_CFG_MAX];

	const struct virtio_transport *transport;
	void *transport_priv;

	int epoll_fd, stop_fd;
	pthread_t thread;
	bool thread_started;
	bool plugged;
	bool logged_broken, logged_bad;
	uint64_t nr_irqs;	/* interrupts raised, for tests */
};

/*
 * For transports: sets up the core (queues, kick fds, the device thread's
 * epoll set); the transport then fills vdev->transport and calls
 * virtio_dev_reset. Undone by virtio_dev_exit, also after a partial init.
 */
int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, const struct virtio_env *env, int index);
/* Plugs the device into its transport and starts its thread. */
int virtio_dev_start(struct virtio_dev *vdev);
/* Stops the thread, quiesces the device, unplugs it, closes everything. */
void virtio_dev_exit(struct virtio_dev *vdev);
/* Adds @fd to the device thread's epoll set (@events 0 = parked). */
int virtio_dev_watch(struct virtio_dev *vdev, int fd, int tag, uint32_t events);
int virtio_dev_rewatch(struct virtio_dev *vdev, int fd, int tag, uint32_t events);

/*
 * Queue helpers for device callbacks (lock held). virtio_queue_pop hides
 * bad chains (completed with length 0) and broken rings (device marked
 * DEVICE_NEEDS_RESET); it returns true with a good chain in @c.
 */
bool virtio_queue_pop(struct virtio_dev *vdev, int q, struct vq_chain *c);
void virtio_queue_push(struct virtio_dev *vdev, int q, uint16_t head, uint32_t len);
/* Interrupts the driver for queue @q unless it suppressed interrupts. */
void virtio_queue_interrupt(struct virtio_dev *vdev, int q);
/* True while the driver is up and the device is not broken. */
bool virtio_dev_running(const struct virtio_dev *vdev);
/* Marks the device DEVICE_NEEDS_RESET, logs once, tells the driver. */
void virtio_dev_broken(struct virtio_dev *vdev, const char *why);
/* Logs one line about a bad request, once per device. */
void virtio_dev_log_bad(struct virtio_dev *vdev, const char *why);
/* Runs every queue's notify handler now (fuzzers, tests without a thread). */
void virtio_dev_poll(struct virtio_dev *vdev);

/* For transports, with the lock held: what the driver's register writes do. */
uint64_t virtio_dev_features(const struct virtio_dev *vdev);
void virtio_dev_set_status(struct virtio_dev *vdev, uint8_t val);
void virtio_dev_reset(struct virtio_dev *vdev);
void virtio_queue_enable(struct virtio_dev *vdev, struct virtio_queue *q);
/* The driver notified queue @q: wakes the device thread. */
void virtio_queue_kick(struct virtio_dev *vdev, unsigned int q);

#endif
