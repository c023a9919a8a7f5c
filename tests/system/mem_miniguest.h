/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny 32-bit guest for memory tests and the remap benchmark: it fills
 * one word every @stride bytes of [start, end) with (address ^ pass) and
 * checks them, forever, reporting the mismatches of each pass on port 0x10
 * and the pass number on port 0x14.
 * The host runs it on one vCPU thread and can pause/resume that thread (the
 * struct mem_pause_ops a VMM provides), so chunks can be remapped under it.
 */
#ifndef HMMV_TESTS_MEM_MINIGUEST_H
#define HMMV_TESTS_MEM_MINIGUEST_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "memory/memory.h"

#define MG_CODE_GPA	0x1000ULL
#define MG_PORT_MISMATCH 0x10
#define MG_PORT_PASS	0x14

/* The guest loop; position independent, 32-bit protected mode, no paging. */
__asm__(".pushsection .rodata\n"
	".globl mg_code_start\n.globl mg_code_end\n"
	"mg_code_start:\n"
	".code32\n"
	"0:	mov %esi, %ecx\n"
	"1:	mov %ecx, %eax\n"
	"	xor %ebx, %eax\n"
	"	mov %eax, (%ecx)\n"
	"	add %edx, %ecx\n"
	"	cmp %edi, %ecx\n"
	"	jb 1b\n"
	"	mov %esi, %ecx\n"
	"	xor %ebp, %ebp\n"
	"2:	mov %ecx, %eax\n"
	"	xor %ebx, %eax\n"
	"	cmp %eax, (%ecx)\n"
	"	je 3f\n"
	"	inc %ebp\n"
	"3:	add %edx, %ecx\n"
	"	cmp %edi, %ecx\n"
	"	jb 2b\n"
	"	mov %ebp, %eax\n"
	"	out %eax, $0x10\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $0x14\n"
	"	inc %ebx\n"
	"	jmp 0b\n"
	".code64\n"
	"mg_code_end:\n"
	".popsection\n");
extern const unsigned char mg_code_start[], mg_code_end[];

struct miniguest {
	struct guest_mem *mem;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool want_pause, paused, stop, finish;
	atomic_uint_fast64_t passes, mismatches, last_pass;
	atomic_uint_fast64_t wp_waits;	/* EFAULTs waited out (memory_wp_wait) */
	atomic_uint_fast64_t wp_mmio;	/* RAM accesses KVM handed out as MMIO */
	int error;			/* -errno or unexpected exit reason */
};

static inline void mg_sigusr1(int sig)
{
}

static inline int mg_setup_vcpu(struct miniguest *g, uint32_t start, uint32_t end,
			 uint32_t stride)
{
	struct kvm_segment code = { .base = 0, .limit = 0xffffffff, .selector = 8,
				    .type = 11, .present = 1, .dpl = 0, .db = 1, .s = 1,
				    .l = 0, .g = 1 };
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = MG_CODE_GPA, .rflags = 2, .rsi = start,
				 .rdi = end, .rbx = 1, .rdx = stride };

	if (ioctl(g->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	data.type = 3;
	data.selector = 16;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	/* Protected mode, paging off, caches on (reset CR0 has CD/NW set). */
	sregs.cr0 = 0x11;
	if (ioctl(g->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(g->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

/*
 * Creates the VM over @mem, the guest loop covering [start, end); with
 * @dirty the memslots are dirty-logged with manual protect, as with the
 * engine on (for memory_migrate's pre-copy).
 */
static inline int mg_create_log(struct miniguest *g, struct guest_mem *mem, uint32_t start,
				uint32_t end, uint32_t stride, bool dirty)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
	};
	int err, sz;

	memset(g, 0, sizeof(*g));
	g->mem = mem;
	g->vm_fd = g->vcpu_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm_fd < 0)
		return -errno;
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0)
		return -errno;
	if (ioctl(g->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0)
		return -errno;
	if (dirty && ioctl(g->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return -errno;
	err = memory_map_slots(mem, g->vm_fd, dirty ? KVM_MEM_LOG_DIRTY_PAGES : 0);
	if (err)
		return err;
	err = memory_write(mem, MG_CODE_GPA, mg_code_start,
			   (size_t)(mg_code_end - mg_code_start));
	if (err)
		return err;
	g->vcpu_fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, 0);
	sz = ioctl(g->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->vcpu_fd < 0 || sz <= 0)
		return -errno;
	g->run_size = (size_t)sz;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return -errno;
	}
	return mg_setup_vcpu(g, start, end, stride);
}

static inline int mg_create(struct miniguest *g, struct guest_mem *mem, uint32_t start,
			    uint32_t end, uint32_t stride)
{
	return mg_create_log(g, mem, start, end, stride, false);
}

/* Holds the vCPU thread while a pause is wanted; false to stop. */
static inline bool mg_gate(struct miniguest *g)
{
	bool go;

	pthread_mutex_lock(&g->lock);
	while (g->want_pause && !g->stop) {
		g->paused = true;
		pthread_cond_broadcast(&g->cond);
		pthread_cond_wait(&g->cond, &g->lock);
	}
	g->paused = false;
	go = !g->stop;
	pthread_mutex_unlock(&g->lock);
	return go;
}

/* One port write from the guest; true when the loop should end. */
static inline bool mg_port(struct miniguest *g)
{
	uint32_t v;

	memcpy(&v, (uint8_t *)g->run + g->run->io.data_offset, 4);
	if (g->run->io.port == MG_PORT_MISMATCH) {
		atomic_fetch_add(&g->mismatches, v);
		return false;
	}
	atomic_store(&g->last_pass, v);
	atomic_fetch_add(&g->passes, 1);
	/* Stopping on a pass boundary leaves memory holding one pass's pattern. */
	pthread_mutex_lock(&g->lock);
	v = g->finish;
	pthread_mutex_unlock(&g->lock);
	return v;
}

static inline void *mg_thread(void *arg)
{
	struct miniguest *g = arg;
	uint64_t wp;

	for (;;) {
		if (!mg_gate(g))
			break;
		wp = memory_wp_seq(g->mem);
		if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* As vmm/vcpu.c: a write to a chunk in its final copy. */
			if (errno == EFAULT && !memory_wp_wait(g->mem, wp)) {
				atomic_fetch_add(&g->wp_waits, 1);
				continue;
			}
			g->error = -errno;
			break;
		}
		if (g->run->exit_reason == KVM_EXIT_IO &&
		    g->run->io.direction == KVM_EXIT_IO_OUT && g->run->io.size == 4) {
			if (mg_port(g))
				break;
			continue;
		}
		if (g->run->exit_reason == KVM_EXIT_INTR)
			continue;
		/* As vmm/vcpu.c: KVM's emulator writing a protected chunk. */
		if (g->run->exit_reason == KVM_EXIT_MMIO &&
		    memory_wp_mmio(g->mem, g->run->mmio.phys_addr, g->run->mmio.data,
				   g->run->mmio.len > 8 ? 8 : g->run->mmio.len,
				   g->run->mmio.is_write)) {
			atomic_fetch_add(&g->wp_mmio, 1);
			continue;
		}
		g->error = (int)g->run->exit_reason;
		break;
	}
	pthread_mutex_lock(&g->lock);
	g->paused = true;	/* a finished vCPU counts as paused */
	g->stop = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

static inline int mg_pause(void *ctx)
{
	struct miniguest *g = ctx;

	pthread_mutex_lock(&g->lock);
	g->want_pause = true;
	g->run->immediate_exit = 1;
	while (!g->paused) {
		pthread_kill(g->thread, SIGUSR1);
		pthread_mutex_unlock(&g->lock);
		sched_yield();
		pthread_mutex_lock(&g->lock);
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static inline void mg_resume(void *ctx)
{
	struct miniguest *g = ctx;

	pthread_mutex_lock(&g->lock);
	g->want_pause = false;
	if (!g->stop) {
		g->run->immediate_exit = 0;
		g->paused = false;
	}
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static const struct mem_pause_ops mg_pause_ops = { mg_pause, mg_resume };

static inline int mg_start(struct miniguest *g)
{
	struct sigaction sa = { .sa_handler = mg_sigusr1 };
	int err;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0)
		return -errno;
	memory_set_pause_ops(g->mem, &mg_pause_ops, g);
	err = pthread_create(&g->thread, NULL, mg_thread, g);
	if (err)
		return -err;
	g->started = true;
	return 0;
}

/* Lets the current pass finish, then joins the vCPU thread. */
static inline void mg_finish(struct miniguest *g)
{
	if (!g->started)
		return;
	pthread_mutex_lock(&g->lock);
	g->finish = true;
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	g->started = false;
}

/* Stops the vCPU wherever it is and joins it. */
static inline void mg_stop(struct miniguest *g)
{
	if (!g->started)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	g->run->immediate_exit = 1;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	pthread_kill(g->thread, SIGUSR1);
	pthread_join(g->thread, NULL);
	g->started = false;
}

static inline void mg_destroy(struct miniguest *g)
{
	mg_stop(g);
	memory_set_pause_ops(g->mem, NULL, NULL);
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->vcpu_fd >= 0)
		close(g->vcpu_fd);
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
}

#endif
