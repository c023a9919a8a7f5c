// SPDX-License-Identifier: GPL-2.0
/* Loading the guest kernel, initrd and command line; the zero page. */
#include <asm/bootparam.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmmv/safe_file.h"
#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/boot_internal.h"
#include "vmm/vm.h"

#define HDR_OFFSET	0x1f1
#define HDR_MAGIC	0x53726448	/* "HdrS" */
#define E820_RAM	1
#define E820_RESERVED	2
#define MIB(x)		((unsigned long long)((x) + (1 << 20) - 1) >> 20)

/* The kernel image as given, and what was derived from it. */
struct kernel_image {
	struct boot_file file;
	struct setup_header hdr;	/* copied from the bzImage, or made up */
	bool is_bzimage;
	const uint8_t *payload;		/* compressed vmlinux inside the bzImage */
	size_t payload_len;
};

int boot_file_map(struct boot_file *f, const char *flag, const char *path,
		  char *why, size_t whylen)
{
	struct stat st;
	void *p;
	int fd;

	fd = safe_file_open(path, O_RDONLY, 0);
	if (fd < 0) {
		snprintf(why, whylen, "%s %s: %s", flag, path, safe_file_strerror(fd));
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		snprintf(why, whylen, "%s %s: not a regular, non-empty file", flag, path);
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(why, whylen, "%s %s: mmap: %s", flag, path, strerror(errno));
		return -errno;
	}
	f->data = p;
	f->len = (size_t)st.st_size;
	return 0;
}

void boot_file_unmap(struct boot_file *f)
{
	if (f->data)
		munmap((void *)f->data, f->len);
	f->data = NULL;
}

static int boot_usage(struct vm *vm, int err, const char *fmt, const char *arg)
{
	snprintf(vm->why, sizeof(vm->why), fmt, arg);
	vm->usage_error = true;
	return err;
}

/* Recognises a 64-bit-capable bzImage and copies its setup header. */
static int kernel_parse_bzimage(struct vm *vm, struct kernel_image *k)
{
	const uint8_t *d = k->file.data;
	size_t hlen, pm_off;
	uint32_t magic;
	uint16_t flag;

	if (k->file.len < HDR_OFFSET + sizeof(k->hdr))
		return 0;
	memcpy(&flag, d + 0x1fe, 2);
	memcpy(&magic, d + 0x202, 4);
	if (flag != 0xaa55 || magic != HDR_MAGIC)
		return 0;
	hlen = 0x202 + d[0x201] - HDR_OFFSET;
	if (hlen > sizeof(k->hdr))
		hlen = sizeof(k->hdr);
	memset(&k->hdr, 0, sizeof(k->hdr));
	memcpy(&k->hdr, d + HDR_OFFSET, hlen);
	if (k->hdr.version < 0x020c || !(k->hdr.xloadflags & XLF_KERNEL_64))
		return boot_usage(vm, -EINVAL,
				  "--kernel %s: a bzImage without the 64-bit entry (boot protocol < 2.12)",
				  vm->cfg->boot.kernel);
	pm_off = ((size_t)(k->hdr.setup_sects ? k->hdr.setup_sects : 4) + 1) * 512;
	if (pm_off >= k->file.len)
		return boot_usage(vm, -EINVAL, "--kernel %s: truncated bzImage",
				  vm->cfg->boot.kernel);
	k->is_bzimage = true;
	if (k->hdr.payload_offset && k->hdr.payload_length &&
	    k->hdr.payload_offset <= k->file.len - pm_off &&
	    k->hdr.payload_length <= k->file.len - pm_off - k->hdr.payload_offset) {
		k->payload = d + pm_off + k->hdr.payload_offset;
		k->payload_len = k->hdr.payload_length;
	}
	return 1;
}

/* A header for a bare vmlinux: what the kernel reads from boot_params.hdr. */
static void kernel_fake_hdr(struct setup_header *h)
{
	memset(h, 0, sizeof(*h));
	h->boot_flag = 0xaa55;
	h->header = HDR_MAGIC;
	h->version = 0x020f;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
}

static uint64_t boot_low_end(struct vm *vm)
{
	return vm->mem.regions[0].size;
}

static int boot_too_small(struct vm *vm, uint64_t need, const char *what)
{
	snprintf(vm->why, sizeof(vm->why),
		 "--mem: %llu MiB is too small for %s (needs %llu MiB of RAM below 3 GiB)",
		 MIB(vm->cfg->mem.ram_size), what, MIB(need));
	vm->usage_error = true;
	return -ENOSPC;
}

static int load_elf(struct vm *vm, const struct boot_file *f, struct boot_info *bi)
{
	int r;

	r = elf_load(&vm->mem, f->data, f->len, &bi->entry, &bi->kernel_start,
		     &bi->kernel_end);
	if (r == -ENOSPC)
		return boot_too_small(vm, bi->kernel_end, "the kernel");
	if (r < 0)
		return boot_usage(vm, r, "--kernel %s: not a loadable x86-64 vmlinux",
				  vm->cfg->boot.kernel);
	return 0;
}

/* The plain path: the bzImage's protected-mode part at its preferred address. */
static int load_bzimage(struct vm *vm, struct kernel_image *k, struct boot_info *bi)
{
	size_t pm_off = ((size_t)(k->hdr.setup_sects ? k->hdr.setup_sects : 4) + 1) * 512;
	size_t pm_len = k->file.len - pm_off;
	uint64_t load = k->hdr.relocatable_kernel ? k->hdr.pref_address : BOOT_HIGH_GPA;
	uint64_t span = k->hdr.init_size > pm_len ? k->hdr.init_size : pm_len;
	void *dst;

	if (load < BOOT_HIGH_GPA)
		load = BOOT_HIGH_GPA;
	dst = memory_translate(&vm->mem, load, span);
	if (!dst)
		return boot_too_small(vm, load + span, "the kernel");
	memcpy(dst, k->file.data + pm_off, pm_len);
	bi->kind = BOOT_KIND_BZIMAGE;
	bi->entry = load + 0x200;	/* startup_64 */
	bi->kernel_start = load;
	bi->kernel_end = load + span;
	return 0;
}

/*
 * Maps --kernel and recognises it: 1 for a bzImage, 0 for an ELF vmlinux,
 * -errno (with vm->why set) otherwise. The caller unmaps k->file.
 */
static int kernel_open(struct vm *vm, struct kernel_image *k)
{
	const char *path = vm->cfg->boot.kernel;
	int r;

	r = boot_file_map(&k->file, "--kernel", path, vm->why, sizeof(vm->why));
	if (r < 0) {
		vm->usage_error = r != -ENOMEM;
		return r;
	}
	r = kernel_parse_bzimage(vm, k);
	if (r == 0 && !elf_is_vmlinux(k->file.data, k->file.len))
		r = boot_usage(vm, -EINVAL,
			       "--kernel %s: not a Linux kernel (neither a bzImage nor an x86-64 ELF vmlinux)",
			       path);
	return r;
}

static int load_kernel(struct vm *vm, struct kernel_image *k, struct boot_info *bi)
{
	const struct boot_config *bc = &vm->cfg->boot;
	struct boot_file vmlinux = { 0 };
	int r, cached = 0;

	r = kernel_open(vm, k);
	if (r < 0)
		return r;
	if (!r) {
		kernel_fake_hdr(&k->hdr);
		bi->kind = BOOT_KIND_ELF;
		return load_elf(vm, &k->file, bi);
	}
	if (bc->mode == BOOT_BZIMAGE || !k->payload ||
	    kcache_get(&k->file, k->payload, k->payload_len, bc->cache_dir,
		       &vmlinux, &cached) < 0)
		return load_bzimage(vm, k, bi);
	bi->kind = BOOT_KIND_VMLINUX_HOST;
	bi->from_cache = cached;
	r = load_elf(vm, &vmlinux, bi);
	kcache_put(&vmlinux, cached);
	return r;
}

static int load_initrd(struct vm *vm, const struct setup_header *h,
		       struct boot_info *bi)
{
	struct boot_file f = { 0 };
	uint64_t top = boot_low_end(vm), addr;
	int r;

	if (!vm->cfg->boot.initrd)
		return 0;
	r = boot_file_map(&f, "--initrd", vm->cfg->boot.initrd, vm->why, sizeof(vm->why));
	if (r < 0) {
		vm->usage_error = r != -ENOMEM;
		return r;
	}
	if (h->initrd_addr_max && top > (uint64_t)h->initrd_addr_max + 1)
		top = (uint64_t)h->initrd_addr_max + 1;
	addr = top > f.len ? (top - f.len) & ~0xfffULL : 0;
	if (addr < bi->kernel_end) {
		boot_file_unmap(&f);
		return boot_too_small(vm, bi->kernel_end + f.len + 0xfff,
				      "the kernel plus the initrd");
	}
	r = memory_write(&vm->mem, addr, f.data, f.len);
	boot_file_unmap(&f);
	if (r < 0)
		return r;
	bi->initrd_start = addr;
	bi->initrd_size = f.len;
	return 0;
}

static void boot_e820_add(struct boot_params *bp, uint64_t addr, uint64_t size,
			  uint32_t type)
{
	if (!size || bp->e820_entries >= E820_MAX_ENTRIES_ZEROPAGE)
		return;
	bp->e820_table[bp->e820_entries++] = (struct boot_e820_entry){
		.addr = addr, .size = size, .type = type,
	};
}

/* RAM as memory/ laid it out, minus the legacy holes; the PCI hole is not RAM. */
static void boot_e820(struct vm *vm, struct boot_params *bp)
{
	uint64_t low = boot_low_end(vm);
	int i;

	boot_e820_add(bp, 0, low < BOOT_EBDA_GPA ? low : BOOT_EBDA_GPA, E820_RAM);
	if (low > BOOT_EBDA_GPA)
		boot_e820_add(bp, BOOT_EBDA_GPA, 0xa0000 - BOOT_EBDA_GPA, E820_RESERVED);
	if (low > BOOT_BIOS_GPA)
		boot_e820_add(bp, BOOT_BIOS_GPA, BOOT_HIGH_GPA - BOOT_BIOS_GPA, E820_RESERVED);
	if (low > BOOT_HIGH_GPA)
		boot_e820_add(bp, BOOT_HIGH_GPA, low - BOOT_HIGH_GPA, E820_RAM);
	for (i = 1; i < vm->mem.nr_regions; i++)
		boot_e820_add(bp, vm->mem.regions[i].gpa, vm->mem.regions[i].size,
			      E820_RAM);
}

static int boot_cmdline(struct vm *vm, const struct setup_header *h)
{
	const char *p = vm->cfg->boot.params ? vm->cfg->boot.params : "";
	size_t len = strlen(p), max = h->cmdline_size ? h->cmdline_size : 255;

	if (max > BOOT_CMDLINE_MAX - 1)
		max = BOOT_CMDLINE_MAX - 1;
	if (len > max) {
		snprintf(vm->why, sizeof(vm->why),
			 "--params: %zu bytes, the kernel takes at most %zu", len, max);
		vm->usage_error = true;
		return -EINVAL;
	}
	return memory_write(&vm->mem, BOOT_CMDLINE_GPA, p, len + 1);
}

static int boot_zero_page(struct vm *vm, const struct setup_header *h,
			  struct boot_info *bi)
{
	struct boot_params *bp;

	bp = memory_translate(&vm->mem, BOOT_PARAMS_GPA, sizeof(*bp));
	if (!bp)
		return -ENOSPC;
	memset(bp, 0, sizeof(*bp));
	bp->hdr = *h;
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= LOADED_HIGH;
	bp->hdr.loadflags &= (uint8_t)~KASLR_FLAG;
	bp->hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_GPA;
	bp->hdr.ramdisk_image = (uint32_t)bi->initrd_start;
	bp->hdr.ramdisk_size = (uint32_t)bi->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(bi->initrd_start >> 32);
	bp->ext_ramdisk_size = (uint32_t)(bi->initrd_size >> 32);
	bp->acpi_rsdp_addr = ACPI_RSDP_GPA;
	boot_e820(vm, bp);
	bi->zero_page = BOOT_PARAMS_GPA;
	return 0;
}

int boot_load(struct vm *vm, struct boot_info *bi)
{
	struct kernel_image k = { 0 };
	int r;

	memset(bi, 0, sizeof(*bi));
	if (boot_low_end(vm) < 2 * BOOT_HIGH_GPA)
		return boot_too_small(vm, 2 * BOOT_HIGH_GPA, "the boot tables");
	r = load_kernel(vm, &k, bi);
	if (r == 0)
		r = load_initrd(vm, &k.hdr, bi);
	if (r == 0)
		r = boot_cmdline(vm, &k.hdr);
	if (r == 0)
		r = boot_zero_page(vm, &k.hdr, bi);
	if (r == 0)
		r = boot_write_tables(&vm->mem);
	boot_file_unmap(&k.file);
	if (r < 0 && !vm->why[0])
		snprintf(vm->why, sizeof(vm->why), "loading the kernel: %s", strerror(-r));
	return r;
}

int boot_prepare(struct vm *vm)
{
	const struct boot_config *bc = &vm->cfg->boot;
	struct kernel_image k = { 0 };
	struct boot_file vmlinux = { 0 };
	int r, cached = 0;

	r = kernel_open(vm, &k);
	if (r > 0 && k.payload) {
		r = kcache_get(&k.file, k.payload, k.payload_len, bc->cache_dir,
			       &vmlinux, &cached);
		if (r == -ENOTSUP)
			r = 0;	/* not XZ: booted as a bzImage, nothing to cache */
		else if (r < 0)
			snprintf(vm->why, sizeof(vm->why),
				 "--kernel %s: the compressed kernel does not decompress",
				 bc->kernel);
		kcache_put(&vmlinux, cached);
	}
	boot_file_unmap(&k.file);
	return r < 0 ? r : 0;
}

int boot_check_files(struct vm *vm)
{
	const struct boot_config *bc = &vm->cfg->boot;
	struct kernel_image k = { 0 };
	struct boot_file f = { 0 };
	int r;

	r = kernel_open(vm, &k);
	boot_file_unmap(&k.file);
	if (r < 0 || !bc->initrd)
		return r < 0 ? r : 0;
	r = boot_file_map(&f, "--initrd", bc->initrd, vm->why, sizeof(vm->why));
	if (r < 0)
		vm->usage_error = r != -ENOMEM;
	boot_file_unmap(&f);
	return r < 0 ? r : 0;
}
