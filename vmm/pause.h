/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pausing every vCPU between two KVM_RUNs, for whoever must change guest
 * memory under the guest's feet (memory/'s remap primitive): vm_pause()
 * returns once no vCPU runs guest code, vm_resume() lets them go.
 */
#ifndef HMMV_VMM_PAUSE_H
#define HMMV_VMM_PAUSE_H

struct vm;
struct vcpu;

int vm_pause_init(struct vm *vm);
void vm_pause_exit(struct vm *vm);
int vm_pause(void *vm);
void vm_resume(void *vm);
/* Called by each vCPU thread before KVM_RUN, and on entry and exit. */
void vcpu_pause_point(struct vcpu *vcpu);
void vcpu_pause_enter(struct vcpu *vcpu);
void vcpu_pause_leave(struct vcpu *vcpu);

#endif
