/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio 1.x modern PCI transport (devices/virtio.h is the device
 * core): common, notify, ISR and device configuration capabilities in one
 * memory BAR, the configuration-space access window, MSI-X (irqfd) with
 * INTx fallback, one ioeventfd per queue.
 */
#ifndef HMMV_DEVICES_VIRTIO_PCI_H
#define HMMV_DEVICES_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "devices/virtio.h"

#define VIRTIO_MAX_VECTORS	(VIRTIO_MAX_QUEUES + 1)

/* BAR 0 layout. */
#define VIRTIO_BAR_COMMON	0x0000
#define VIRTIO_BAR_ISR		0x1000
#define VIRTIO_BAR_DEVICE	0x2000
#define VIRTIO_BAR_NOTIFY	0x3000
#define VIRTIO_BAR_MSIX		0x4000
#define VIRTIO_BAR_PBA		0x5000
#define VIRTIO_BAR_SIZE		0x8000
#define VIRTIO_NOTIFY_MULT	4

/* The PCI side of one virtio device (vdev->transport_priv). */
struct virtio_pci {
	struct virtio_dev *vdev;
	struct pci_dev pci;

	uint32_t dev_feat_sel, drv_feat_sel;
	uint16_t queue_sel;
	uint8_t isr;
	bool intx_level;

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
};

/*
 * Builds the device core and its PCI function and fds; nothing is visible
 * to the guest until virtio_dev_start. -errno, nothing left behind.
 */
int virtio_pci_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, const struct virtio_env *env, int index);
/* The PCI state of a device built by virtio_pci_init. */
static inline struct virtio_pci *virtio_pci_of(struct virtio_dev *vdev)
{
	return vdev->transport_priv;
}

/* The BAR 0 MMIO handler, @opaque the struct virtio_dev (also what fuzzers
 * and unit tests drive). */
void virtio_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write);

#endif
