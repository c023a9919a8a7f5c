/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 Linux boot: loads the kernel (host-decompressed vmlinux, bzImage
 * or ELF vmlinux), the initrd and the command line into guest RAM, builds
 * boot_params (the zero page, with the e820 map), a GDT and identity page
 * tables, so that vCPU 0 starts in long mode at the kernel's 64-bit entry.
 *
 * Guest-physical layout below 1 MiB (all inside RAM, see boot_e820()):
 *   0x00500 GDT            0x07000 boot_params     0x09000 page tables
 *   0x20000 command line   0x9fc00-0xa0000 reserved (EBDA)
 *   0xe0000-0x100000 reserved: ACPI tables (vmm/acpi.h)
 * The kernel goes at its preferred address (16 MiB for Debian's), the
 * initrd as high as the kernel allows below the PCI hole.
 */
#ifndef HMMV_VMM_BOOT_H
#define HMMV_VMM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_GDT_GPA		0x500ULL
#define BOOT_PARAMS_GPA		0x7000ULL
#define BOOT_PML4_GPA		0x9000ULL
#define BOOT_CMDLINE_GPA	0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL
#define BOOT_EBDA_GPA		0x9fc00ULL
#define BOOT_BIOS_GPA		0xe0000ULL
#define BOOT_HIGH_GPA		0x100000ULL

/* Selectors the 64-bit boot protocol requires. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18
#define BOOT_TSS		0x20

enum boot_kind {
	BOOT_KIND_VMLINUX_HOST,	/* bzImage decompressed on the host */
	BOOT_KIND_BZIMAGE,	/* bzImage, decompressed by the guest */
	BOOT_KIND_ELF,		/* an uncompressed vmlinux given with -k */
};

struct boot_info {
	enum boot_kind kind;
	uint64_t entry;		/* guest-physical 64-bit entry point */
	uint64_t zero_page;	/* %rsi at entry */
	uint64_t kernel_start, kernel_end;
	uint64_t initrd_start, initrd_size;
	bool from_cache;	/* the decompressed kernel came from the cache */
};

struct vm;

/* Loads everything named by vm->cfg->boot; -errno with vm->why set, and
 * vm->usage_error when a file or size given by the user is at fault. */
int boot_load(struct vm *vm, struct boot_info *bi);
/* Checks that -k names a kernel and -i a readable file, before any KVM work. */
int boot_check_files(struct vm *vm);
/* Only fills the decompressed-kernel cache for vm->cfg->boot.kernel (no KVM). */
int boot_prepare(struct vm *vm);

#endif
