// SPDX-License-Identifier: GPL-2.0
/*
 * The write-protected migration (memory_migrate, MEM_MIGRATE_WP) on a tiny
 * real-mode guest with two vCPUs, 256 KiB chunks (64 pages, the dirty log's
 * clear unit) and a file as slow tier,
 * dirty-logged with manual protect. Chunk 1 moves to the slow tier:
 * - between the first whole copy and the final one, vCPU 0 writes 8 pages
 *   of the chunk without stalling; the dirty log must name them, so they
 *   are copied again and land in the new frame;
 * - while the chunk is write-protected for its final copy, vCPU 1 reads
 *   the chunk and writes another chunk and runs to HLT (readers and other
 *   chunks never stop), while vCPU 0's increment of a byte of the chunk
 *   fails KVM_RUN with EFAULT, is not performed, and that vCPU waits in
 *   memory_wp_wait() until the move is done, then re-enters: the increment
 *   lands exactly once in the new frame.
 * An EFAULT with no move in progress stays an error. The pause method
 * moves the chunk back with its data.
 *
 * Then the tracker races a move: chunk 1 goes to the slow tier again and,
 * after its first whole copy, vCPU 0 writes the 8 pages anew while
 * another thread begins a tracker window on the chunk (which clears the
 * chunk's dirty bits). The window must wait for the move, so the pre-copy
 * still finds the 8 pages in the log and they reach the new frame.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/tap.h"
#include "hmmv/tracker.h"
#include "rmguest.h"

#define RAM		(1ULL << 20)
#define CHUNK		(256ULL << 10)
#define MOVING		1		/* chunk 1: gpa 0x40000 */
#define CODE_GPA	0x1000
#define IP_READ		0x1000
#define IP_INC		0x1100
#define IP_OTHER	0x1200
#define IP_FILL		0x1300

/* Outputs the byte at 0x40000. */
static const uint8_t code_read[] = {
	0xb8, 0x00, 0x40,		/* mov ax,0x4000 */
	0x8e, 0xd8,			/* mov ds,ax */
	0xa0, 0x00, 0x00,		/* mov al,[0x0000] */
	0xe6, RM_PORT,			/* out 0xe9,al */
	0xf4,				/* hlt */
};

/* Increments the byte at 0x40010 and outputs it. */
static const uint8_t code_inc[] = {
	0xb8, 0x00, 0x40,		/* mov ax,0x4000 */
	0x8e, 0xd8,			/* mov ds,ax */
	0xfe, 0x06, 0x10, 0x00,		/* inc byte [0x0010] */
	0xa0, 0x10, 0x00,		/* mov al,[0x0010] */
	0xe6, RM_PORT,			/* out 0xe9,al */
	0xf4,				/* hlt */
};

/* Writes 0x77 at 0x80000 (chunk 2), outputs the byte at 0x40000. */
static const uint8_t code_other[] = {
	0xb8, 0x00, 0x80,		/* mov ax,0x8000 */
	0x8e, 0xd8,			/* mov ds,ax */
	0xc6, 0x06, 0x00, 0x00, 0x77,	/* mov byte [0x0000],0x77 */
	0xb8, 0x00, 0x40,		/* mov ax,0x4000 */
	0x8e, 0xd8,			/* mov ds,ax */
	0xa0, 0x00, 0x00,		/* mov al,[0x0000] */
	0xe6, RM_PORT,			/* out 0xe9,al */
	0xf4,				/* hlt */
};

/* Writes 0xa5 at the start of pages 0x41000 .. 0x48000. */
static const uint8_t code_fill[] = {
	0xb8, 0x00, 0x41,		/* mov ax,0x4100 */
	0xb9, 0x08, 0x00,		/* mov cx,8 */
	0x8e, 0xd8,			/* 1: mov ds,ax */
	0xc6, 0x06, 0x00, 0x00, 0xa5,	/* mov byte [0x0000],0xa5 */
	0x05, 0x00, 0x01,		/* add ax,0x100 */
	0xe2, 0xf4,			/* loop 1b */
	0xf4,				/* hlt */
};

/* One vCPU: its fd and run area, and what its last run did. */
struct cpu {
	struct rmguest *g;
	int fd;
	struct kvm_run *run;
	int rc;
	uint8_t out;
	int outs;
	int efaults;		/* KVM_RUN EFAULTs waited out */
	char why[128];
};

/* Runs @ip to HLT the way vmm/vcpu.c does: an EFAULT waits for the move. */
static int cpu_run(struct cpu *c, uint16_t ip, _Atomic int *waiting)
{
	struct rmguest tmp = *c->g;
	uint64_t seq;
	int exits, r;

	tmp.vcpu_fd = c->fd;
	c->outs = 0;
	c->efaults = 0;
	r = rmguest_set_entry(&tmp, ip);
	if (r < 0)
		return r;
	for (exits = 0; exits < 1000; exits++) {
		seq = memory_wp_seq(&c->g->mem);
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno != EFAULT) {
				snprintf(c->why, sizeof(c->why), "KVM_RUN: %s", strerror(errno));
				return -errno;
			}
			c->efaults++;
			if (waiting)
				atomic_store(waiting, 1);
			if (memory_wp_wait(&c->g->mem, seq)) {
				snprintf(c->why, sizeof(c->why), "EFAULT with no move");
				return -EFAULT;
			}
			continue;
		}
		if (c->run->exit_reason == KVM_EXIT_HLT)
			return 0;
		if (c->run->exit_reason != KVM_EXIT_IO || c->run->io.port != RM_PORT) {
			snprintf(c->why, sizeof(c->why), "exit reason %u", c->run->exit_reason);
			return -EIO;
		}
		c->out = *((uint8_t *)c->run + c->run->io.data_offset);
		c->outs++;
	}
	snprintf(c->why, sizeof(c->why), "never halted");
	return -EIO;
}

struct ctx {
	struct rmguest *g;
	struct cpu cpu[2];
	pthread_t writer;
	bool writer_started;
	_Atomic int waiting;	/* vCPU 0 is in memory_wp_wait */
	_Atomic int done;	/* vCPU 0's run returned */
	int fill_rc, fill_efaults, read_rc, other_rc;
	bool fill_ran;
	uint8_t read_out, other_out;
	bool not_written;	/* the stalled increment was not performed */
	bool waited;
};

static void *writer_thread(void *arg)
{
	struct ctx *x = arg;

	x->cpu[0].rc = cpu_run(&x->cpu[0], IP_INC, &x->waiting);
	atomic_store(&x->done, 1);
	return NULL;
}

/* Up to 20 s for vCPU 0 to hit the protected chunk (TCG is slow). */
static bool wait_writer(struct ctx *x)
{
	struct timespec ts = { .tv_nsec = 1000000 };
	int i;

	for (i = 0; i < 20000 && !atomic_load(&x->waiting) && !atomic_load(&x->done); i++)
		nanosleep(&ts, NULL);
	return atomic_load(&x->waiting);
}

static void hook(void *arg, int phase)
{
	struct ctx *x = arg;
	uint8_t *host = x->g->mem.host;

	if (phase == MEM_MIGRATE_PRECOPIED) {
		x->fill_rc = cpu_run(&x->cpu[0], IP_FILL, NULL);
		x->fill_efaults = x->cpu[0].efaults;
		x->fill_ran = true;
		return;
	}
	x->read_rc = cpu_run(&x->cpu[1], IP_READ, NULL);
	x->read_out = x->cpu[1].out;
	x->other_rc = cpu_run(&x->cpu[1], IP_OTHER, NULL);
	x->other_out = x->cpu[1].out;
	x->writer_started = !pthread_create(&x->writer, NULL, writer_thread, x);
	x->waited = x->writer_started && wait_writer(x);
	/* The guest's write failed: the old frame still holds 0x31. */
	x->not_written = host[MOVING * CHUNK + 0x10] == 0x31 && !atomic_load(&x->done);
}

static int cpu_add(struct rmguest *g, struct cpu *c, int id)
{
	c->g = g;
	if (id == 0) {
		c->fd = g->vcpu_fd;
		c->run = g->run;
		return 0;
	}
	c->fd = ioctl(g->kvm.vm_fd, KVM_CREATE_VCPU, id);
	if (c->fd < 0)
		return -errno;
	c->run = mmap(NULL, (size_t)g->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, c->fd, 0);
	return c->run == MAP_FAILED ? -errno : 0;
}

static int setup(struct rmguest *g, struct ctx *x, const char *nvm, char *why, size_t n)
{
	static const uint8_t seed[] = { 0x5a };
	static const uint8_t seed2[] = { 0x31 };
	struct memory_config cfg;
	int r;

	memory_config_init(&cfg, RAM);
	cfg.chunk_size = CHUNK;
	r = memory_parse_flag(&cfg, "--nvm", nvm, why, n);
	r = r ? r : memory_config_validate(&cfg, why, n);
	r = r ? r : rmguest_init_cfg(g, &cfg, 1, why, n);
	if (r)
		return r;
	x->g = g;
	r = cpu_add(g, &x->cpu[0], 0);
	r = r ? r : cpu_add(g, &x->cpu[1], 1);
	r = r ? r : memory_write(&g->mem, IP_READ, code_read, sizeof(code_read));
	r = r ? r : memory_write(&g->mem, IP_INC, code_inc, sizeof(code_inc));
	r = r ? r : memory_write(&g->mem, IP_OTHER, code_other, sizeof(code_other));
	r = r ? r : memory_write(&g->mem, IP_FILL, code_fill, sizeof(code_fill));
	r = r ? r : memory_write(&g->mem, MOVING * CHUNK, seed, 1);
	r = r ? r : memory_write(&g->mem, MOVING * CHUNK + 0x10, seed2, 1);
	if (r)
		snprintf(why, n, "setup: %s", strerror(-r));
	return r;
}

static void check_pages(struct rmguest *g, const char *when)
{
	uint8_t b;
	int p, bad = 0;

	for (p = 1; p <= 8; p++)
		if (memory_read(&g->mem, MOVING * CHUNK + (uint64_t)p * RM_PAGE, &b, 1) || b != 0xa5)
			bad++;
	tap_ok(bad == 0, "%s: the 8 pages written during pre-copy hold 0xa5", when);
}

static void check_data(struct rmguest *g, const char *when)
{
	uint8_t inc, other;

	check_pages(g, when);
	memory_read(&g->mem, MOVING * CHUNK + 0x10, &inc, 1);
	tap_ok(inc == 0x32, "%s: the stalled increment landed exactly once (0x%02x)", when, inc);
	memory_read(&g->mem, 2 * CHUNK, &other, 1);
	tap_ok(other == 0x77, "%s: vCPU 1's write to another chunk is there", when);
}

static void move_wp(struct rmguest *g, struct ctx *x)
{
	struct mem_migrate_opts o = {
		.method = MEM_MIGRATE_WP, .max_rounds = 2,
		.dirty = &memory_kvm_dirty_ops, .dirty_ctx = &g->mem,
		.hook = hook, .hook_ctx = x,
	};
	struct mem_migrate_stats st;
	struct mem_chunk ch;
	int r;

	r = memory_migrate(&g->mem, MOVING, MEM_TIER_NVM, &o, &st);
	if (x->writer_started)
		pthread_join(x->writer, NULL);
	if (!tap_ok(r == 0, "chunk 1 moved to the slow tier, write-protect method"))
		tap_diag("  %s", strerror(-r));
	memory_chunk_info(&g->mem, MOVING, &ch);
	tap_ok(ch.tier == MEM_TIER_NVM && ch.file == MEM_TIER_NVM, "chunk 1 is on the slow tier");
	tap_ok(x->fill_ran && x->fill_rc == 0 && x->fill_efaults == 0,
	       "pre-copy: vCPU 0 wrote 8 pages of the chunk without stalling");
	if (!tap_ok(st.recopied_pages >= 8, "pre-copy: the dirty log named them, copied again"))
		tap_diag("  %u pages copied again in %u rounds", st.recopied_pages, st.rounds);
	tap_ok(x->read_rc == 0 && x->read_out == 0x5a,
	       "protected: vCPU 1 read the chunk and ran to HLT");
	tap_ok(x->other_rc == 0 && x->other_out == 0x5a,
	       "protected: vCPU 1 wrote another chunk and ran to HLT");
	tap_ok(x->waited && x->not_written,
	       "protected: vCPU 0's write failed with EFAULT, was not done, vCPU 0 waits");
	if (!tap_ok(x->cpu[0].rc == 0 && x->cpu[0].outs == 1 && x->cpu[0].out == 0x32 &&
		    x->cpu[0].efaults >= 1,
		    "after the move: vCPU 0 re-entered, finished, read back 0x32"))
		tap_diag("  rc %d (%s) out 0x%02x efaults %d", x->cpu[0].rc, x->cpu[0].why,
			 x->cpu[0].out, x->cpu[0].efaults);
	tap_ok(st.writer_stall_ns > 0 && st.pause_ns == 0 && st.method == MEM_MIGRATE_WP,
	       "stats: a writer stall, no pause");
	check_data(g, "slow tier");
}

static void move_back(struct rmguest *g)
{
	struct mem_migrate_opts o = { .method = MEM_MIGRATE_PAUSE };
	struct mem_migrate_stats st;
	int r;

	r = memory_migrate(&g->mem, MOVING, MEM_TIER_DRAM, &o, &st);
	tap_ok(r == 0 && st.method == MEM_MIGRATE_PAUSE, "chunk 1 moved back, pause method");
	check_data(g, "back in DRAM");
}

/* A tracker window begun on chunk 1 from another thread, mid-move. */
struct race {
	struct cpu *cpu;
	struct tracker *t;
	pthread_t thread;
	bool started;
	_Atomic int done;	/* tracker_window_begin returned */
	int rc, fill_rc;
	bool done_in_move;	/* returned before the move let go of the chunk */
};

static void *race_thread(void *arg)
{
	static const struct tracker_block blk = {
		.page = MOVING * CHUNK / RM_PAGE, .npages = CHUNK / RM_PAGE,
	};
	struct race *r = arg;
	struct tracker_cost cost = { 0 };

	r->rc = tracker_window_begin(r->t, &blk, 1, true, &cost);
	atomic_store(&r->done, 1);
	return NULL;
}

static void race_hook(void *arg, int phase)
{
	struct timespec ts = { .tv_nsec = 1000000 };
	struct race *r = arg;
	int i;

	if (phase != MEM_MIGRATE_PRECOPIED)
		return;
	r->fill_rc = cpu_run(r->cpu, IP_FILL, NULL);
	r->started = !pthread_create(&r->thread, NULL, race_thread, r);
	/* 300 ms for the window to clear the log, were it not held off. */
	for (i = 0; r->started && i < 300 && !atomic_load(&r->done); i++)
		nanosleep(&ts, NULL);
	r->done_in_move = atomic_load(&r->done);
}

static void move_raced(struct rmguest *g, struct ctx *x)
{
	struct race r = { .cpu = &x->cpu[0] };
	struct mem_migrate_opts o = {
		.method = MEM_MIGRATE_WP, .max_rounds = 2,
		.dirty = &memory_kvm_dirty_ops, .dirty_ctx = &g->mem,
		.hook = race_hook, .hook_ctx = &r,
	};
	static const uint8_t zero[1];
	struct mem_migrate_stats st = { 0 };
	char why[128] = "";
	int p, e = 0, ok;

	for (p = 1; p <= 8; p++)
		e = e ? e : memory_write(&g->mem, MOVING * CHUNK + (uint64_t)p * RM_PAGE, zero, 1);
	e = e ? e : tracker_create(&r.t, NULL, 0, why, sizeof(why));
	e = e ? e : tracker_attach(r.t, g->kvm.vm_fd, &g->mem);
	e = e ? e : memory_migrate(&g->mem, MOVING, MEM_TIER_NVM, &o, &st);
	if (r.started)
		pthread_join(r.thread, NULL);
	ok = tap_ok(e == 0 && r.started && r.rc == 0 && r.fill_rc == 0,
		    "raced: chunk 1 moved again while a tracker window began on it");
	if (!ok)
		tap_diag("  move %s, window %s %s", strerror(-e), strerror(-r.rc), why);
	tap_ok(r.started && !r.done_in_move,
	       "raced: the window waited for the move to let go of the chunk");
	if (!tap_ok(st.recopied_pages >= 8, "raced: the pre-copy still found the 8 pages"))
		tap_diag("  %u pages copied again in %u rounds", st.recopied_pages, st.rounds);
	check_pages(g, "raced, slow tier");
	tracker_destroy(r.t);
}

int main(void)
{
	char nvm[] = "/tmp/mig_wp_nvm.XXXXXX";
	struct rmguest g;
	struct ctx x;
	char why[512] = "";
	int fd, r;

	tap_plan(23);
	memset(&g, 0, sizeof(g));
	memset(&x, 0, sizeof(x));
	g.vcpu_fd = -1;
	g.mem.fd = -1;
	fd = mkstemp(nvm);
	r = fd < 0 || ftruncate(fd, (off_t)RAM) < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	r = r ? r : setup(&g, &x, nvm, why, sizeof(why));
	if (!tap_ok(r == 0, "VM with 1 MiB in 256 KiB chunks, a file tier, 2 vCPUs, dirty log")) {
		tap_diag("  %s", why);
		goto out;
	}
	r = cpu_run(&x.cpu[0], IP_READ, NULL);
	tap_ok(r == 0 && x.cpu[0].out == 0x5a, "guest reads chunk 1 before the move");
	r = memory_wp_wait(&g.mem, memory_wp_seq(&g.mem));
	tap_is(r, -EFAULT, "an EFAULT with no move in progress stays an error");
	move_wp(&g, &x);
	move_back(&g);
	move_raced(&g, &x);
out:
	if (x.cpu[1].run && x.cpu[1].run != MAP_FAILED)
		munmap(x.cpu[1].run, (size_t)g.kvm.vcpu_mmap_size);
	if (x.cpu[1].fd > 0)
		close(x.cpu[1].fd);
	rmguest_exit(&g);
	unlink(nvm);
	return tap_done(1);
}
