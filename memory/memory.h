/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM: one host virtual range, divided into chunks, covered by KVM
 * memslots around the PCI hole below 4 GiB. Each chunk is backed by a frame
 * of one tier (DRAM memfd, or a slow tier: devdax, file, NUMA-node memfd) and
 * can be moved to the other tier while the guest runs (memory_remap()).
 * Everything else in hmmv touches guest memory through the accessors declared
 * here, which bounds-check every guest-physical range (the guest is
 * untrusted), record what the VMM writes and hold off migration of chunks
 * with I/O in flight.
 */
#ifndef HMMV_MEMORY_MEMORY_H
#define HMMV_MEMORY_MEMORY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Guest-physical layout: RAM below the hole, the rest above 4 GiB. */
#define MEM_PCI_HOLE_START	0xC0000000ULL
#define MEM_PCI_HOLE_END	0x100000000ULL
#define MEM_MAX_REGIONS		2

#define MEM_DEFAULT_CHUNK	(2ULL << 20)
#define MEM_MIN_CHUNK		(4ULL << 10)
#define MEM_MAX_CHUNK		(1ULL << 30)	/* divides the 3 GiB hole start */
#define MEM_PAGE_SIZE		4096ULL
#define MEM_HUGE_SIZE		(2ULL << 20)

struct mem_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;
	uint64_t offset;	/* offset into the host range */
	uint32_t slot;		/* KVM memslot number */
};

enum mem_tier_id {
	MEM_TIER_DRAM = 0,
	MEM_TIER_NVM = 1,
	MEM_NR_TIERS = 2,
};

enum mem_backend {
	MEM_BACK_NONE = 0,	/* tier absent */
	MEM_BACK_MEMFD,		/* DRAM memfd, optionally hugetlb */
	MEM_BACK_DEVDAX,	/* /dev/daxX.Y */
	MEM_BACK_FILE,		/* fsdax or ordinary file */
	MEM_BACK_NODE,		/* memfd bound to a (slow) NUMA node */
};

enum mem_placement {
	MEM_PLACE_DRAM_FIRST = 0,
	MEM_PLACE_NVM_FIRST,
	MEM_PLACE_INTERLEAVE,
};

#define MEM_NO_NODE	(-1)
#define MEM_ANY_NODE	(-2)	/* --dram node=any: unbound, the kernel places it */
#define MEM_PATH_MAX	256

struct memory_config {
	uint64_t ram_size;	/* bytes of guest RAM */
	uint64_t chunk_size;	/* placement/migration unit; 0 = default */
	struct {
		uint64_t size;	/* --dram SIZE; 0 = all of guest RAM */
		bool hugetlb;
		int node;	/* MEM_NO_NODE = DRAM nodes, MEM_ANY_NODE = unbound */
	} dram;
	struct {
		enum mem_backend kind;	/* MEM_BACK_NONE without --nvm */
		int node;		/* MEM_BACK_NODE */
		char path[MEM_PATH_MAX];/* MEM_BACK_DEVDAX / MEM_BACK_FILE */
		uint64_t align;		/* filled by validation (devdax) */
		uint64_t size;		/* filled by validation */
	} nvm;
	enum mem_placement placement;
	const char *control_path;	/* --control; NULL = the default */
};

/* Frame allocator: one bit per chunk-sized frame of a tier's file. */
struct mem_frames {
	uint64_t *bits;
	uint32_t nr;
	uint32_t used;
	uint32_t hint;		/* lowest possibly free frame */
};

struct mem_tier {
	enum mem_backend kind;
	int fd;
	uint8_t *view;		/* the whole file, for copies; NULL if none */
	uint64_t file_size;
	uint64_t quota;		/* bytes of guest RAM this tier may hold */
	uint32_t nr_chunks;	/* chunks whose logical tier this is */
	uint64_t pages_away;	/* pages of those on the other tier (pages.c) */
	int node;		/* NUMA node bound, MEM_NO_NODE if none */
	bool hugetlb;
	bool pmem;		/* copies in use non-temporal stores */
	bool pmem_mapped;	/* view came from pmem_map_file */
	struct mem_frames frames;
};

struct mem_chunk {
	uint8_t tier;		/* logical tier (which quota it counts in) */
	uint8_t file;		/* tier whose file backs it */
	uint32_t frame;		/* frame index in that file */
};

/* Chunk state word: in-flight I/O count, plus this bit while migrating. */
#define MEM_CHUNK_MIGRATING	0x80000000u

/*
 * vCPU pause hooks the VMM provides (struct vm): pause() returns once no
 * vCPU runs guest code, resume() lets them go again.
 */
struct mem_pause_ops {
	int (*pause)(void *ctx);
	void (*resume)(void *ctx);
};

struct guest_mem {
	uint8_t *host;		/* ram_size bytes, one range */
	uint64_t ram_size;
	uint64_t chunk_size;
	int nr_regions;
	struct mem_region regions[MEM_MAX_REGIONS];
	int fd;			/* DRAM tier's memfd */
	int vm_fd;		/* set by memory_map_slots, -1 before */
	uint32_t slot_flags;

	void *reserve;		/* the aligned reservation around host */
	uint64_t reserve_len;
	uint32_t nr_chunks;
	enum mem_placement placement;
	struct mem_tier tiers[MEM_NR_TIERS];
	struct mem_chunk *chunks;
	_Atomic uint32_t *state;	/* per chunk, see MEM_CHUNK_MIGRATING */
	_Atomic uint64_t *vmm_dirty;	/* per 4 KiB page the VMM wrote */
	uint64_t *away;			/* per 4 KiB page: not on its chunk's tier */
	pthread_mutex_t lock;		/* frames, chunk table, counters */
	bool locked;			/* lock initialised */
	const struct mem_pause_ops *pause_ops;
	void *pause_ctx;
	uint64_t nr_remaps;
	uint64_t remap_ns;		/* total, pause included */
	/* Write-protected final copies (memory_migrate, memory_wp_wait). */
	pthread_cond_t wp_cond;		/* with lock: a final copy ended */
	uint32_t wp_active;		/* chunks write-protected now, under lock */
	_Atomic uint64_t wp_seq;	/* +1 at each protect and each release */
};

/* Default-filled config: plain DRAM, 2 MiB chunks, dram-first. */
void memory_config_init(struct memory_config *cfg, uint64_t ram_size);
/*
 * Parses one memory flag of hmmv run ("--dram", "--nvm", "--placement",
 * "--chunk") with value @val. -EINVAL with one line naming the flag in @why.
 */
int memory_parse_flag(struct memory_config *cfg, const char *flag,
		      const char *val, char *why, size_t whylen);
/*
 * Parses a size by MEMORY_SIZE_RULE (memory/size.c), the one rule of every
 * size flag: "512M", "2GiB", "0x20000000", "4096" (bytes); -EINVAL when
 * malformed, -ERANGE on overflow.
 */
#define MEMORY_SIZE_RULE \
	"SIZE is a decimal or 0x-hex number with an optional binary suffix\n" \
	"K, M, G or T (also KiB, MB, lower case); a bare number is bytes"
int memory_parse_size(const char *s, uint64_t *out);
/*
 * Checks @cfg against the host (devices, their size and alignment, NUMA
 * nodes, huge pages) and fills nvm.align/nvm.size. Every failure is a usage
 * error (exit 2): -errno, one line naming the flag in @why.
 */
int memory_config_validate(struct memory_config *cfg, char *why, size_t whylen);

/*
 * Allocates guest RAM as configured (validate first); -errno on failure,
 * nothing left behind. A device or file slow tier is locked (flock) to this
 * VM, -EBUSY when another process holds it, and the frames placed on it are
 * cleared first, so the guest never sees what an earlier user left there.
 */
int memory_init(struct guest_mem *m, const struct memory_config *cfg);
/* Registers the RAM regions as KVM memslots with @flags. */
int memory_map_slots(struct guest_mem *m, int vm_fd, uint32_t flags);
/*
 * Changes the memslots' flags (a flags-only update: KVM keeps the guest's
 * memory, e.g. turning KVM_MEM_LOG_DIRTY_PAGES off restores huge second-
 * level mappings). On failure the slots done are set back; -errno.
 */
int memory_set_slot_flags(struct guest_mem *m, uint32_t flags);
/*
 * Deletes the memslots (KVM drops its second-level entries for them in one
 * go), so that unmapping guest RAM afterwards involves KVM no more. Before
 * closing the VM and before memory_exit.
 */
void memory_unmap_slots(struct guest_mem *m);
void memory_exit(struct guest_mem *m);

/* Host address of [gpa, gpa+len) when it lies wholly in one RAM region. */
void *memory_translate(struct guest_mem *m, uint64_t gpa, uint64_t len);
/*
 * Copies to and from guest RAM; -EFAULT when any byte is outside RAM.
 * Safe from any thread: they hold off a migration of the chunks touched.
 * memory_write records the pages as written by the VMM.
 */
int memory_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len);
int memory_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len);

/*
 * Asynchronous device I/O into guest RAM (DMA) brackets itself with these,
 * so that a chunk is never migrated under an in-flight write; begin waits
 * for a migration in progress on those chunks to finish. A write marks its
 * pages as VMM-written.
 */
int memory_io_begin(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write);
void memory_io_end(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write);
/*
 * Holds off a migration of the chunks of host-range offsets [off,
 * off+len), as I/O does, and waits for one in progress to end. For the
 * tracker: clearing a page's dirty bit while a move pre-copies its chunk
 * would hide the page's last write from the move.
 */
int memory_range_hold(struct guest_mem *m, uint64_t off, uint64_t len);
void memory_range_release(struct guest_mem *m, uint64_t off, uint64_t len);
/*
 * Moves the VMM-written bits of chunk @chunk into @bits (one bit per 4 KiB
 * page of the chunk, chunk_size/4096 bits) and clears them. Returns the
 * number of pages set.
 */
int memory_fetch_written(struct guest_mem *m, uint32_t chunk, uint64_t *bits);

/*
 * The tracker's "zap": drops the host mapping of host-range offsets
 * [off, off+len) (4 KiB aligned; widened to whole chunks on devdax and
 * hugetlb, whose huge mappings drop whole), so that KVM's
 * MMU notifier drops the second-level entries and the guest's next touch
 * of each page faults (and, in a dirty-logged slot, is logged). Loses no
 * data: every tier is a MAP_SHARED file (memfd, devdax, file) that keeps
 * the pages; -EOPNOTSUPP for a backing where it would not. Holds off a
 * remap of the chunks meanwhile (and waits for one in progress).
 */
int memory_zap_range(struct guest_mem *m, uint64_t off, uint64_t len);

/* Guest-physical address of chunk @chunk's first byte. */
uint64_t memory_chunk_gpa(const struct guest_mem *m, uint32_t chunk);
/* In-flight I/O count of @chunk. */
uint32_t memory_chunk_io(const struct guest_mem *m, uint32_t chunk);
/* Snapshot of @chunk's placement, under the lock. */
int memory_chunk_info(struct guest_mem *m, uint32_t chunk, struct mem_chunk *out);
const char *memory_tier_name(int tier);

/* Installs the VMM's vCPU pause hooks (may be NULL: no vCPUs to pause). */
void memory_set_pause_ops(struct guest_mem *m, const struct mem_pause_ops *ops,
			  void *ctx);
/*
 * The remap primitive: copies @chunk into a free frame of tier @dst, maps
 * the new frame over the chunk's host address with mmap(MAP_FIXED) (KVM's
 * MMU notifier drops the stale second-level entries; the memslot does not
 * change) and frees the old frame. The caller has paused the vCPUs.
 * -EBUSY when I/O is in flight on the chunk or it is migrating, -ENOSPC when
 * @dst is full, -EALREADY when the chunk is already there.
 */
int memory_remap(struct guest_mem *m, uint32_t chunk, int dst);
/* memory_remap() bracketed by the pause hooks; *pause_ns gets the pause. */
int memory_remap_paused(struct guest_mem *m, uint32_t chunk, int dst,
			uint64_t *pause_ns);
/*
 * For memfd tiers bound to NUMA nodes: moves the chunk's pages to @dst's
 * node in place (mbind with MPOL_MF_MOVE, i.e. move_pages), with no pause
 * and no remap; the chunk keeps its frame. -EOPNOTSUPP for other backends.
 */
int memory_move_inplace(struct guest_mem *m, uint32_t chunk, int dst);
/*
 * Single pages (memory/pages.c): moves pages [page, page + npages) (within
 * one chunk, at most MEM_MOVE_PAGES_MAX) to @dst's node in place with
 * move_pages(2): no pause, no remap. Returns how many of them are on @dst
 * afterwards (npages when all; the kernel may leave a busy page), or
 * -EOPNOTSUPP unless both tiers are memfds (NUMA nodes, no hugetlb),
 * -ENOSPC over @dst's quota, -EBUSY while the chunk moves whole or has
 * device I/O in flight (it is claimed as for any move: device I/O into it
 * waits out the call), -EINVAL.
 * A later move of the whole chunk brings its pages along.
 */
#define MEM_MOVE_PAGES_MAX	512
int memory_move_pages(struct guest_mem *m, uint64_t page, uint32_t npages, int dst);
/* Pages of @chunk in DRAM now (its own, less those away, or those away). */
uint32_t memory_chunk_dram_pages(struct guest_mem *m, uint32_t chunk);
/* The tier page @page is on now, or -EINVAL. */
int memory_page_tier(struct guest_mem *m, uint64_t page);
/* Both tiers can move single pages (memory_move_pages()). */
bool memory_pages_movable(const struct guest_mem *m);

/*
 * Moving a chunk while the guest runs (what the engine calls).
 *
 * MEM_MIGRATE_WP: pre-copy while the vCPUs run (the dirty log names the
 * pages to copy again, a bounded number of rounds), then make only this
 * chunk read-only to the guest for the final copy and the MAP_FIXED: a
 * vCPU writing it waits (memory_wp_wait()), readers and every other vCPU
 * run on. MEM_MIGRATE_PAUSE: the whole-VM pause around one copy (the
 * fallback). Chunks on NUMA-node tiers move in place (move_pages), with
 * neither.
 */
enum mem_migrate_method {
	MEM_MIGRATE_WP = 0,
	MEM_MIGRATE_PAUSE = 1,
};

/*
 * Dirty-log hooks for pre-copy, for slots logged with manual protect:
 * clear() re-arms host range [off, off+len) (so the next guest write to a
 * page is logged); fetch() stores the pages logged since into @bits (one
 * bit per 4 KiB page from @off), clears them and returns how many, or
 * -errno. Without hooks WP copies the whole chunk once, write-protected.
 * They clear the chunk's log: the engine must not move a chunk during a
 * tracker window that samples it.
 */
struct mem_dirty_ops {
	int (*clear)(void *ctx, uint64_t off, uint64_t len);
	int (*fetch)(void *ctx, uint64_t off, uint64_t len, uint64_t *bits);
	/* Optional: fetch() without the clear, for the final copy. */
	int (*peek)(void *ctx, uint64_t off, uint64_t len, uint64_t *bits);
};

#define MEM_MIGRATE_DEFAULT_ROUNDS	4

/* Points of a WP move where mem_migrate_opts.hook is called. */
enum mem_migrate_phase {
	MEM_MIGRATE_PRECOPIED,	/* first whole copy done, chunk writable */
	MEM_MIGRATE_PROTECTED,	/* chunk read-only, before the final copy */
};

struct mem_migrate_opts {
	int method;		/* enum mem_migrate_method */
	uint32_t max_rounds;	/* pre-copy rounds; 0 = the default */
	const struct mem_dirty_ops *dirty;	/* NULL: no pre-copy */
	void *dirty_ctx;
	/* Optional, for tests and tracing: called at each phase. */
	void (*hook)(void *ctx, int phase);
	void *hook_ctx;
};

struct mem_migrate_stats {
	uint64_t writer_stall_ns;	/* chunk write-protected (WP) */
	uint64_t pause_ns;		/* every vCPU paused (PAUSE) */
	uint64_t copy_ns;		/* all copying, pre-copy included */
	uint64_t total_ns;
	uint32_t rounds;		/* pre-copy rounds done */
	uint32_t recopied_pages;	/* pages copied again after round 0 */
	int method;			/* what was done: enum, or -1 in place */
	int boosted;			/* WP window at SCHED_FIFO: 1, 0 no, -errno
					 * when restoring the policy failed */
};

/*
 * Moves @chunk to tier @dst (in place on NUMA-node tiers, else a remap) by
 * @o's method (NULL: WP, defaults); fills @st (may be NULL). Errors as
 * memory_remap(); the chunk stays intact and where it was on failure.
 */
int memory_migrate(struct guest_mem *m, uint32_t chunk, int dst,
		   const struct mem_migrate_opts *o, struct mem_migrate_stats *st);

/*
 * Dirty-log hooks on KVM itself, for memslots dirty-logged with manual
 * protect (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 enabled before
 * memory_map_slots): ctx is the struct guest_mem. Chunks must be a multiple
 * of 64 pages (KVM_CLEAR_DIRTY_LOG granularity).
 */
extern const struct mem_dirty_ops memory_kvm_dirty_ops;

/*
 * For the vCPU loop: a guest write to a chunk in its write-protected final
 * copy makes KVM_RUN fail with EFAULT. Take memory_wp_seq() before each
 * KVM_RUN; on EFAULT, memory_wp_wait() with it returns 0 once no chunk is
 * write-protected when one was since (re-enter: the write was not done),
 * or -EFAULT when none was (a real fault).
 */
static inline uint64_t memory_wp_seq(struct guest_mem *m)
{
	return atomic_load_explicit(&m->wp_seq, memory_order_acquire);
}
int memory_wp_wait(struct guest_mem *m, uint64_t seq);
/*
 * For KVM_EXIT_MMIO: when KVM emulates an instruction whose write lands in
 * a write-protected chunk, its write to the read-only host page fails and
 * KVM hands it to user space as MMIO at a RAM address. Completes such an
 * access in RAM once no chunk is write-protected and returns true; false
 * when [gpa, gpa+len) is not RAM (a device's MMIO).
 */
bool memory_wp_mmio(struct guest_mem *m, uint64_t gpa, void *data, uint32_t len,
		    bool write);

struct mem_tier_stat {
	const char *name;
	const char *backend;
	uint64_t capacity;	/* quota, bytes */
	uint64_t used;		/* bytes of guest RAM on this tier */
	uint32_t chunks;
	uint32_t frames_used;	/* frames of this tier's file in use */
	uint32_t frames;
	int node;
};
/* Fills @st for tier @tier; -ENOENT when the tier is absent. */
int memory_tier_stat(struct guest_mem *m, int tier, struct mem_tier_stat *st);
/* Prints all tiers as a table, or as one JSON object when @json. */
void memory_stat_print(struct guest_mem *m, FILE *out, bool json);

#endif
