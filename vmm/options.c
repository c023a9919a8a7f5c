// SPDX-License-Identifier: GPL-2.0
/* `hmmv run` flags: one table, one entry per flag, grouped by area. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hmmv/safe_file.h"
#include "vmm/options.h"
#include "vmm/vm.h"

#define DEFAULT_MEM	(512ULL << 20)
#define DEFAULT_PARAMS	"console=ttyS0"

/* ---- vmm/: CPUs, boot, console ---- */

static int opt_cpus(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > VM_MAX_CPUS) {
		snprintf(why, n, "'%s' is not a CPU count from 1 to %d", arg,
			 VM_MAX_CPUS);
		return -EINVAL;
	}
	cfg->nr_cpus = (int)v;
	return 0;
}

static int opt_mem(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	uint64_t v;

	if (memory_parse_size(arg, &v) < 0) {
		snprintf(why, n, "'%s' is not a size (e.g. 512M, 2G)", arg);
		return -EINVAL;
	}
	if (v < MEM_DEFAULT_CHUNK || v % MEM_DEFAULT_CHUNK) {
		snprintf(why, n, "'%s' must be a non-zero multiple of 2 MiB%s", arg,
			 v < MEM_DEFAULT_CHUNK ? " (a bare number is bytes: 512M, not 512)" : "");
		return -EINVAL;
	}
	if (v > (1ULL << 40)) {
		snprintf(why, n, "'%s' is more than 1 TiB", arg);
		return -EINVAL;
	}
	cfg->mem.ram_size = v;
	return 0;
}

static int opt_kernel(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	cfg->boot.kernel = arg;
	return 0;
}

static int opt_initrd(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	cfg->boot.initrd = arg;
	return 0;
}

static int opt_params(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	cfg->boot.params = arg;
	return 0;
}

static int opt_boot(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	if (!strcmp(arg, "auto")) {
		cfg->boot.mode = BOOT_AUTO;
	} else if (!strcmp(arg, "bzimage")) {
		cfg->boot.mode = BOOT_BZIMAGE;
	} else {
		snprintf(why, n, "'%s' is neither 'auto' nor 'bzimage'", arg);
		return -EINVAL;
	}
	return 0;
}

static int opt_cache(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	if (!*arg) {
		snprintf(why, n, "empty directory name");
		return -EINVAL;
	}
	cfg->boot.cache_dir = arg;
	return 0;
}

static int opt_prepare(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	cfg->boot.prepare = true;
	return 0;
}

/* Files hmmv creates (--console file:, --trace) are private unless asked. */
static int opt_group_readable(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	cfg->console.mode = SAFE_FILE_MODE_GROUP;
	cfg->engine.trace_mode = SAFE_FILE_MODE_GROUP;
	return 0;
}

static int opt_console(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	if (!strcmp(arg, "stdio")) {
		cfg->console.kind = CONSOLE_STDIO;
	} else if (!strcmp(arg, "none")) {
		cfg->console.kind = CONSOLE_NONE;
	} else if (!strncmp(arg, "file:", 5) && arg[5]) {
		cfg->console.kind = CONSOLE_FILE;
		cfg->console.path = arg + 5;
	} else {
		snprintf(why, n, "'%s' is not stdio, none or file:PATH", arg);
		return -EINVAL;
	}
	return 0;
}

/* ---- memory/: thin wrappers over its parser (memory/options.c) ---- */

static int opt_dram(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return memory_parse_flag(&cfg->mem, "--dram", arg, why, n);
}

static int opt_nvm(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return memory_parse_flag(&cfg->mem, "--nvm", arg, why, n);
}

static int opt_placement(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return memory_parse_flag(&cfg->mem, "--placement", arg, why, n);
}

static int opt_chunk(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return memory_parse_flag(&cfg->mem, "--chunk", arg, why, n);
}

static int opt_control(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	if (!*arg) {
		snprintf(why, n, "empty socket path");
		return -EINVAL;
	}
	cfg->mem.control_path = arg;
	return 0;
}

/* ---- devices/: thin wrappers over its parsers ---- */

static int opt_disk(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return devices_parse_disk(&cfg->dev, arg, why, n);
}

static int opt_net(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return devices_parse_net(&cfg->dev, arg, why, n);
}

static int opt_rng(struct vm_config *cfg, const char *arg, char *why, size_t n)
{
	return devices_parse_rng(&cfg->dev);
}

/*
 * A flag an area of hmmv/ parses itself: @parse(&cfg->@field, FLAG, ...).
 * One wrapper per flag, so the table below keeps one handler signature.
 */
#define AREA_OPT(fn, parse, field, flag)					\
static int fn(struct vm_config *cfg, const char *arg, char *why, size_t n)	\
{										\
	return parse(&cfg->field, flag, arg, why, n);				\
}

/* ---- hmmv/: the engine and --trace (hmmv/engine_config.c parses) ---- */

#define ENGINE_OPT(fn, flag) AREA_OPT(fn, engine_parse_flag, engine, flag)
ENGINE_OPT(opt_trace, "--trace")
ENGINE_OPT(opt_trace_pages, "--trace-pages")
ENGINE_OPT(opt_trace_interval, "--trace-interval")
ENGINE_OPT(opt_hmmv, "--hmmv")
ENGINE_OPT(opt_hmmv_interval, "--hmmv-interval")
ENGINE_OPT(opt_hmmv_windows, "--hmmv-windows")
ENGINE_OPT(opt_hmmv_window_ms, "--hmmv-window-ms")
ENGINE_OPT(opt_hmmv_block, "--hmmv-block-pages")
ENGINE_OPT(opt_hmmv_levels, "--hmmv-levels")
ENGINE_OPT(opt_hmmv_rate, "--hmmv-rate")
ENGINE_OPT(opt_hmmv_track, "--hmmv-track-pct")
ENGINE_OPT(opt_hmmv_fault, "--hmmv-fault-ns")
ENGINE_OPT(opt_hmmv_copy, "--hmmv-copy")
ENGINE_OPT(opt_hmmv_move, "--hmmv-move")
ENGINE_OPT(opt_hmmv_dirty_log, "--hmmv-dirty-log")

/* ---- hmmv/: the DRAM pool's client (hmmv/pool_client.c parses) ---- */

#define POOL_OPT(fn, flag) AREA_OPT(fn, pool_client_parse_flag, pool, flag)
POOL_OPT(opt_pool, "--pool")
POOL_OPT(opt_pool_name, "--name")
POOL_OPT(opt_dram_min, "--dram-min")
POOL_OPT(opt_dram_max, "--dram-max")

const struct run_opt run_opts[] = {
	/* vmm/ (boot) */
	{ "kernel", 'k', "FILE", "guest kernel: a bzImage (XZ/gzip/... compressed, as\n"
	  "distributions ship it) or an uncompressed ELF vmlinux (required)", opt_kernel },
	{ "initrd", 'i', "FILE", "initial ramdisk, loaded high in guest RAM", opt_initrd },
	{ "params", 'p', "STRING", "kernel command line (default \"" DEFAULT_PARAMS "\")",
	  opt_params },
	{ "mem", 'm', "SIZE", "guest RAM, a multiple of 2M (default 512M)", opt_mem },
	{ "cpus", 'c', "N", "number of vCPUs, 1 to 64 (default 1)", opt_cpus },
	{ "console", 0, "KIND", "serial console ttyS0: 'stdio' (default: guest output to\n"
	  "stdout, stdin to the guest, raw terminal if stdin is a TTY;\n"
	  "Ctrl-A x quits), 'file:PATH' (output appended to PATH, no\n"
	  "input) or 'none'", opt_console },
	{ "group-readable", 0, NULL, "create --console file: and --trace files 0640\n"
	  "instead of 0600 (an existing file keeps its mode; a\n"
	  "symlink, FIFO or other non-regular file is refused)", opt_group_readable },
	{ "boot", 0, "MODE", "'auto' (default): decompress a compressed bzImage on the\n"
	  "host once, cache the vmlinux and enter it directly;\n"
	  "'bzimage': load the bzImage as is, the guest decompresses", opt_boot },
	{ "cache", 0, "DIR", "where decompressed kernels are cached (default\n"
	  "$XDG_CACHE_HOME/hmmv or ~/.cache/hmmv; unwritable = no cache)", opt_cache },
	{ "prepare", 0, NULL, "decompress and cache the kernel, then exit 0 without\n"
	  "booting (needs no KVM)", opt_prepare },
	/* memory/ (tiers): add entries here */
	{ "dram", 0, "SIZE[,hugetlb][,node=N|any]", "DRAM tier: SIZE of guest RAM in DRAM (default all of\n"
	  "-m), on 2 MiB huge pages (all taken at launch from the\n"
	  "DRAM nodes' pools), bound to NUMA node N (default: the\n"
	  "nodes with CPUs); node=any leaves it unbound, placed (and\n"
	  "tiered) by the kernel", opt_dram },
	{ "nvm", 0, "DEV|FILE|node=N", "slow tier: a devdax device (/dev/daxX.Y), a fsdax or\n"
	  "plain file, or memory of NUMA node N (e.g. CPU-less)", opt_nvm },
	{ "placement", 0, "POLICY", "launch placement: dram-first (default), nvm-first,\n"
	  "interleave", opt_placement },
	{ "chunk", 0, "SIZE", "placement/migration unit, a power of two from 4K to 1G\n"
	  "(default 2M; devdax and hugetlb need >= their 2 MiB)", opt_chunk },
	{ "control", 0, "PATH", "control socket for hmmv stat (default\n"
	  "$XDG_RUNTIME_DIR/hmmv/vm-PID.sock, else /tmp/hmmv-UID/vm-PID.sock;\n"
	  "0600 in a 0700 directory)", opt_control },
	/* devices/ (PCI, virtio) */
	{ "disk", 0, "PATH[,ro]", "virtio-blk disk on a raw image, size a multiple of 512\n"
	  "(repeatable, up to 6: vda, vdb, ...); ',ro' refuses writes", opt_disk },
	{ "net", 0, "tap=NAME", "virtio-net on host tap NAME (created if absent)", opt_net },
	{ "rng", 0, NULL, "virtio-rng fed from the host's getrandom()", opt_rng },
	/* hmmv/ (engine) */
	{ "hmmv", 0, "on|off", "the HMM-V engine: tracks the guest's accesses and moves\n"
	  "hot chunks to DRAM, cold ones to the slow tier (default on\n"
	  "with --nvm; off: placement stays as launched, no dirty log)", opt_hmmv },
	{ "hmmv-interval", 0, "MS", "engine interval, 10 to 60000 ms (default 100)",
	  opt_hmmv_interval },
	{ "hmmv-windows", 0, "N", "sampling windows per interval, 1 to 16 (default: the\n"
	  "policy's, 2)", opt_hmmv_windows },
	{ "hmmv-window-ms", 0, "MS", "length of a sampling window (default 5)",
	  opt_hmmv_window_ms },
	{ "hmmv-block-pages", 0, "N", "4 KiB pages watched per sampled chunk, a power of\n"
	  "two up to a chunk's pages (default: the policy's, 128)", opt_hmmv_block },
	{ "hmmv-levels", 0, "N", "multi-level queue levels, 1 to 8: a chunk at level L is\n"
	  "sampled every 2^L intervals (default: the policy's, 3)", opt_hmmv_levels },
	{ "hmmv-rate", 0, "MIB_S", "migration rate limit in MiB/s, 1 to 1000000 (default:\n"
	  "the policy's 64 chunks per interval)", opt_hmmv_rate },
	{ "hmmv-track-pct", 0, "PCT", "tracking budget: the share of the vCPUs' time, 0 to 100,\n"
	  "the sampling's refaults may cost the guest (each costing\n"
	  "--hmmv-fault-ns); beyond it fewer chunks are sampled per\n"
	  "interval; 0 = no bound (default 3)", opt_hmmv_track },
	{ "hmmv-fault-ns", 0, "NS", "what one of the sampling's refaults costs a vCPU, for the\n"
	  "tracking budget, 50 to 10000000 ns (default 1000, an EPT\n"
	  "violation on bare metal; nested virtualization costs more:\n"
	  "measure it there, tests/system/refault.c)", opt_hmmv_fault },
	{ "hmmv-copy", 0, "wp|pause", "how a move copies: 'wp' (default) pre-copies while the\n"
	  "guest runs, then makes only that chunk read-only for the\n"
	  "final copy, stalling only its writers; 'pause' stops\n"
	  "every vCPU for one copy", opt_hmmv_copy },
	{ "hmmv-move", 0, "chunk|page", "what moves: 'page' moves hot 4 KiB pages one by one\n"
	  "with move_pages(2), no pause, sampling whole chunks in\n"
	  "3 shortening windows; 'chunk' moves whole chunks (default:\n"
	  "page when DRAM and --nvm node=N are both NUMA nodes'\n"
	  "memory without hugetlb, chunk otherwise)", opt_hmmv_move },
	{ "hmmv-dirty-log", 0, "sampling|always", "when chunks are moved whole: 'sampling' (default)\n"
	  "turns KVM's dirty logging on for an interval's windows\n"
	  "and moves only, so that the guest keeps huge second-level\n"
	  "mappings elsewhere and meanwhile (where the host maps it\n"
	  "huge: devdax, --dram hugetlb); 'always' keeps it on (as\n"
	  "page moves and --trace do)", opt_hmmv_dirty_log },
	{ "trace", 0, "FILE", "record the engine's observations per interval into FILE\n"
	  "(hmmv/trace.h: the sampled pages, in how many windows each\n"
	  "was touched; replay it with hmmv sim --trace FILE); with\n"
	  "--hmmv off the engine tracks but moves nothing", opt_trace },
	{ "trace-interval", 0, "MS", "the same as --hmmv-interval", opt_trace_interval },
	{ "trace-pages", 0, "N", "the same as --hmmv-block-pages", opt_trace_pages },
	/* hmmv/ (the DRAM pool) */
	{ "pool", 0, "PATH", "draw DRAM from the hmmv pool serving the socket PATH: the\n"
	  "pool grants a DRAM quota and the engine keeps within it\n"
	  "(needs a slow tier, the engine on, DRAM without hugetlb)", opt_pool },
	{ "name", 0, "NAME", "this VM's name in the pool's figures (default vm-PID)",
	  opt_pool_name },
	{ "dram-min", 0, "SIZE", "DRAM the pool guarantees this VM (default 0)", opt_dram_min },
	{ "dram-max", 0, "SIZE", "most DRAM this VM asks of the pool (default: --dram)",
	  opt_dram_max },
};

const size_t run_opts_count = sizeof(run_opts) / sizeof(run_opts[0]);

void run_opts_usage(FILE *f)
{
	const struct run_opt *o;
	const char *h, *nl;
	char lhs[64];
	size_t i;

	fprintf(f, "usage: hmmv run -k KERNEL [-i INITRD] [-p PARAMS] [-m SIZE] [-c N] [FLAGS]\n\n"
		   "Boots a guest kernel on KVM; the guest's ttyS0 is the console.\n\nflags:\n");
	for (i = 0; i < run_opts_count; i++) {
		o = &run_opts[i];
		if (o->short_name)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name,
				 o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		if (strlen(lhs) > 24) {
			fprintf(f, "  %s\n", lhs);	/* long metavar: help below */
			lhs[0] = 0;
		}
		for (h = o->help; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			fprintf(f, "  %-24s %.*s\n", lhs, nl ? (int)(nl - h) : (int)strlen(h), h);
			lhs[0] = 0;
		}
	}
	fprintf(f, "  %-24s %s\n", "-h, --help", "print this help");
	fprintf(f, "\nsizes:\n");
	for (h = MEMORY_SIZE_RULE; h; h = nl ? nl + 1 : NULL) {
		nl = strchr(h, '\n');
		fprintf(f, "  %.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
	}
	fprintf(f, "\nexit status:\n"
		   "  0  the guest powered off (ACPI S5)\n"
		   "  1  hmmv failed at run time (KVM, host resources, I/O)\n"
		   "  2  usage error: bad flag or value, missing or unusable file,\n"
		   "     memory too small for kernel plus initrd\n"
		   "  3  the guest rebooted (i8042 reset, triple fault; a panic with\n"
		   "     panic=-1 ends here too); a triple fault also prints the\n"
		   "     vCPU's registers on stderr\n"
		   "  4  stopped by a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1,\n"
		   "     SIGALRM, SIGPWR, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, real-time\n"
		   "     signals) or the console escape; SIGPIPE, SIGXFSZ are ignored\n"
		   "  5  a vCPU hit a state hmmv cannot emulate (registers on stderr)\n");
}

static const struct run_opt *opt_find(const char *name, size_t len, char short_name)
{
	size_t i;

	for (i = 0; i < run_opts_count; i++) {
		if (short_name && run_opts[i].short_name == short_name)
			return &run_opts[i];
		if (!short_name && strlen(run_opts[i].name) == len &&
		    !strncmp(run_opts[i].name, name, len))
			return &run_opts[i];
	}
	return NULL;
}

static void opt_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_cpus = 1;
	memory_config_init(&cfg->mem, DEFAULT_MEM);
	cfg->boot.params = DEFAULT_PARAMS;
	cfg->boot.mode = BOOT_AUTO;
	cfg->console.kind = CONSOLE_STDIO;
	cfg->console.mode = SAFE_FILE_MODE;
	engine_config_init(&cfg->engine);
}

static int opt_apply(struct vm_config *cfg, const struct run_opt *o,
		     const char *arg, char *why, size_t whylen)
{
	char reason[200];
	int r;

	reason[0] = 0;
	r = o->parse(cfg, arg, reason, sizeof(reason));
	if (r < 0 && !strncmp(reason, "--", 2))
		snprintf(why, whylen, "%s", reason);	/* already names the flag */
	else if (r < 0)
		snprintf(why, whylen, "--%s: %s", o->name,
			 reason[0] ? reason : "invalid value");
	return r < 0 ? -EINVAL : 0;
}

/*
 * A slow tier that is also a disk would put guest RAM inside the image.
 * Compared by inode, so a symlink or another name for the file is caught;
 * paths that do not exist are left to the later checks.
 */
static int opts_check_nvm_disks(const struct vm_config *cfg, char *why, size_t whylen)
{
	struct stat nvm, disk;
	int i;

	if (cfg->mem.nvm.kind != MEM_BACK_FILE || stat(cfg->mem.nvm.path, &nvm) < 0)
		return 0;
	for (i = 0; i < cfg->dev.nr_disks; i++) {
		if (stat(cfg->dev.disk[i].path, &disk) < 0 ||
		    disk.st_dev != nvm.st_dev || disk.st_ino != nvm.st_ino)
			continue;
		snprintf(why, whylen, "--nvm %s: is also --disk %s (guest RAM would overwrite it)",
			 cfg->mem.nvm.path, cfg->dev.disk[i].path);
		return -EINVAL;
	}
	return 0;
}

int run_opts_parse(struct vm_config *cfg, int argc, char **argv,
		   char *why, size_t whylen)
{
	const struct run_opt *o;
	const char *a, *val, *eq;
	int i, r;

	opt_defaults(cfg);
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			run_opts_usage(stdout);
			return 1;
		}
		val = NULL;
		if (a[0] == '-' && a[1] == '-' && a[2]) {
			eq = strchr(a + 2, '=');
			o = opt_find(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2), 0);
			if (o && eq)
				val = eq + 1;
		} else if (a[0] == '-' && a[1] && a[1] != '-') {
			o = opt_find(NULL, 0, a[1]);
			if (o && a[2])
				val = a + 2;
		} else {
			snprintf(why, whylen, "unexpected argument '%s' (see hmmv run --help)", a);
			return -EINVAL;
		}
		if (!o) {
			snprintf(why, whylen, "unknown flag '%s' (see hmmv run --help)", a);
			return -EINVAL;
		}
		if (!o->metavar && val) {
			snprintf(why, whylen, "--%s takes no value", o->name);
			return -EINVAL;
		}
		if (o->metavar && !val) {
			if (i + 1 >= argc) {
				snprintf(why, whylen, "--%s needs a value %s", o->name, o->metavar);
				return -EINVAL;
			}
			val = argv[++i];
		}
		r = opt_apply(cfg, o, val, why, whylen);
		if (r < 0)
			return r;
	}
	cfg->engine.vcpus = (uint32_t)cfg->nr_cpus;
	r = engine_config_check(&cfg->engine, cfg->mem.nvm.kind != MEM_BACK_NONE,
				why, whylen);
	if (r < 0)
		return r;
	if ((cfg->pool.name || cfg->pool.min_bytes || cfg->pool.max_bytes) && !cfg->pool.path) {
		snprintf(why, whylen, "--%s: only with --pool PATH", cfg->pool.name ? "name" :
			 cfg->pool.min_bytes ? "dram-min" : "dram-max");
		return -EINVAL;
	}
	if (cfg->pool.path && (cfg->mem.nvm.kind == MEM_BACK_NONE ||
			       cfg->engine.mode == ENGINE_OFF)) {
		snprintf(why, whylen, "--pool: needs a slow tier (--nvm) and the engine on "
			 "(not --hmmv off): the engine keeps the VM within its quota");
		return -EINVAL;
	}
	if (cfg->pool.path && cfg->mem.dram.hugetlb) {
		snprintf(why, whylen, "--pool: not with --dram hugetlb, whose huge pages are "
			 "the VM's from launch to exit: the pool could not share them");
		return -EINVAL;
	}
	if (cfg->pool.max_bytes && cfg->mem.dram.size &&
	    cfg->pool.max_bytes > cfg->mem.dram.size) {
		snprintf(why, whylen, "--dram-max: above --dram (the DRAM tier's size)");
		return -EINVAL;
	}
	if (cfg->pool.max_bytes && cfg->pool.min_bytes > cfg->pool.max_bytes) {
		snprintf(why, whylen, "--dram-min: above --dram-max");
		return -EINVAL;
	}
	if (!cfg->boot.kernel) {
		snprintf(why, whylen, "no kernel given: -k/--kernel FILE is required (see hmmv run --help)");
		return -EINVAL;
	}
	return opts_check_nvm_disks(cfg, why, whylen);
}
