/* SPDX-License-Identifier: GPL-2.0 */
/* memory/ internals shared between its files; not for other areas. */
#ifndef HMMV_MEMORY_INTERNAL_H
#define HMMV_MEMORY_INTERNAL_H

#include <numa.h>

#include "memory/memory.h"

int mem_frames_init(struct mem_frames *f, uint32_t nr);
void mem_frames_exit(struct mem_frames *f);
/* Lowest free frame, marked used; -ENOSPC when none. */
int64_t mem_frames_alloc(struct mem_frames *f);
/* Marks @frame used; -EBUSY if it already was, -EINVAL if out of range. */
int mem_frames_take(struct mem_frames *f, uint32_t frame);
/* Returns @frame; -EINVAL when it was not allocated. */
int mem_frames_free(struct mem_frames *f, uint32_t frame);
bool mem_frames_used(const struct mem_frames *f, uint32_t frame);

/* Opens tier @id's backend as configured; -errno, nothing left behind. */
int mem_tier_open(struct mem_tier *t, int id, const struct memory_config *cfg);
void mem_tier_close(struct mem_tier *t);
/* Copies @len bytes into the tier's view (non-temporal for pmem). */
void mem_tier_copy_in(struct mem_tier *t, uint64_t off, const void *src, size_t len);
/*
 * Zeroes [off, off+len) of a device or file tier (a hole where the file
 * system can punch one), so no guest sees what an earlier user left there.
 */
void mem_tier_clear(struct mem_tier *t, uint64_t off, uint64_t len);
/* Gives a freed frame's memory back where the backend can. */
void mem_tier_release(struct mem_tier *t, uint64_t off, uint64_t len);
/* Nodes the tier's memory belongs on, or NULL when unbound. */
struct bitmask *mem_tier_nodes(const struct mem_tier *t, int id);
int mem_tier_bind(const struct mem_tier *t, int id, void *addr, uint64_t len,
		  unsigned int flags);
/* Asks for transparent huge pages on a memfd tier's mapping (best effort). */
void mem_tier_advise(const struct mem_tier *t, void *addr, uint64_t len, uint64_t chunk);
const char *mem_backend_name(enum mem_backend kind);

/*
 * Launch placement: assigns every chunk a tier and a frame. Pure
 * bookkeeping (no mapping), so unit tests drive it directly.
 */
int mem_place(struct guest_mem *m);

/*
 * The steps of a remap (memory/remap.c), shared by memory_remap() and the
 * write-protected migration (memory/migrate.c). begin claims the chunk
 * (MEM_CHUNK_MIGRATING) and reserves a frame of @dst (returned, or -errno);
 * map puts the new frame over the chunk (on failure the old one back);
 * abort gives the new frame back; commit records the move, retires the old
 * frame and releases the chunk.
 */
int64_t mem_remap_begin(struct guest_mem *m, uint32_t c, int dst, struct mem_chunk *old);
int mem_remap_map(struct guest_mem *m, uint32_t c, int dst, uint32_t frame,
		  const struct mem_chunk *old);
void mem_remap_abort(struct guest_mem *m, uint32_t c, int dst, uint32_t frame);
void mem_remap_commit(struct guest_mem *m, uint32_t c, int dst, uint32_t frame,
		      const struct mem_chunk *old, uint64_t ns);

/*
 * memory/claim.c: claims chunk @c for a move (no I/O in flight, none
 * migrating; I/O into it waits until the claim ends), -EBUSY otherwise;
 * a tier whose pages the kernel can move in place (a memfd, NUMA-bound or
 * not, without hugetlb).
 */
int mem_chunk_claim(struct guest_mem *m, uint32_t c);
void mem_chunk_unclaim(struct guest_mem *m, uint32_t c);
bool mem_tier_inplace(const struct mem_tier *t);

/*
 * memory/pages.c, under m->lock: bytes a tier holds (its chunks, less their
 * pages away, plus the other tier's pages away here); whether chunk @c,
 * moved whole, fits in @dst's quota (only its pages not there yet count);
 * a chunk moved whole from @old_tier has its pages home again.
 */
uint64_t mem_tier_used(const struct guest_mem *m, int t);
bool mem_chunk_fits(const struct guest_mem *m, uint32_t c, int dst);
void mem_pages_settle(struct guest_mem *m, uint32_t c, int old_tier);

/* Reads a small sysfs-style file holding one unsigned number. */
int mem_read_u64_file(const char *path, uint64_t *out);
#endif
