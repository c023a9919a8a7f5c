/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny real-mode guest for system tests: hmmv's own KVM layer (vmm/kvm.h)
 * and guest RAM (memory/memory.h), plus one raw vCPU. The guest's code is
 * hand-assembled 16-bit x86 the test writes into guest RAM; the vCPU runs
 * until HLT and collects what the guest writes to port RM_PORT.
 */
#ifndef HMMV_TESTS_SYSTEM_RMGUEST_H
#define HMMV_TESTS_SYSTEM_RMGUEST_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "memory/memory.h"
#include "tests/tap.h"
#include "vmm/kvm.h"

#define RM_PORT		0xe9	/* the guest's output port (Bochs/QEMU debug) */
#define RM_OUT_MAX	64
#define RM_PAGE		4096ULL
#define RM_RUN_SECONDS	30	/* a run that long is a hung vCPU */

struct rmguest {
	struct kvm kvm;
	struct guest_mem mem;
	int vcpu_fd;
	struct kvm_run *run;
	char out[RM_OUT_MAX];	/* bytes written to RM_PORT by the last run */
	size_t out_len;
};

/*
 * Opens KVM, creates the VM with @ram bytes of guest RAM in dirty-logged
 * memslots (manual protect first, when @manual_protect) and one vCPU.
 */
static inline int rmguest_init_cfg(struct rmguest *g, const struct memory_config *cfg,
				   int manual_protect, char *why, size_t whylen);

static inline int rmguest_init(struct rmguest *g, uint64_t ram, int manual_protect,
			       char *why, size_t whylen)
{
	struct memory_config cfg = { .ram_size = ram };

	return rmguest_init_cfg(g, &cfg, manual_protect, why, whylen);
}

/* The same with guest RAM as @cfg says (tiers, chunk size). */
static inline int rmguest_init_cfg(struct rmguest *g, const struct memory_config *cfg,
				   int manual_protect, char *why, size_t whylen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
	};
	int r;

	memset(g, 0, sizeof(*g));
	g->vcpu_fd = -1;
	g->mem.fd = -1;
	r = kvm_open(&g->kvm, why, whylen);
	if (r < 0)
		return r;
	r = kvm_create_vm(&g->kvm);
	if (r < 0) {
		snprintf(why, whylen, "KVM_CREATE_VM: %s", strerror(-r));
		return r;
	}
	if (manual_protect && ioctl(g->kvm.vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		r = -errno;
		snprintf(why, whylen, "KVM_ENABLE_CAP(MANUAL_DIRTY_LOG_PROTECT2): %s",
			 strerror(errno));
		return r;
	}
	r = memory_init(&g->mem, cfg);
	if (r < 0) {
		snprintf(why, whylen, "memory_init: %s", strerror(-r));
		return r;
	}
	r = memory_map_slots(&g->mem, g->kvm.vm_fd, KVM_MEM_LOG_DIRTY_PAGES);
	if (r < 0) {
		snprintf(why, whylen, "memory_map_slots: %s", strerror(-r));
		return r;
	}
	g->vcpu_fd = ioctl(g->kvm.vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0) {
		r = -errno;
		snprintf(why, whylen, "KVM_CREATE_VCPU: %s", strerror(errno));
		return r;
	}
	g->run = mmap(NULL, (size_t)g->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		r = -errno;
		g->run = NULL;
		snprintf(why, whylen, "mmap(kvm_run): %s", strerror(errno));
		return r;
	}
	return 0;
}

static inline void rmguest_exit(struct rmguest *g)
{
	if (g->run)
		munmap(g->run, (size_t)g->kvm.vcpu_mmap_size);
	if (g->vcpu_fd >= 0)
		close(g->vcpu_fd);
	memory_exit(&g->mem);
	kvm_close(&g->kvm);
	g->run = NULL;
	g->vcpu_fd = -1;
}

/*
 * rmguest_init() with manual protect as a TAP check: @what names the VM;
 * on failure the reason is a diagnostic and @g is released.
 */
static inline int rmguest_init_ok(struct rmguest *g, uint64_t ram, int manual_protect,
				  const char *what)
{
	char why[512] = "";
	int r = rmguest_init(g, ram, manual_protect, why, sizeof(why));

	if (!tap_ok(r == 0, "%s", what)) {
		tap_diag("  %s", why);
		rmguest_exit(g);
	}
	return r;
}

/* Flat real mode: every segment base 0, execution starts at @ip. */
static inline int rmguest_set_entry(struct rmguest *g, uint16_t ip)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(g->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds = sregs.es = sregs.ss = sregs.cs;
	sregs.ds.type = sregs.es.type = sregs.ss.type = 3;	/* data, RW */
	if (ioctl(g->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rflags = 2;
	if (ioctl(g->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

static inline unsigned long long rmguest_rip(struct rmguest *g)
{
	struct kvm_regs regs;

	if (ioctl(g->vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return ~0ULL;
	return regs.rip;
}

static inline int rmguest_run_loop(struct rmguest *g, uint16_t ip, char *why,
				   size_t whylen)
{
	struct kvm_run *run = g->run;
	uint8_t *data;
	int r, exits;

	g->out_len = 0;
	r = rmguest_set_entry(g, ip);
	if (r < 0) {
		snprintf(why, whylen, "set entry: %s", strerror(-r));
		return r;
	}
	for (exits = 0; exits < 100000; exits++) {
		if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0) {
			r = -errno;
			if (errno == EINTR) {
				snprintf(why, whylen, "guest did not halt within %d s (rip %#llx)",
					 RM_RUN_SECONDS, rmguest_rip(g));
				return -ETIMEDOUT;
			}
			snprintf(why, whylen, "KVM_RUN: %s", strerror(errno));
			return r;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			return 0;
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != RM_PORT ||
			    run->io.size != 1) {
				snprintf(why, whylen, "unexpected I/O on port %#x", run->io.port);
				return -EIO;
			}
			data = (uint8_t *)run + run->io.data_offset;
			if (g->out_len < RM_OUT_MAX)
				g->out[g->out_len++] = (char)*data;
			break;
		default:
			snprintf(why, whylen, "unexpected exit reason %u", run->exit_reason);
			return -EIO;
		}
	}
	snprintf(why, whylen, "guest never halted");
	return -EIO;
}

static void rm_alarm(int sig)
{
}

/* SIGALRM without SA_RESTART: a KVM_RUN that never returns fails EINTR. */
static inline int rm_arm_alarm(unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = rm_alarm };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -errno;
	alarm(seconds);
	return 0;
}

/*
 * Runs the vCPU from @ip until HLT. Returns 0 on HLT, -EIO on any other
 * exit (reason in @why), -errno when KVM_RUN fails, -ETIMEDOUT when the
 * guest does not halt within RM_RUN_SECONDS. Bounded: a guest that loops on
 * port output is cut off after a fixed number of exits.
 */
static inline int rmguest_run(struct rmguest *g, uint16_t ip, char *why, size_t whylen)
{
	int r = rm_arm_alarm(RM_RUN_SECONDS);

	if (r == 0)
		r = rmguest_run_loop(g, ip, why, whylen);
	else
		snprintf(why, whylen, "sigaction: %s", strerror(-r));
	alarm(0);
	return r;
}

/* Slot 0's dirty bitmap, one bit per 4 KiB page, into @bitmap. */
static inline int rmguest_get_dirty(struct rmguest *g, uint64_t *bitmap)
{
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = bitmap };

	memset(bitmap, 0, g->mem.regions[0].size / RM_PAGE / 8);
	if (ioctl(g->kvm.vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	return 0;
}

/* Manual protect: clears (and re-arms) every page of slot 0. */
static inline int rmguest_clear_dirty(struct rmguest *g, uint64_t *scratch)
{
	uint64_t pages = g->mem.regions[0].size / RM_PAGE;
	struct kvm_clear_dirty_log clr = {
		.slot = 0, .first_page = 0, .num_pages = (uint32_t)pages,
		.dirty_bitmap = scratch,
	};

	memset(scratch, 0xff, pages / 8);
	if (ioctl(g->kvm.vm_fd, KVM_CLEAR_DIRTY_LOG, &clr) < 0)
		return -errno;
	return 0;
}

/*
 * Guest code for the tracker tests, at most RM_CODE_MAX bytes each; both
 * start at the page whose real-mode segment is @seg (gpa @seg x 16) and
 * step @step paragraphs (0x100: every page) @n times.
 * rm_code_write_pages: byte 0 of page k := high byte of its segment
 * (0x20 + k for seg 0x2000, step 0x100), then HLT.
 * rm_code_sum_pages: adds byte 0 of each page, OUTs the sum's low byte to
 * RM_PORT, then HLT.
 */
#define RM_CODE_MAX	32

static inline size_t rm_code_write_pages(uint8_t *c, uint16_t seg, uint16_t step, uint16_t n)
{
	const uint8_t code[] = {
		0xb8, seg & 0xff, seg >> 8,	/* mov ax,seg */
		0xb9, n & 0xff, n >> 8,		/* mov cx,n */
		0x8e, 0xd8,			/* 1: mov ds,ax */
		0x88, 0x26, 0x00, 0x00,		/* mov [0x0000],ah */
		0x05, step & 0xff, step >> 8,	/* add ax,step */
		0xe2, 0xf5,			/* loop 1b */
		0xf4,				/* hlt */
	};

	memcpy(c, code, sizeof(code));
	return sizeof(code);
}

static inline size_t rm_code_sum_pages(uint8_t *c, uint16_t seg, uint16_t step, uint16_t n)
{
	const uint8_t code[] = {
		0xb8, seg & 0xff, seg >> 8,	/* mov ax,seg */
		0xb9, n & 0xff, n >> 8,		/* mov cx,n */
		0x30, 0xdb,			/* xor bl,bl */
		0x8e, 0xd8,			/* 1: mov ds,ax */
		0x02, 0x1e, 0x00, 0x00,		/* add bl,[0x0000] */
		0x05, step & 0xff, step >> 8,	/* add ax,step */
		0xe2, 0xf5,			/* loop 1b */
		0x88, 0xd8,			/* mov al,bl */
		0xe6, RM_PORT,			/* out RM_PORT,al */
		0xf4,				/* hlt */
	};

	memcpy(c, code, sizeof(code));
	return sizeof(code);
}

/*
 * Loads both routines over the @n pages from segment @seg: the writer at
 * @write_gpa (every page), the summer at @sum_gpa (every @sum_step
 * paragraphs, @sum_n pages). 0 or -errno.
 */
static inline int rmguest_load_pages_code(struct rmguest *g, uint64_t write_gpa,
					  uint64_t sum_gpa, uint16_t seg, uint16_t n,
					  uint16_t sum_step, uint16_t sum_n)
{
	uint8_t code[RM_CODE_MAX];
	int r;

	r = memory_write(&g->mem, write_gpa, code, rm_code_write_pages(code, seg, 0x100, n));
	if (r)
		return r;
	return memory_write(&g->mem, sum_gpa, code, rm_code_sum_pages(code, seg, sum_step, sum_n));
}

static inline int rm_test_bit(const uint64_t *bitmap, uint64_t page)
{
	return (int)((bitmap[page / 64] >> (page % 64)) & 1);
}

#endif
