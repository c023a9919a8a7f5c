// SPDX-License-Identifier: GPL-2.0
/*
 * Exits 0 when this machine's KVM can really run a guest (kvm_usable():
 * /dev/kvm opens, has every capability hmmv needs, a VM and a vCPU can be
 * created), 1 otherwise. make demo uses it to choose between booting
 * directly and booting inside the nested test host.
 */
#include "vmm/kvm.h"

int main(void)
{
	return kvm_usable() ? 0 : 1;
}
