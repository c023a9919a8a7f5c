// SPDX-License-Identifier: GPL-2.0
/* hmmv run: parse the flags, build the VM, run it, report how it ended. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "vmm/cmd.h"
#include "vmm/options.h"
#include "vmm/lifecycle.h"

static int prepare_kernel(struct vm_config *cfg)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	int status = 0;

	if (!vm) {
		fprintf(stderr, "hmmv run: out of memory\n");
		return 1;
	}
	vm->cfg = cfg;
	if (boot_prepare(vm) < 0) {
		fprintf(stderr, "hmmv run: %s\n", vm->why);
		status = vm->usage_error ? EXIT_USAGE : 1;
	}
	free(vm);
	return status;
}

static int run_vm(struct vm_config *cfg)
{
	struct vm *vm;
	sigset_t sigs;
	int status;

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		fprintf(stderr, "hmmv run: out of memory\n");
		return 1;
	}
	/* Also ignores SIGPIPE: a vanished stdout must not kill hmmv. */
	if (vm_signals_block(&sigs) < 0) {
		fprintf(stderr, "hmmv run: cannot block signals\n");
		free(vm);
		return 1;
	}
	if (vm_create(vm, cfg) < 0) {
		fprintf(stderr, "hmmv run: %s\n", vm->why);
		status = vm->usage_error ? EXIT_USAGE : VM_EXIT_ERROR;
		vm_destroy(vm);
		free(vm);
		return status;
	}
	status = vm_run(vm, &sigs);
	vm_destroy(vm);
	if (vm->report[0])
		fputs(vm->report, stderr);
	if (status == VM_EXIT_ERROR && vm->why[0])
		fprintf(stderr, "hmmv run: %s\n", vm->why);
	free(vm);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	char why[512];
	int r;

	r = run_opts_parse(&cfg, argc, argv, why, sizeof(why));
	if (r > 0)
		return 0;
	if (r < 0) {
		fprintf(stderr, "hmmv run: %s\n", why);
		return EXIT_USAGE;
	}
	if (cfg.boot.prepare)
		return prepare_kernel(&cfg);
	return run_vm(&cfg);
}
