/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x modern PCI transport shared by every virtio device: common,
 * notify, ISR and device configuration capabilities in one memory BAR,
 * MSI-X (irqfd) with INTx fallback, one ioeventfd per queue, and one device
 * thread per device that waits on its kicks and on device-specific fds.
 *
 * Locking: vdev->lock protects the transport state and the queues. Device
 * callbacks run with it held, from the device thread (queue_notify, event)
 * or from a vCPU (reset).
 */
#ifndef HMMV_DEVICES_VIRTIO_PCI_H
#define HMMV_DEVICES_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "devices/pci.h"
#include "devices/virtqueue.h"
#include "memory/memory.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_MAX_VECTORS	(VIRTIO_MAX_QUEUES + 1)
#define VIRTIO_CFG_MAX		256

/* BAR 0 layout. */
#define VIRTIO_BAR_COMMON	0x0000
#define VIRTIO_BAR_ISR		0x1000
#define VIRTIO_BAR_DEVICE	0x2000
#define VIRTIO_BAR_NOTIFY	0x3000
#define VIRTIO_BAR_MSIX		0x4000
#define VIRTIO_BAR_PBA		0x5000
#define VIRTIO_BAR_SIZE		0x8000
#define VIRTIO_NOTIFY_MULT	4

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
	uint16_t msix_vector;
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
	struct pci_dev pci;
	pthread_mutex_t lock;

	uint32_t dev_feat_sel, drv_feat_sel;
	uint64_t driver_features;
	uint8_t status;
	uint16_t queue_sel;
	uint16_t msix_config;
	uint8_t isr;
	bool intx_level;
	struct virtio_queue q[VIRTIO_MAX_QUEUES];
	uint8_t devcfg[VIRTIO_CFG_MAX];

	uint8_t msix_cap;	/* config-space offset of the MSI-X capability */
	uint8_t cfg_cap;	/* ... of the VIRTIO_PCI_CAP_PCI_CFG window */
	uint8_t msix_table[VIRTIO_MAX_VECTORS * 16];
	uint32_t msix_routed[VIRTIO_MAX_VECTORS][3];	/* addr lo/hi, data */
	bool msix_route_valid[VIRTIO_MAX_VECTORS];
	bool msix_pending[VIRTIO_MAX_VECTORS];
	uint32_t msix_gsi[VIRTIO_MAX_VECTORS];
	int msix_fd[VIRTIO_MAX_VECTORS];
	uint64_t bar_addr;
	bool bar_mapped;

	int epoll_fd, stop_fd;
	pthread_t thread;
	bool thread_started;
	bool added;
	bool logged_broken, logged_bad;
	uint64_t nr_irqs;	/* interrupts raised, for tests */
};

/* Builds the PCI function and the fds; nothing is visible to the guest yet. */
int virtio_dev_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, const struct virtio_env *env, int index);
/* Plugs the device into the PCI bus and starts its thread. */
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

/* The BAR 0 MMIO handler (also what fuzzers and unit tests drive). */
void virtio_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write);
/* Runs every queue's notify handler now (fuzzers, tests without a thread). */
void virtio_dev_poll(struct virtio_dev *vdev);

#endif
