// SPDX-License-Identifier: GPL-2.0
/* vCPU threads and the KVM_RUN exit loop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/pause.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id)
{
	void *run;
	int r;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		r = -errno;
		snprintf(vm->why, sizeof(vm->why), "KVM_CREATE_VCPU %d: %s", id, strerror(-r));
		return r;
	}
	run = mmap(NULL, (size_t)vm->kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
		snprintf(vm->why, sizeof(vm->why), "vCPU %d: mmap: %s", id, strerror(-r));
		return r;
	}
	vcpu->run = run;
	r = x86_vcpu_setup(vm, vcpu);
	if (r < 0 && !vm->why[0])
		snprintf(vm->why, sizeof(vm->why), "vCPU %d setup: %s", id, strerror(-r));
	return r;
}

static void vcpu_report(struct vcpu *vcpu, const char *what)
{
	struct vm *vm = vcpu->vm;
	bool expected = false;
	FILE *f;

	if (!atomic_compare_exchange_strong(&vm->reported, &expected, true))
		return;
	/* Printed by the command line once the terminal is restored. */
	f = fmemopen(vm->report, sizeof(vm->report) - 1, "w");
	if (!f)
		return;
	fprintf(f, "hmmv: vCPU %d: %s\n", vcpu->id, what);
	vcpu_dump(vcpu, f);
	fclose(f);
}

static void vcpu_exit_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;
	for (i = 0; i < run->io.count; i++) {
		io_bus_dispatch(&vcpu->vm->pio, run->io.port, data, run->io.size,
				run->io.direction == KVM_EXIT_IO_OUT);
		data += run->io.size;
	}
}

static void vcpu_exit_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vcpu->vm, VM_EXIT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vcpu->vm, VM_EXIT_RESET);
		break;
	default:
		vcpu_report(vcpu, "guest crash event");
		vm_request_stop(vcpu->vm, VM_EXIT_CRASH);
	}
}

/* Returns false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_exit_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		/* KVM's emulator hit a chunk in its final copy: RAM, not a device. */
		if (memory_wp_mmio(&vcpu->vm->mem, run->mmio.phys_addr, run->mmio.data,
				   run->mmio.len > 8 ? 8 : run->mmio.len, run->mmio.is_write))
			return true;
		io_bus_dispatch(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data,
				run->mmio.len > 8 ? 8 : run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* Triple fault: a reset on real hardware. */
		vcpu_report(vcpu, "triple fault (guest reset)");
		vm_request_stop(vcpu->vm, VM_EXIT_RESET);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_exit_system_event(vcpu);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM_EXIT_FAIL_ENTRY, reason 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM internal error, suberror %u",
			 run->internal.suberror);
		break;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u", run->exit_reason);
	}
	vcpu_report(vcpu, what);
	vm_request_stop(vcpu->vm, VM_EXIT_CRASH);
	return false;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	char what[96];
	uint64_t wp;
	sigset_t kick;

	/* Blocked in every other thread (vm_signals_block): only vCPUs take it. */
	sigemptyset(&kick);
	sigaddset(&kick, VM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	vcpu_pause_enter(vcpu);
	while (!vm_stopping(vm)) {
		vcpu_pause_point(vcpu);
		wp = memory_wp_seq(&vm->mem);
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/*
			 * A write to a chunk in its write-protected final copy:
			 * wait for the move and re-enter (the write was not
			 * done). Any other EFAULT is fatal.
			 */
			if (errno == EFAULT && !memory_wp_wait(&vm->mem, wp))
				continue;
			snprintf(what, sizeof(what), "KVM_RUN: %s", strerror(errno));
			vcpu_report(vcpu, what);
			vm_request_stop(vm, VM_EXIT_ERROR);
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	vcpu_pause_leave(vcpu);
	return NULL;
}

static void vcpu_kick_handler(int sig)
{
}

int vcpu_start(struct vcpu *vcpu)
{
	struct sigaction sa = { .sa_handler = vcpu_kick_handler };
	int r;

	/* No SA_RESTART: the ioctl must return EINTR. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(VM_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	r = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (r)
		return -r;
	vcpu->started = true;
	return 0;
}

void vcpu_join_all(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!vm->vcpus[i].started)
			continue;
		pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run && vcpu->vm)
		munmap(vcpu->run, (size_t)vcpu->vm->kvm.vcpu_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static void vcpu_dump_seg(FILE *f, const char *name, const struct kvm_segment *s)
{
	fprintf(f, "  %-3s %04x base %016llx limit %08x type %x dpl %u l %u db %u p %u\n",
		name, s->selector, (unsigned long long)s->base, s->limit, s->type,
		s->dpl, s->l, s->db, s->present);
}

void vcpu_dump(struct vcpu *vcpu, FILE *f)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(f, "  (registers unavailable: %s)\n", strerror(errno));
		return;
	}
	fprintf(f, "  rip %016llx rsp %016llx rflags %016llx\n"
		   "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
		   "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n"
		   "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n"
		   "  r13 %016llx r14 %016llx r15 %016llx\n"
		   "  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rsp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax,
		(unsigned long long)r.rbx, (unsigned long long)r.rcx,
		(unsigned long long)r.rdx, (unsigned long long)r.rsi,
		(unsigned long long)r.rdi, (unsigned long long)r.rbp,
		(unsigned long long)r.r8, (unsigned long long)r.r9,
		(unsigned long long)r.r10, (unsigned long long)r.r11,
		(unsigned long long)r.r12, (unsigned long long)r.r13,
		(unsigned long long)r.r14, (unsigned long long)r.r15,
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer);
	vcpu_dump_seg(f, "cs", &s.cs);
	vcpu_dump_seg(f, "ss", &s.ss);
	vcpu_dump_seg(f, "tr", &s.tr);
	fprintf(f, "  gdt %016llx/%04x idt %016llx/%04x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
	if (r.rip == 0xfff0 && s.cs.base == 0xffff0000)
		fprintf(f, "  (KVM re-initialised this vCPU on the shutdown, as on AMD SVM: reset values)\n");
}
