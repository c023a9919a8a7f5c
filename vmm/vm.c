// SPDX-License-Identifier: GPL-2.0
/*
 * What every thread of a VM may do to it: ask it to stop, and kick a vCPU
 * out of KVM_RUN. Below the vCPU loop, the pause gate and the platform
 * devices, which all call these; the lifecycle (vmm/lifecycle.c) is above
 * them all.
 */
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/vm.h"

void vm_kick_vcpu(struct vcpu *vcpu)
{
	if (vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->started)
		pthread_kill(vcpu->thread, VM_KICK_SIGNAL);
}

void vm_request_stop(struct vm *vm, int reason)
{
	uint64_t one = 1;
	bool expected = false;
	int i;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, true))
		return;
	vm->exit_reason = reason;
	for (i = 0; i < vm->nr_vcpus; i++)
		vm_kick_vcpu(&vm->vcpus[i]);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0) {
		/* The counter cannot overflow with one write; nothing to do. */
	}
}
