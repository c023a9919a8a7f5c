// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: virtio-blk request parsing and execution behind the
 * virtio-pci transport. The input is a short script of BAR register writes
 * (a hostile driver's setup), then the contents of guest RAM; the device
 * processes whatever the ring holds, runs the I/O on a scratch image, and
 * is reset (which waits for all in-flight I/O) at the end of each run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "devices/virtio_blk.h"
#include "memory/memory.h"

#define RAM	(256 * 1024)
#define QBASE	0x10000ULL

static struct guest_mem mem;
static struct irq_router irq;
static struct virtio_blk *blk;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct memory_config cfg = { .ram_size = RAM, .chunk_size = RAM };
	char path[] = "/tmp/hmmv-fuzz-blk-XXXXXX", why[256];
	struct virtio_env env = { .vm_fd = -1, .mem = &mem, .irq = &irq };
	int fd;

	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, 64 * 1024) < 0 || memory_init(&mem, &cfg) ||
	    irq_router_init(&irq, -1))
		abort();
	close(fd);
	blk = calloc(1, sizeof(*blk));
	if (!blk || virtio_blk_init(blk, path, false, &env, 0, why, sizeof(why))) {
		fprintf(stderr, "%s\n", why);
		abort();
	}
	unlink(path);		/* the open fd keeps the scratch image */
	return 0;
}

static void bar_write(uint64_t off, uint64_t v, uint32_t len)
{
	virtio_bar_io(&blk->vdev, off, (uint8_t *)&v, len, true);
}

/* A well-behaved setup, so that inputs reach request parsing quickly. */
static void setup(uint16_t qsize)
{
	bar_write(VIRTIO_PCI_COMMON_STATUS, 0, 1);
	bar_write(VIRTIO_PCI_COMMON_STATUS, 3, 1);
	bar_write(VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	bar_write(VIRTIO_PCI_COMMON_GF, 1, 4);
	bar_write(VIRTIO_PCI_COMMON_STATUS, 11, 1);
	bar_write(VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	bar_write(VIRTIO_PCI_COMMON_Q_SIZE, qsize, 2);
	bar_write(VIRTIO_PCI_COMMON_Q_DESCLO, QBASE, 4);
	bar_write(VIRTIO_PCI_COMMON_Q_AVAILLO, QBASE + 0x1000, 4);
	bar_write(VIRTIO_PCI_COMMON_Q_USEDLO, QBASE + 0x2000, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, nops;
	uint64_t v;

	if (size < 2)
		return 0;
	setup((uint16_t)(1u << (data[0] % 9)));
	/* Up to 8 arbitrary register writes: offset, width, value. */
	nops = data[1] % 9;
	for (i = 0, data += 2, size -= 2; i < nops && size >= 8; i++, data += 8, size -= 8) {
		uint16_t off;

		memcpy(&off, data, 2);
		memcpy(&v, data + 2, 6);
		bar_write(off % VIRTIO_BAR_SIZE, v, 1u << (data[2] % 4));
	}
	bar_write(VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	bar_write(VIRTIO_PCI_COMMON_STATUS, 15, 1);
	memset(mem.host, 0, RAM);
	/* The rest is guest RAM from the ring onwards, then the buffers. */
	memcpy(mem.host + QBASE, data, size < RAM - QBASE ? size : RAM - QBASE);
	virtio_dev_poll(&blk->vdev);
	bar_write(VIRTIO_PCI_COMMON_STATUS, 0, 1);	/* waits for the I/O */
	if (blk->inflight)
		abort();
	return 0;
}
