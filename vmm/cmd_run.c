// SPDX-License-Identifier: GPL-2.0
/* hmmv run: placeholder that checks KVM, until the Boot issue lands. */
#include <stdio.h>

#include "vmm/cmd.h"
#include "vmm/kvm.h"

int cmd_run(int argc, char **argv)
{
	struct kvm kvm;
	char why[512];

	if (kvm_open(&kvm, why, sizeof(why)) < 0) {
		fprintf(stderr, "hmmv run: %s\n", why);
		return 1;
	}
	kvm_close(&kvm);
	fprintf(stderr, "hmmv run: booting a kernel is not implemented yet\n");
	return EXIT_USAGE;
}
