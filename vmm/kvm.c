// SPDX-License-Identifier: GPL-2.0
/* Opening KVM and checking what hmmv relies on, once, up front. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "vmm/kvm.h"

struct kvm_cap_need {
	int cap;
	const char *name;
};

static const struct kvm_cap_need kvm_caps_needed[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2" },
	{ KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS" },
	{ KVM_CAP_DIRTY_LOG_RING, "KVM_CAP_DIRTY_LOG_RING" },
};

static int kvm_check_caps(struct kvm *kvm, char *why, size_t whylen)
{
	size_t i;
	int r;

	for (i = 0; i < sizeof(kvm_caps_needed) / sizeof(kvm_caps_needed[0]); i++) {
		r = ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, kvm_caps_needed[i].cap);
		if (r <= 0) {
			snprintf(why, whylen, "%s: KVM lacks %s (host kernel too old?)",
				 KVM_DEV_PATH, kvm_caps_needed[i].name);
			return -ENOTSUP;
		}
		switch (kvm_caps_needed[i].cap) {
		case KVM_CAP_NR_MEMSLOTS:
			kvm->nr_memslots = r;
			break;
		case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
			kvm->manual_dirty_log = r;
			break;
		case KVM_CAP_DIRTY_LOG_RING:
			kvm->dirty_ring_max = r;
			break;
		}
	}
	return 0;
}

int kvm_open(struct kvm *kvm, char *why, size_t whylen)
{
	int r, err;

	memset(kvm, 0, sizeof(*kvm));
	kvm->vm_fd = -1;
	kvm->sys_fd = open(KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (kvm->sys_fd < 0) {
		err = errno;
		snprintf(why, whylen,
			 "%s: %s; hmmv needs KVM (without it, 'make test' and 'make demo' use the nested test host, see README)",
			 KVM_DEV_PATH, strerror(err));
		return -err;
	}
	r = ioctl(kvm->sys_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		snprintf(why, whylen, "%s: KVM API version %d, hmmv needs %d",
			 KVM_DEV_PATH, r, KVM_API_VERSION);
		kvm_close(kvm);
		return -ENOTSUP;
	}
	r = kvm_check_caps(kvm, why, whylen);
	if (r < 0) {
		kvm_close(kvm);
		return r;
	}
	kvm->vcpu_mmap_size = ioctl(kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->vcpu_mmap_size <= 0) {
		err = errno;
		snprintf(why, whylen, "%s: KVM_GET_VCPU_MMAP_SIZE: %s", KVM_DEV_PATH,
			 strerror(err));
		kvm_close(kvm);
		return -err;
	}
	return 0;
}

int kvm_create_vm(struct kvm *kvm)
{
	kvm->vm_fd = ioctl(kvm->sys_fd, KVM_CREATE_VM, 0);
	if (kvm->vm_fd < 0)
		return -errno;
	return 0;
}

void kvm_close(struct kvm *kvm)
{
	if (kvm->vm_fd >= 0)
		close(kvm->vm_fd);
	if (kvm->sys_fd >= 0)
		close(kvm->sys_fd);
	kvm->vm_fd = -1;
	kvm->sys_fd = -1;
}

bool kvm_usable(void)
{
	struct kvm kvm;
	char why[256];
	bool ok = false;
	int vcpu;

	if (kvm_open(&kvm, why, sizeof(why)) < 0)
		return false;
	if (kvm_create_vm(&kvm) == 0) {
		vcpu = ioctl(kvm.vm_fd, KVM_CREATE_VCPU, 0);
		if (vcpu >= 0) {
			ok = true;
			close(vcpu);
		}
	}
	kvm_close(&kvm);
	return ok;
}

