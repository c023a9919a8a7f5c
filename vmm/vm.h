/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One virtual machine: the KVM fds, guest RAM, the port-I/O and MMIO buses,
 * the vCPU threads and the platform devices. Everything in hmmv hangs off
 * one struct vm, passed around; there is no other mutable global state.
 * Building, running and tearing it down: vmm/lifecycle.h. Here: the
 * structures, and what any of the VM's threads may do to it (vmm/vm.c).
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
/* Interrupts KVM_RUN in a vCPU thread (vm_kick_vcpu); its handler does nothing. */
#define VM_KICK_SIGNAL	SIGUSR2

/* The vCPU pause gate, vmm/pause.h. */
struct vm_pause {
	pthread_mutex_t lock;	/* serialises pausers too */
	pthread_cond_t cond;
	atomic_bool want;
	int parked;		/* vCPU threads waiting in vcpu_pause_point */
	int active;		/* vCPU threads inside their run loop */
	bool ready;
};

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

/* Asks every vCPU to stop; @reason is kept only by the first caller. */
void vm_request_stop(struct vm *vm, int reason);
static inline bool vm_stopping(struct vm *vm)
{
	return atomic_load(&vm->stopping);
}
/* Makes a running or about-to-run KVM_RUN return; async-signal-safe. */
void vm_kick_vcpu(struct vcpu *vcpu);

/*
 * Legacy INTx routing of PCI slot @slot on bus 0, INTA (as the DSDT's _PRT
 * says): GSI 15 + slot, level triggered, active low. Slots 1..8.
 */
#define VM_PCI_INTX_GSI(slot)	(15 + (slot))

#endif
