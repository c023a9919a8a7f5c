// SPDX-License-Identifier: GPL-2.0
/* virtio 1.x modern PCI transport: capabilities, common config, MSI-X. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "devices/virtio_pci.h"

#define VIRTIO_VENDOR_ID	0x1af4	/* Red Hat, Inc. (virtio) */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_TAG_STOP		0xffffffffU
#define VIRTIO_TAG_EXTRA	0x100U

static uint16_t virtio_nr_vectors(const struct virtio_dev *vdev)
{
	return vdev->ops->nr_queues + 1;
}

static uint64_t virtio_dev_features(const struct virtio_dev *vdev)
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

/* ---- interrupts ---------------------------------------------------- */

static uint16_t virtio_msix_ctrl(const struct virtio_dev *vdev)
{
	uint16_t v;

	memcpy(&v, vdev->pci.cfg + vdev->msix_cap + PCI_MSIX_FLAGS, 2);
	return v;
}

static bool virtio_msix_enabled(const struct virtio_dev *vdev)
{
	return virtio_msix_ctrl(vdev) & PCI_MSIX_FLAGS_ENABLE;
}

static uint32_t virtio_msix_word(const struct virtio_dev *vdev, int v, int w)
{
	uint32_t x;

	memcpy(&x, vdev->msix_table + 16 * v + 4 * w, 4);
	return x;
}

static bool virtio_msix_masked(const struct virtio_dev *vdev, int v)
{
	return (virtio_msix_ctrl(vdev) & PCI_MSIX_FLAGS_MASKALL) ||
	       (virtio_msix_word(vdev, v, 3) & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void virtio_fire_vector(struct virtio_dev *vdev, int v)
{
	uint64_t one = 1;

	vdev->nr_irqs++;
	if (write(vdev->msix_fd[v], &one, sizeof(one)) < 0)
		virtio_dev_log_bad(vdev, "irqfd write failed");
}

/* Re-routes vector @v if the guest changed its message; fires pending. */
static void virtio_msix_update(struct virtio_dev *vdev, int v)
{
	uint32_t msg[3] = { virtio_msix_word(vdev, v, 0),
			    virtio_msix_word(vdev, v, 1),
			    virtio_msix_word(vdev, v, 2) };

	if (!virtio_msix_enabled(vdev) || virtio_msix_masked(vdev, v))
		return;
	if (!vdev->msix_route_valid[v] || memcmp(msg, vdev->msix_routed[v], sizeof(msg))) {
		if (irq_msi_route(vdev->env.irq, vdev->msix_gsi[v],
				  ((uint64_t)msg[1] << 32) | msg[0], msg[2], true))
			return;
		memcpy(vdev->msix_routed[v], msg, sizeof(msg));
		vdev->msix_route_valid[v] = true;
	}
	if (vdev->msix_pending[v]) {
		vdev->msix_pending[v] = false;
		virtio_fire_vector(vdev, v);
	}
}

static void virtio_intx_set(struct virtio_dev *vdev, bool level)
{
	if (vdev->intx_level == level)
		return;
	vdev->intx_level = level;
	irq_line(vdev->env.irq, PCI_INTX_GSI(vdev->pci.slot), level);
}

static void virtio_raise(struct virtio_dev *vdev, uint16_t vector, uint8_t isr)
{
	uint16_t cmd;

	if (virtio_msix_enabled(vdev)) {
		if (vector >= virtio_nr_vectors(vdev))
			return;
		if (virtio_msix_masked(vdev, vector)) {
			vdev->msix_pending[vector] = true;
			return;
		}
		virtio_msix_update(vdev, vector);
		virtio_fire_vector(vdev, vector);
		return;
	}
	vdev->isr |= isr;
	memcpy(&cmd, vdev->pci.cfg + PCI_COMMAND, 2);
	if (cmd & PCI_COMMAND_INTX_DISABLE)
		return;
	vdev->nr_irqs++;
	virtio_intx_set(vdev, true);
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
	virtio_raise(vdev, vdev->msix_config, VIRTIO_PCI_ISR_CONFIG);
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
		virtio_raise(vdev, vdev->q[q].msix_vector, VIRTIO_ISR_QUEUE);
}

static void virtio_queue_enable(struct virtio_dev *vdev, struct virtio_queue *q)
{
	if (q->enabled)
		return;
	if (vq_setup(&q->vq, vdev->env.mem, q->size, q->desc, q->avail, q->used)) {
		virtio_dev_broken(vdev, "queue size or ring address invalid");
		return;
	}
	q->enabled = true;
}

static void virtio_dev_reset(struct virtio_dev *vdev)
{
	int i;

	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	for (i = 0; i < vdev->ops->nr_queues; i++) {
		struct virtio_queue *q = &vdev->q[i];

		vq_reset(&q->vq);
		q->enabled = false;
		q->size = VQ_MAX_SIZE;
		q->msix_vector = VIRTIO_MSI_NO_VECTOR;
		q->desc = q->avail = q->used = 0;
	}
	vdev->status = 0;
	vdev->driver_features = 0;
	vdev->dev_feat_sel = vdev->drv_feat_sel = 0;
	vdev->queue_sel = 0;
	vdev->msix_config = VIRTIO_MSI_NO_VECTOR;
	vdev->isr = 0;
	virtio_intx_set(vdev, false);
}

static void virtio_kick_all(struct virtio_dev *vdev)
{
	uint64_t one = 1;
	int i;

	for (i = 0; i < vdev->ops->nr_queues; i++)
		if (write(vdev->q[i].kick_fd, &one, sizeof(one)) < 0)
			virtio_dev_log_bad(vdev, "kick eventfd write failed");
}

static void virtio_set_status(struct virtio_dev *vdev, uint8_t val)
{
	uint64_t extra = vdev->driver_features & ~virtio_dev_features(vdev);
	bool was_ok = vdev->status & VIRTIO_CONFIG_S_DRIVER_OK;

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
	if (!was_ok && virtio_dev_running(vdev))
		virtio_kick_all(vdev);
}

/* ---- common configuration ------------------------------------------ */

static struct virtio_queue *virtio_sel_queue(struct virtio_dev *vdev)
{
	return vdev->queue_sel < vdev->ops->nr_queues ? &vdev->q[vdev->queue_sel] : NULL;
}

static void virtio_common_read(struct virtio_dev *vdev, uint64_t off,
			       uint8_t *data, uint32_t len)
{
	struct virtio_pci_common_cfg c = { 0 };
	struct virtio_queue *q = virtio_sel_queue(vdev);
	uint64_t f = virtio_dev_features(vdev);

	c.device_feature_select = vdev->dev_feat_sel;
	c.device_feature = vdev->dev_feat_sel < 2 ? (uint32_t)(f >> (32 * vdev->dev_feat_sel)) : 0;
	c.guest_feature_select = vdev->drv_feat_sel;
	c.guest_feature = vdev->drv_feat_sel < 2 ?
		(uint32_t)(vdev->driver_features >> (32 * vdev->drv_feat_sel)) : 0;
	c.msix_config = vdev->msix_config;
	c.num_queues = vdev->ops->nr_queues;
	c.device_status = vdev->status;
	c.queue_select = vdev->queue_sel;
	c.queue_msix_vector = VIRTIO_MSI_NO_VECTOR;
	if (q) {
		c.queue_size = q->size;
		c.queue_msix_vector = q->msix_vector;
		c.queue_enable = q->enabled;
		c.queue_notify_off = vdev->queue_sel;
		c.queue_desc_lo = (uint32_t)q->desc;
		c.queue_desc_hi = (uint32_t)(q->desc >> 32);
		c.queue_avail_lo = (uint32_t)q->avail;
		c.queue_avail_hi = (uint32_t)(q->avail >> 32);
		c.queue_used_lo = (uint32_t)q->used;
		c.queue_used_hi = (uint32_t)(q->used >> 32);
	}
	if (off + len <= sizeof(c))
		memcpy(data, (uint8_t *)&c + off, len);
}

static uint16_t virtio_check_vector(struct virtio_dev *vdev, uint16_t v)
{
	return v < virtio_nr_vectors(vdev) ? v : VIRTIO_MSI_NO_VECTOR;
}

static void virtio_set_half(uint64_t *field, uint64_t off, uint32_t v)
{
	if (off & 4)
		*field = (*field & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*field = (*field & ~0xffffffffULL) | v;
}

static void virtio_queue_write(struct virtio_dev *vdev, uint64_t off, uint32_t v)
{
	struct virtio_queue *q = virtio_sel_queue(vdev);

	if (!q)
		return;
	if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		q->msix_vector = virtio_check_vector(vdev, (uint16_t)v);
		return;
	}
	/* Ring layout is frozen once the queue is enabled (4.1.4.3.2). */
	if (q->enabled)
		return;
	switch (off) {
	case VIRTIO_PCI_COMMON_Q_SIZE:
		q->size = (uint16_t)v;
		break;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (v == 1)
			virtio_queue_enable(vdev, q);
		break;
	case VIRTIO_PCI_COMMON_Q_DESCLO:
	case VIRTIO_PCI_COMMON_Q_DESCHI:
		virtio_set_half(&q->desc, off, v);
		break;
	case VIRTIO_PCI_COMMON_Q_AVAILLO:
	case VIRTIO_PCI_COMMON_Q_AVAILHI:
		virtio_set_half(&q->avail, off, v);
		break;
	case VIRTIO_PCI_COMMON_Q_USEDLO:
	case VIRTIO_PCI_COMMON_Q_USEDHI:
		virtio_set_half(&q->used, off, v);
		break;
	}
}

/* Width of each common configuration field, by offset; 0 = not a field. */
static uint32_t virtio_common_width(uint64_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_STATUS:
		return 1;
	case VIRTIO_PCI_COMMON_MSIX:
	case VIRTIO_PCI_COMMON_Q_SELECT:
	case VIRTIO_PCI_COMMON_Q_SIZE:
	case VIRTIO_PCI_COMMON_Q_MSIX:
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return 2;
	case VIRTIO_PCI_COMMON_DFSELECT:
	case VIRTIO_PCI_COMMON_GFSELECT:
	case VIRTIO_PCI_COMMON_GF:
	case VIRTIO_PCI_COMMON_Q_DESCLO ... VIRTIO_PCI_COMMON_Q_USEDHI:
		return (off & 3) ? 0 : 4;
	}
	return 0;
}

static void virtio_common_write(struct virtio_dev *vdev, uint64_t off,
				const uint8_t *data, uint32_t len)
{
	uint32_t v = 0;

	if (virtio_common_width(off) != len)
		return;		/* the driver must use each field's width */
	memcpy(&v, data, len);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		vdev->dev_feat_sel = v;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		vdev->drv_feat_sel = v;
		break;
	case VIRTIO_PCI_COMMON_GF:
		if (vdev->drv_feat_sel < 2 && !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			virtio_set_half(&vdev->driver_features, 4 * vdev->drv_feat_sel, v);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		vdev->msix_config = virtio_check_vector(vdev, (uint16_t)v);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		virtio_set_status(vdev, (uint8_t)v);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		vdev->queue_sel = (uint16_t)v;
		break;
	default:
		virtio_queue_write(vdev, off, v);
	}
}

/* ---- BAR 0 --------------------------------------------------------- */

static void virtio_msix_io(struct virtio_dev *vdev, uint64_t off, uint8_t *data,
			   uint32_t len, bool is_write)
{
	uint64_t size = 16ULL * virtio_nr_vectors(vdev);
	int v;

	if (off + len > size || (off & 3)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (!is_write) {
		memcpy(data, vdev->msix_table + off, len);
		return;
	}
	memcpy(vdev->msix_table + off, data, len);
	for (v = (int)(off / 16); v <= (int)((off + len - 1) / 16); v++)
		virtio_msix_update(vdev, v);
}

static void virtio_pba_read(struct virtio_dev *vdev, uint64_t off, uint8_t *data,
			    uint32_t len)
{
	uint64_t bits = 0;
	int v;

	for (v = 0; v < virtio_nr_vectors(vdev); v++)
		bits |= (uint64_t)vdev->msix_pending[v] << v;
	memset(data, 0, len);
	if (off < 8)
		memcpy(data, (uint8_t *)&bits + off, len < 8 - off ? len : 8 - off);
}

static void virtio_notify_write(struct virtio_dev *vdev, uint64_t off)
{
	uint64_t q = off / VIRTIO_NOTIFY_MULT, one = 1;

	if (q < vdev->ops->nr_queues &&
	    write(vdev->q[q].kick_fd, &one, sizeof(one)) < 0)
		virtio_dev_log_bad(vdev, "kick eventfd write failed");
}

static void virtio_bar_read(struct virtio_dev *vdev, uint64_t off, uint8_t *data,
			    uint32_t len)
{
	memset(data, 0, len);
	if (off < VIRTIO_BAR_ISR) {
		virtio_common_read(vdev, off, data, len);
	} else if (off < VIRTIO_BAR_DEVICE) {
		/* Reading the ISR acknowledges it and drops INTx (4.1.4.5). */
		if (off == VIRTIO_BAR_ISR) {
			data[0] = vdev->isr;
			vdev->isr = 0;
			virtio_intx_set(vdev, false);
		}
	} else if (off < VIRTIO_BAR_NOTIFY) {
		off -= VIRTIO_BAR_DEVICE;
		if (off + len <= vdev->ops->config_len)
			memcpy(data, vdev->devcfg + off, len);
	} else if (off >= VIRTIO_BAR_MSIX && off < VIRTIO_BAR_PBA) {
		virtio_msix_io(vdev, off - VIRTIO_BAR_MSIX, data, len, false);
	} else if (off >= VIRTIO_BAR_PBA) {
		virtio_pba_read(vdev, off - VIRTIO_BAR_PBA, data, len);
	}
}

void virtio_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct virtio_dev *vdev = opaque;

	if (!len || len > 8 || off >= VIRTIO_BAR_SIZE || len > VIRTIO_BAR_SIZE - off) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&vdev->lock);
	if (!is_write)
		virtio_bar_read(vdev, off, data, len);
	else if (off < VIRTIO_BAR_ISR)
		virtio_common_write(vdev, off, data, len);
	else if (off >= VIRTIO_BAR_NOTIFY && off < VIRTIO_BAR_MSIX)
		virtio_notify_write(vdev, off - VIRTIO_BAR_NOTIFY);
	else if (off >= VIRTIO_BAR_MSIX && off < VIRTIO_BAR_PBA)
		virtio_msix_io(vdev, off - VIRTIO_BAR_MSIX, data, len, true);
	pthread_mutex_unlock(&vdev->lock);
}

/* ---- guest-visible plumbing: BAR moves, MSI-X control --------------- */

static int virtio_ioeventfd(struct virtio_dev *vdev, int q, uint64_t addr,
			    bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr + VIRTIO_BAR_NOTIFY + (uint64_t)VIRTIO_NOTIFY_MULT * q,
		.len = 0,	/* any width: the driver writes 16 bits */
		.fd = vdev->q[q].kick_fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (vdev->env.vm_fd < 0)
		return 0;
	return ioctl(vdev->env.vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

/* Keeps each queue's ioeventfd on the notify address of the current BAR. */
static void virtio_bar_moved(void *opaque, int bar, uint64_t addr, bool mapped)
{
	struct virtio_dev *vdev = opaque;
	int q;

	pthread_mutex_lock(&vdev->lock);
	for (q = 0; q < vdev->ops->nr_queues; q++) {
		if (vdev->q[q].ioeventfd && !mapped)
			virtio_ioeventfd(vdev, q, vdev->bar_addr, false);
		vdev->q[q].ioeventfd = false;
		/* Without an ioeventfd the MMIO handler kicks: slower, same result. */
		if (mapped && !virtio_ioeventfd(vdev, q, addr, true))
			vdev->q[q].ioeventfd = true;
	}
	vdev->bar_addr = addr;
	vdev->bar_mapped = mapped;
	pthread_mutex_unlock(&vdev->lock);
}

/* True when [off, off+len) touches the cfg window's data bytes. */
static bool virtio_cfg_window_hit(const struct virtio_dev *vdev, uint32_t off,
				  uint32_t len)
{
	uint32_t data = vdev->cfg_cap + (uint32_t)offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

	return vdev->cfg_cap && off < data + 4 && off + len > data;
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9): the driver picks a BAR
 * offset and length in the capability, then reads or writes pci_cfg_data
 * to access the BAR through configuration space.
 */
static void virtio_cfg_window(struct virtio_dev *vdev, bool is_write)
{
	struct virtio_pci_cfg_cap *c = (void *)(vdev->pci.cfg + vdev->cfg_cap);
	uint32_t off, len;

	memcpy(&off, &c->cap.offset, 4);
	memcpy(&len, &c->cap.length, 4);
	if (c->cap.bar || (len != 1 && len != 2 && len != 4) || (off & (len - 1)) ||
	    off >= VIRTIO_BAR_SIZE)
		return;
	virtio_bar_io(vdev, off, c->pci_cfg_data, len, is_write);
}

static void virtio_cfg_reading(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_dev *vdev = opaque;

	if (virtio_cfg_window_hit(vdev, off, len))
		virtio_cfg_window(vdev, false);
}

static void virtio_cfg_written(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_dev *vdev = opaque;
	int v;

	if (virtio_cfg_window_hit(vdev, off, len)) {
		virtio_cfg_window(vdev, true);
		return;
	}
	if (off + len <= vdev->msix_cap + (uint32_t)PCI_MSIX_FLAGS ||
	    off > vdev->msix_cap + 3u)
		return;
	pthread_mutex_lock(&vdev->lock);
	/* Enable or function mask changed: deliver what became unmasked. */
	for (v = 0; v < virtio_nr_vectors(vdev); v++)
		virtio_msix_update(vdev, v);
	if (virtio_msix_enabled(vdev))
		virtio_intx_set(vdev, false);
	pthread_mutex_unlock(&vdev->lock);
}

static int virtio_add_cap(struct virtio_dev *vdev, uint8_t type, uint32_t off,
			  uint32_t len)
{
	struct virtio_pci_notify_cap n = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = sizeof(struct virtio_pci_cap),
			.cfg_type = type,
			.bar = 0,
			.offset = off,
			.length = len,
		},
		.notify_off_multiplier = VIRTIO_NOTIFY_MULT,
	};

	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		n.cap.cap_len = sizeof(n);
	return pci_cap_add(&vdev->pci, &n, n.cap.cap_len, NULL);
}

static int virtio_add_msix_cap(struct virtio_dev *vdev)
{
	uint8_t cap[12] = { PCI_CAP_ID_MSIX }, wmask[12] = { 0 };
	uint16_t ctrl = virtio_nr_vectors(vdev) - 1;
	uint32_t table = VIRTIO_BAR_MSIX, pba = VIRTIO_BAR_PBA;
	int off;

	memcpy(cap + PCI_MSIX_FLAGS, &ctrl, 2);
	memcpy(cap + PCI_MSIX_TABLE, &table, 4);
	memcpy(cap + PCI_MSIX_PBA, &pba, 4);
	wmask[PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	off = pci_cap_add(&vdev->pci, cap, sizeof(cap), wmask);
	if (off < 0)
		return off;
	vdev->msix_cap = (uint8_t)off;
	return 0;
}

static int virtio_add_cfg_cap(struct virtio_dev *vdev)
{
	struct virtio_pci_cfg_cap c = {
		.cap = {
			.cap_vndr = PCI_CAP_ID_VNDR,
			.cap_len = sizeof(c),
			.cfg_type = VIRTIO_PCI_CAP_PCI_CFG,
		},
	};
	uint8_t wmask[sizeof(c)] = { 0 };
	int off;

	/* bar, offset, length and the data window are the driver's. */
	memset(wmask + offsetof(struct virtio_pci_cap, bar), 0xff, 1);
	memset(wmask + offsetof(struct virtio_pci_cap, offset), 0xff, 8);
	memset(wmask + offsetof(struct virtio_pci_cfg_cap, pci_cfg_data), 0xff, 4);
	off = pci_cap_add(&vdev->pci, &c, sizeof(c), wmask);
	if (off < 0)
		return off;
	vdev->cfg_cap = (uint8_t)off;
	return 0;
}

static int virtio_build_pci(struct virtio_dev *vdev)
{
	const struct virtio_dev_ops *ops = vdev->ops;
	int err;

	pci_dev_init(&vdev->pci, VIRTIO_VENDOR_ID,
		     (uint16_t)(0x1040 + ops->device_id), (ops->class_code << 8) | 1,
		     ops->device_id);
	pci_bar_init(&vdev->pci, 0, VIRTIO_BAR_SIZE);
	vdev->pci.bar_io = virtio_bar_io;
	vdev->pci.bar_moved = virtio_bar_moved;
	vdev->pci.cfg_written = virtio_cfg_written;
	vdev->pci.cfg_reading = virtio_cfg_reading;
	vdev->pci.opaque = vdev;
	err = virtio_add_msix_cap(vdev);
	if (!err)
		err = virtio_add_cap(vdev, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_BAR_COMMON,
				     sizeof(struct virtio_pci_common_cfg));
	if (err >= 0)
		err = virtio_add_cap(vdev, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_BAR_ISR, 1);
	/* A zero-length device capability would make Linux refuse the device. */
	if (err >= 0 && ops->config_len)
		err = virtio_add_cap(vdev, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_BAR_DEVICE,
				     ops->config_len);
	if (err >= 0)
		err = virtio_add_cap(vdev, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_BAR_NOTIFY,
				     VIRTIO_NOTIFY_MULT * ops->nr_queues);
	if (err >= 0)
		err = virtio_add_cfg_cap(vdev);
	return err < 0 ? err : 0;
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
	int i, err;

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
	for (i = 0; i < virtio_nr_vectors(vdev); i++) {
		vdev->msix_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vdev->msix_fd[i] < 0)
			return -errno;
		err = irq_msi_alloc(vdev->env.irq, &vdev->msix_gsi[i]);
		if (!err)
			err = irq_irqfd(vdev->env.irq, vdev->msix_gsi[i], vdev->msix_fd[i], true);
		if (err) {
			close(vdev->msix_fd[i]);
			vdev->msix_fd[i] = -1;
			return err;
		}
	}
	return 0;
}

static void virtio_close_fds(struct virtio_dev *vdev)
{
	int i;

	for (i = 0; i < VIRTIO_MAX_VECTORS; i++) {
		if (vdev->msix_fd[i] < 0)
			continue;
		irq_irqfd(vdev->env.irq, vdev->msix_gsi[i], vdev->msix_fd[i], false);
		close(vdev->msix_fd[i]);
		vdev->msix_fd[i] = -1;
	}
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
	vdev->ops = ops;
	vdev->priv = priv;
	vdev->env = *env;
	snprintf(vdev->name, sizeof(vdev->name), "%s%d", ops->name, index);
	vdev->epoll_fd = vdev->stop_fd = -1;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		vdev->q[i].kick_fd = -1;
		vdev->q[i].vq.mem = env->mem;
	}
	for (i = 0; i < VIRTIO_MAX_VECTORS; i++) {
		vdev->msix_fd[i] = -1;
		/* Entries start masked (PCI spec 6.8.2.9). */
		vdev->msix_table[16 * i + 12] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	err = pthread_mutex_init(&vdev->lock, NULL);
	if (err)
		return -err;
	err = virtio_build_pci(vdev);
	if (!err)
		err = virtio_open_fds(vdev);
	if (err) {
		virtio_close_fds(vdev);
		pthread_mutex_destroy(&vdev->lock);
		return err;
	}
	virtio_dev_reset(vdev);
	return 0;
}

int virtio_dev_start(struct virtio_dev *vdev)
{
	int err, slot;

	slot = pci_dev_add(vdev->env.pci, &vdev->pci);
	if (slot < 0)
		return slot;
	vdev->added = true;
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
	/* Unplugging unmaps the BAR, which also drops the ioeventfds. */
	if (vdev->added)
		pci_dev_remove(vdev->env.pci, &vdev->pci);
	vdev->added = false;
	pthread_mutex_lock(&vdev->lock);
	virtio_dev_reset(vdev);
	pthread_mutex_unlock(&vdev->lock);
	virtio_close_fds(vdev);
	pthread_mutex_destroy(&vdev->lock);
	vdev->ops = NULL;
}
