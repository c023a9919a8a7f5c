// SPDX-License-Identifier: GPL-2.0
/* Per-vCPU x86 state: CPUID, MSRs, FPU, LAPIC, and vCPU 0's boot registers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>

#include "vmm/boot.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define CPUID_MAX_ENTRIES	512

#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_IA32_TSC		0x10
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

#define MISC_ENABLE_FAST_STRING	(1ULL << 0)
#define MTRR_ENABLE_WB		((1ULL << 11) | 6)	/* enabled, default write-back */

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_MODE_EXTINT 0x7
#define APIC_MODE_NMI	0x4

int x86_cpuid_init(struct vm *vm)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + CPUID_MAX_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm.sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return -errno;
	}
	vm->cpuid = c;
	return 0;
}

static unsigned int cpuid_bits_for(unsigned int n)
{
	unsigned int b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

static bool cpuid_is_amd(const struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0)
			return c->entries[i].ebx == 0x68747541;	/* "Auth" */
	return false;
}

/*
 * Old AMD families (the nested test host's TCG "max" CPU says 0xf) make
 * Linux scan every PCI bus for a K8 GART: thousands of slow port exits.
 * Present family 0x17 instead; Linux has no GART on it.
 */
static uint32_t cpuid_modern_family(uint32_t eax, bool amd)
{
	uint32_t fam = (eax >> 8) & 0xf;

	if (fam == 0xf)
		fam += (eax >> 20) & 0xff;
	if (!amd || fam >= 0x17)
		return eax;
	return (eax & 0xf) | (1u << 4) | (0xfu << 8) | (0x8u << 20);
}

static void cpuid_topology(struct kvm_cpuid_entry2 *e, unsigned int id,
			   unsigned int n)
{
	unsigned int level = e->index;

	e->edx = id;
	if (level == 0) {
		e->eax = 0;
		e->ebx = 1;
		e->ecx = (1u << 8) | level;	/* SMT level, one thread per core */
	} else if (level == 1) {
		e->eax = cpuid_bits_for(n);
		e->ebx = n;
		e->ecx = (2u << 8) | level;	/* core level: all vCPUs */
	} else {
		e->eax = e->ebx = 0;
		e->ecx = level;
	}
}

static void cpuid_patch(struct kvm_cpuid_entry2 *e, unsigned int id,
			unsigned int n, bool amd, bool tsc_deadline)
{
	switch (e->function) {
	case 1:
		e->eax = cpuid_modern_family(e->eax, amd);
		e->ebx = (e->ebx & 0xffff) | ((n > 255 ? 255 : n) << 16) | (id << 24);
		e->ecx |= 1u << 31;		/* hypervisor present */
		if (tsc_deadline)
			e->ecx |= 1u << 24;	/* KVM emulates it, but does not say so */
		break;
	case 4:
		e->eax &= 0x3ffu;
		e->eax |= (n - 1) << 26;
		if (((e->eax >> 5) & 7) == 3)
			e->eax |= (n - 1) << 14;	/* L3 shared by all */
		break;
	case 0xb:
	case 0x1f:
		cpuid_topology(e, id, n);
		break;
	case 0x40000000:
		e->eax = e->eax < 0x40000001 ? 0x40000001 : e->eax;
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
		break;
	case 0x80000001:
		e->eax = cpuid_modern_family(e->eax, amd);
		break;
	case 0x80000008:
		e->ecx = (e->ecx & ~0xf0ffu) | (cpuid_bits_for(n) << 12) | (n - 1);
		break;
	case 0x8000001e:
		e->eax = id;
		e->ebx = (e->ebx & ~0xffffu) | id;	/* core id, 1 thread per core */
		e->ecx &= ~0x7ffu;			/* node 0, one node */
		break;
	}
}

static int x86_set_cpuid(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c;
	size_t sz = sizeof(*c) + vm->cpuid->nent * sizeof(c->entries[0]);
	bool amd = cpuid_is_amd(vm->cpuid);
	/* The LAPIC's TSC-deadline mode spares Linux its LAPIC timer
	 * calibration, which fails under nested emulation (PIT fallback). */
	bool tsc_deadline = ioctl(vm->kvm.sys_fd, KVM_CHECK_EXTENSION,
				  KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	unsigned int i;
	int r = 0;

	c = malloc(sz);
	if (!c)
		return -ENOMEM;
	memcpy(c, vm->cpuid, sz);
	for (i = 0; i < c->nent; i++)
		cpuid_patch(&c->entries[i], (unsigned int)vcpu->id,
			    (unsigned int)vm->nr_vcpus, amd, tsc_deadline);
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0)
		r = -errno;
	free(c);
	return r;
}

static int x86_set_msrs(struct vcpu *vcpu)
{
	static const struct { uint32_t index; uint64_t data; } init[] = {
		{ MSR_IA32_SYSENTER_CS, 0 }, { MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 }, { MSR_STAR, 0 }, { MSR_CSTAR, 0 },
		{ MSR_KERNEL_GS_BASE, 0 }, { MSR_SYSCALL_MASK, 0 }, { MSR_LSTAR, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WB },
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[sizeof(init) / sizeof(init[0])];
	} m;
	unsigned int i, n = sizeof(init) / sizeof(init[0]);
	int r;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = n;
	for (i = 0; i < n; i++) {
		m.e[i].index = init[i].index;
		m.e[i].data = init[i].data;
	}
	r = ioctl(vcpu->fd, KVM_SET_MSRS, &m);
	if (r < 0)
		return -errno;
	return (unsigned int)r == n ? 0 : -EIO;
}

static int x86_set_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	return ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0 ? -errno : 0;
}

/* LINT0 delivers the 8259's ExtINT, LINT1 NMI, as firmware leaves them. */
static int x86_set_lapic(struct vcpu *vcpu)
{
	struct kvm_lapic_state l;
	uint32_t v;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	memcpy(&v, &l.regs[APIC_LVT0], 4);
	v = (v & ~0x700u & ~(1u << 16)) | (APIC_MODE_EXTINT << 8);
	memcpy(&l.regs[APIC_LVT0], &v, 4);
	memcpy(&v, &l.regs[APIC_LVT1], 4);
	v = (v & ~0x700u & ~(1u << 16)) | (APIC_MODE_NMI << 8);
	memcpy(&l.regs[APIC_LVT1], &v, 4);
	return ioctl(vcpu->fd, KVM_SET_LAPIC, &l) < 0 ? -errno : 0;
}

static void x86_flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = code ? 0 : 1, .s = 1,
		.l = code ? 1 : 0, .g = 1,
	};
}

/* vCPU 0 starts in long mode at the kernel's 64-bit entry (boot protocol). */
static int x86_set_boot_regs(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	x86_flat_seg(&s.cs, BOOT_CS, 0xb, true);
	x86_flat_seg(&s.ds, BOOT_DS, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct kvm_segment){ .base = 0, .limit = 0x67, .selector = BOOT_TSS,
				     .type = 0xb, .present = 1 };
	s.gdt.base = BOOT_GDT_GPA;
	s.gdt.limit = 6 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr3 = BOOT_PML4_GPA;
	s.cr4 = CR4_PAE;
	s.cr0 = CR0_PE | CR0_ET | CR0_PG;
	s.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	r.rip = vm->boot.entry;
	r.rsi = vm->boot.zero_page;
	r.rsp = BOOT_PARAMS_GPA - 0x10;
	return ioctl(vcpu->fd, KVM_SET_REGS, &r) < 0 ? -errno : 0;
}

int x86_vcpu_setup(struct vm *vm, struct vcpu *vcpu)
{
	int r;

	if (!vm->cpuid) {
		r = x86_cpuid_init(vm);
		if (r < 0)
			return r;
	}
	r = x86_set_cpuid(vm, vcpu);
	if (r == 0)
		r = x86_set_msrs(vcpu);
	if (r == 0)
		r = x86_set_fpu(vcpu);
	if (r == 0)
		r = x86_set_lapic(vcpu);
	if (r == 0 && vcpu->id == 0)
		r = x86_set_boot_regs(vm, vcpu);
	return r;
}
