// SPDX-License-Identifier: GPL-2.0
/*
 * Tier backends: DRAM memfd (optionally hugetlb) bound to DRAM nodes, devdax,
 * fsdax or plain file, memfd bound to a slow NUMA node. Each is one file
 * descriptor whose chunk-sized frames back guest chunks, plus a whole-file
 * "view" mapping used to copy into frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <numa.h>
#include <numaif.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/memfd.h>

#include "memory/internal.h"

const char *mem_backend_name(enum mem_backend kind)
{
	switch (kind) {
	case MEM_BACK_MEMFD: return "memfd";
	case MEM_BACK_DEVDAX: return "devdax";
	case MEM_BACK_FILE: return "file";
	case MEM_BACK_NODE: return "node";
	default: return "none";
	}
}

/*
 * The nodes a tier's memory belongs on: its node, or for DRAM the nodes that
 * have CPUs (slow tiers such as CPU-less nodes are left out). NULL when the
 * tier is not bound (files, devdax, a single-node host).
 */
struct bitmask *mem_tier_nodes(const struct mem_tier *t, int id)
{
	struct bitmask *mask, *cpus;
	unsigned int n, nr = 0;

	if (numa_available() < 0 || (t->kind != MEM_BACK_MEMFD && t->kind != MEM_BACK_NODE))
		return NULL;
	if (t->node == MEM_ANY_NODE || (t->node == MEM_NO_NODE && id != MEM_TIER_DRAM))
		return NULL;
	mask = numa_allocate_nodemask();
	cpus = numa_allocate_cpumask();
	for (n = 0; mask && cpus && n <= (unsigned int)numa_max_node(); n++) {
		if (t->node != MEM_NO_NODE ? (int)n != t->node :
		    (!numa_bitmask_isbitset(numa_all_nodes_ptr, n) ||
		     numa_node_to_cpus((int)n, cpus) || !numa_bitmask_weight(cpus)))
			continue;
		numa_bitmask_setbit(mask, n);
		nr++;
	}
	if (cpus)
		numa_bitmask_free(cpus);
	if (mask && !nr) {
		numa_bitmask_free(mask);
		mask = NULL;
	}
	return mask;
}

/*
 * Binds [addr, addr+len) to the tier's nodes. On a memfd this sets the
 * file's shared policy, which every mapping of that range follows.
 */
/*
 * --dram node=any: the kernel places and tiers the memory. Linux's NUMA
 * balancing skips a shmem (memfd) range whose policy lacks MPOL_F_MOF, as
 * the default one does; a bind to every node with MPOL_F_NUMA_BALANCING
 * allocates like the default policy and lets NUMA balancing (and its
 * tiering mode) move the pages. Kernels before 5.12 refuse the flag: then
 * the range stays unbound.
 */
static int tier_bind_any(void *addr, uint64_t len, unsigned int flags)
{
	struct bitmask *all = numa_all_nodes_ptr;

	if (mbind(addr, len, MPOL_BIND | MPOL_F_NUMA_BALANCING, all->maskp,
		  all->size + 1, flags) == 0 || errno == EINVAL)
		return 0;
	return -errno;
}

int mem_tier_bind(const struct mem_tier *t, int id, void *addr, uint64_t len,
		  unsigned int flags)
{
	struct bitmask *mask;
	int err = 0;

	if (t->node == MEM_ANY_NODE && t->kind == MEM_BACK_MEMFD && numa_available() >= 0)
		return tier_bind_any(addr, len, flags);
	mask = mem_tier_nodes(t, id);
	if (!mask)
		return 0;
	if (mbind(addr, len, MPOL_BIND, mask->maskp, mask->size + 1, flags))
		err = -errno;
	numa_bitmask_free(mask);
	return err;
}

static int tier_open_memfd(struct mem_tier *t, int id, uint64_t size)
{
	unsigned int flags = MFD_CLOEXEC;

	if (t->hugetlb)
		flags |= MFD_HUGETLB | MFD_HUGE_2MB;
	t->fd = memfd_create(id == MEM_TIER_DRAM ? "hmmv-dram" : "hmmv-slow", flags);
	if (t->fd < 0)
		return -errno;
	if (ftruncate(t->fd, (off_t)size) < 0)
		return -errno;
	t->file_size = size;
	return 0;
}

static int tier_open_path(struct mem_tier *t, const struct memory_config *cfg)
{
	t->fd = open(cfg->nvm.path, O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	/* One VM at a time: two would map the same frames as their RAM. */
	if (flock(t->fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	t->file_size = cfg->nvm.size - cfg->nvm.size % cfg->chunk_size;
	return 0;
}

static int tier_open_backend(struct mem_tier *t, int id, const struct memory_config *cfg)
{
	uint64_t dram = cfg->dram.size ? cfg->dram.size : cfg->ram_size;

	if (id == MEM_TIER_DRAM) {
		t->kind = MEM_BACK_MEMFD;
		t->node = cfg->dram.node;
		t->hugetlb = cfg->dram.hugetlb;
		t->quota = dram;
		/*
		 * A sparse memfd as large as guest RAM costs only what is in it
		 * and leaves room for chunks moved in place; huge pages are
		 * reserved at mmap time, so hugetlb is sized to the quota.
		 */
		return tier_open_memfd(t, id, t->hugetlb ? dram : cfg->ram_size);
	}
	t->kind = cfg->nvm.kind;
	t->node = cfg->nvm.node;
	if (t->kind == MEM_BACK_NONE)
		return 0;
	if (t->kind == MEM_BACK_NODE) {
		t->quota = cfg->nvm.size - cfg->nvm.size % cfg->chunk_size;
		return tier_open_memfd(t, id, cfg->ram_size);
	}
	t->quota = cfg->nvm.size - cfg->nvm.size % cfg->chunk_size;
	if (t->quota > cfg->ram_size)
		t->quota = cfg->ram_size;
	return tier_open_path(t, cfg);
}

/*
 * A hugetlb tier takes all its huge pages now, on the nodes it is bound
 * to. The reservation mmap() makes is host-wide, not per node: a page
 * first touched later, by a copy or the guest, when its nodes' pools are
 * empty would kill the VMM with SIGBUS. So a shortage is an error at
 * launch (-ENOSPC), and the pages stay the VM's (mem_tier_release()).
 */
static int tier_populate(struct mem_tier *t)
{
	if (madvise(t->view, t->file_size, MADV_POPULATE_WRITE) < 0)
		return errno == EFAULT || errno == ENOMEM ? -ENOSPC : -errno;
	/* As after a copy: the guest mapping stays the pages' only one. */
	madvise(t->view, t->file_size, MADV_DONTNEED);
	return 0;
}

int mem_tier_open(struct mem_tier *t, int id, const struct memory_config *cfg)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	err = tier_open_backend(t, id, cfg);
	if (err || t->kind == MEM_BACK_NONE)
		goto out;
	t->view = mmap(NULL, t->file_size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->view == MAP_FAILED) {
		t->view = NULL;
		err = -errno;
		goto out;
	}
	t->pmem = t->kind == MEM_BACK_DEVDAX ||
		  (t->kind == MEM_BACK_FILE && pmem_is_pmem(t->view, t->file_size));
	err = mem_tier_bind(t, id, t->view, t->file_size, 0);
	if (!err && t->hugetlb)
		err = tier_populate(t);
	if (!err)
		err = mem_frames_init(&t->frames, (uint32_t)(t->file_size / cfg->chunk_size));
out:
	if (err)
		mem_tier_close(t);
	return err;
}

void mem_tier_close(struct mem_tier *t)
{
	if (t->view)
		munmap(t->view, t->file_size);
	if (t->fd >= 0)
		close(t->fd);
	mem_frames_exit(&t->frames);
	t->view = NULL;
	t->fd = -1;
	t->kind = MEM_BACK_NONE;
}

void mem_tier_advise(const struct mem_tier *t, void *addr, uint64_t len, uint64_t chunk)
{
	if (t->hugetlb || t->kind == MEM_BACK_DEVDAX || chunk < MEM_HUGE_SIZE)
		return;
	/*
	 * 2 MiB host pages let KVM map the guest with 2 MiB second-level
	 * entries; it only works where shmem THP is allowed (shmem_enabled,
	 * huge= mount option), hence best effort.
	 */
	if (madvise(addr, len, MADV_HUGEPAGE) < 0)
		return;
}

void mem_tier_copy_in(struct mem_tier *t, uint64_t off, const void *src, size_t len)
{
	if (t->pmem) {
		/* Non-temporal stores: NVM data should not churn the caches. */
		pmem_memcpy(t->view + off, src, len, PMEM_F_MEM_NONTEMPORAL);
		pmem_drain();
	} else {
		memcpy(t->view + off, src, len);
	}
	/*
	 * Drop the view's page table entries (the file keeps the data): the
	 * guest mapping is then the pages' only mapping, which in-place moves
	 * (move_pages skips shared pages) and numa_maps accounting rely on.
	 */
	madvise(t->view + off, len, MADV_DONTNEED);
}

void mem_tier_release(struct mem_tier *t, uint64_t off, uint64_t len)
{
	/* Huge pages given back could be gone when the frame is reused. */
	if (t->kind == MEM_BACK_DEVDAX || t->hugetlb)
		return;
	/* Best effort: a file system without hole punching keeps the blocks. */
	if (fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return;
}

void mem_tier_clear(struct mem_tier *t, uint64_t off, uint64_t len)
{
	/* A hole reads as zeros and costs no writes. */
	if (t->kind == MEM_BACK_FILE &&
	    !fallocate(t->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
		return;
	if (t->pmem)
		pmem_memset_persist(t->view + off, 0, len);
	else
		memset(t->view + off, 0, len);
	/* As after a copy: the guest mapping stays the pages' only one. */
	madvise(t->view + off, len, MADV_DONTNEED);
}
