// SPDX-License-Identifier: GPL-2.0
/*
 * The access tracker (hmmv/tracker.h): dirty logs with manual protection,
 * zaps through memory/, one trace block per interval, and the thread that
 * paces it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "hmmv/safe_file.h"
#include "hmmv/tracker.h"

struct tracker {
	struct tracker_config cfg;
	char path[MEM_PATH_MAX * 4];
	FILE *f;
	bool created;		/* we made the file: remove it if never started */
	bool started;		/* header written */
	bool thread_on;
	int vm_fd;
	struct guest_mem *m;
	uint32_t npages, words, chunk_pages, sample;
	uint64_t *win, *rest, *vmm, *scratch, *chunk_bits;
	uint64_t *mapped;	/* pages with a write-protected 2nd-level entry */
	uint8_t *moved;
	struct mem_chunk *place;
	struct trace_rec *recs;
	uint64_t recs_cap;
	struct trace_hdr hdr;
	uint32_t interval;	/* index of the next block */
	pthread_t thread;
	int stop_fd, wake_fd;
	atomic_bool stop;
	int err;		/* first error, -errno */
	char errwhat[64];
	struct tracker_stats st;
};

void tracker_config_init(struct tracker_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = TRACKER_DEFAULT_INTERVAL_MS;
	cfg->window_ms = TRACKER_DEFAULT_WINDOW_MS;
	cfg->sample_pages = TRACKER_DEFAULT_SAMPLE_PAGES;
	cfg->mode = SAFE_FILE_MODE;
}

static int parse_pages(struct tracker_config *cfg, const char *val, char *why,
		       size_t whylen)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || *val == '-' || !v ||
	    v > TRACKER_MAX_SAMPLE_PAGES || (v & (v - 1))) {
		snprintf(why, whylen, "'%s' is not a power of two from 1 to %u", val,
			 TRACKER_MAX_SAMPLE_PAGES);
		return -EINVAL;
	}
	cfg->sample_pages = (uint32_t)v;
	return 0;
}

int tracker_parse_flag(struct tracker_config *cfg, const char *flag,
		       const char *val, char *why, size_t whylen)
{
	unsigned long v;
	char *end;

	if (!strcmp(flag, "--trace")) {
		if (!*val) {
			snprintf(why, whylen, "empty file name");
			return -EINVAL;
		}
		cfg->path = val;
		return 0;
	}
	if (!strcmp(flag, "--trace-pages"))
		return parse_pages(cfg, val, why, whylen);
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || *val == '-' ||
	    v < TRACKER_MIN_INTERVAL_MS || v > TRACKER_MAX_INTERVAL_MS) {
		snprintf(why, whylen, "'%s' is not a number of milliseconds from %d to %d",
			 val, TRACKER_MIN_INTERVAL_MS, TRACKER_MAX_INTERVAL_MS);
		return -EINVAL;
	}
	cfg->interval_ms = (uint32_t)v;
	return 0;
}

static int tracker_open(struct tracker *t, char *why, size_t whylen)
{
	int fd, err;

	fd = safe_file_open(t->path, O_WRONLY | O_CREAT | O_EXCL,
			    t->cfg.mode ? t->cfg.mode : SAFE_FILE_MODE);
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

int tracker_create(struct tracker **out, const struct tracker_config *cfg,
		   char *why, size_t whylen)
{
	struct tracker *t;
	int err;

	*out = NULL;
	if (!cfg->path || !cfg->interval_ms || cfg->window_ms >= cfg->interval_ms ||
	    !cfg->sample_pages || (cfg->sample_pages & (cfg->sample_pages - 1))) {
		snprintf(why, whylen, "--trace: bad interval or window");
		return -EINVAL;
	}
	if (strlen(cfg->path) >= sizeof(t->path)) {
		snprintf(why, whylen, "--trace: file name too long");
		return -ENAMETOOLONG;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(why, whylen, "--trace: out of memory");
		return -ENOMEM;
	}
	t->cfg = *cfg;
	strcpy(t->path, cfg->path);
	t->cfg.path = t->path;
	t->vm_fd = -1;
	t->stop_fd = -1;
	t->wake_fd = -1;
	atomic_init(&t->stop, false);
	err = tracker_open(t, why, whylen);
	if (err) {
		free(t);
		return err;
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

int tracker_attach(struct tracker *t, int vm_fd, struct guest_mem *m)
{
	uint64_t pages = m->ram_size / MEM_PAGE_SIZE;

	if (pages > UINT32_MAX || m->chunk_size < MEM_PAGE_SIZE)
		return -EINVAL;
	t->vm_fd = vm_fd;
	t->m = m;
	t->npages = (uint32_t)pages;
	t->words = (t->npages + 63) / 64;
	t->chunk_pages = (uint32_t)(m->chunk_size / MEM_PAGE_SIZE);
	/* Both powers of two: the blocks tile each chunk. */
	t->sample = t->cfg.sample_pages < t->chunk_pages ? t->cfg.sample_pages :
		    t->chunk_pages;
	t->mapped = calloc(t->words, sizeof(uint64_t));
	t->win = calloc(t->words, sizeof(uint64_t));
	t->rest = calloc(t->words, sizeof(uint64_t));
	t->vmm = calloc(t->words, sizeof(uint64_t));
	t->scratch = calloc(t->words, sizeof(uint64_t));
	t->chunk_bits = calloc((t->chunk_pages + 63) / 64, sizeof(uint64_t));
	t->moved = calloc(m->nr_chunks, 1);
	t->place = calloc(m->nr_chunks, sizeof(*t->place));
	if (!t->win || !t->rest || !t->vmm || !t->scratch || !t->chunk_bits || !t->mapped ||
	    !t->moved || !t->place)
		return -ENOMEM;
	/*
	 * Dirty logging maps the guest at 4 KiB anyway, and zapping a block
	 * of a host huge page splits it, dropping the second-level entries of
	 * the whole chunk (refaults that would look like writes): no host
	 * huge pages while tracking (best effort; remaps advise their own).
	 */
	madvise(m->host, m->ram_size, MADV_NOHUGEPAGE);
	t->hdr = (struct trace_hdr){
		.version = TRACE_VERSION, .flags = TRACE_F_PRESENCE, .page_shift = 12,
		.nvms = 1, .interval_ns = (uint64_t)t->cfg.interval_ms * 1000000ULL,
	};
	t->hdr.vm_pages[0] = pages;
	return 0;
}

static int fail(struct tracker *t, int err, const char *what)
{
	if (!t->err) {
		t->err = err;
		snprintf(t->errwhat, sizeof(t->errwhat), "%s", what);
	}
	return err;
}

/* Every slot's dirty log into @bits (indexed by guest-RAM page). */
static int log_get(struct tracker *t, uint64_t *bits)
{
	const struct mem_region *r;
	struct kvm_dirty_log log;
	int i;

	for (i = 0; i < t->m->nr_regions; i++) {
		r = &t->m->regions[i];
		log = (struct kvm_dirty_log){
			.slot = r->slot,
			.dirty_bitmap = bits + r->offset / MEM_PAGE_SIZE / 64,
		};
		if (ioctl(t->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
			return fail(t, -errno, "KVM_GET_DIRTY_LOG");
	}
	return 0;
}

/* Clears (and re-protects) the pages set in @bits. */
static int log_clear(struct tracker *t, uint64_t *bits)
{
	const struct mem_region *r;
	struct kvm_clear_dirty_log clr;
	int i;

	for (i = 0; i < t->m->nr_regions; i++) {
		r = &t->m->regions[i];
		clr = (struct kvm_clear_dirty_log){
			.slot = r->slot, .first_page = 0,
			.num_pages = (uint32_t)(r->size / MEM_PAGE_SIZE),
			.dirty_bitmap = bits + r->offset / MEM_PAGE_SIZE / 64,
		};
		if (ioctl(t->vm_fd, KVM_CLEAR_DIRTY_LOG, &clr) < 0)
			return fail(t, -errno, "KVM_CLEAR_DIRTY_LOG");
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void bits_clear(uint64_t *b, uint32_t first, uint32_t n)
{
	uint32_t p;

	for (p = first; p < first + n && p % 64; p++)
		b[p / 64] &= ~(1ULL << (p % 64));
	for (; p + 64 <= first + n; p += 64)
		b[p / 64] = 0;
	for (; p < first + n; p++)
		b[p / 64] &= ~(1ULL << (p % 64));
}

/*
 * Zaps this interval's stripe: sample/chunk_pages of guest RAM as one run
 * of whole chunks, the next run the next interval. One zap call per
 * interval: each call costs a round of KVM's MMU notifier, which is what
 * made a zap per chunk slow (measured: ~1 ms per call nested).
 */
static void zap_stripe(struct tracker *t)
{
	uint32_t nc = t->m->nr_chunks, per, stripes, first, n;
	uint64_t cs = t->m->chunk_size;

	per = (uint32_t)(((uint64_t)nc * t->sample + t->chunk_pages - 1) / t->chunk_pages);
	stripes = (nc + per - 1) / per;
	first = (t->interval % stripes) * per;
	n = first + per <= nc ? per : nc - first;
	if (memory_zap_range(t->m, (uint64_t)first * cs, (uint64_t)n * cs) < 0) {
		t->st.zap_failed += n;
		return;
	}
	bits_clear(t->mapped, first * t->chunk_pages, n * t->chunk_pages);
}

int tracker_begin(struct tracker *t)
{
	uint32_t c, w;
	uint64_t t0;
	int err;

	/* Leftovers of the last interval's end, cleared before the zap. */
	err = log_get(t, t->scratch);
	if (!err)
		err = log_clear(t, t->scratch);
	if (err)
		return err;
	for (w = 0; w < t->words; w++)
		t->mapped[w] |= t->scratch[w];
	/* Placement now: a remap or move from here on drops 2nd-level entries. */
	for (c = 0; c < t->m->nr_chunks; c++)
		memory_chunk_info(t->m, c, &t->place[c]);
	t0 = now_ns();
	zap_stripe(t);
	t->st.zap_ns += now_ns() - t0;
	return 0;
}

int tracker_mid(struct tracker *t)
{
	uint32_t w;
	int err;

	err = log_get(t, t->win);
	if (err)
		return err;
	/*
	 * Re-arm only pages whose write is still open: a page mapped since
	 * begin and logged is written already (its bit stays set); re-arming
	 * it would only cost the guest another write fault.
	 */
	for (w = 0; w < t->words; w++)
		t->scratch[w] = t->win[w] & ~t->mapped[w];
	return log_clear(t, t->scratch);
}

/* Moves the VMM-written bits of every chunk into t->vmm. */
static void fetch_vmm(struct tracker *t)
{
	uint32_t c, i, base, w, cw = (t->chunk_pages + 63) / 64;

	memset(t->vmm, 0, t->words * sizeof(uint64_t));
	for (c = 0; c < t->m->nr_chunks; c++) {
		if (memory_fetch_written(t->m, c, t->chunk_bits) <= 0)
			continue;
		base = c * t->chunk_pages;
		if (base % 64 == 0 && t->chunk_pages % 64 == 0) {
			for (w = 0; w < cw; w++)
				t->vmm[base / 64 + w] = t->chunk_bits[w];
			continue;
		}
		for (i = 0; i < t->chunk_pages; i++)
			if ((t->chunk_bits[i / 64] >> (i % 64)) & 1)
				t->vmm[(base + i) / 64] |= 1ULL << ((base + i) % 64);
	}
}

/*
 * Chunks remapped or moved in place since tracker_begin(). Measured (Linux
 * 6.1, kvm-amd): a remap of one chunk drops the second-level entries of
 * the other chunks too, so one move marks them all.
 */
static void find_moved(struct tracker *t)
{
	struct mem_chunk now;
	bool any = false;
	uint32_t c;

	for (c = 0; c < t->m->nr_chunks && !any; c++) {
		memory_chunk_info(t->m, c, &now);
		any = now.tier != t->place[c].tier || now.file != t->place[c].file ||
		      now.frame != t->place[c].frame;
	}
	memset(t->moved, any, t->m->nr_chunks);
}

/* Room for every page touched this interval (what the logs hold, not RAM). */
static int recs_reserve(struct tracker *t)
{
	uint64_t need = 0;
	struct trace_rec *r;
	uint32_t w;

	for (w = 0; w < t->words; w++)
		need += (uint64_t)__builtin_popcountll(t->win[w] | t->rest[w] | t->vmm[w]);
	if (need <= t->recs_cap)
		return 0;
	need += need / 4 + 64;
	if (need > t->npages)
		need = t->npages;
	r = realloc(t->recs, need * sizeof(*r));
	if (!r)
		return -ENOMEM;
	t->recs = r;
	t->recs_cap = need;
	return 0;
}

int tracker_end(struct tracker *t)
{
	uint32_t n, i;
	int err;

	err = log_get(t, t->rest);
	if (err)
		return err;
	fetch_vmm(t);
	find_moved(t);
	err = recs_reserve(t);
	if (err)
		return fail(t, err, "records");
	n = tracker_records(t->win, t->rest, t->vmm, t->mapped, t->moved,
			    t->chunk_pages, t->npages, t->recs);
	tracker_update_mapped(t->mapped, t->win, t->rest, t->moved, t->chunk_pages,
			      t->npages);
	if (!t->started) {
		t->interval++;
		return 0;
	}
	err = trace_write_block(t->f, &t->hdr, t->interval++, 0, t->recs, n);
	if (err)
		return fail(t, err, "write");
	/* Each block on disk: a killed hmmv leaves a readable (truncated) trace. */
	if (n && fflush(t->f))
		return fail(t, -errno, "write");
	t->st.intervals++;
	for (i = 0; i < n; i++) {
		t->st.pages_read += t->recs[i].reads;
		t->st.pages_written += t->recs[i].writes;
	}
	return 0;
}

static uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* Sleeps until @deadline (CLOCK_MONOTONIC ms); false when asked to stop. */
static bool wait_until(struct tracker *t, uint64_t deadline)
{
	struct pollfd pfd[2] = {
		{ .fd = t->stop_fd, .events = POLLIN },
		{ .fd = t->wake_fd, .events = POLLIN },
	};
	uint64_t now;

	while (!atomic_load(&t->stop)) {
		now = now_ms();
		if (now >= deadline)
			return true;
		if (poll(pfd, 2, (int)(deadline - now)) > 0)
			return false;
	}
	return false;
}

/* Runs one step and adds its time to busy_ns. */
static int timed(struct tracker *t, int (*step)(struct tracker *t))
{
	uint64_t t0 = now_ns();
	int err = step(t);

	t->st.busy_ns += now_ns() - t0;
	return err;
}

static void *tracker_thread(void *arg)
{
	struct tracker *t = arg;
	uint64_t next = now_ms();

	while (!atomic_load(&t->stop)) {
		if (timed(t, tracker_begin) < 0 || !wait_until(t, next + t->cfg.window_ms))
			break;
		if (timed(t, tracker_mid) < 0 || !wait_until(t, next + t->cfg.interval_ms))
			break;
		if (timed(t, tracker_end) < 0)
			break;
		next += t->cfg.interval_ms;
		if (now_ms() > next + t->cfg.interval_ms / 2)
			t->st.late++;
		/* A host too busy to keep the pace skips, never bunches up. */
		if (now_ms() > next + t->cfg.interval_ms)
			next = now_ms();
	}
	return NULL;
}

static int write_header(struct tracker *t)
{
	int err;

	if (fflush(t->f) || ftruncate(fileno(t->f), 0) < 0)
		return fail(t, -errno, "truncate");
	err = trace_write_header(t->f, &t->hdr);
	if (err)
		return fail(t, err, "write");
	/* A run killed before its first block still leaves a readable header. */
	if (fflush(t->f))
		return fail(t, -errno, "write");
	t->started = true;
	t->interval = 0;
	return 0;
}

int tracker_start(struct tracker *t, int stop_fd)
{
	int err;

	if (!t->m)
		return -EINVAL;
	err = write_header(t);
	if (err)
		return err;
	/* What the VMM wrote before (the kernel it loaded) is no access. */
	fetch_vmm(t);
	/* No stop fd: the caller drives the steps itself (tests). */
	if (stop_fd < 0)
		return 0;
	t->stop_fd = stop_fd;
	t->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->wake_fd < 0)
		return fail(t, -errno, "eventfd");
	err = pthread_create(&t->thread, NULL, tracker_thread, t);
	if (err)
		return fail(t, -err, "thread");
	t->thread_on = true;
	return 0;
}

static void tracker_join(struct tracker *t)
{
	uint64_t one = 1;

	if (!t->thread_on)
		return;
	atomic_store(&t->stop, true);
	if (write(t->wake_fd, &one, sizeof(one)) < 0) {
		/* The flag alone stops it within one interval. */
	}
	pthread_join(t->thread, NULL);
	t->thread_on = false;
}

static int tracker_finish(struct tracker *t)
{
	int err = 0;

	if (!t->f)
		return 0;
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
	return err;
}

int tracker_stop(struct tracker *t, char *why, size_t whylen)
{
	tracker_join(t);
	tracker_finish(t);
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
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	free(t->win);
	free(t->rest);
	free(t->vmm);
	free(t->scratch);
	free(t->mapped);
	free(t->chunk_bits);
	free(t->moved);
	free(t->place);
	free(t->recs);
	free(t);
}

void tracker_get_stats(const struct tracker *t, struct tracker_stats *s)
{
	*s = t->st;
}

void tracker_summary(const struct tracker *t, char *buf, size_t len)
{
	uint64_t n = t->st.intervals ? t->st.intervals : 1;

	snprintf(buf, len, "--trace %s: %llu intervals of %u ms (%llu late), tracker "
		 "%.1f ms per interval (zaps %.1f ms)", t->path,
		 (unsigned long long)t->st.intervals, t->cfg.interval_ms,
		 (unsigned long long)t->st.late, (double)t->st.busy_ns / 1e6 / (double)n,
		 (double)t->st.zap_ns / 1e6 / (double)n);
}
