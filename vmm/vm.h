/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One virtual machine: the KVM fds, guest RAM, the port-I/O and MMIO buses,
 * the vCPU threads and the platform devices. Everything in hmmv hangs off
 * one struct vm, passed around; there is no other mutable global state.
 *
 * Lifecycle: vm_create() -> vm_run() (blocks until the guest powers off,
 * resets, crashes or the host asks it to stop) -> vm_destroy().
 */
#ifndef HMMV_VMM_VM_H
#define HMMV_VMM_VM_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/devices.h"
#include "memory/memory.h"
#include "vmm/boot.h"
#include "vmm/config.h"
#include "vmm/kvm.h"
#include "vmm/pause.h"

struct vm;
struct kvm_run;
struct kvm_cpuid2;
struct serial;
struct i8042;
struct acpi_pm;
struct console;
struct control;
struct tracker;
struct engine;

/*
 * Why the VM stopped. The numeric values are hmmv run's exit statuses
 * (README "Exit status"; hmmv run --help).
 */
enum vm_exit_reason {
	VM_EXIT_POWEROFF = 0,	/* guest ACPI S5 (poweroff) */
	VM_EXIT_ERROR = 1,	/* hmmv failed at run time */
	VM_EXIT_RESET = 3,	/* guest reboot: i8042 reset, triple fault, panic */
	VM_EXIT_SIGNAL = 4,	/* a stop signal (vm_signals_block) or console escape */
	VM_EXIT_CRASH = 5,	/* vCPU in a state hmmv cannot continue */
};

#define VM_MAX_CPUS	64

struct vcpu {
	struct vm *vm;
	int id;			/* also its APIC ID */
	int fd;
	struct kvm_run *run;	/* mmap of the vCPU fd */
	pthread_t thread;
	bool started;
};

struct vm {
	struct vm_config *cfg;
	struct kvm kvm;		/* kvm.sys_fd, kvm.vm_fd */
	struct guest_mem mem;
	struct io_bus pio;	/* port I/O, dispatched from KVM_EXIT_IO */
	struct io_bus mmio;	/* MMIO, dispatched from KVM_EXIT_MMIO */
	int nr_vcpus;
	struct vcpu vcpus[VM_MAX_CPUS];

	/* Platform devices owned by vmm/ (devices/legacy.h, vmm/platform.c). */
	struct serial *serial;
	struct i8042 *i8042;
	struct acpi_pm *pm;
	struct console *console;
	struct devices devices;	/* PCI host bridge and virtio (devices/) */
	bool devices_ok;

	struct boot_info boot;	/* where the kernel, initrd, tables went */

	/* memory/ remaps: vCPU pause gate and the control socket. */
	struct vm_pause pause;
	struct control *control;

	/* hmmv/: the tracker's KVM primitives and the engine's thread, both
	 * NULL when nothing tracks (--hmmv off, or no slow tier, no --trace). */
	struct tracker *tracker;
	struct engine *engine;
	struct pool_client *pool;	/* --pool */

	/* Stop protocol: the first vm_request_stop() wins. */
	atomic_bool stopping;
	int exit_reason;	/* enum vm_exit_reason, valid once stopping */
	int stop_fd;		/* eventfd the main thread polls */

	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, patched per vCPU */
	atomic_bool reported;	/* the first vCPU report wins */
	char report[2048];	/* register dump, printed after the terminal is restored */
	char why[512];		/* failure, one line, for the command line */
	bool usage_error;	/* the failure is the user's input (exit 2) */
};

/*
 * Builds the VM described by @cfg: KVM VM, irqchip, PIT, RAM, devices,
 * vCPUs, loaded kernel. On failure returns -errno with a one-line reason
 * in vm->why (for the command line to print); call vm_destroy() after
 * either outcome.
 * vm->usage_error says the user's input was at fault (exit 2).
 */
int vm_create(struct vm *vm, struct vm_config *cfg);
/*
 * Blocks the signals hmmv turns into a clean stop (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGALRM, SIGPWR, ... and the real-time ones) and the
 * vCPU kick in the calling thread, so that every thread created later
 * inherits the mask, and ignores SIGPIPE and SIGXFSZ; call before
 * vm_create(). Fills @set (the stop signals) for vm_run().
 */
int vm_signals_block(sigset_t *set);
/* Starts one thread per vCPU, serves the console and the signals in @sigs
 * until the VM stops; returns the enum vm_exit_reason. */
int vm_run(struct vm *vm, const sigset_t *sigs);
/* Joins every thread and releases everything; safe after a failed create. */
void vm_destroy(struct vm *vm);

/* Asks every vCPU to stop; @reason is kept only by the first caller. */
void vm_request_stop(struct vm *vm, int reason);
static inline bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

/*
 * Legacy INTx routing of PCI slot @slot on bus 0, INTA (as the DSDT's _PRT
 * says): GSI 15 + slot, level triggered, active low. Slots 1..8.
 */
#define VM_PCI_INTX_GSI(slot)	(15 + (slot))

#endif
