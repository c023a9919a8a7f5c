// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_evil BDF: a hostile virtio driver, run inside the guest against
 * hmmv. It unbinds the kernel's driver from PCI function BDF, maps its BAR
 * through sysfs and feeds the device malformed rings (descriptor loop,
 * buffers outside guest RAM, runaway avail index, head out of range, absurd
 * queue size, rings outside RAM) and random register writes, printing the
 * device status after each. Then it resets the device and rebinds the
 * driver. Each line: "evil: CASE status 0xSS used N".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define QSIZE		8
#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define S_NEEDS_RESET	0x40

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static volatile uint8_t *bar;
static uint32_t common, notify;
static uint8_t *page[4];	/* desc, avail, used, data */
static uint64_t phys[4];
static char sysdir[128];

static void w8(uint32_t off, uint8_t v) { *(volatile uint8_t *)(bar + off) = v; }
static void w16(uint32_t off, uint16_t v) { *(volatile uint16_t *)(bar + off) = v; }
static void w32(uint32_t off, uint32_t v) { *(volatile uint32_t *)(bar + off) = v; }
static uint8_t r8(uint32_t off) { return *(volatile uint8_t *)(bar + off); }

static int sysfs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) < 0 ? -1 : 0;
	close(fd);
	return r;
}

/* Finds the common and notify regions from the virtio capabilities. */
static int find_caps(void)
{
	uint8_t cfg[256];
	char path[160];
	int fd, cap;

	snprintf(path, sizeof(path), "%s/config", sysdir);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg))
		return -1;
	cfg[4] |= 6;	/* memory decoding and bus mastering back on */
	if (pwrite(fd, cfg + 4, 1, 4) != 1)
		return -1;
	close(fd);
	for (cap = cfg[0x34]; cap; cap = cfg[cap + 1]) {
		uint32_t off;

		if (cfg[cap] != 0x09)
			continue;
		memcpy(&off, cfg + cap + 8, 4);
		if (cfg[cap + 3] == 1)
			common = off;
		else if (cfg[cap + 3] == 2)
			notify = off;
	}
	return 0;
}

static uint64_t virt_to_phys(void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)p / 4096 * 8)) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return (e & ((1ULL << 55) - 1)) * 4096;
}

/* Reset, negotiate VERSION_1, queue 0 of @size at @d/@a/@u, driver ok. */
static void setup(uint16_t size, uint64_t d, uint64_t a, uint64_t u)
{
	w8(common + 20, 0);
	w8(common + 20, S_ACK | S_DRIVER);
	w32(common + 8, 1);
	w32(common + 12, 1);		/* VIRTIO_F_VERSION_1 */
	w8(common + 20, S_ACK | S_DRIVER | S_FEATURES_OK);
	w16(common + 22, 0);
	w16(common + 24, size);
	w32(common + 32, (uint32_t)d);
	w32(common + 36, (uint32_t)(d >> 32));
	w32(common + 40, (uint32_t)a);
	w32(common + 44, (uint32_t)(a >> 32));
	w32(common + 48, (uint32_t)u);
	w32(common + 52, (uint32_t)(u >> 32));
	/*
	 * Clean rings before DRIVER_OK: the device serves what is available
	 * at DRIVER_OK, and the last case's chain must not be served again.
	 */
	memset(page[0], 0, 4096);
	memset(page[1], 0, 4096);
	memset(page[2], 0, 4096);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	w16(common + 28, 1);
	w8(common + 20, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void publish(uint16_t head, uint16_t idx)
{
	uint16_t *avail = (uint16_t *)page[1];

	avail[2] = head;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail[1] = idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	w16(notify, 0);
	usleep(300000);
}

static void report(const char *name)
{
	printf("evil: %s status 0x%02x used %u\n", name, r8(common + 20),
	       ((volatile uint16_t *)page[2])[1]);
	fflush(stdout);
}

static void run_cases(void)
{
	struct desc *d = (struct desc *)page[0];
	uint64_t s = 0x2545f4914f6cdd1dULL;
	int i;

	setup(QSIZE, phys[0], phys[1], phys[2]);
	d[0] = (struct desc){ phys[3], 16, 1, 0 };	/* NEXT to itself */
	publish(0, 1);
	report("loop");
	setup(QSIZE, phys[0], phys[1], phys[2]);
	d[0] = (struct desc){ 0xffffffff0000ULL, 4096, 2, 0 };
	publish(0, 1);
	report("outside-ram");
	setup(QSIZE, phys[0], phys[1], phys[2]);
	d[0] = (struct desc){ phys[3], 16, 0, 0 };
	publish(0, 1000);
	report("avail-jump");
	setup(QSIZE, phys[0], phys[1], phys[2]);
	publish(200, 1);
	report("head-range");
	setup(1000, phys[0], phys[1], phys[2]);
	report("qsize-1000");
	setup(QSIZE, 1ULL << 46, phys[1], phys[2]);
	report("ring-outside-ram");
	setup(QSIZE, phys[0], phys[1], phys[2]);
	d[0] = (struct desc){ phys[3], 0xffffffff, 1, 1 };
	d[1] = (struct desc){ phys[3], 0xffffffff, 3, 2 };
	d[2] = (struct desc){ phys[3], 1, 2, 0 };
	publish(0, 1);
	report("huge-lengths");
	for (i = 0; i < 20000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		/* Anywhere in the BAR except the MSI-X table, which the kernel owns. */
		if ((s & 0x7ffc) >= 0x4000 && (s & 0x7ffc) < 0x6000)
			continue;
		w32((uint32_t)(s & 0x7ffc), (uint32_t)(s >> 32));
	}
	report("random-writes");
	w8(common + 20, 0);
	report("reset");
}

int main(int argc, char **argv)
{
	char path[192];
	uint8_t *mem;
	int fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: virtio_evil BDF\n");
		return 2;
	}
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", argv[1]);
	snprintf(path, sizeof(path), "%s/driver/unbind", sysdir);
	sysfs_write(path, argv[1]);
	snprintf(path, sizeof(path), "%s/resource0", sysdir);
	fd = open(path, O_RDWR | O_SYNC);
	bar = fd < 0 ? MAP_FAILED : mmap(NULL, 0x8000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	mem = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (bar == MAP_FAILED || mem == MAP_FAILED || find_caps()) {
		fprintf(stderr, "virtio_evil: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < 4; i++) {
		page[i] = mem + 4096 * i;
		phys[i] = virt_to_phys(page[i]);
	}
	run_cases();
	munmap((void *)bar, 0x8000);
	close(fd);
	sysfs_write("/sys/bus/pci/drivers/virtio-pci/bind", argv[1]);
	return 0;
}
