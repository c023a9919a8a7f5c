// SPDX-License-Identifier: GPL-2.0
/* virtio 1.x modern PCI transport: capabilities, common config, MSI-X. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "devices/virtio_pci.h"

#define VIRTIO_VENDOR_ID	0x1af4	/* Red Hat, Inc. (virtio) */

static uint16_t virtio_nr_vectors(const struct virtio_pci *p)
{
	return p->vdev->ops->nr_queues + 1;
}

/* ---- interrupts ---------------------------------------------------- */

static uint16_t virtio_msix_ctrl(const struct virtio_pci *p)
{
	uint16_t v;

	memcpy(&v, p->pci.cfg + p->msix_cap + PCI_MSIX_FLAGS, 2);
	return v;
}

static bool virtio_msix_enabled(const struct virtio_pci *p)
{
	return virtio_msix_ctrl(p) & PCI_MSIX_FLAGS_ENABLE;
}

static uint32_t virtio_msix_word(const struct virtio_pci *p, int v, int w)
{
	uint32_t x;

	memcpy(&x, p->msix_table + 16 * v + 4 * w, 4);
	return x;
}

static bool virtio_msix_masked(const struct virtio_pci *p, int v)
{
	return (virtio_msix_ctrl(p) & PCI_MSIX_FLAGS_MASKALL) ||
	       (virtio_msix_word(p, v, 3) & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static void virtio_fire_vector(struct virtio_pci *p, int v)
{
	uint64_t one = 1;

	p->vdev->nr_irqs++;
	if (write(p->msix_fd[v], &one, sizeof(one)) < 0)
		virtio_dev_log_bad(p->vdev, "irqfd write failed");
}

/* Re-routes vector @v if the guest changed its message; fires pending. */
static void virtio_msix_update(struct virtio_pci *p, int v)
{
	uint32_t msg[3] = { virtio_msix_word(p, v, 0),
			    virtio_msix_word(p, v, 1),
			    virtio_msix_word(p, v, 2) };

	if (!virtio_msix_enabled(p) || virtio_msix_masked(p, v))
		return;
	if (!p->msix_route_valid[v] || memcmp(msg, p->msix_routed[v], sizeof(msg))) {
		if (irq_msi_route(p->vdev->env.irq, p->msix_gsi[v],
				  ((uint64_t)msg[1] << 32) | msg[0], msg[2], true))
			return;
		memcpy(p->msix_routed[v], msg, sizeof(msg));
		p->msix_route_valid[v] = true;
	}
	if (p->msix_pending[v]) {
		p->msix_pending[v] = false;
		virtio_fire_vector(p, v);
	}
}

static void virtio_intx_set(struct virtio_pci *p, bool level)
{
	if (p->intx_level == level)
		return;
	p->intx_level = level;
	irq_line(p->vdev->env.irq, PCI_INTX_GSI(p->pci.slot), level);
}

static void virtio_raise(struct virtio_pci *p, uint16_t vector, uint8_t isr)
{
	uint16_t cmd;

	if (virtio_msix_enabled(p)) {
		if (vector >= virtio_nr_vectors(p))
			return;
		if (virtio_msix_masked(p, vector)) {
			p->msix_pending[vector] = true;
			return;
		}
		virtio_msix_update(p, vector);
		virtio_fire_vector(p, vector);
		return;
	}
	p->isr |= isr;
	memcpy(&cmd, p->pci.cfg + PCI_COMMAND, 2);
	if (cmd & PCI_COMMAND_INTX_DISABLE)
		return;
	p->vdev->nr_irqs++;
	virtio_intx_set(p, true);
}

/* ---- common configuration ------------------------------------------ */

static struct virtio_queue *virtio_sel_queue(struct virtio_pci *p)
{
	return p->queue_sel < p->vdev->ops->nr_queues ? &p->vdev->q[p->queue_sel] : NULL;
}

static void virtio_common_read(struct virtio_pci *p, uint64_t off,
			       uint8_t *data, uint32_t len)
{
	struct virtio_pci_common_cfg c = { 0 };
	struct virtio_queue *q = virtio_sel_queue(p);
	uint64_t f = virtio_dev_features(p->vdev);

	c.device_feature_select = p->dev_feat_sel;
	c.device_feature = p->dev_feat_sel < 2 ? (uint32_t)(f >> (32 * p->dev_feat_sel)) : 0;
	c.guest_feature_select = p->drv_feat_sel;
	c.guest_feature = p->drv_feat_sel < 2 ?
		(uint32_t)(p->vdev->driver_features >> (32 * p->drv_feat_sel)) : 0;
	c.msix_config = p->vdev->config_vector;
	c.num_queues = p->vdev->ops->nr_queues;
	c.device_status = p->vdev->status;
	c.queue_select = p->queue_sel;
	c.queue_msix_vector = VIRTIO_NO_VECTOR;
	if (q) {
		c.queue_size = q->size;
		c.queue_msix_vector = q->vector;
		c.queue_enable = q->enabled;
		c.queue_notify_off = p->queue_sel;
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

static uint16_t virtio_check_vector(struct virtio_pci *p, uint16_t v)
{
	return v < virtio_nr_vectors(p) ? v : VIRTIO_NO_VECTOR;
}

static void virtio_set_half(uint64_t *field, uint64_t off, uint32_t v)
{
	if (off & 4)
		*field = (*field & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*field = (*field & ~0xffffffffULL) | v;
}

static void virtio_queue_write(struct virtio_pci *p, uint64_t off, uint32_t v)
{
	struct virtio_queue *q = virtio_sel_queue(p);

	if (!q)
		return;
	if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
		q->vector = virtio_check_vector(p, (uint16_t)v);
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
			virtio_queue_enable(p->vdev, q);
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

static void virtio_common_write(struct virtio_pci *p, uint64_t off,
				const uint8_t *data, uint32_t len)
{
	uint32_t v = 0;

	if (virtio_common_width(off) != len)
		return;		/* the driver must use each field's width */
	memcpy(&v, data, len);
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		p->dev_feat_sel = v;
		break;
	case VIRTIO_PCI_COMMON_GFSELECT:
		p->drv_feat_sel = v;
		break;
	case VIRTIO_PCI_COMMON_GF:
		if (p->drv_feat_sel < 2 && !(p->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			virtio_set_half(&p->vdev->driver_features, 4 * p->drv_feat_sel, v);
		break;
	case VIRTIO_PCI_COMMON_MSIX:
		p->vdev->config_vector = virtio_check_vector(p, (uint16_t)v);
		break;
	case VIRTIO_PCI_COMMON_STATUS:
		virtio_dev_set_status(p->vdev, (uint8_t)v);
		break;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		p->queue_sel = (uint16_t)v;
		break;
	default:
		virtio_queue_write(p, off, v);
	}
}

/* ---- BAR 0 --------------------------------------------------------- */

static void virtio_msix_io(struct virtio_pci *p, uint64_t off, uint8_t *data,
			   uint32_t len, bool is_write)
{
	uint64_t size = 16ULL * virtio_nr_vectors(p);
	int v;

	if (off + len > size || (off & 3)) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (!is_write) {
		memcpy(data, p->msix_table + off, len);
		return;
	}
	memcpy(p->msix_table + off, data, len);
	for (v = (int)(off / 16); v <= (int)((off + len - 1) / 16); v++)
		virtio_msix_update(p, v);
}

static void virtio_pba_read(struct virtio_pci *p, uint64_t off, uint8_t *data,
			    uint32_t len)
{
	uint64_t bits = 0;
	int v;

	for (v = 0; v < virtio_nr_vectors(p); v++)
		bits |= (uint64_t)p->msix_pending[v] << v;
	memset(data, 0, len);
	if (off < 8)
		memcpy(data, (uint8_t *)&bits + off, len < 8 - off ? len : 8 - off);
}

static void virtio_notify_write(struct virtio_pci *p, uint64_t off)
{
	uint64_t q = off / VIRTIO_NOTIFY_MULT;

	if (q < p->vdev->ops->nr_queues)
		virtio_queue_kick(p->vdev, (unsigned int)q);
}

static void virtio_bar_read(struct virtio_pci *p, uint64_t off, uint8_t *data,
			    uint32_t len)
{
	memset(data, 0, len);
	if (off < VIRTIO_BAR_ISR) {
		virtio_common_read(p, off, data, len);
	} else if (off < VIRTIO_BAR_DEVICE) {
		/* Reading the ISR acknowledges it and drops INTx (4.1.4.5). */
		if (off == VIRTIO_BAR_ISR) {
			data[0] = p->isr;
			p->isr = 0;
			virtio_intx_set(p, false);
		}
	} else if (off < VIRTIO_BAR_NOTIFY) {
		off -= VIRTIO_BAR_DEVICE;
		if (off + len <= p->vdev->ops->config_len)
			memcpy(data, p->vdev->devcfg + off, len);
	} else if (off >= VIRTIO_BAR_MSIX && off < VIRTIO_BAR_PBA) {
		virtio_msix_io(p, off - VIRTIO_BAR_MSIX, data, len, false);
	} else if (off >= VIRTIO_BAR_PBA) {
		virtio_pba_read(p, off - VIRTIO_BAR_PBA, data, len);
	}
}

void virtio_bar_io(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct virtio_pci *p = virtio_pci_of(opaque);

	if (!len || len > 8 || off >= VIRTIO_BAR_SIZE || len > VIRTIO_BAR_SIZE - off) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	pthread_mutex_lock(&p->vdev->lock);
	if (!is_write)
		virtio_bar_read(p, off, data, len);
	else if (off < VIRTIO_BAR_ISR)
		virtio_common_write(p, off, data, len);
	else if (off >= VIRTIO_BAR_NOTIFY && off < VIRTIO_BAR_MSIX)
		virtio_notify_write(p, off - VIRTIO_BAR_NOTIFY);
	else if (off >= VIRTIO_BAR_MSIX && off < VIRTIO_BAR_PBA)
		virtio_msix_io(p, off - VIRTIO_BAR_MSIX, data, len, true);
	pthread_mutex_unlock(&p->vdev->lock);
}

/* ---- guest-visible plumbing: BAR moves, MSI-X control --------------- */

static int virtio_ioeventfd(struct virtio_pci *p, int q, uint64_t addr,
			    bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr + VIRTIO_BAR_NOTIFY + (uint64_t)VIRTIO_NOTIFY_MULT * q,
		.len = 0,	/* any width: the driver writes 16 bits */
		.fd = p->vdev->q[q].kick_fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (p->vdev->env.vm_fd < 0)
		return 0;
	return ioctl(p->vdev->env.vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

/* Keeps each queue's ioeventfd on the notify address of the current BAR. */
static void virtio_bar_moved(void *opaque, int bar, uint64_t addr, bool mapped)
{
	struct virtio_pci *p = virtio_pci_of(opaque);
	int q;

	pthread_mutex_lock(&p->vdev->lock);
	for (q = 0; q < p->vdev->ops->nr_queues; q++) {
		if (p->vdev->q[q].ioeventfd && !mapped)
			virtio_ioeventfd(p, q, p->bar_addr, false);
		p->vdev->q[q].ioeventfd = false;
		/* Without an ioeventfd the MMIO handler kicks: slower, same result. */
		if (mapped && !virtio_ioeventfd(p, q, addr, true))
			p->vdev->q[q].ioeventfd = true;
	}
	p->bar_addr = addr;
	p->bar_mapped = mapped;
	pthread_mutex_unlock(&p->vdev->lock);
}

/* True when [off, off+len) touches the cfg window's data bytes. */
static bool virtio_cfg_window_hit(const struct virtio_pci *p, uint32_t off,
				  uint32_t len)
{
	uint32_t data = p->cfg_cap + (uint32_t)offsetof(struct virtio_pci_cfg_cap, pci_cfg_data);

	return p->cfg_cap && off < data + 4 && off + len > data;
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (4.1.4.9): the driver picks a BAR
 * offset and length in the capability, then reads or writes pci_cfg_data
 * to access the BAR through configuration space.
 */
static void virtio_cfg_window(struct virtio_pci *p, bool is_write)
{
	struct virtio_pci_cfg_cap *c = (void *)(p->pci.cfg + p->cfg_cap);
	uint32_t off, len;

	memcpy(&off, &c->cap.offset, 4);
	memcpy(&len, &c->cap.length, 4);
	if (c->cap.bar || (len != 1 && len != 2 && len != 4) || (off & (len - 1)) ||
	    off >= VIRTIO_BAR_SIZE)
		return;
	virtio_bar_io(p->vdev, off, c->pci_cfg_data, len, is_write);
}

static void virtio_cfg_reading(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_pci *p = virtio_pci_of(opaque);

	if (virtio_cfg_window_hit(p, off, len))
		virtio_cfg_window(p, false);
}

static void virtio_cfg_written(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_pci *p = virtio_pci_of(opaque);
	int v;

	if (virtio_cfg_window_hit(p, off, len)) {
		virtio_cfg_window(p, true);
		return;
	}
	if (off + len <= p->msix_cap + (uint32_t)PCI_MSIX_FLAGS ||
	    off > p->msix_cap + 3u)
		return;
	pthread_mutex_lock(&p->vdev->lock);
	/* Enable or function mask changed: deliver what became unmasked. */
	for (v = 0; v < virtio_nr_vectors(p); v++)
		virtio_msix_update(p, v);
	if (virtio_msix_enabled(p))
		virtio_intx_set(p, false);
	pthread_mutex_unlock(&p->vdev->lock);
}

static int virtio_add_cap(struct virtio_pci *p, uint8_t type, uint32_t off,
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
	return pci_cap_add(&p->pci, &n, n.cap.cap_len, NULL);
}

static int virtio_add_msix_cap(struct virtio_pci *p)
{
	uint8_t cap[12] = { PCI_CAP_ID_MSIX }, wmask[12] = { 0 };
	uint16_t ctrl = virtio_nr_vectors(p) - 1;
	uint32_t table = VIRTIO_BAR_MSIX, pba = VIRTIO_BAR_PBA;
	int off;

	memcpy(cap + PCI_MSIX_FLAGS, &ctrl, 2);
	memcpy(cap + PCI_MSIX_TABLE, &table, 4);
	memcpy(cap + PCI_MSIX_PBA, &pba, 4);
	wmask[PCI_MSIX_FLAGS + 1] = (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	off = pci_cap_add(&p->pci, cap, sizeof(cap), wmask);
	if (off < 0)
		return off;
	p->msix_cap = (uint8_t)off;
	return 0;
}

static int virtio_add_cfg_cap(struct virtio_pci *p)
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
	off = pci_cap_add(&p->pci, &c, sizeof(c), wmask);
	if (off < 0)
		return off;
	p->cfg_cap = (uint8_t)off;
	return 0;
}

static int virtio_build_pci(struct virtio_pci *p)
{
	const struct virtio_dev_ops *ops = p->vdev->ops;
	int err;

	pci_dev_init(&p->pci, VIRTIO_VENDOR_ID,
		     (uint16_t)(0x1040 + ops->device_id), (ops->class_code << 8) | 1,
		     ops->device_id);
	pci_bar_init(&p->pci, 0, VIRTIO_BAR_SIZE);
	p->pci.bar_io = virtio_bar_io;
	p->pci.bar_moved = virtio_bar_moved;
	p->pci.cfg_written = virtio_cfg_written;
	p->pci.cfg_reading = virtio_cfg_reading;
	p->pci.opaque = p->vdev;
	err = virtio_add_msix_cap(p);
	if (!err)
		err = virtio_add_cap(p, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_BAR_COMMON,
				     sizeof(struct virtio_pci_common_cfg));
	if (err >= 0)
		err = virtio_add_cap(p, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_BAR_ISR, 1);
	/* A zero-length device capability would make Linux refuse the device. */
	if (err >= 0 && ops->config_len)
		err = virtio_add_cap(p, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_BAR_DEVICE,
				     ops->config_len);
	if (err >= 0)
		err = virtio_add_cap(p, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_BAR_NOTIFY,
				     VIRTIO_NOTIFY_MULT * ops->nr_queues);
	if (err >= 0)
		err = virtio_add_cfg_cap(p);
	return err < 0 ? err : 0;
}


/* ---- the transport ------------------------------------------------- */

static void virtio_pci_interrupt(struct virtio_dev *vdev, uint16_t vector, uint8_t cause)
{
	virtio_raise(virtio_pci_of(vdev), vector, cause);
}

static void virtio_pci_reset(struct virtio_dev *vdev)
{
	struct virtio_pci *p = virtio_pci_of(vdev);

	p->dev_feat_sel = p->drv_feat_sel = 0;
	p->queue_sel = 0;
	p->isr = 0;
	virtio_intx_set(p, false);
}

static int virtio_pci_plug(struct virtio_dev *vdev)
{
	int slot = pci_dev_add(vdev->env.pci, &virtio_pci_of(vdev)->pci);

	return slot < 0 ? slot : 0;
}

/* Unplugging unmaps the BAR, which also drops the ioeventfds. */
static void virtio_pci_unplug(struct virtio_dev *vdev)
{
	pci_dev_remove(vdev->env.pci, &virtio_pci_of(vdev)->pci);
}

static void virtio_pci_exit(struct virtio_dev *vdev)
{
	struct virtio_pci *p = virtio_pci_of(vdev);
	int i;

	for (i = 0; i < VIRTIO_MAX_VECTORS; i++) {
		if (p->msix_fd[i] < 0)
			continue;
		irq_irqfd(vdev->env.irq, p->msix_gsi[i], p->msix_fd[i], false);
		close(p->msix_fd[i]);
	}
	free(p);
	vdev->transport_priv = NULL;
}

static const struct virtio_transport virtio_pci_transport = {
	.interrupt = virtio_pci_interrupt,
	.reset = virtio_pci_reset,
	.plug = virtio_pci_plug,
	.unplug = virtio_pci_unplug,
	.exit = virtio_pci_exit,
};

/* One irqfd-backed MSI route per vector. */
static int virtio_pci_open_vectors(struct virtio_pci *p)
{
	struct irq_router *irq = p->vdev->env.irq;
	int i, err;

	for (i = 0; i < virtio_nr_vectors(p); i++) {
		p->msix_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (p->msix_fd[i] < 0)
			return -errno;
		err = irq_msi_alloc(irq, &p->msix_gsi[i]);
		if (!err)
			err = irq_irqfd(irq, p->msix_gsi[i], p->msix_fd[i], true);
		if (err) {
			close(p->msix_fd[i]);
			p->msix_fd[i] = -1;
			return err;
		}
	}
	return 0;
}

int virtio_pci_init(struct virtio_dev *vdev, const struct virtio_dev_ops *ops,
		    void *priv, const struct virtio_env *env, int index)
{
	struct virtio_pci *p;
	int i, err;

	err = virtio_dev_init(vdev, ops, priv, env, index);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p) {
		virtio_dev_exit(vdev);
		return -ENOMEM;
	}
	p->vdev = vdev;
	for (i = 0; i < VIRTIO_MAX_VECTORS; i++) {
		p->msix_fd[i] = -1;
		/* Entries start masked (PCI spec 6.8.2.9). */
		p->msix_table[16 * i + 12] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	vdev->transport = &virtio_pci_transport;
	vdev->transport_priv = p;
	err = virtio_build_pci(p);
	if (!err)
		err = virtio_pci_open_vectors(p);
	if (err) {
		virtio_pci_exit(vdev);	/* before any reset reaches the device */
		vdev->transport = NULL;
		virtio_dev_exit(vdev);
		return err;
	}
	virtio_dev_reset(vdev);
	return 0;
}
