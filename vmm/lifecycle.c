// SPDX-License-Identifier: GPL-2.0
/* Building, running and tearing down one VM. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/acpi.h"
#include "vmm/boot.h"
#include "vmm/console.h"
#include "vmm/control.h"
#include "vmm/lifecycle.h"
#include "vmm/pause.h"
#include "vmm/platform.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* Two pages KVM needs inside guest-physical space on Intel (VMX real mode
 * emulation); placed in the hole just below the IOAPIC, clear of PCI BARs. */
#define VM_TSS_ADDR		0xfffbd000ULL
#define VM_IDENTITY_MAP_ADDR	0xfffbc000ULL

static int vm_fail(struct vm *vm, int err, const char *what)
{
	snprintf(vm->why, sizeof(vm->why), "%s: %s", what, strerror(-err));
	return err;
}

static int vm_create_kvm(struct vm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t idmap = VM_IDENTITY_MAP_ADDR;
	int r;

	r = kvm_open(&vm->kvm, vm->why, sizeof(vm->why));
	if (r < 0)
		return r;
	r = kvm_create_vm(&vm->kvm);
	if (r < 0)
		return vm_fail(vm, r, "KVM_CREATE_VM");
	if (ioctl(vm->kvm.vm_fd, KVM_SET_TSS_ADDR, VM_TSS_ADDR) < 0)
		return vm_fail(vm, -errno, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->kvm.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		return vm_fail(vm, -errno, "KVM_SET_IDENTITY_MAP_ADDR");
	/* Full in-kernel irqchip: PIC, IOAPIC, LAPICs; then the PIT. */
	if (ioctl(vm->kvm.vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return vm_fail(vm, -errno, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->kvm.vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return vm_fail(vm, -errno, "KVM_CREATE_PIT2");
	return 0;
}

static bool vm_slow_tier(const struct vm *vm)
{
	return vm->cfg->mem.nvm.kind != MEM_BACK_NONE;
}

/* The engine or --trace: before any memslot exists (manual dirty-log protection). */
static int vm_create_tracker(struct vm *vm)
{
	int r;

	if (!engine_config_tracks(&vm->cfg->engine, vm_slow_tier(vm)))
		return 0;
	r = tracker_create(&vm->tracker, vm->cfg->engine.trace, vm->cfg->engine.trace_mode,
			   vm->why, sizeof(vm->why));
	if (r < 0) {
		vm->usage_error = true;	/* an unwritable FILE */
		return r;
	}
	r = tracker_enable(vm->tracker, vm->kvm.vm_fd);
	return r < 0 ? vm_fail(vm, r, "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2") : 0;
}

static int vm_create_memory(struct vm *vm)
{
	int r;

	r = memory_config_validate(&vm->cfg->mem, vm->why, sizeof(vm->why));
	if (r == 0)
		r = control_check_path(vm->cfg->mem.control_path, vm->why, sizeof(vm->why));
	if (r < 0) {
		vm->usage_error = true;
		return r;
	}
	r = memory_init(&vm->mem, &vm->cfg->mem);
	if (r == -EBUSY) {
		/* memory/ locks a device or file slow tier to one VM. */
		snprintf(vm->why, sizeof(vm->why), "--nvm %s: in use by another process",
			 vm->cfg->mem.nvm.path);
		vm->usage_error = true;
		return r;
	}
	if (r == -ENOSPC && vm->cfg->mem.dram.hugetlb) {
		/* Free when checked, taken by someone else since. */
		snprintf(vm->why, sizeof(vm->why), "--dram hugetlb: the DRAM nodes ran out of "
			 "free 2 MiB huge pages while hmmv took them; reserve more (nr_hugepages)");
		return r;
	}
	if (r < 0)
		return vm_fail(vm, r, "guest memory");
	r = vm_create_tracker(vm);
	if (r < 0)
		return r;
	r = memory_map_slots(&vm->mem, vm->kvm.vm_fd, tracker_slot_flags(vm->tracker));
	if (r < 0)
		return vm_fail(vm, r, "KVM_SET_USER_MEMORY_REGION");
	if (vm->tracker) {
		r = tracker_attach(vm->tracker, vm->kvm.vm_fd, &vm->mem);
		if (r < 0)
			return vm_fail(vm, r, "access tracker");
		/* --hmmv off with --trace: observe, move nothing. */
		r = engine_create(&vm->engine, &vm->cfg->engine, vm->tracker, &vm->mem,
				  vm_slow_tier(vm) && vm->cfg->engine.mode != ENGINE_OFF,
				  vm->why, sizeof(vm->why));
		if (r < 0) {
			vm->usage_error = r == -EINVAL;
			return r;
		}
	}
	r = vm_pause_init(vm);
	return r < 0 ? vm_fail(vm, r, "vCPU pause gate") : 0;
}

/*
 * The guest is loaded: the kernel, initrd, boot tables and ACPI were written
 * through raw pointers that hold no chunk, so nothing may move a chunk
 * before this point. Whatever moves chunks (the control socket's remaps,
 * the engine) starts here, before any vCPU runs.
 */
static int vm_start_movers(struct vm *vm)
{
	int r;

	r = control_start(&vm->control, vm->cfg->mem.control_path, &vm->mem,
			  vm->why, sizeof(vm->why));
	/* A path the user named that cannot be bound is a usage error. */
	if (r < 0 && vm->cfg->mem.control_path && r != -ENOMEM)
		vm->usage_error = true;
	if (r == 0 && vm->engine)
		control_set_engine(vm->control, vm->engine);
	if (r == 0 && vm->cfg->pool.name)
		control_set_name(vm->control, vm->cfg->pool.name);
	return r;
}

/* After the irqchip and the memslots, before any vCPU runs. */
static int vm_create_pci(struct vm *vm)
{
	struct devices_env env = {
		.vm_fd = vm->kvm.vm_fd, .mem = &vm->mem,
		.pio = &vm->pio, .mmio = &vm->mmio,
	};
	int r;

	r = devices_init(&vm->devices, &vm->cfg->dev, &env, vm->why, sizeof(vm->why));
	if (r < 0) {
		/* devices/ names the flag or file and knows whether it was bad input. */
		vm->usage_error = vm->devices.usage_error;
		return r;
	}
	vm->devices_ok = true;
	return 0;
}

static int vm_create_devices(struct vm *vm)
{
	int r;

	r = console_open(&vm->console, &vm->cfg->console, vm->why, sizeof(vm->why));
	if (r < 0) {
		vm->usage_error = true;
		return r;
	}
	r = vm_create_pci(vm);
	if (r < 0)
		return r;
	return platform_create(vm);	/* its UART's line goes through devices/irq.c */
}

static void vm_destroy_devices(struct vm *vm)
{
	platform_destroy(vm);
	/* After the vCPUs are joined: drains disk I/O, syncs the images. */
	if (vm->devices_ok)
		devices_exit(&vm->devices);
	vm->devices_ok = false;
	console_close(vm->console);
	vm->console = NULL;
}

int vm_create(struct vm *vm, struct vm_config *cfg)
{
	int r, i;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm.sys_fd = -1;
	vm->kvm.vm_fd = -1;
	vm->mem.fd = -1;
	vm->stop_fd = -1;
	for (i = 0; i < VM_MAX_CPUS; i++)
		vm->vcpus[i].fd = -1;
	atomic_init(&vm->stopping, false);
	if (io_bus_init(&vm->pio) < 0 || io_bus_init(&vm->mmio) < 0)
		return vm_fail(vm, -ENOMEM, "I/O bus");
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0)
		return vm_fail(vm, -errno, "eventfd");
	/* A missing or non-kernel file is the user's error, KVM or not. */
	r = boot_check_files(vm);
	if (r < 0)
		return r;
	r = vm_create_kvm(vm);
	if (r < 0)
		return r;
	r = vm_create_memory(vm);
	if (r < 0)
		return r;
	r = boot_load(vm, &vm->boot);
	if (r < 0)
		return r;
	r = acpi_build(vm, &vm->boot);
	if (r < 0)
		return vm_fail(vm, r, "ACPI tables");
	r = vm_create_devices(vm);
	if (r < 0)
		return r;
	vm->nr_vcpus = cfg->nr_cpus;
	for (i = 0; i < vm->nr_vcpus; i++) {
		r = vcpu_create(vm, &vm->vcpus[i], i);
		if (r < 0)
			return r;
	}
	return vm_start_movers(vm);
}

/*
 * Every signal whose default would kill hmmv is decided here (README,
 * "Signals"): those below stop the VM cleanly (exit 4); SIGPIPE and SIGXFSZ
 * are ignored (the failing write reports EPIPE or EFBIG, which the usual
 * error path handles); VM_KICK_SIGNAL is the vCPU kick (vmm/vm.c): blocked here,
 * taken by vCPU threads only, harmless from outside; faults (SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS) keep their default.
 */
static const int vm_stop_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGALRM, SIGVTALRM, SIGPROF,
	SIGPWR, SIGXCPU, SIGIO, SIGSTKFLT,
};

int vm_signals_block(sigset_t *set)
{
	sigset_t all;
	size_t i;
	int sig;

	sigemptyset(set);
	for (i = 0; i < sizeof(vm_stop_signals) / sizeof(vm_stop_signals[0]); i++)
		sigaddset(set, vm_stop_signals[i]);
	/* glibc keeps a few real-time signals for itself; sigaddset refuses them. */
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR || signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		return -errno;
	all = *set;
	sigaddset(&all, VM_KICK_SIGNAL);
	return -pthread_sigmask(SIG_BLOCK, &all, NULL);
}

static int vm_start_vcpus(struct vm *vm)
{
	int i, r;

	for (i = 0; i < vm->nr_vcpus; i++) {
		r = vcpu_start(&vm->vcpus[i]);
		if (r < 0) {
			snprintf(vm->why, sizeof(vm->why), "vCPU %d thread: %s", i,
				 strerror(-r));
			return r;
		}
	}
	return 0;
}

/* The main thread serves host signals, the stop eventfd and console input. */
static void vm_serve(struct vm *vm, int sig_fd)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[3];
	int in_fd, n;

	while (!vm_stopping(vm)) {
		in_fd = console_input_fd(vm->console, platform_console_room(vm));
		pfd[0] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = vm->stop_fd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
		/* A full receive FIFO is drained by the guest: look again soon. */
		n = poll(pfd, 3, in_fd < 0 && console_has_input(vm->console) ? 10 : -1);
		if (n < 0 && errno != EINTR) {
			vm_request_stop(vm, VM_EXIT_ERROR);
			break;
		}
		if (n <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) &&
		    read(sig_fd, &si, sizeof(si)) == sizeof(si))
			vm_request_stop(vm, VM_EXIT_SIGNAL);
		if (pfd[2].revents)
			platform_console_input(vm);
	}
}

/* The trace's summary line, printed like a report once the terminal is back. */
static void vm_trace_summary(struct vm *vm)
{
	char line[sizeof(vm->report) - 64];

	engine_summary(vm->engine, line, sizeof(line));
	snprintf(vm->report, sizeof(vm->report), "hmmv run: --trace %s: %s\n",
		 tracker_path(vm->tracker), line);
}

static void vm_pool_report(void *arg, struct pool_report *r)
{
	struct vm *vm = arg;

	engine_pool_report(vm->engine, &r->held_bytes, &r->hot_bytes, r->hist);
}

static void vm_pool_quota(void *arg, uint64_t bytes)
{
	struct vm *vm = arg;

	engine_set_quota(vm->engine, bytes);
}

static const struct pool_client_ops vm_pool_ops = {
	.report = vm_pool_report,
	.set_quota = vm_pool_quota,
};

/* --pool: register once the engine runs, so that it enforces the quota. */
static int vm_start_pool(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	int r;

	if (!c->pool.path || !vm->engine)
		return 0;
	r = pool_client_start(&vm->pool, &c->pool, vm->mem.ram_size,
			      vm->mem.tiers[MEM_TIER_DRAM].quota, vm->mem.chunk_size,
			      &vm_pool_ops, vm, vm->why, sizeof(vm->why));
	if (r == -EINVAL)
		vm->usage_error = true;
	return r;
}

/* Stops the engine, then the trace; false when either failed. */
static bool vm_engine_stop(struct vm *vm)
{
	bool ok = true;

	if (vm->engine && engine_stop(vm->engine, vm->why, sizeof(vm->why)) < 0)
		ok = false;
	if (vm->tracker && tracker_stop(vm->tracker, ok ? vm->why : NULL,
					sizeof(vm->why)) < 0)
		ok = false;
	return ok;
}

/* Flushes the console and says, after any other report, what a stalled
 * reader made it drop. */
static void vm_console_summary(struct vm *vm)
{
	size_t used = strlen(vm->report);
	uint64_t dropped;

	console_flush(vm->console);
	dropped = console_dropped(vm->console);
	if (dropped)
		snprintf(vm->report + used, sizeof(vm->report) - used,
			 "hmmv run: console: %llu bytes of guest output dropped "
			 "(the output did not keep up)\n", (unsigned long long)dropped);
}

int vm_run(struct vm *vm, const sigset_t *sigs)
{
	int sig_fd, r;

	sig_fd = signalfd(-1, sigs, SFD_CLOEXEC);
	if (sig_fd < 0) {
		snprintf(vm->why, sizeof(vm->why), "signalfd: %s", strerror(errno));
		return VM_EXIT_ERROR;
	}
	r = console_start(vm->console);
	if (r < 0) {
		snprintf(vm->why, sizeof(vm->why), "console: %s", strerror(-r));
		close(sig_fd);
		return VM_EXIT_ERROR;
	}
	/* The quota first: nothing may take DRAM the pool did not grant. */
	r = vm_start_pool(vm);
	if (r >= 0)
		r = vm_start_vcpus(vm);
	if (r >= 0 && vm->engine) {
		r = engine_start(vm->engine, vm->stop_fd);
		if (r < 0)
			engine_stop(vm->engine, vm->why, sizeof(vm->why));
	}
	if (r < 0)
		vm_request_stop(vm, VM_EXIT_ERROR);
	else
		vm_serve(vm, sig_fd);
	pool_client_stop(vm->pool);
	vm->pool = NULL;
	/* The engine first: a move in flight resumes the vCPUs it paused. */
	if (!vm_engine_stop(vm))
		vm->exit_reason = VM_EXIT_ERROR;	/* a trace cut short, a failed engine */
	else if (tracker_tracing(vm->tracker) && !vm->report[0])
		vm_trace_summary(vm);
	vcpu_join_all(vm);
	console_stop(vm->console);
	vm_console_summary(vm);
	close(sig_fd);
	return vm->exit_reason;
}

void vm_destroy(struct vm *vm)
{
	int i;

	control_stop(vm->control);
	vm->control = NULL;
	engine_destroy(vm->engine);
	vm->engine = NULL;
	vcpu_join_all(vm);
	tracker_destroy(vm->tracker);
	vm->tracker = NULL;
	vm_pause_exit(vm);
	for (i = 0; i < VM_MAX_CPUS; i++)
		vcpu_destroy(&vm->vcpus[i]);
	vm_destroy_devices(vm);
	/*
	 * KVM lets go of guest RAM before it is unmapped: memslots deleted,
	 * then the VM closed (no vCPU or device holds it any more), so the
	 * unmap is plain page-table work, with no second-level zap under it.
	 */
	memory_unmap_slots(&vm->mem);
	kvm_close(&vm->kvm);
	memory_exit(&vm->mem);
	free(vm->cpuid);
	vm->cpuid = NULL;
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vm->stop_fd = -1;
	io_bus_exit(&vm->mmio);
	io_bus_exit(&vm->pio);
}
