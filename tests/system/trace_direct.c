// SPDX-License-Identifier: GPL-2.0
/*
 * The tracker's window primitives (hmmv/tracker.h) on a tiny real-mode
 * guest: the guest reads some pages, writes others (interleaved, in the
 * same chunk), reads a few in another chunk and never touches the rest.
 * Four blocks of 32 pages are watched (chunks 0, 1, 2, 3 of 64 pages, one
 * untouched). Window 1: the guest runs; window 2: nothing runs (pages
 * written in window 1 were re-armed: none may be logged again); window 3:
 * the guest runs; then chunk 1 moves to the slow tier (a file) and in
 * window 4 the guest runs again. Each page the guest touched must be
 * counted in exactly the 3 windows it ran in, every other block page in
 * none; the trace written from the counts (TRACE_F_WINDOWS) says the same,
 * and zapping and the move lose none of the data. Then the guest runs
 * after a window: its touches are refaults tracker_faults() counts.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/trace.h"
#include "hmmv/tracker.h"
#include "tests/tap.h"
#include "rmguest.h"

#define RAM		(2ULL << 20)
#define CHUNK		(256ULL << 10)	/* 8 chunks of 64 pages */
#define PAGES		(RAM / RM_PAGE)
#define CODE_GPA	0x1000
#define VMM_PAGE	0x60		/* written by the VMM, chunk 1 */

/*
 * Reads byte 0 of pages 0x40, 0x42, .. 0x4e, writes pages 0x41, 0x43, ..
 * 0x4f, reads pages 0xc0..0xc3, outputs the sum of what it read.
 */
static const uint8_t code[] = {
	0xb8, 0x00, 0x40,		/* mov ax,0x4000 */
	0xb9, 0x08, 0x00,		/* mov cx,8 */
	0x30, 0xdb,			/* xor bl,bl */
	0x8e, 0xd8,			/* 1: mov ds,ax */
	0x02, 0x1e, 0x00, 0x00,		/* add bl,[0x0000] */
	0x05, 0x00, 0x02,		/* add ax,0x200 */
	0xe2, 0xf5,			/* loop 1b */
	0xb8, 0x00, 0x41,		/* mov ax,0x4100 */
	0xb9, 0x08, 0x00,		/* mov cx,8 */
	0x8e, 0xd8,			/* 2: mov ds,ax */
	0x88, 0x26, 0x00, 0x00,		/* mov [0x0000],ah */
	0x05, 0x00, 0x02,		/* add ax,0x200 */
	0xe2, 0xf5,			/* loop 2b */
	0xb8, 0x00, 0xc0,		/* mov ax,0xc000 */
	0xb9, 0x04, 0x00,		/* mov cx,4 */
	0x8e, 0xd8,			/* 3: mov ds,ax */
	0x02, 0x1e, 0x00, 0x00,		/* add bl,[0x0000] */
	0x05, 0x00, 0x01,		/* add ax,0x100 */
	0xe2, 0xf5,			/* loop 3b */
	0x88, 0xd8,			/* mov al,bl */
	0xe6, RM_PORT,			/* out 0xe9,al */
	0xf4,				/* hlt */
};

/* What the guest touches: its code page, 0x40..0x4f, 0xc0..0xc3. */
static bool touched(uint32_t page)
{
	return page == CODE_GPA / RM_PAGE || (page >= 0x40 && page <= 0x4f) ||
	       (page >= 0xc0 && page <= 0xc3);
}

static const struct tracker_block blocks[] = {
	{ 0x00, 32 }, { 0x40, 32 }, { 0x80, 32 }, { 0xc0, 32 },
};
#define NBLOCKS	4
#define NBPAGES	(NBLOCKS * 32)

static uint8_t seed_pages(struct rmguest *g)
{
	unsigned int sum = 0;
	uint8_t v;
	uint32_t p;

	for (p = 0x40; p <= 0x4e; p += 2) {
		v = (uint8_t)(p + 1);
		memory_write(&g->mem, p * RM_PAGE, &v, 1);
		sum += v;
	}
	for (p = 0xc0; p <= 0xc3; p++) {
		v = (uint8_t)(p - 0xb0);
		memory_write(&g->mem, p * RM_PAGE, &v, 1);
		sum += v;
	}
	return (uint8_t)sum;
}

/*
 * A VM like hmmv run --trace makes: tracker enabled before the memslots;
 * all of RAM in DRAM, a file of the same size as the slow tier.
 */
static int setup(struct rmguest *g, struct tracker **t, const char *path,
		 const char *nvm, char *why, size_t n)
{
	struct memory_config cfg;
	int r;

	memory_config_init(&cfg, RAM);
	cfg.chunk_size = CHUNK;
	r = memory_parse_flag(&cfg, "--nvm", nvm, why, n);
	r = r ? r : memory_config_validate(&cfg, why, n);
	if (r)
		return r;

	memset(g, 0, sizeof(*g));
	g->vcpu_fd = -1;
	g->mem.fd = -1;
	r = kvm_open(&g->kvm, why, n);
	if (r == 0 && (r = kvm_create_vm(&g->kvm)) < 0)
		snprintf(why, n, "KVM_CREATE_VM: %s", strerror(-r));
	if (r == 0)
		r = tracker_create(t, path, 0, why, n);
	if (r == 0 && (r = tracker_enable(*t, g->kvm.vm_fd)) < 0)
		snprintf(why, n, "tracker_enable: %s", strerror(-r));
	if (r == 0 && (r = memory_init(&g->mem, &cfg)) < 0)
		snprintf(why, n, "memory_init: %s", strerror(-r));
	if (r == 0 && (r = memory_map_slots(&g->mem, g->kvm.vm_fd, tracker_slot_flags(*t))) < 0)
		snprintf(why, n, "memory_map_slots: %s", strerror(-r));
	if (r == 0 && (r = tracker_attach(*t, g->kvm.vm_fd, &g->mem)) < 0)
		snprintf(why, n, "tracker_attach: %s", strerror(-r));
	if (r)
		return r;
	g->vcpu_fd = ioctl(g->kvm.vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0) {
		snprintf(why, n, "KVM_CREATE_VCPU: %s", strerror(errno));
		return -errno;
	}
	g->run = mmap(NULL, (size_t)g->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		snprintf(why, n, "mmap(kvm_run): %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int run_guest(struct rmguest *g, uint8_t sum, const char *what)
{
	char why[256] = "";
	int r = rmguest_run(g, CODE_GPA, why, sizeof(why));

	if (!tap_ok(r == 0, "%s: guest ran to HLT", what)) {
		tap_diag("  %s", why[0] ? why : strerror(-r));
		return -1;
	}
	if (!tap_ok(g->out_len == 1 && (uint8_t)g->out[0] == sum,
		    "%s: guest read back the data (zapping lost nothing)", what))
		tap_diag("  sum %#x, want %#x", g->out_len ? (uint8_t)g->out[0] : 0, sum);
	return 0;
}

static int window(struct rmguest *g, struct tracker *t, uint8_t *counts,
		  uint8_t sum, const char *what)
{
	struct tracker_cost cost = { 0 };
	int r;

	r = tracker_window_begin(t, blocks, NBLOCKS, true, &cost);
	if (!tap_ok(r == 0 && cost.zapped == NBPAGES && !cost.zap_failed,
		    "%s: blocks cleared and zapped (%llu pages, %llu re-armed, %llu calls)",
		    what, (unsigned long long)cost.zapped, (unsigned long long)cost.rearmed,
		    (unsigned long long)cost.zap_calls))
		return -1;
	if (sum && run_guest(g, sum, what))
		return -1;
	r = tracker_window_end(t, blocks, NBLOCKS, counts);
	return tap_ok(r == 0, "%s: harvested", what) ? 0 : -1;
}

/* counts[] against the guest's pages: each touched page seen @n times. */
static void check_counts(const uint8_t *counts, uint8_t n, const char *what)
{
	uint32_t i, k, j = 0, bad = 0;

	for (i = 0; i < NBLOCKS; i++)
		for (k = 0; k < blocks[i].npages; k++, j++) {
			uint32_t page = blocks[i].page + k;

			if (counts[j] == (touched(page) ? n : 0))
				continue;
			if (!bad++)
				tap_diag("  page %#x: %u windows, want %u", page, counts[j],
					 touched(page) ? n : 0);
		}
	tap_ok(bad == 0, "%s: every touched block page counted %u times, the others 0 (%u wrong)",
	       what, n, bad);
}

/*
 * Touches after a window are refaults too (the engine's tracking budget
 * counts them): the guest runs once window 5 has ended; tracker_faults()
 * counts each touched block page once, page by page; once the blocks are
 * zapped again, with the guest idle, none. No window count changes: the
 * trace still says 3.
 */
static void check_faults(struct rmguest *g, struct tracker *t, uint8_t sum,
			 uint8_t *counts)
{
	struct tracker_cost cost = { 0 };
	uint8_t faults[NBPAGES] = { 0 };
	uint64_t f = 0, want = 0;
	uint32_t i, k, j = 0, bad = 0;
	int r;

	if (window(g, t, counts, 0, "window 5 (guest idle)") ||
	    run_guest(g, sum, "after window 5"))
		return;
	r = tracker_faults(t, blocks, NBLOCKS, faults, &f);
	for (i = 0; i < NBLOCKS; i++)
		for (k = 0; k < blocks[i].npages; k++, j++) {
			want += touched(blocks[i].page + k);
			bad += faults[j] != touched(blocks[i].page + k);
		}
	tap_ok(r == 0 && f == want && !bad,
	       "touches after the window: %llu refaults counted, want %llu (%u pages wrong)",
	       (unsigned long long)f, (unsigned long long)want, bad);
	r = tracker_window_begin(t, blocks, NBLOCKS, false, &cost);
	r = r ? r : tracker_faults(t, blocks, NBLOCKS, NULL, &f);
	tap_ok(r == 0 && f == 0, "zapped again, the guest idle: %llu refaults",
	       (unsigned long long)f);
}

static int record(struct rmguest *g, struct tracker *t, uint8_t sum, uint8_t *counts)
{
	int r;

	r = tracker_trace_start(t, TRACE_F_WINDOWS, 100000000ULL);
	if (!tap_ok(r == 0, "trace header written"))
		return -1;
	if (window(g, t, counts, sum, "window 1"))
		return -1;
	check_counts(counts, 1, "window 1");
	if (window(g, t, counts, 0, "window 2 (guest idle)"))
		return -1;
	check_counts(counts, 1, "window 2: re-armed pages not logged again");
	if (window(g, t, counts, sum, "window 3"))
		return -1;
	check_counts(counts, 2, "window 3");
	r = memory_remap(&g->mem, 0x40 / (CHUNK / RM_PAGE), MEM_TIER_NVM);
	if (!tap_ok(r == 0, "chunk 1 remapped to the slow tier"))
		tap_diag("  %s", strerror(-r));
	if (r || window(g, t, counts, sum, "window 4, after the move"))
		return -1;
	check_counts(counts, 3, "window 4");
	check_faults(g, t, sum, counts);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static void check_trace(const char *path)
{
	struct trace_rec recs[PAGES];
	struct trace_cursor c;
	struct trace_block b;
	size_t len = 0;
	uint8_t *buf = slurp(path, &len);
	uint32_t i, bad = 0, want = 0, p;
	int r;

	r = buf ? trace_open_mem(&c, buf, len) : -ENOENT;
	if (!tap_ok(r == 0 && c.hdr.nvms == 1 && c.hdr.vm_pages[0] == PAGES &&
		    (c.hdr.flags & TRACE_F_WINDOWS) && c.hdr.interval_ns == 100000000ULL,
		    "trace header: one VM of 512 pages, window counts, 100 ms")) {
		free(buf);
		return;
	}
	r = trace_next_block(&c, &b, recs, PAGES);
	for (p = 0; p < PAGES; p++)
		want += touched(p);
	for (i = 0; r == 1 && i < b.nrec; i++)
		bad += !touched(recs[i].page) || recs[i].reads != 3 || recs[i].writes;
	tap_ok(r == 1 && b.interval == 0 && b.nrec == want && !bad,
	       "the block names the %u touched pages, 3 windows each (%u records, %u wrong)",
	       want, r == 1 ? b.nrec : 0, bad);
	tap_ok(trace_next_block(&c, &b, recs, PAGES) == 0, "trace ends with the end marker");
	free(buf);
}

/* The counts as the engine writes them: a record per page seen. */
static int write_block(struct tracker *t, const uint8_t *counts)
{
	struct trace_rec recs[NBPAGES];
	uint32_t i, k, j = 0, n = 0;

	for (i = 0; i < NBLOCKS; i++)
		for (k = 0; k < blocks[i].npages; k++, j++)
			if (counts[j])
				recs[n++] = (struct trace_rec){ blocks[i].page + k, counts[j], 0 };
	return tracker_trace_write(t, 0, recs, n);
}

int main(void)
{
	char path[] = "/tmp/trace_direct.XXXXXX", nvm[] = "/tmp/trace_direct_nvm.XXXXXX";
	struct tracker *t = NULL;
	struct rmguest g;
	char why[512] = "";
	uint8_t sum, counts[NBPAGES] = { 0 };
	int fd, nfd, r;

	tap_plan(31);
	memset(&g, 0, sizeof(g));
	g.vcpu_fd = -1;
	g.mem.fd = -1;
	fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	nfd = mkstemp(nvm);
	if (nfd >= 0 && ftruncate(nfd, (off_t)RAM) < 0)
		snprintf(why, sizeof(why), "ftruncate: %s", strerror(errno));
	if (nfd >= 0)
		close(nfd);
	r = fd < 0 || nfd < 0 ? -errno : setup(&g, &t, path, nvm, why, sizeof(why));
	if (!tap_ok(r == 0, "VM with 2 MiB in 256 KiB chunks and a file tier, tracker enabled before the memslots")) {
		tap_diag("  %s", why);
		goto out;
	}
	r = memory_write(&g.mem, CODE_GPA, code, sizeof(code));
	sum = seed_pages(&g);
	if (r == 0 && record(&g, t, sum, counts) == 0) {
		r = write_block(t, counts);
		r = r ? r : tracker_stop(t, why, sizeof(why));
		if (!tap_ok(r == 0, "trace flushed and closed"))
			tap_diag("  %s", why);
		check_trace(path);
	}
out:
	tracker_destroy(t);
	if (g.run)
		munmap(g.run, (size_t)g.kvm.vcpu_mmap_size);
	if (g.vcpu_fd >= 0)
		close(g.vcpu_fd);
	memory_exit(&g.mem);
	kvm_close(&g.kvm);
	unlink(path);
	unlink(nvm);
	return tap_done(1);
}
