/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `hmmv run` was asked to build. Each area keeps its settings in its
 * own struct here; the option table (vmm/options.c) fills them.
 */
#ifndef HMMV_VMM_CONFIG_H
#define HMMV_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "devices/devices.h"
#include "hmmv/engine.h"
#include "hmmv/pool_client.h"
#include "memory/memory.h"

enum boot_mode {
	BOOT_AUTO,	/* host-decompressed vmlinux when possible, else bzImage */
	BOOT_BZIMAGE,	/* the guest decompresses itself (--boot bzimage) */
};

struct boot_config {
	const char *kernel;	/* -k: bzImage or ELF vmlinux */
	const char *initrd;	/* -i, or NULL */
	const char *params;	/* -p, kernel command line */
	enum boot_mode mode;
	const char *cache_dir;	/* --cache, or NULL for the default */
	bool prepare;		/* --prepare: fill the cache, do not boot */
};

enum console_kind {
	CONSOLE_STDIO,		/* stdout/stdin, raw mode when stdin is a TTY */
	CONSOLE_FILE,		/* output appended to a file, no input */
	CONSOLE_NONE,		/* output discarded */
};

struct console_config {
	enum console_kind kind;
	const char *path;	/* CONSOLE_FILE */
	mode_t mode;		/* of a new file: 0600, 0640 (--group-readable) */
};

struct vm_config {
	int nr_cpus;			/* -c */
	struct boot_config boot;
	struct console_config console;
	struct memory_config mem;	/* -m fills mem.ram_size */
	struct devices_config dev;	/* --disk, --net, --rng */
	struct engine_config engine;	/* --hmmv*, --trace (hmmv/) */
	struct pool_client_config pool;	/* --pool, --name, --dram-min/max (hmmv/) */
	/* Other areas add their struct here (engine, ...). */
};

#endif
