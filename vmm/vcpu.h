/* SPDX-License-Identifier: GPL-2.0 */
/* vCPUs: one thread each, running KVM_RUN and dispatching exits. */
#ifndef HMMV_VMM_VCPU_H
#define HMMV_VMM_VCPU_H

#include <stdio.h>

struct vm;
struct vcpu;

/* Creates vCPU @id with CPUID, MSRs, LAPIC and (for 0) the boot state. */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, int id);
int vcpu_start(struct vcpu *vcpu);
/* Joins every started vCPU thread (after vm_request_stop()). */
void vcpu_join_all(struct vm *vm);
void vcpu_destroy(struct vcpu *vcpu);
/* Prints the vCPU's registers (for triple faults and emulation failures). */
void vcpu_dump(struct vcpu *vcpu, FILE *f);

/* x86 state, vmm/x86_cpu.c. */
int x86_cpuid_init(struct vm *vm);
int x86_vcpu_setup(struct vm *vm, struct vcpu *vcpu);

#endif
