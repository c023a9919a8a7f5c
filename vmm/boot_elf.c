// SPDX-License-Identifier: GPL-2.0
/* Loading an x86-64 vmlinux ELF image at its physical addresses. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "vmm/boot.h"
#include "vmm/boot_internal.h"

int elf_is_vmlinux(const uint8_t *data, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return 0;
	return eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh->e_ident[EI_DATA] == ELFDATA2LSB &&
	       eh->e_machine == EM_X86_64 && eh->e_type == ET_EXEC;
}

#define KERNEL_HALF	0xffff800000000000ULL

/*
 * Physical entry: vmlinux's e_entry is physical, but accept a virtual one.
 * Either way it must lie in a segment linked into the kernel half of the
 * address space: that is what tells a kernel from any static executable.
 */
static int elf_entry_phys(const Elf64_Phdr *ph, int n, uint64_t e_entry,
			  uint64_t *entry)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_vaddr < KERNEL_HALF)
			continue;
		if (e_entry >= ph[i].p_paddr &&
		    e_entry - ph[i].p_paddr < ph[i].p_memsz) {
			*entry = e_entry;
			return 0;
		}
		if (e_entry >= ph[i].p_vaddr &&
		    e_entry - ph[i].p_vaddr < ph[i].p_memsz) {
			*entry = e_entry - ph[i].p_vaddr + ph[i].p_paddr;
			return 0;
		}
	}
	return -ENOEXEC;
}

/* First pass: validates the headers and finds the physical extent. */
static int elf_extent(const uint8_t *data, size_t len, const Elf64_Phdr *ph,
		      int n, uint64_t *start, uint64_t *end)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > len ||
		    ph[i].p_filesz > len - ph[i].p_offset ||
		    ph[i].p_paddr < BOOT_HIGH_GPA ||
		    ph[i].p_paddr + ph[i].p_memsz < ph[i].p_paddr)
			return -ENOEXEC;
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > hi)
			hi = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!hi)
		return -ENOEXEC;
	*start = lo;
	*end = hi;
	return 0;
}

int elf_load(struct guest_mem *mem, const uint8_t *data, size_t len,
	     uint64_t *entry, uint64_t *start, uint64_t *end)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
	const Elf64_Phdr *ph;
	uint8_t *dst;
	int i, r;

	if (!elf_is_vmlinux(data, len) || eh->e_phentsize != sizeof(*ph) ||
	    eh->e_phoff > len || (uint64_t)eh->e_phnum * sizeof(*ph) > len - eh->e_phoff)
		return -ENOEXEC;
	ph = (const Elf64_Phdr *)(data + eh->e_phoff);
	r = elf_extent(data, len, ph, eh->e_phnum, start, end);
	if (r < 0)
		return r;
	r = elf_entry_phys(ph, eh->e_phnum, eh->e_entry, entry);
	if (r < 0)
		return r;
	if (!memory_translate(mem, *start, *end - *start))
		return -ENOSPC;
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		dst = memory_translate(mem, ph[i].p_paddr, ph[i].p_memsz);
		if (!dst)
			return -ENOSPC;
		memcpy(dst, data + ph[i].p_offset, ph[i].p_filesz);
		memset(dst + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	return 0;
}
