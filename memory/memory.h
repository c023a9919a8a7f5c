/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: one host virtual range, divided into chunks, covered by KVM
 * memslots around the PCI hole below 4 GiB. Everything else in hmmv touches
 * guest memory through the accessors declared here, which bounds-check every
 * guest-physical range (the guest is untrusted).
 */
#ifndef HMMV_MEMORY_MEMORY_H
#define HMMV_MEMORY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest-physical layout: RAM below the hole, the rest above 4 GiB. */
#define MEM_PCI_HOLE_START	0xC0000000ULL
#define MEM_PCI_HOLE_END	0x100000000ULL
#define MEM_MAX_REGIONS		2

struct mem_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;
	uint64_t offset;	/* offset into the host range */
	uint32_t slot;		/* KVM memslot number */
};

struct memory_config {
	uint64_t ram_size;	/* bytes of guest RAM */
	uint64_t chunk_size;	/* placement/migration unit; 0 = default */
};

struct guest_mem {
	uint8_t *host;		/* ram_size bytes, one mapping */
	uint64_t ram_size;
	uint64_t chunk_size;
	int nr_regions;
	struct mem_region regions[MEM_MAX_REGIONS];
	int fd;			/* backing memfd */
	int vm_fd;		/* set by memory_map_slots, -1 before */
	uint32_t slot_flags;
};

#define MEM_DEFAULT_CHUNK	(2ULL << 20)

/* Allocates guest RAM; -errno on failure, nothing left behind. */
int memory_init(struct guest_mem *m, const struct memory_config *cfg);
/* Registers the RAM regions as KVM memslots with @flags. */
int memory_map_slots(struct guest_mem *m, int vm_fd, uint32_t flags);
void memory_exit(struct guest_mem *m);

/* Host address of [gpa, gpa+len) when it lies wholly in one RAM region. */
void *memory_translate(struct guest_mem *m, uint64_t gpa, uint64_t len);
/* Copies to and from guest RAM; -EFAULT when any byte is outside RAM. */
int memory_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len);
int memory_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len);

/*
 * Asynchronous device I/O into guest RAM (DMA) brackets itself with these,
 * so that a chunk is never migrated under an in-flight write.
 */
int memory_io_begin(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write);
void memory_io_end(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write);

/* The guest-physical address of host range offset @off (for e820 etc.). */
uint64_t memory_end_gpa(const struct guest_mem *m);

#endif
