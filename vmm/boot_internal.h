/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces of the x86 boot shared between vmm/boot*.c and vmm/kcache.c. */
#ifndef HMMV_VMM_BOOT_INTERNAL_H
#define HMMV_VMM_BOOT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "memory/memory.h"

/* A read-only mapping of a whole file. */
struct boot_file {
	const uint8_t *data;
	size_t len;
};

/* Maps @path; -errno (with @why naming @flag and the file) when it cannot. */
int boot_file_map(struct boot_file *f, const char *flag, const char *path,
		  char *why, size_t whylen);
void boot_file_unmap(struct boot_file *f);

/* True when @data starts like an x86-64 ELF executable. */
int elf_is_vmlinux(const uint8_t *data, size_t len);
/*
 * Loads the PT_LOAD segments of an x86-64 vmlinux at their physical
 * addresses (each must lie in RAM at or above 1 MiB); returns the
 * physical entry point and the loaded range. -ENOEXEC on a bad image,
 * -ENOSPC when RAM is too small.
 */
int elf_load(struct guest_mem *mem, const uint8_t *data, size_t len,
	     uint64_t *entry, uint64_t *start, uint64_t *end);

/*
 * The decompressed kernel of a bzImage whose payload is XZ: from the
 * cache (@cache_dir, or $XDG_CACHE_HOME/hmmv, ~/.cache/hmmv) when present,
 * else decompressed now (liblzma) and stored there when writable. The key
 * is a content hash of the whole bzImage. -ENOTSUP when the payload is not
 * XZ, -ENOEXEC when it does not decompress.
 */
int kcache_get(const struct boot_file *bz, const uint8_t *payload,
	       size_t payload_len, const char *cache_dir,
	       struct boot_file *out, int *from_cache);
/* Releases what kcache_get returned (mapping or heap buffer). */
void kcache_put(struct boot_file *f, int from_cache);

/* Writes the GDT and identity page tables (first 4 GiB, 2 MiB pages). */
int boot_write_tables(struct guest_mem *mem);

#endif
