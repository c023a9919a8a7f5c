// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-log hooks on KVM (memory_kvm_dirty_ops) for the pre-copy of
 * memory_migrate(), on memslots logged with manual protect: clearing a
 * range write-protects its pages again, so the next guest write to each is
 * logged; a fetch reads the slot's log and clears (re-arms) the chunk's
 * pages it names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "memory/internal.h"

/* The region holding host-range [off, off+len), or NULL. */
static const struct mem_region *dirty_region(const struct guest_mem *m, uint64_t off,
					     uint64_t len)
{
	const struct mem_region *r;
	int i;

	for (i = 0; i < m->nr_regions; i++) {
		r = &m->regions[i];
		if (off >= r->offset && off - r->offset < r->size &&
		    len <= r->size - (off - r->offset))
			return r;
	}
	return NULL;
}

/* KVM_CLEAR_DIRTY_LOG wants 64-page aligned ranges. */
static int dirty_check(const struct guest_mem *m, uint64_t off, uint64_t len,
		       const struct mem_region **r)
{
	if (m->vm_fd < 0 || !(m->slot_flags & KVM_MEM_LOG_DIRTY_PAGES))
		return -EOPNOTSUPP;
	if (!len || off % (64 * MEM_PAGE_SIZE) || len % (64 * MEM_PAGE_SIZE))
		return -EINVAL;
	*r = dirty_region(m, off, len);
	return *r ? 0 : -EINVAL;
}

static int dirty_clear_bits(struct guest_mem *m, const struct mem_region *r, uint64_t off,
			    uint64_t len, uint64_t *bits)
{
	struct kvm_clear_dirty_log clr = {
		.slot = r->slot,
		.first_page = (off - r->offset) / MEM_PAGE_SIZE,
		.num_pages = (uint32_t)(len / MEM_PAGE_SIZE),
		.dirty_bitmap = bits,
	};

	return ioctl(m->vm_fd, KVM_CLEAR_DIRTY_LOG, &clr) < 0 ? -errno : 0;
}

static int kvm_dirty_clear(void *ctx, uint64_t off, uint64_t len)
{
	struct guest_mem *m = ctx;
	const struct mem_region *r;
	uint64_t *ones;
	int err;

	err = dirty_check(m, off, len, &r);
	if (err)
		return err;
	ones = malloc(len / MEM_PAGE_SIZE / 8);
	if (!ones)
		return -ENOMEM;
	memset(ones, 0xff, len / MEM_PAGE_SIZE / 8);
	err = dirty_clear_bits(m, r, off, len, ones);
	free(ones);
	return err;
}

/* The chunk's logged pages into @bits; with @rearm, cleared in KVM too. */
static int kvm_dirty_get(void *ctx, uint64_t off, uint64_t len, uint64_t *bits, bool rearm)
{
	struct guest_mem *m = ctx;
	const struct mem_region *r;
	struct kvm_dirty_log log;
	uint64_t *slot, first, w, words = len / MEM_PAGE_SIZE / 64;
	int err, n = 0;

	err = dirty_check(m, off, len, &r);
	if (err)
		return err;
	/* GET_DIRTY_LOG reads the whole slot; with manual protect it clears nothing. */
	slot = calloc((r->size / MEM_PAGE_SIZE + 63) / 64, sizeof(uint64_t));
	if (!slot)
		return -ENOMEM;
	log = (struct kvm_dirty_log){ .slot = r->slot, .dirty_bitmap = slot };
	if (ioctl(m->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
		err = -errno;
		free(slot);
		return err;
	}
	first = (off - r->offset) / MEM_PAGE_SIZE / 64;
	for (w = 0; w < words; w++) {
		bits[w] = slot[first + w];
		n += __builtin_popcountll(bits[w]);
	}
	free(slot);
	if (!n || !rearm)
		return n;
	err = dirty_clear_bits(m, r, off, len, bits);
	return err ? err : n;
}

static int kvm_dirty_fetch(void *ctx, uint64_t off, uint64_t len, uint64_t *bits)
{
	return kvm_dirty_get(ctx, off, len, bits, true);
}

/*
 * The final copy needs no re-arming: the chunk is read-only and about to
 * be mapped anew. One write-protect pass (and TLB flush) fewer while
 * writers stall.
 */
static int kvm_dirty_peek(void *ctx, uint64_t off, uint64_t len, uint64_t *bits)
{
	return kvm_dirty_get(ctx, off, len, bits, false);
}

const struct mem_dirty_ops memory_kvm_dirty_ops = {
	.clear = kvm_dirty_clear,
	.fetch = kvm_dirty_fetch,
	.peek = kvm_dirty_peek,
};
