// SPDX-License-Identifier: GPL-2.0
/* Device configuration parsing and the devices' life cycle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"

int devices_parse_disk(struct devices_config *c, const char *arg, char *why,
		       size_t whylen)
{
	const char *comma = strrchr(arg, ',');
	struct disk_config *d;
	size_t len = strlen(arg);

	if (c->nr_disks == DEVICES_MAX_DISKS) {
		snprintf(why, whylen, "at most %d disks", DEVICES_MAX_DISKS);
		return -EINVAL;
	}
	d = &c->disk[c->nr_disks];
	d->ro = comma && !strcmp(comma, ",ro");
	if (d->ro)
		len = (size_t)(comma - arg);
	else if (comma && !strchr(comma, '/')) {
		snprintf(why, whylen, "'%s': unknown option '%s' (only ',ro')",
			 arg, comma + 1);
		return -EINVAL;
	}
	if (!len || len >= sizeof(d->path)) {
		snprintf(why, whylen, "'%s': empty or too long path", arg);
		return -EINVAL;
	}
	memcpy(d->path, arg, len);
	d->path[len] = 0;
	c->nr_disks++;
	return 0;
}

int devices_parse_net(struct devices_config *c, const char *arg, char *why,
		      size_t whylen)
{
	if (strncmp(arg, "tap=", 4) || !arg[4]) {
		snprintf(why, whylen, "'%s': expected tap=NAME", arg);
		return -EINVAL;
	}
	if (c->tap) {
		snprintf(why, whylen, "only one network device");
		return -EINVAL;
	}
	c->tap = arg + 4;
	return 0;
}

int devices_parse_rng(struct devices_config *c)
{
	c->rng = true;
	return 0;
}

static int devices_add_disks(struct devices *d, const struct devices_config *c,
			     const struct virtio_env *env, char *why, size_t whylen)
{
	struct virtio_blk *b;
	int i, err;

	for (i = 0; i < c->nr_disks; i++) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return -ENOMEM;
		err = virtio_blk_init(b, c->disk[i].path, c->disk[i].ro, env, i, why, whylen);
		if (err) {
			d->usage_error = b->bad_input;
			free(b);
			return err;
		}
		d->blk[d->nr_blk++] = b;
		err = virtio_blk_start(b);
		if (err) {
			snprintf(why, whylen, "--disk %s: %s", c->disk[i].path, strerror(-err));
			return err;
		}
	}
	return 0;
}

static int devices_add_net(struct devices *d, const struct devices_config *c,
			   const struct virtio_env *env, char *why, size_t whylen)
{
	int err;

	d->net = calloc(1, sizeof(*d->net));
	if (!d->net)
		return -ENOMEM;
	err = virtio_net_init(d->net, c->tap, env, 0, why, whylen);
	if (err) {
		d->usage_error = d->net->bad_input;
		free(d->net);
		d->net = NULL;
		return err;
	}
	err = virtio_net_start(d->net);
	if (err)
		snprintf(why, whylen, "--net: %s", strerror(-err));
	return err;
}

static int devices_add_rng(struct devices *d, const struct virtio_env *env,
			   char *why, size_t whylen)
{
	int err;

	d->rng = calloc(1, sizeof(*d->rng));
	if (!d->rng)
		return -ENOMEM;
	err = virtio_rng_init(d->rng, env);
	if (err) {
		free(d->rng);
		d->rng = NULL;
	} else {
		err = virtio_rng_start(d->rng);
	}
	if (err)
		snprintf(why, whylen, "--rng: %s", strerror(-err));
	return err;
}

int devices_init(struct devices *d, const struct devices_config *c,
		 const struct devices_env *env, char *why, size_t whylen)
{
	struct virtio_env venv = { .vm_fd = env->vm_fd, .mem = env->mem };
	int err;

	memset(d, 0, sizeof(*d));
	snprintf(why, whylen, "devices: out of memory");
	err = irq_router_init(&d->irq, env->vm_fd);
	if (err)
		return err;
	d->irq_ok = true;
	err = pci_bus_init(&d->pci, env->pio, env->mmio);
	if (err) {
		snprintf(why, whylen, "devices: PCI ports 0xcf8/0xcfc: %s", strerror(-err));
		goto fail;
	}
	d->pci_ok = true;
	venv.irq = &d->irq;
	venv.pci = &d->pci;
	err = devices_add_disks(d, c, &venv, why, whylen);
	if (!err && c->tap)
		err = devices_add_net(d, c, &venv, why, whylen);
	if (!err && c->rng)
		err = devices_add_rng(d, &venv, why, whylen);
	if (!err)
		return 0;
fail:
	devices_exit(d);
	return err;
}

void devices_exit(struct devices *d)
{
	int i;

	for (i = 0; i < d->nr_blk; i++) {
		virtio_blk_exit(d->blk[i]);
		free(d->blk[i]);
		d->blk[i] = NULL;
	}
	d->nr_blk = 0;
	if (d->net) {
		virtio_net_exit(d->net);
		free(d->net);
		d->net = NULL;
	}
	if (d->rng) {
		virtio_rng_exit(d->rng);
		free(d->rng);
		d->rng = NULL;
	}
	if (d->pci_ok)
		pci_bus_exit(&d->pci);
	if (d->irq_ok)
		irq_router_exit(&d->irq);
	d->pci_ok = d->irq_ok = false;
}
