/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building, running and tearing down one VM (struct vm, vmm/vm.h):
 * vm_create() -> vm_run() (blocks until the guest powers off, resets,
 * crashes or the host asks it to stop) -> vm_destroy().
 */
#ifndef HMMV_VMM_LIFECYCLE_H
#define HMMV_VMM_LIFECYCLE_H

#include <signal.h>

#include "vmm/vm.h"

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

#endif
