// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for hmmv run's option table and the x86 boot without KVM:
 * sizes, flags, loading a synthetic vmlinux (plain and inside an XZ
 * bzImage, with the decompressed-kernel cache), the zero page and e820
 * map, the page tables, and the ACPI tables' checksums and AML structure.
 */
#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define KLOAD	0x1000000ULL
#define KSIZE	0x3000ULL

static char tmpdir[] = "/tmp/hmmv-boot-test.XXXXXX";

static void write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(p, 1, len, f) != len)
		abort();
	fclose(f);
}

/* A minimal x86-64 vmlinux: one PT_LOAD in the kernel half, physical entry. */
static size_t make_vmlinux(uint8_t *buf, uint64_t vaddr)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	size_t off = 0x1000;

	memset(buf, 0, off + KSIZE);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = KLOAD;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = KLOAD;
	ph->p_filesz = KSIZE;
	ph->p_memsz = KSIZE + 0x1000;	/* a page of bss */
	memset(buf + off, 0xcc, KSIZE);
	return off + KSIZE;
}

/* A bzImage whose payload is the XZ-compressed @elf, as Linux builds it. */
static size_t make_bzimage(uint8_t *buf, size_t cap, const uint8_t *elf, size_t elf_len)
{
	struct setup_header h;
	size_t pm = 2 * 512, xz_len = 0;
	uint32_t size = (uint32_t)elf_len;

	memset(buf, 0, pm);
	if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, elf, elf_len,
				    buf + pm + 0x100, &xz_len, cap - pm - 0x104) != LZMA_OK)
		abort();
	memcpy(buf + pm + 0x100 + xz_len, &size, 4);
	memset(&h, 0, sizeof(h));
	h.setup_sects = 1;
	h.boot_flag = 0xaa55;
	h.jump = 0x66eb;	/* header ends at 0x202 + 0x66 */
	h.header = 0x53726448;
	h.version = 0x020f;
	h.relocatable_kernel = 1;
	h.xloadflags = XLF_KERNEL_64;
	h.initrd_addr_max = 0x7fffffff;
	h.cmdline_size = 2047;
	h.payload_offset = 0x100;
	h.payload_length = (uint32_t)xz_len + 4;
	h.pref_address = KLOAD;
	h.init_size = 0x400000;
	memcpy(buf + 0x1f1, &h, sizeof(h));
	return pm + 0x100 + xz_len + 4;
}

static void vm_setup(struct vm *vm, struct vm_config *cfg, uint64_t ram)
{
	memset(vm, 0, sizeof(*vm));
	memset(cfg, 0, sizeof(*cfg));
	memory_config_init(&cfg->mem, ram);
	cfg->nr_cpus = 2;
	cfg->boot.params = "console=ttyS0 hello";
	vm->cfg = cfg;
	if (memory_init(&vm->mem, &cfg->mem) < 0)
		abort();
}

static uint64_t e820_ram(const struct boot_params *bp)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < bp->e820_entries; i++)
		if (bp->e820_table[i].type == 1)
			sum += bp->e820_table[i].size;
	return sum;
}

static void test_options(void)
{
	struct vm_config cfg;
	char why[512];
	char *a1[] = { "run", "-k", "k", "--mem=1G", "-c2", "--console", "file:/x", NULL };
	char *a2[] = { "run", "-k", "k", "--frobnicate", NULL };
	char *a3[] = { "run", "-k", "k", "-m", NULL };
	char *a4[] = { "run", "-m", "64M", NULL };
	char *a5[] = { "run", "-k", "k", "-c", "65", NULL };
	char *a6[] = { "run", "-k", "k", "-m", "0x20000000", NULL };
	char *a7[] = { "run", "-k", "k", "-m", "512", NULL };

	tap_ok(run_opts_parse(&cfg, 5, a6, why, sizeof(why)) == 0 &&
	       cfg.mem.ram_size == 0x20000000, "-m 0x20000000 is 512 MiB, as --dram reads it");
	tap_ok(run_opts_parse(&cfg, 5, a7, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--mem") && strstr(why, "bytes"),
	       "-m 512 is 512 bytes, refused with the rule: %s", why);
	tap_ok(run_opts_parse(&cfg, 7, a1, why, sizeof(why)) == 0 &&
	       cfg.mem.ram_size == 1ULL << 30 && cfg.nr_cpus == 2 &&
	       cfg.console.kind == CONSOLE_FILE && !strcmp(cfg.console.path, "/x"),
	       "--mem=1G -c2 --console file:/x parse");
	tap_ok(run_opts_parse(&cfg, 4, a2, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--frobnicate"), "unknown flag named: %s", why);
	tap_ok(run_opts_parse(&cfg, 4, a3, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--mem"), "missing value named: %s", why);
	tap_ok(run_opts_parse(&cfg, 3, a4, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--kernel"), "missing kernel named: %s", why);
	tap_ok(run_opts_parse(&cfg, 5, a5, why, sizeof(why)) == -EINVAL &&
	       strstr(why, "--cpus"), "65 CPUs refused: %s", why);
}

static void test_elf_boot(const char *kpath, const char *ipath)
{
	struct vm_config cfg;
	struct vm vm;
	struct boot_params *bp;
	uint64_t *pml4, *pdpt, *pd;
	uint8_t *initrd;
	char cmd[64];

	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = kpath;
	cfg.boot.initrd = ipath;
	tap_ok(boot_load(&vm, &vm.boot) == 0, "boot_load of an ELF vmlinux: %s", vm.why);
	tap_ok(vm.boot.kind == BOOT_KIND_ELF && vm.boot.entry == KLOAD &&
	       vm.boot.kernel_end == KLOAD + KSIZE + 0x1000, "entry and extent from the ELF");
	bp = memory_translate(&vm.mem, BOOT_PARAMS_GPA, sizeof(*bp));
	tap_ok(bp && bp->hdr.header == 0x53726448 && bp->hdr.type_of_loader == 0xff &&
	       bp->acpi_rsdp_addr == ACPI_RSDP_GPA, "zero page: header, loader, RSDP");
	memory_read(&vm.mem, bp->hdr.cmd_line_ptr, cmd, sizeof(cmd));
	tap_ok(!strcmp(cmd, "console=ttyS0 hello"), "command line in place");
	initrd = memory_translate(&vm.mem, bp->hdr.ramdisk_image, bp->hdr.ramdisk_size);
	tap_ok(initrd && bp->hdr.ramdisk_size == 5000 && !(bp->hdr.ramdisk_image & 0xfff) &&
	       bp->hdr.ramdisk_image >= vm.boot.kernel_end && initrd[4999] == 0x5a,
	       "initrd high, page aligned, above the kernel, copied");
	tap_ok(e820_ram(bp) == (128ULL << 20) - 0x60400 && bp->e820_table[0].addr == 0 &&
	       bp->e820_table[0].size == BOOT_EBDA_GPA, "e820: all RAM but the legacy hole");
	pml4 = memory_translate(&vm.mem, BOOT_PML4_GPA, 6 * 4096);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	tap_ok((pml4[0] & ~0xfffULL) == BOOT_PML4_GPA + 4096 && (pdpt[3] & 1) &&
	       pd[2047] == ((2047ULL << 21) | 0x83), "identity page tables cover 4 GiB");
	memory_exit(&vm.mem);

	vm_setup(&vm, &cfg, 16ULL << 20);
	cfg.boot.kernel = kpath;
	tap_ok(boot_load(&vm, &vm.boot) == -ENOSPC && vm.usage_error && strstr(vm.why, "too small"),
	       "16 MiB is too small for a kernel at 16 MiB: %s", vm.why);
	memory_exit(&vm.mem);
}

static void test_bad_kernels(const char *dir)
{
	struct vm_config cfg;
	struct vm vm;
	char path[256];
	uint8_t elf[0x1000 + KSIZE];
	size_t n;

	snprintf(path, sizeof(path), "%s/user-elf", dir);
	n = make_vmlinux(elf, 0x400000);	/* a user-space executable */
	write_file(path, elf, n);
	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = path;
	tap_ok(boot_load(&vm, &vm.boot) < 0 && vm.usage_error, "user-space ELF refused: %s", vm.why);
	memory_exit(&vm.mem);

	snprintf(path, sizeof(path), "%s/text", dir);
	write_file(path, "hello\n", 6);
	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = path;
	tap_ok(boot_load(&vm, &vm.boot) == -EINVAL && vm.usage_error &&
	       strstr(vm.why, "not a Linux kernel"), "text file refused: %s", vm.why);
	memory_exit(&vm.mem);
}

static void test_bzimage(const char *dir, const uint8_t *elf, size_t elf_len)
{
	static uint8_t bz[1 << 20];
	struct vm_config cfg;
	struct vm vm;
	char path[256], cache[256];
	size_t n;
	uint8_t *k;

	n = make_bzimage(bz, sizeof(bz), elf, elf_len);
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	write_file(path, bz, n);

	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = path;
	cfg.boot.cache_dir = cache;
	tap_ok(boot_load(&vm, &vm.boot) == 0 && vm.boot.kind == BOOT_KIND_VMLINUX_HOST &&
	       !vm.boot.from_cache && vm.boot.entry == KLOAD, "bzImage decompressed on the host: %s", vm.why);
	k = memory_translate(&vm.mem, KLOAD, KSIZE);
	tap_ok(k && k[0] == 0xcc && k[KSIZE - 1] == 0xcc, "the decompressed kernel is in place");
	memory_exit(&vm.mem);

	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = path;
	cfg.boot.cache_dir = cache;
	tap_ok(boot_load(&vm, &vm.boot) == 0 && vm.boot.from_cache,
	       "the second boot takes the kernel from the cache");
	memory_exit(&vm.mem);

	vm_setup(&vm, &cfg, 128ULL << 20);
	cfg.boot.kernel = path;
	cfg.boot.mode = BOOT_BZIMAGE;
	tap_ok(boot_load(&vm, &vm.boot) == 0 && vm.boot.kind == BOOT_KIND_BZIMAGE &&
	       vm.boot.entry == KLOAD + 0x200 && vm.boot.kernel_end == KLOAD + 0x400000,
	       "--boot bzimage: protected-mode part at pref_address, 64-bit entry");
	memory_exit(&vm.mem);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Walks one AML object with a PkgLength; returns its total size. */
static size_t aml_pkg(const uint8_t *p)
{
	int n = (p[0] >> 6) + 1, i;
	size_t len;

	if (n == 1)
		return p[0] & 0x3f;
	len = p[0] & 0xf;
	for (i = 1; i < n; i++)
		len |= (size_t)p[i] << (4 + 8 * (i - 1));
	return len;
}

static void test_acpi(void)
{
	struct vm_config cfg;
	struct vm vm;
	uint8_t *t, *rsdp, *fadt, *dsdt, *madt, *body;
	uint64_t xsdt_addr, fadt_addr, madt_addr, dsdt_addr;
	uint32_t dlen, mlen;
	size_t off;

	vm_setup(&vm, &cfg, 64ULL << 20);
	cfg.nr_cpus = 4;
	tap_ok(acpi_build(&vm, &vm.boot) == 0, "acpi_build");
	t = memory_translate(&vm.mem, 0, 1 << 20);
	rsdp = t + ACPI_RSDP_GPA;
	memcpy(&xsdt_addr, rsdp + 24, 8);
	tap_ok(!memcmp(rsdp, "RSD PTR ", 8) && sum(rsdp, 20) == 0 && sum(rsdp, 36) == 0,
	       "RSDP signature and both checksums");
	memcpy(&fadt_addr, t + xsdt_addr + 36, 8);
	memcpy(&madt_addr, t + xsdt_addr + 44, 8);
	fadt = t + fadt_addr;
	madt = t + madt_addr;
	memcpy(&dsdt_addr, fadt + 140, 8);
	dsdt = t + dsdt_addr;
	memcpy(&dlen, dsdt + 4, 4);
	memcpy(&mlen, madt + 4, 4);
	tap_ok(!memcmp(fadt, "FACP", 4) && sum(fadt, 276) == 0 && !memcmp(madt, "APIC", 4) &&
	       sum(madt, mlen) == 0 && !memcmp(dsdt, "DSDT", 4) && sum(dsdt, dlen) == 0,
	       "XSDT -> FADT, MADT; FADT -> DSDT; every checksum right");
	tap_ok(fadt[46] == ACPI_SCI_IRQ && fadt[56] == (ACPI_PM1A_EVT & 0xff) &&
	       fadt[57] == ACPI_PM1A_EVT >> 8 && fadt[64] == (ACPI_PM1A_CNT & 0xff) &&
	       fadt[89] == 2, "FADT names the PM1a ports");
	tap_ok(mlen == 44 + 4 * 8 + 12 + 10 + 6 && madt[44] == 0 && madt[44 + 3 * 8 + 3] == 3,
	       "MADT: one local APIC per vCPU, IOAPIC, override, NMI");
	/* DSDT: Name(\_S5, Package) then Scope(\_SB) that ends the table. */
	body = dsdt + 36;
	tap_ok(body[0] == 0x08 && body[1] == '\\' && !memcmp(body + 2, "_S5_", 4) &&
	       body[6] == 0x12 && body[9] == 0x0a && body[10] == ACPI_S5_SLP_TYP,
	       "DSDT starts with \\_S5 = { 5, 5, ... }");
	off = 7 + aml_pkg(body + 7);
	tap_ok(body[off] == 0x10 && 36 + off + 1 + aml_pkg(body + off + 1) == dlen &&
	       memmem(body, dlen - 36, "PCI0", 4) && memmem(body, dlen - 36, "_PRT", 4) &&
	       memmem(body, dlen - 36, "\x0c\x41\xd0\x0a\x03", 5),
	       "Scope(\\_SB) with PCI0 (PNP0A03) and _PRT spans the rest exactly");
	memory_exit(&vm.mem);
}

int main(void)
{
	static uint8_t elf[0x1000 + KSIZE];
	uint8_t initrd[5000];
	char kpath[256], ipath[256];
	size_t n;

	if (!mkdtemp(tmpdir))
		return 1;
	n = make_vmlinux(elf, 0xffffffff81000000ULL);
	snprintf(kpath, sizeof(kpath), "%s/vmlinux", tmpdir);
	snprintf(ipath, sizeof(ipath), "%s/initrd", tmpdir);
	write_file(kpath, elf, n);
	memset(initrd, 0x5a, sizeof(initrd));
	write_file(ipath, initrd, sizeof(initrd));

	test_options();
	test_elf_boot(kpath, ipath);
	test_bad_kernels(tmpdir);
	test_bzimage(tmpdir, elf, n);
	test_acpi();
	if (system("rm -rf /tmp/hmmv-boot-test.*") != 0)
		tap_diag("could not remove %s", tmpdir);
	return tap_done(0);
}
