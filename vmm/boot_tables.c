// SPDX-License-Identifier: GPL-2.0
/* The GDT and identity page tables vCPU 0 starts long mode with. */
#include <errno.h>
#include <string.h>

#include "vmm/boot.h"
#include "vmm/boot_internal.h"

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PAGE		0x1000ULL

/* Flat descriptors: base 0, limit 4 GiB; 64-bit code, data, and a TSS. */
static const uint64_t boot_gdt[] = {
	0,
	0,
	0x00af9b000000ffffULL,	/* 0x10: code, L=1, present, exec/read */
	0x00cf93000000ffffULL,	/* 0x18: data, present, read/write */
	0x00808b0000000067ULL,	/* 0x20: 64-bit TSS (busy), base 0 */
	0,			/* TSS descriptors are 16 bytes */
};

/*
 * PML4 at BOOT_PML4_GPA, one PDPT after it, then four page directories of
 * 2 MiB pages: the first 4 GiB identity-mapped, which covers everything
 * the loader placed (all of it lies below the PCI hole).
 */
int boot_write_tables(struct guest_mem *mem)
{
	uint64_t *pml4, *pdpt, *pd;
	uint64_t pdpt_gpa = BOOT_PML4_GPA + PAGE, pd_gpa = pdpt_gpa + PAGE;
	int i;

	if (memory_write(mem, BOOT_GDT_GPA, boot_gdt, sizeof(boot_gdt)) < 0)
		return -ENOSPC;
	pml4 = memory_translate(mem, BOOT_PML4_GPA, 6 * PAGE);
	if (!pml4)
		return -ENOSPC;
	memset(pml4, 0, 6 * PAGE);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	pml4[0] = pdpt_gpa | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (pd_gpa + i * PAGE) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}
