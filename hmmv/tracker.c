// SPDX-License-Identifier: GPL-2.0
/*
 * The access tracker (hmmv/tracker.h): dirty logs with manual protection,
 * zaps through memory/, and the --trace file. No thread: the engine
 * (hmmv/engine.c) paces the windows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "hmmv/safe_file.h"
#include "hmmv/tracker.h"

struct tracker {
	char path[MEM_PATH_MAX * 4];
	FILE *f;		/* NULL without --trace */
	mode_t mode;		/* of a new file: 0600, or 0640 (--group-readable) */
	bool created;		/* we made the file: remove it if never started */
	bool started;		/* header written */
	int vm_fd;
	struct guest_mem *m;
	uint32_t npages, words;
	uint64_t *log;		/* the last harvest, indexed by guest-RAM page */
	uint64_t *mask;		/* scratch: the blocks' pages */
	struct tracker_block *runs;
	struct tracker_block *sel;	/* scratch: blocks to zap again */
	uint32_t runs_cap;
	struct trace_hdr hdr;
	int err;		/* first trace error, -errno */
	char errwhat[64];
};

int tracker_parse_trace(const char **path, const char *val, char *why,
			size_t whylen)
{
	if (!*val) {
		snprintf(why, whylen, "empty file name");
		return -EINVAL;
	}
	*path = val;
	return 0;
}

static int tracker_open(struct tracker *t, char *why, size_t whylen)
{
	int fd, err;

	fd = safe_file_open(t->path, O_WRONLY | O_CREAT | O_EXCL,
			    t->mode ? t->mode : SAFE_FILE_MODE);
	t->created = fd >= 0;
	/* An existing file is kept as it is until the VM really runs. */
	if (fd == -EEXIST)
		fd = safe_file_open(t->path, O_WRONLY, 0);
	if (fd < 0) {
		snprintf(why, whylen, "--trace %s: %s", t->path, safe_file_strerror(fd));
		return fd;
	}
	t->f = fdopen(fd, "w");
	if (!t->f) {
		err = errno;
		close(fd);
		if (t->created)
			unlink(t->path);
		t->created = false;
		snprintf(why, whylen, "--trace %s: %s", t->path, strerror(err));
		return -err;
	}
	return 0;
}

int tracker_create(struct tracker **out, const char *path, mode_t mode,
		   char *why, size_t whylen)
{
	struct tracker *t;
	int err;

	*out = NULL;
	if (path && strlen(path) >= sizeof(t->path)) {
		snprintf(why, whylen, "--trace: file name too long");
		return -ENAMETOOLONG;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	t->vm_fd = -1;
	if (path) {
		strcpy(t->path, path);
		t->mode = mode;
		err = tracker_open(t, why, whylen);
		if (err) {
			free(t);
			return err;
		}
	}
	*out = t;
	return 0;
}

int tracker_enable(struct tracker *t, int vm_fd)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 };
	int have;

	have = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);
	if (have <= 0)
		return -EOPNOTSUPP;
	/* Initially set: no write-protection pass over RAM at slot creation. */
	cap.args[0] = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		      ((uint64_t)have & KVM_DIRTY_LOG_INITIALLY_SET);
	if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return -errno;
	return 0;
}

uint32_t tracker_slot_flags(const struct tracker *t)
{
	return t ? KVM_MEM_LOG_DIRTY_PAGES : 0;
}

/*
 * Dirty logging maps the guest at 4 KiB anyway, and zapping a block of a
 * host huge page splits it, dropping the second-level entries of the
 * whole chunk, and page mode's move_pages(2) of one page of a huge page
 * would migrate all 512 (tests/system/thp_move.sh): no transparent huge
 * pages while tracking (best effort; remaps advise their own). Not on devdax: a devdax mapping with 2 MiB
 * alignment cannot fault at 4 KiB (SIGBUS); its huge mappings stay.
 */
static void tracker_no_thp(struct tracker *t)
{
	struct guest_mem *m = t->m;
	struct mem_chunk ch;
	uint32_t c;

	for (c = 0; c < m->nr_chunks; c++) {
		if (memory_chunk_info(m, c, &ch) < 0 ||
		    m->tiers[ch.file].kind == MEM_BACK_DEVDAX)
			continue;
		madvise(m->host + (uint64_t)c * m->chunk_size, m->chunk_size,
			MADV_NOHUGEPAGE);
	}
}

int tracker_attach(struct tracker *t, int vm_fd, struct guest_mem *m)
{
	uint64_t pages = m->ram_size / MEM_PAGE_SIZE;
	int i;

	if (pages > UINT32_MAX || m->chunk_size < MEM_PAGE_SIZE)
		return -EINVAL;
	/* KVM_CLEAR_DIRTY_LOG works on 64-page words of each slot. */
	for (i = 0; i < m->nr_regions; i++)
		if (m->regions[i].offset % (64 * MEM_PAGE_SIZE))
			return -EINVAL;
	t->vm_fd = vm_fd;
	t->m = m;
	t->npages = (uint32_t)pages;
	t->words = (t->npages + 63) / 64;
	t->log = calloc(t->words, sizeof(uint64_t));
	t->mask = calloc(t->words, sizeof(uint64_t));
	t->runs_cap = m->nr_chunks;
	t->runs = calloc(t->runs_cap, sizeof(*t->runs));
	t->sel = calloc(t->runs_cap, sizeof(*t->sel));
	if (!t->log || !t->mask || !t->runs || !t->sel)
		return -ENOMEM;
	tracker_no_thp(t);
	return 0;
}

uint32_t tracker_pages(const struct tracker *t)
{
	return t->npages;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Every slot's dirty log into t->log. */
static int log_get(struct tracker *t)
{
	const struct mem_region *r;
	struct kvm_dirty_log log;
	int i;

	for (i = 0; i < t->m->nr_regions; i++) {
		r = &t->m->regions[i];
		log = (struct kvm_dirty_log){
			.slot = r->slot,
			.dirty_bitmap = t->log + r->offset / MEM_PAGE_SIZE / 64,
		};
		if (ioctl(t->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
			return -errno;
	}
	return 0;
}

/*
 * Clears (and write-protects) the pages set in t->mask, one call per slot
 * over the 64-page words the blocks span: KVM touches only the pages whose
 * mask bit and log bit are both set.
 */
static int log_clear(struct tracker *t, const struct tracker_block *b, uint32_t n)
{
	const struct mem_region *r;
	struct kvm_clear_dirty_log clr;
	uint64_t base, spages, lo, hi, first, last;
	int i;

	if (!n)
		return 0;
	first = b[0].page;
	last = (uint64_t)b[n - 1].page + b[n - 1].npages;
	for (i = 0; i < t->m->nr_regions; i++) {
		r = &t->m->regions[i];
		base = r->offset / MEM_PAGE_SIZE;
		spages = r->size / MEM_PAGE_SIZE;
		if (last <= base || first >= base + spages)
			continue;
		lo = first > base ? first - base : 0;
		hi = last < base + spages ? last - base : spages;
		lo &= ~63ULL;
		hi = (hi + 63) & ~63ULL;
		if (hi > spages)
			hi = spages;
		clr = (struct kvm_clear_dirty_log){
			.slot = r->slot, .first_page = lo,
			.num_pages = (uint32_t)(hi - lo),
			.dirty_bitmap = t->mask + (base + lo) / 64,
		};
		if (ioctl(t->vm_fd, KVM_CLEAR_DIRTY_LOG, &clr) < 0)
			return -errno;
	}
	return 0;
}

static void blocks_release(struct tracker *t, const struct tracker_block *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		memory_range_release(t->m, (uint64_t)b[i].page * MEM_PAGE_SIZE,
				     (uint64_t)b[i].npages * MEM_PAGE_SIZE);
}

/*
 * A move pre-copying a chunk reads the same dirty log: a bit cleared here
 * would hide a page's last write from it. So no move starts on the blocks'
 * chunks between the read and the clear, and one in progress ends first.
 */
static int blocks_hold(struct tracker *t, const struct tracker_block *b, uint32_t n)
{
	uint32_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = memory_range_hold(t->m, (uint64_t)b[i].page * MEM_PAGE_SIZE,
					(uint64_t)b[i].npages * MEM_PAGE_SIZE);
		if (err) {
			blocks_release(t, b, i);
			return err;
		}
	}
	return 0;
}

/* Reads the log and clears the blocks' pages in it, with no move between. */
static int blocks_rearm(struct tracker *t, const struct tracker_block *b, uint32_t n,
			struct tracker_cost *cost)
{
	int err;

	err = blocks_hold(t, b, n);
	if (err)
		return err;
	err = log_get(t);
	if (!err) {
		tracker_mask_set(t->mask, b, n);
		cost->rearmed += tracker_mask_count(t->log, b, n);
		err = log_clear(t, b, n);
		tracker_mask_clear(t->mask, b, n);
	}
	blocks_release(t, b, n);
	return err;
}

int tracker_window_begin(struct tracker *t, const struct tracker_block *b,
			 uint32_t n, bool first, struct tracker_cost *cost)
{
	const struct tracker_block *zap = b;
	uint32_t nr, nz = n, i;
	uint64_t t0;
	int err;

	if (!n)
		return 0;
	if (n > t->runs_cap)
		return -EINVAL;
	/* Clear first, then zap: a touch after the zap is always logged. */
	err = blocks_rearm(t, b, n, cost);
	if (err)
		return err;
	/*
	 * A block zapped earlier in this interval with no page logged since
	 * has no second-level entry left: zapping it again would change
	 * nothing but cost a call (an MMU-notifier round).
	 */
	if (!first && !cost->zap_failed) {
		nz = tracker_touched(t->log, b, n, t->sel);
		zap = t->sel;
	}
	nr = tracker_runs(zap, nz, t->runs);
	t0 = now_ns();
	for (i = 0; i < nr; i++) {
		cost->zap_calls++;
		if (memory_zap_range(t->m, (uint64_t)t->runs[i].page * MEM_PAGE_SIZE,
				     (uint64_t)t->runs[i].npages * MEM_PAGE_SIZE) < 0)
			cost->zap_failed += t->runs[i].npages;
		else
			cost->zapped += t->runs[i].npages;
	}
	cost->zap_ns += now_ns() - t0;
	return 0;
}

int tracker_faults(struct tracker *t, const struct tracker_block *b,
		   uint32_t n, uint8_t *faults, uint64_t *total)
{
	int err;

	*total = 0;
	if (!n)
		return 0;
	err = log_get(t);
	if (err)
		return err;
	*total = faults ? tracker_harvest(t->log, b, n, faults) :
		 tracker_mask_count(t->log, b, n);
	return 0;
}

int tracker_window_end(struct tracker *t, const struct tracker_block *b,
		       uint32_t n, uint8_t *counts)
{
	uint64_t seen;

	/* A window's touches are its refaults: the same harvest. */
	return tracker_faults(t, b, n, counts, &seen);
}

static int fail(struct tracker *t, int err, const char *what)
{
	if (!t->err) {
		t->err = err;
		snprintf(t->errwhat, sizeof(t->errwhat), "%s", what);
	}
	return err;
}

bool tracker_tracing(const struct tracker *t)
{
	return t && t->f;
}

const char *tracker_path(const struct tracker *t)
{
	return t->path;
}

int tracker_trace_start(struct tracker *t, uint32_t flags, uint64_t interval_ns)
{
	int err;

	if (!t->f || !t->m)
		return 0;
	t->hdr = (struct trace_hdr){
		.version = TRACE_VERSION, .flags = flags, .page_shift = 12,
		.nvms = 1, .interval_ns = interval_ns,
	};
	t->hdr.vm_pages[0] = t->npages;
	if (fflush(t->f) || ftruncate(fileno(t->f), 0) < 0)
		return fail(t, -errno, "truncate");
	err = trace_write_header(t->f, &t->hdr);
	if (err)
		return fail(t, err, "write");
	/* A run killed before its first block still leaves a readable header. */
	if (fflush(t->f))
		return fail(t, -errno, "write");
	t->started = true;
	return 0;
}

int tracker_trace_write(struct tracker *t, uint32_t interval,
			const struct trace_rec *recs, uint32_t n)
{
	int err;

	if (!t->f || !t->started || t->err)
		return t->err;
	err = trace_write_block(t->f, &t->hdr, interval, 0, recs, n);
	if (err)
		return fail(t, err, "write");
	/* Each block on disk: a killed hmmv leaves a readable (truncated) trace. */
	if (n && fflush(t->f))
		return fail(t, -errno, "write");
	return 0;
}

int tracker_stop(struct tracker *t, char *why, size_t whylen)
{
	int err;

	if (t->f) {
		if (t->started) {
			err = trace_write_end(t->f);
			if (err)
				fail(t, err, "write");
			if (fflush(t->f) || fsync(fileno(t->f)) < 0)
				fail(t, -errno, "write");
		}
		if (fclose(t->f))
			fail(t, -errno, "close");
		t->f = NULL;
	}
	if (t->err && why)
		snprintf(why, whylen, "--trace %s: %s: %s", t->path, t->errwhat,
			 strerror(-t->err));
	return t->err;
}

void tracker_destroy(struct tracker *t)
{
	if (!t)
		return;
	tracker_stop(t, NULL, 0);
	if (t->created && !t->started)
		unlink(t->path);
	free(t->log);
	free(t->mask);
	free(t->runs);
	free(t->sel);
	free(t);
}
