// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk through the whole stack without KVM: PCI config cycles, the
 * modern transport, the split ring, io_uring I/O on a temporary image, and a
 * hostile driver's malformed rings.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "devices/devices.h"
#include "devices/virtio_blk.h"
#include "tests/tap.h"
#include "tests/unit/virtio_drv.h"

#define IMG_SIZE	(1 << 20)
#define HDR		0x100000ULL
#define DATA		0x200000ULL
#define STATUS		0x180000ULL
#define FEATURES	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_FLUSH))

struct rig {
	struct guest_mem mem;
	struct io_bus pio, mmio;
	struct devices devs;
	struct vdrv d;
	char path[64];
};

static int rig_up(struct rig *r, const char *opt, uint64_t size)
{
	struct memory_config mc = { .ram_size = 16 << 20 };
	struct devices_config dc = { 0 };
	struct devices_env env = { .vm_fd = -1, .mem = &r->mem, .pio = &r->pio, .mmio = &r->mmio };
	char arg[96], why[256];
	int fd;

	memory_init(&r->mem, &mc);
	io_bus_init(&r->pio);
	io_bus_init(&r->mmio);
	strcpy(r->path, "/tmp/hmmv-blk-XXXXXX");
	fd = mkstemp(r->path);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		return -1;
	close(fd);
	snprintf(arg, sizeof(arg), "%s%s", r->path, opt);
	if (devices_parse_disk(&dc, arg, why, sizeof(why)) ||
	    devices_init(&r->devs, &dc, &env, why, sizeof(why))) {
		tap_diag("%s", why);
		return -1;
	}
	r->d = (struct vdrv){ .pio = &r->pio, .mmio = &r->mmio, .mem = &r->mem };
	return drv_probe(&r->d, 1);
}

static void rig_down(struct rig *r)
{
	devices_exit(&r->devs);
	io_bus_exit(&r->pio);
	io_bus_exit(&r->mmio);
	memory_exit(&r->mem);
	unlink(r->path);
}

/* One request: header, optional data, status; returns the status byte. */
static int blk_req(struct rig *r, uint32_t type, uint64_t sector, uint64_t data,
		   uint32_t len, uint32_t *used_len)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };
	struct drv_buf b[3] = { { HDR, sizeof(h), false } };
	uint8_t status = 0xee;
	int n = 1;

	memory_write(&r->mem, HDR, &h, sizeof(h));
	memory_write(&r->mem, STATUS, &status, 1);
	if (len)
		b[n++] = (struct drv_buf){ data, len, type != VIRTIO_BLK_T_OUT };
	b[n++] = (struct drv_buf){ STATUS, 1, true };
	drv_add(&r->d, 0, b, n, true);
	if (drv_wait(&r->d, 0, 1) < 1)
		return -1;
	drv_used(&r->d, 0, used_len);
	memory_read(&r->mem, STATUS, &status, 1);
	return status;
}

static void fill(struct rig *r, uint64_t gpa, uint32_t len, uint32_t seed)
{
	uint8_t *p = memory_translate(&r->mem, gpa, len);
	uint32_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761U + seed) >> 13);
}

static void test_io(struct rig *r)
{
	uint8_t file[65536], id[21] = { 0 };
	uint32_t used, cap;
	int fd;

	tap_is(drv_cfg_read(&r->d, PCI_DEVICE_ID, 2), 0x1042, "device id is modern virtio-blk");
	tap_ok(drv_setup(&r->d, FEATURES, 1, 128) & VIRTIO_CONFIG_S_FEATURES_OK,
	       "features negotiated, driver ok");
	cap = (uint32_t)drv_rd(&r->d, r->d.device, 4);
	tap_is(cap, IMG_SIZE / 512, "capacity in sectors from device config");
	fill(r, DATA, 65536, 7);
	tap_is(blk_req(r, VIRTIO_BLK_T_OUT, 8, DATA, 65536, &used), VIRTIO_BLK_S_OK, "write 64 KiB");
	tap_is(used, 1, "write used length is the status byte");
	memset(memory_translate(&r->mem, DATA + 0x100000, 65536), 0, 65536);
	tap_is(blk_req(r, VIRTIO_BLK_T_IN, 8, DATA + 0x100000, 65536, &used), VIRTIO_BLK_S_OK,
	       "read 64 KiB");
	tap_is(used, 65537, "read used length covers data and status");
	tap_ok(!memcmp(memory_translate(&r->mem, DATA, 65536),
		       memory_translate(&r->mem, DATA + 0x100000, 65536), 65536),
	       "read returns what was written");
	fd = open(r->path, O_RDONLY);
	tap_ok(pread(fd, file, sizeof(file), 8 * 512) == sizeof(file) &&
	       !memcmp(file, memory_translate(&r->mem, DATA, 65536), sizeof(file)),
	       "image file holds the data at sector 8");
	close(fd);
	tap_is(blk_req(r, VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used), VIRTIO_BLK_S_OK, "flush");
	tap_is(blk_req(r, VIRTIO_BLK_T_GET_ID, 0, DATA, 20, &used), VIRTIO_BLK_S_OK, "get id");
	memory_read(&r->mem, DATA, id, 20);
	tap_ok(!strcmp((char *)id, "hmmv-disk0"), "serial is hmmv-disk0 (%s)", id);
	tap_is(blk_req(r, VIRTIO_BLK_T_IN, IMG_SIZE / 512, DATA, 512, &used), VIRTIO_BLK_S_IOERR,
	       "read past the end fails with IOERR");
	tap_is(blk_req(r, VIRTIO_BLK_T_IN, 0, DATA, 100, &used), VIRTIO_BLK_S_IOERR,
	       "unaligned length fails with IOERR");
	tap_is(blk_req(r, 99, 0, DATA, 512, &used), VIRTIO_BLK_S_UNSUPP, "unknown type is UNSUPP");
	tap_is(blk_req(r, VIRTIO_BLK_T_IN, ~0ULL, DATA, 512, &used), VIRTIO_BLK_S_IOERR,
	       "sector overflow fails with IOERR");
}

/* Many requests made available with one kick are all served. */
static void test_inflight(struct rig *r)
{
	struct virtio_blk_outhdr h;
	struct drv_buf b[3];
	uint8_t st[32];
	uint32_t len;
	int i, ok = 0;

	for (i = 0; i < 32; i++) {
		h = (struct virtio_blk_outhdr){ .type = i & 1, .sector = 64ULL * i };
		memory_write(&r->mem, HDR + 16ULL * i, &h, sizeof(h));
		b[0] = (struct drv_buf){ HDR + 16ULL * i, 16, false };
		b[1] = (struct drv_buf){ DATA + 32768ULL * i, 32768, !(i & 1) };
		b[2] = (struct drv_buf){ STATUS + (uint64_t)i, 1, true };
		st[i] = 0xee;
		memory_write(&r->mem, STATUS + (uint64_t)i, &st[i], 1);
		drv_add(&r->d, 0, b, 3, false);
	}
	drv_kick(&r->d, 0);
	tap_is(drv_wait(&r->d, 0, 32), 32, "32 requests in flight all complete");
	for (i = 0; i < 32; i++)
		drv_used(&r->d, 0, &len);
	memory_read(&r->mem, STATUS, st, 32);
	for (i = 0; i < 32; i++)
		ok += st[i] == VIRTIO_BLK_S_OK;
	tap_is(ok, 32, "every one of them succeeded");
}

/* The device thread sets status bits asynchronously: poll up to 5 s. */
static bool wait_status(struct rig *r, uint8_t bit)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000 && !(drv_status(&r->d) & bit); i++)
		nanosleep(&ts, NULL);
	return drv_status(&r->d) & bit;
}

static void test_hostile(struct rig *r)
{
	struct drv_buf b[3] = { { HDR, 16, false }, { 0x40000000ULL, 4096, true },
				{ STATUS, 1, true } };
	struct vring_desc loop = { .addr = HDR, .len = 16, .flags = VRING_DESC_F_NEXT, .next = 0 };
	uint32_t len = 99;
	uint16_t head;

	drv_setup(&r->d, FEATURES, 1, 128);
	drv_add(&r->d, 0, b, 3, true);
	tap_ok(drv_wait(&r->d, 0, 1) == 1 && (drv_used(&r->d, 0, &len), len == 0),
	       "buffer outside guest RAM: request completed with length 0");
	tap_ok(!(drv_status(&r->d) & VIRTIO_CONFIG_S_NEEDS_RESET), "device still running");
	head = drv_add(&r->d, 0, b, 1, false);
	loop.next = head;
	memory_write(&r->mem, DRV_QBASE(0) + 16ULL * head, &loop, sizeof(loop));
	drv_kick(&r->d, 0);
	tap_ok(wait_status(r, VIRTIO_CONFIG_S_NEEDS_RESET), "descriptor loop: DEVICE_NEEDS_RESET");
	drv_setup(&r->d, FEATURES, 1, 128);
	tap_is(blk_req(r, VIRTIO_BLK_T_IN, 0, DATA, 512, &len), VIRTIO_BLK_S_OK,
	       "after reset the device works again");
	tap_ok(drv_setup(&r->d, FEATURES, 1, 1000) & VIRTIO_CONFIG_S_NEEDS_RESET,
	       "queue size 1000: DEVICE_NEEDS_RESET");
	tap_ok(!(drv_setup(&r->d, FEATURES | (1ULL << 40), 1, 128) & VIRTIO_CONFIG_S_FEATURES_OK),
	       "unoffered feature: FEATURES_OK refused");
	drv_wr(&r->d, r->d.common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
}

static void test_ro(void)
{
	struct rig r;
	uint8_t zero[4096] = { 0 }, file[4096];
	uint32_t used;
	int fd;

	if (rig_up(&r, ",ro", IMG_SIZE)) {
		tap_ok(0, "read-only disk rig");
		return;
	}
	drv_wr(&r.d, r.d.common + VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
	tap_ok(drv_rd(&r.d, r.d.common + VIRTIO_PCI_COMMON_DF, 4) & (1U << VIRTIO_BLK_F_RO),
	       "read-only disk offers VIRTIO_BLK_F_RO");
	drv_setup(&r.d, FEATURES | (1ULL << VIRTIO_BLK_F_RO), 1, 64);
	fill(&r, DATA, 4096, 3);
	tap_is(blk_req(&r, VIRTIO_BLK_T_OUT, 0, DATA, 4096, &used), VIRTIO_BLK_S_IOERR,
	       "write to a read-only disk fails with IOERR");
	fd = open(r.path, O_RDONLY);
	tap_ok(pread(fd, file, sizeof(file), 0) == sizeof(file) && !memcmp(file, zero, sizeof(file)),
	       "read-only image unchanged");
	close(fd);
	rig_down(&r);
}

static void test_bad_config(void)
{
	struct devices_config dc = { 0 };
	struct memory_config mc = { .ram_size = 4 << 20 };
	struct guest_mem mem;
	struct io_bus pio, mmio;
	struct devices devs;
	struct devices_env env = { .vm_fd = -1, .mem = &mem, .pio = &pio, .mmio = &mmio };
	char why[256] = "", path[] = "/tmp/hmmv-odd-XXXXXX";
	int fd;

	memory_init(&mem, &mc);
	io_bus_init(&pio);
	io_bus_init(&mmio);
	devices_parse_disk(&dc, "/nonexistent/disk.img", why, sizeof(why));
	tap_ok(devices_init(&devs, &dc, &env, why, sizeof(why)) < 0 &&
	       strstr(why, "/nonexistent/disk.img") && strstr(why, "No such file"),
	       "missing image named in the error (%s)", why);
	tap_is(pio.nr + mmio.nr, 0, "nothing left registered after the failure");
	fd = mkstemp(path);
	tap_ok(fd >= 0 && ftruncate(fd, 1000) == 0, "odd-sized image");
	close(fd);
	dc = (struct devices_config){ 0 };
	devices_parse_disk(&dc, path, why, sizeof(why));
	tap_ok(devices_init(&devs, &dc, &env, why, sizeof(why)) < 0 &&
	       strstr(why, "not a multiple of 512"), "size not a multiple of 512 (%s)", why);
	unlink(path);
	tap_ok(devices_parse_disk(&dc, "x.img,rw", why, sizeof(why)) < 0, "unknown disk option refused");
	tap_ok(devices_parse_net(&dc, "user", why, sizeof(why)) < 0, "--net without tap= refused");
	io_bus_exit(&pio);
	io_bus_exit(&mmio);
	memory_exit(&mem);
}

int main(void)
{
	struct rig r;

	if (rig_up(&r, "", IMG_SIZE)) {
		tap_ok(0, "virtio-blk rig");
		return tap_done(0);
	}
	test_io(&r);
	test_inflight(&r);
	test_hostile(&r);
	rig_down(&r);
	test_ro();
	test_bad_config();
	return tap_done(0);
}
