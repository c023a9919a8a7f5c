// SPDX-License-Identifier: GPL-2.0
/* Guest RAM: tiers, chunk table, launch placement and mapping, memslots. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "memory/internal.h"

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

const char *memory_tier_name(int tier)
{
	return tier == MEM_TIER_DRAM ? "dram" : tier == MEM_TIER_NVM ? "nvm" : "?";
}

/* Which tier chunk @c prefers at launch, before capacity is considered. */
static int place_pref(const struct guest_mem *m, uint32_t c)
{
	switch (m->placement) {
	case MEM_PLACE_NVM_FIRST:
		return MEM_TIER_NVM;
	case MEM_PLACE_INTERLEAVE:
		return c % 2 ? MEM_TIER_NVM : MEM_TIER_DRAM;
	default:
		return MEM_TIER_DRAM;
	}
}

static bool tier_has_room(const struct guest_mem *m, int t)
{
	const struct mem_tier *tier = &m->tiers[t];

	return tier->kind != MEM_BACK_NONE &&
	       (uint64_t)tier->nr_chunks * m->chunk_size < tier->quota;
}

int mem_place(struct guest_mem *m)
{
	struct mem_tier *tier;
	int64_t frame;
	uint32_t c;
	int t;

	for (c = 0; c < m->nr_chunks; c++) {
		t = place_pref(m, c);
		if (!tier_has_room(m, t))
			t = !t;
		if (!tier_has_room(m, t))
			return -ENOSPC;
		tier = &m->tiers[t];
		frame = mem_frames_alloc(&tier->frames);
		if (frame < 0)
			return (int)frame;
		m->chunks[c] = (struct mem_chunk){ .tier = (uint8_t)t, .file = (uint8_t)t,
						   .frame = (uint32_t)frame };
		tier->nr_chunks++;
	}
	return 0;
}

/*
 * Clears the frames placed on a device or file tier before the guest can
 * see them: the backing may hold another VM's RAM (memfd tiers start
 * zeroed; frames taken later by a remap are overwritten whole by its copy).
 */
static void memory_clear_frames(struct guest_mem *m)
{
	struct mem_tier *t = &m->tiers[MEM_TIER_NVM];
	uint64_t cs = m->chunk_size;
	uint32_t f, n;

	if (t->kind != MEM_BACK_DEVDAX && t->kind != MEM_BACK_FILE)
		return;
	for (f = 0; f < t->frames.nr; f += n) {
		for (n = 0; f + n < t->frames.nr && mem_frames_used(&t->frames, f + n); n++)
			;
		if (n)
			mem_tier_clear(t, (uint64_t)f * cs, (uint64_t)n * cs);
		else
			n = 1;
	}
}

/* Maps every chunk's frame, one mmap per run of consecutive frames. */
static int memory_map_chunks(struct guest_mem *m)
{
	uint64_t cs = m->chunk_size;
	struct mem_chunk *a, *b;
	struct mem_tier *t;
	uint32_t c, n;
	void *p;
	int err;

	for (c = 0; c < m->nr_chunks; c += n) {
		a = &m->chunks[c];
		for (n = 1; c + n < m->nr_chunks; n++) {
			b = &m->chunks[c + n];
			if (b->file != a->file || b->frame != a->frame + n)
				break;
		}
		t = &m->tiers[a->file];
		p = mmap(m->host + c * cs, n * cs, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, t->fd, (off_t)(a->frame * cs));
		if (p == MAP_FAILED)
			return -errno;
		mem_tier_advise(t, p, n * cs, cs);
		/* hugetlbfs has no shared policy: bind the mapping itself. */
		if (t->hugetlb) {
			err = mem_tier_bind(t, a->file, p, n * cs, 0);
			if (err)
				return err;
		}
	}
	return 0;
}

static int memory_alloc_tables(struct guest_mem *m)
{
	uint64_t pages = m->ram_size / MEM_PAGE_SIZE;

	m->chunks = calloc(m->nr_chunks, sizeof(*m->chunks));
	m->state = calloc(m->nr_chunks, sizeof(*m->state));
	m->vmm_dirty = calloc((pages + 63) / 64, sizeof(*m->vmm_dirty));
	if (!m->chunks || !m->state || !m->vmm_dirty)
		return -ENOMEM;
	return 0;
}

/* A PROT_NONE reservation aligned for devdax and huge pages. */
static int memory_reserve(struct guest_mem *m)
{
	uint64_t align = m->chunk_size > MEM_HUGE_SIZE ? m->chunk_size : MEM_HUGE_SIZE;
	uintptr_t base;

	m->reserve_len = m->ram_size + align;
	m->reserve = mmap(NULL, m->reserve_len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->reserve == MAP_FAILED) {
		m->reserve = NULL;
		return -errno;
	}
	base = ((uintptr_t)m->reserve + align - 1) & ~(uintptr_t)(align - 1);
	m->host = (uint8_t *)base;
	return 0;
}

static int memory_setup(struct guest_mem *m, const struct memory_config *cfg)
{
	int err, t;

	err = pthread_mutex_init(&m->lock, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&m->wp_cond, NULL);
	if (err) {
		pthread_mutex_destroy(&m->lock);
		return -err;
	}
	m->locked = true;
	for (t = 0; t < MEM_NR_TIERS; t++) {
		err = mem_tier_open(&m->tiers[t], t, cfg);
		if (err)
			return err;
	}
	m->fd = m->tiers[MEM_TIER_DRAM].fd;
	err = memory_alloc_tables(m);
	if (!err)
		err = mem_place(m);
	if (!err)
		memory_clear_frames(m);
	if (!err)
		err = memory_reserve(m);
	if (!err)
		err = memory_map_chunks(m);
	return err;
}

int memory_init(struct guest_mem *m, const struct memory_config *user_cfg)
{
	struct memory_config c = *user_cfg, *cfg = &c;
	int err, t;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->vm_fd = -1;
	for (t = 0; t < MEM_NR_TIERS; t++)
		m->tiers[t].fd = -1;
	m->chunk_size = cfg->chunk_size ? cfg->chunk_size : MEM_DEFAULT_CHUNK;
	cfg->chunk_size = m->chunk_size;
	if (!cfg->ram_size || cfg->ram_size % m->chunk_size ||
	    m->chunk_size < MEM_MIN_CHUNK || (m->chunk_size & (m->chunk_size - 1)))
		return -EINVAL;
	m->ram_size = cfg->ram_size;
	m->nr_chunks = (uint32_t)(m->ram_size / m->chunk_size);
	m->placement = cfg->placement;
	err = memory_setup(m, cfg);
	if (err) {
		memory_exit(m);
		return err;
	}
	memory_layout(m);
	return 0;
}

/* Registers regions [0, n) with @flags; the index that failed in *bad. */
static int slots_set(struct guest_mem *m, int vm_fd, uint32_t flags, int n, int *bad)
{
	struct kvm_userspace_memory_region r;
	int i;

	for (i = 0; i < n; i++) {
		r = (struct kvm_userspace_memory_region){
			.slot = m->regions[i].slot,
			.flags = flags,
			.guest_phys_addr = m->regions[i].gpa,
			.memory_size = m->regions[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)(m->host + m->regions[i].offset),
		};
		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
			*bad = i;
			return -errno;
		}
	}
	return 0;
}

int memory_map_slots(struct guest_mem *m, int vm_fd, uint32_t flags)
{
	int bad, err;

	err = slots_set(m, vm_fd, flags, m->nr_regions, &bad);
	if (err)
		return err;
	m->vm_fd = vm_fd;
	m->slot_flags = flags;
	return 0;
}

int memory_set_slot_flags(struct guest_mem *m, uint32_t flags)
{
	int bad = 0, undo, err;

	if (m->vm_fd < 0)
		return -EINVAL;
	if (flags == m->slot_flags)
		return 0;
	err = slots_set(m, m->vm_fd, flags, m->nr_regions, &bad);
	if (!err) {
		m->slot_flags = flags;
		return 0;
	}
	/* Back to one set of flags for every slot. */
	if (slots_set(m, m->vm_fd, m->slot_flags, bad, &undo) < 0)
		return -EIO;	/* mixed flags: the caller stops tracking */
	return err;
}

void memory_unmap_slots(struct guest_mem *m)
{
	struct kvm_userspace_memory_region r;
	int i;

	if (m->vm_fd < 0)
		return;
	for (i = 0; i < m->nr_regions; i++) {
		r = (struct kvm_userspace_memory_region){ .slot = m->regions[i].slot };
		/* Best effort: the VM's own release drops what a failure leaves. */
		if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			continue;
	}
	m->vm_fd = -1;
}

void memory_exit(struct guest_mem *m)
{
	int t;

	if (m->reserve)
		munmap(m->reserve, m->reserve_len);
	for (t = 0; t < MEM_NR_TIERS; t++)
		mem_tier_close(&m->tiers[t]);
	free(m->chunks);
	free(m->state);
	free(m->vmm_dirty);
	free(m->away);
	if (m->locked) {
		pthread_cond_destroy(&m->wp_cond);
		pthread_mutex_destroy(&m->lock);
	}
	m->reserve = NULL;
	m->host = NULL;
	m->chunks = NULL;
	m->state = NULL;
	m->vmm_dirty = NULL;
	m->away = NULL;
	m->locked = false;
	m->fd = -1;
}

uint64_t memory_chunk_gpa(const struct guest_mem *m, uint32_t chunk)
{
	uint64_t off = (uint64_t)chunk * m->chunk_size;

	return off < MEM_PCI_HOLE_START ? off : off - MEM_PCI_HOLE_START + MEM_PCI_HOLE_END;
}

int memory_chunk_info(struct guest_mem *m, uint32_t chunk, struct mem_chunk *out)
{
	if (chunk >= m->nr_chunks)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	*out = m->chunks[chunk];
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void memory_set_pause_ops(struct guest_mem *m, const struct mem_pause_ops *ops,
			  void *ctx)
{
	m->pause_ops = ops;
	m->pause_ctx = ctx;
}
