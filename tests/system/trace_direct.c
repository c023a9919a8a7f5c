// SPDX-License-Identifier: GPL-2.0
/*
 * The access tracker (hmmv/tracker.h) on a tiny real-mode guest: the guest
 * reads some pages, writes others (interleaved, in the same chunk), reads
 * a few in another chunk and never touches the rest; the VMM writes one
 * page through memory_write(). With 32 pages per 64-page chunk sampled,
 * each interval zaps a stripe of half the chunks; interval 0's (chunks
 * 0-3) holds all those pages: the trace must
 * name exactly them, reads as reads and writes as writes, plus the page
 * the guest's code is fetched from (a read). Interval 1 samples the other
 * stripe while the guest does the same again: its reads are unseen, its
 * writes (to pages mapped since interval 0) are all there. An interval in
 * which nothing runs leaves no block. In interval 3 the chunk holding the
 * read and written pages moves to the slow tier (a file) between window
 * and rest: pages refault (of every chunk: KVM drops them all), and every
 * page touched is recorded as touched, none as written. Zapping and the
 * move lose none of the data.
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

enum want { NONE, READ, WRITE };

static enum want expected0(uint32_t page);

/* Interval 3: what the guest touched (not the VMM), as touches only. */
static enum want expected3(uint32_t page)
{
	return page != VMM_PAGE && expected0(page) != NONE ? READ : NONE;
}

/* Interval 1: no page of the sampled block is touched, writes still seen. */
static enum want expected1(uint32_t page)
{
	return page >= 0x40 && page <= 0x4f && page % 2 ? WRITE : NONE;
}

static enum want expected0(uint32_t page)
{
	if (page == CODE_GPA / RM_PAGE)
		return READ;
	if (page >= 0x40 && page <= 0x4f)
		return page % 2 ? WRITE : READ;
	if (page >= 0xc0 && page <= 0xc3)
		return READ;
	return page == VMM_PAGE ? WRITE : NONE;
}

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
	struct tracker_config tc;
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
	tracker_config_init(&tc);
	tc.path = path;
	tc.sample_pages = 32;
	r = kvm_open(&g->kvm, why, n);
	if (r == 0 && (r = kvm_create_vm(&g->kvm)) < 0)
		snprintf(why, n, "KVM_CREATE_VM: %s", strerror(-r));
	if (r == 0)
		r = tracker_create(t, &tc, why, n);
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

/* Interval 0: guest in the window and in the rest, a VMM write between. */
static int record(struct rmguest *g, struct tracker *t, uint8_t sum)
{
	uint8_t v = 0x5a;
	int r;

	r = tracker_start(t, -1);
	r = r ? r : tracker_begin(t);
	if (!tap_ok(r == 0, "tracker started, interval 0 begun (zap + clear)"))
		return -1;
	if (run_guest(g, sum, "window"))
		return -1;
	r = tracker_mid(t);
	if (!tap_ok(r == 0, "window harvested"))
		return -1;
	memory_write(&g->mem, VMM_PAGE * RM_PAGE, &v, 1);
	if (run_guest(g, sum, "rest"))
		return -1;
	r = tracker_end(t);
	/* Interval 1: the other block sampled, the guest runs again. */
	r = r ? r : tracker_begin(t);
	if (r || run_guest(g, sum, "interval 1 window"))
		return -1;
	r = tracker_mid(t);
	if (r || run_guest(g, sum, "interval 1 rest"))
		return -1;
	r = tracker_end(t);
	/* Interval 2: nothing runs, nothing may be recorded. */
	r = r ? r : tracker_begin(t);
	r = r ? r : tracker_mid(t);
	r = r ? r : tracker_end(t);
	/* Interval 3: chunk 1 moves to the slow tier after the window. */
	r = r ? r : tracker_begin(t);
	if (r || run_guest(g, sum, "interval 3 window"))
		return -1;
	r = tracker_mid(t);
	r = r ? r : memory_remap(&g->mem, 0x40 / (CHUNK / RM_PAGE), MEM_TIER_NVM);
	if (!tap_ok(r == 0, "chunk 1 remapped to the slow tier"))
		tap_diag("  %s", strerror(-r));
	if (r || run_guest(g, sum, "interval 3 rest, after the move"))
		return -1;
	r = tracker_end(t);
	tap_ok(r == 0, "intervals 0 to 3 recorded");
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

static bool recorded(const struct trace_block *b, const struct trace_rec *recs,
		     uint32_t page)
{
	uint32_t i;

	for (i = 0; i < b->nrec; i++)
		if (recs[i].page == page)
			return true;
	return false;
}

static void check_block(const struct trace_block *b, const struct trace_rec *recs,
			enum want (*expected)(uint32_t page))
{
	uint32_t i, page, bad = 0, found = 0, want_n = 0;
	enum want w;

	for (page = 0; page < PAGES; page++)
		want_n += expected(page) != NONE;
	for (i = 0; i < b->nrec; i++) {
		w = expected(recs[i].page);
		if (w == NONE || (w == WRITE) != (recs[i].writes != 0) ||
		    (w == READ) != (recs[i].reads != 0)) {
			if (!bad++)
				tap_diag("  page %#x: reads %u writes %u, want %s", recs[i].page,
					 recs[i].reads, recs[i].writes,
					 w == NONE ? "nothing" : w == READ ? "a read" : "a write");
			continue;
		}
		found++;
	}
	tap_ok(bad == 0, "interval %u: every recorded page is one the guest or VMM touched, read/write right",
	       b->interval);
	if (!tap_ok(found == want_n, "interval %u: all %u pages expected are recorded", b->interval,
		    want_n))
		for (page = 0; page < PAGES; page++)
			if (expected(page) != NONE && !recorded(b, recs, page))
				tap_diag("  missing page %#x (%s)", page,
					 expected(page) == READ ? "read" : "write");
}

static void check_trace(const char *path)
{
	struct trace_rec recs[PAGES];
	struct trace_cursor c;
	struct trace_block b;
	size_t len = 0;
	uint8_t *buf = slurp(path, &len);
	int r, blocks = 0;

	r = buf ? trace_open_mem(&c, buf, len) : -ENOENT;
	if (!tap_ok(r == 0 && c.hdr.nvms == 1 && c.hdr.vm_pages[0] == PAGES &&
		    (c.hdr.flags & TRACE_F_PRESENCE) && c.hdr.interval_ns == 100000000ULL,
		    "trace header: one VM of 512 pages, presence bits, 100 ms")) {
		free(buf);
		return;
	}
	while ((r = trace_next_block(&c, &b, recs, PAGES)) == 1) {
		blocks++;
		if (b.interval == 0)
			check_block(&b, recs, expected0);
		else if (b.interval == 1)
			check_block(&b, recs, expected1);
		else if (b.interval == 3)
			check_block(&b, recs, expected3);
		else
			tap_diag("  block for interval %u with %u pages", b.interval, b.nrec);
	}
	tap_ok(r == 0, "trace ends with the end marker");
	tap_is(blocks, 3, "three blocks: the idle interval 2 left none");
	free(buf);
}

int main(void)
{
	char path[] = "/tmp/trace_direct.XXXXXX", nvm[] = "/tmp/trace_direct_nvm.XXXXXX";
	struct tracker *t = NULL;
	struct rmguest g;
	char why[512] = "";
	uint8_t sum;
	int fd, nfd, r;

	tap_plan(27);
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
	if (r == 0 && record(&g, t, sum) == 0) {
		r = tracker_stop(t, why, sizeof(why));
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
