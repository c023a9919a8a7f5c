// SPDX-License-Identifier: GPL-2.0
/* Guest RAM allocation, layout around the PCI hole, memslots, accessors. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "memory/memory.h"

static void memory_layout(struct guest_mem *m)
{
	uint64_t low = m->ram_size;

	if (low > MEM_PCI_HOLE_START)
		low = MEM_PCI_HOLE_START;
	m->regions[0] = (struct mem_region){ .gpa = 0, .size = low, .offset = 0, .slot = 0 };
	m->nr_regions = 1;
	if (m->ram_size > low) {
		m->regions[1] = (struct mem_region){
			.gpa = MEM_PCI_HOLE_END, .size = m->ram_size - low,
			.offset = low, .slot = 1,
		};
		m->nr_regions = 2;
	}
}

int memory_init(struct guest_mem *m, const struct memory_config *cfg)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->vm_fd = -1;
	m->chunk_size = cfg->chunk_size ? cfg->chunk_size : MEM_DEFAULT_CHUNK;
	if (!cfg->ram_size || cfg->ram_size % m->chunk_size)
		return -EINVAL;
	m->ram_size = cfg->ram_size;
	m->fd = memfd_create("hmmv-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)m->ram_size) < 0)
		goto fail;
	m->host = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       m->fd, 0);
	if (m->host == MAP_FAILED) {
		m->host = NULL;
		goto fail;
	}
	madvise(m->host, m->ram_size, MADV_MERGEABLE);
	memory_layout(m);
	return 0;
fail:
	err = -errno;
	close(m->fd);
	m->fd = -1;
	return err;
}

int memory_map_slots(struct guest_mem *m, int vm_fd, uint32_t flags)
{
	struct kvm_userspace_memory_region r;
	int i;

	for (i = 0; i < m->nr_regions; i++) {
		r = (struct kvm_userspace_memory_region){
			.slot = m->regions[i].slot,
			.flags = flags,
			.guest_phys_addr = m->regions[i].gpa,
			.memory_size = m->regions[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)(m->host + m->regions[i].offset),
		};
		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return -errno;
	}
	m->vm_fd = vm_fd;
	m->slot_flags = flags;
	return 0;
}

void memory_exit(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->ram_size);
	if (m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->fd = -1;
}

void *memory_translate(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	const struct mem_region *r;
	int i;

	for (i = 0; i < m->nr_regions; i++) {
		r = &m->regions[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return m->host + r->offset + (gpa - r->gpa);
	}
	return NULL;
}

int memory_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int memory_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

int memory_io_begin(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write)
{
	return memory_translate(m, gpa, len) ? 0 : -EFAULT;
}

void memory_io_end(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write)
{
}

uint64_t memory_end_gpa(const struct guest_mem *m)
{
	const struct mem_region *r = &m->regions[m->nr_regions - 1];

	return r->gpa + r->size;
}
