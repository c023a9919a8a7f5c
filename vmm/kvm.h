/* SPDX-License-Identifier: GPL-2.0 */
/* The KVM system and VM file descriptors and the capabilities hmmv needs. */
#ifndef HMMV_VMM_KVM_H
#define HMMV_VMM_KVM_H

#include <stdbool.h>
#include <stddef.h>

struct kvm {
	int sys_fd;		/* /dev/kvm */
	int vm_fd;		/* KVM_CREATE_VM, or -1 */
	int vcpu_mmap_size;
	int nr_memslots;
	int manual_dirty_log;	/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 flags */
	int dirty_ring_max;	/* KVM_CAP_DIRTY_LOG_RING bytes, 0 if none */
};

#define KVM_DEV_PATH "/dev/kvm"

/*
 * Opens /dev/kvm, checks the API version and every capability hmmv relies
 * on. Returns 0, or -errno with a one-line reason in @why (size @whylen).
 */
int kvm_open(struct kvm *kvm, char *why, size_t whylen);
/* Creates the VM (KVM_CREATE_VM); -errno on failure. */
int kvm_create_vm(struct kvm *kvm);
void kvm_close(struct kvm *kvm);
/* True when /dev/kvm exists and a VM with one vCPU can really be created. */
bool kvm_usable(void);

#endif
