// SPDX-License-Identifier: GPL-2.0
/*
 * Which second-level entries does one move drop? A 32-bit guest reads one
 * word of every page of its RAM (dirty-logged, manual protect, so a page
 * KVM maps again after a drop is logged, even for a read: "zap and log");
 * after a harvest a second pass logs nothing (control). Then chunk 1 is
 * moved to the slow tier, and the guest reads everything again: chunk 1's
 * pages must all be logged (the move is seen) and no page outside the
 * 2 MiB-aligned range holding chunk 1 (with 2 MiB chunks: no other chunk;
 * below that, Linux 6.1 drops the whole aligned 2 MiB, see census()). Done for
 * memory_remap() and for the write-protect method of memory_migrate(),
 * and a pass later (nothing may refault once the moves are over).
 *
 * The kernel may drop entries on its own: compaction, khugepaged or NUMA
 * balancing migrating a page of guest RAM makes KVM fault it in again. A
 * configuration runs in a child whose TAP is kept back; when it failed and
 * /proc/vmstat shows the kernel moved pages meanwhile, it runs again (three
 * runs at most); a failure with no such event is reported at once.
 *
 * usage: remap_scope CHUNK_KIB:RAM_MIB:NVM ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "memory/internal.h"
#include "tests/system/mem_miniguest.h"
#include "tests/tap.h"

__asm__(".pushsection .rodata\n"
	".globl rs_code_start\n.globl rs_code_end\n"
	"rs_code_start:\n"
	".code32\n"
	"	mov %esi, %ecx\n"
	"1:	mov (%ecx), %eax\n"
	"	add %edx, %ecx\n"
	"	cmp %edi, %ecx\n"
	"	jb 1b\n"
	"	hlt\n"
	".code64\n"
	"rs_code_end:\n"
	".popsection\n");
extern const unsigned char rs_code_start[], rs_code_end[];

#define THP_KNOB "/sys/kernel/mm/transparent_hugepage/shmem_enabled"
#define SCOPE_LINES 15
#define SCOPE_RUNS 3
/* Child exit status: failed while the kernel moved pages of its own. */
#define SCOPE_DISTURBED 3

struct scope {
	struct guest_mem m;
	struct miniguest g;
	uint64_t *bits;
	uint32_t pages, chunk_pages;
	bool inited;
};

/* One pass of the guest over all of RAM, to HLT. */
static int guest_pass(struct scope *s)
{
	struct miniguest *g = &s->g;
	int r, exits;

	r = mg_setup_vcpu(g, 0, (uint32_t)s->m.ram_size, MEM_PAGE_SIZE);
	if (r)
		return r;
	for (exits = 0; exits < 100; exits++) {
		if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0)
			return -errno;
		if (g->run->exit_reason == KVM_EXIT_HLT)
			return 0;
	}
	return -EIO;
}

/* The pages logged since the last harvest, re-armed. */
static int harvest(struct scope *s)
{
	int r = memory_kvm_dirty_ops.fetch(&s->m, 0, s->m.ram_size, s->bits);

	return r < 0 ? r : 0;
}

static uint32_t logged(struct scope *s, uint32_t first, uint32_t n)
{
	uint32_t p, k = 0;

	for (p = first; p < first + n; p++)
		k += (s->bits[p / 64] >> (p % 64)) & 1;
	return k;
}

/* Diagnosis: host huge pages mapping guest RAM (PMD-mapped shmem/file). */
static void show_pmd_mapped(void)
{
	unsigned long long kb, shmem = 0, file = 0;
	char line[256], mode[128] = "?";
	FILE *f = fopen("/proc/self/smaps", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "ShmemPmdMapped: %llu kB", &kb) == 1)
				shmem += kb;
			else if (sscanf(line, "FilePmdMapped: %llu kB", &kb) == 1)
				file += kb;
		}
		fclose(f);
	}
	f = fopen(THP_KNOB, "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = '\0';
		mode[strcspn(mode, "\n")] = '\0';
		fclose(f);
	}
	tap_diag("  host: ShmemPmdMapped %llu kB, FilePmdMapped %llu kB; shmem_enabled %s",
		 shmem, file, mode);
}

/*
 * Runs the guest, harvests, checks chunk @moved all logged and nothing
 * outside the 2 MiB-aligned range around it. Linux 6.1 splits a VMA at an
 * address that is not 2 MiB aligned through split_huge_pmd_address(),
 * which invalidates the whole aligned 2 MiB around it in KVM even when
 * nothing there is huge-mapped: with chunks below 2 MiB a move drops its
 * neighbours inside that 2 MiB too (reported, not failed).
 */
static void census(struct scope *s, int moved, const char *what)
{
	uint32_t c, mine = 0, others = 0, near = 0, first = 0, n, per2m;
	int r;

	r = guest_pass(s);
	r = r ? r : harvest(s);
	if (!tap_ok(r == 0, "%s: guest pass and harvest", what)) {
		tap_diag("  %s", strerror(-r));
		return;
	}
	per2m = s->chunk_pages >= 512 ? 1 : 512 / s->chunk_pages;
	for (c = 0; c < s->m.nr_chunks; c++) {
		n = logged(s, c * s->chunk_pages, s->chunk_pages);
		if ((int)c == moved) {
			mine = n;
			continue;
		}
		if (moved >= 0 && c / per2m == (uint32_t)moved / per2m) {
			near += n;
			continue;
		}
		if (n && !others)
			first = c;
		others += n;
	}
	if (moved >= 0 && !tap_ok(mine == s->chunk_pages,
				  "%s: every page of the moved chunk is logged again", what))
		tap_diag("  %u of %u", mine, s->chunk_pages);
	if (!tap_ok(others == 0, "%s: no page outside the moved chunk's 2 MiB is logged again",
		    what))
		tap_diag("  %u pages, first in chunk %u", others, first);
	if (near)
		tap_diag("  %u pages of the other chunks in the same 2 MiB logged again", near);
}

/*
 * Diagnosis, no verdict: the steps of a remap one at a time on chunk 3,
 * each followed by a guest pass; prints how many pages of other chunks
 * were logged again.
 */
static int probe_mapfixed(struct scope *s)
{
	struct mem_tier *t = &s->m.tiers[MEM_TIER_DRAM];
	uint64_t cs = s->m.chunk_size;
	void *p;

	p = mmap(s->m.host + 3 * cs, cs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 t->fd, (off_t)(s->m.chunks[3].frame * cs));
	return p == MAP_FAILED ? -errno : 0;
}

static int probe_copy(struct scope *s)
{
	uint64_t cs = s->m.chunk_size;

	/* Into a free frame of the slow tier's file: its view is dropped after. */
	mem_tier_copy_in(&s->m.tiers[MEM_TIER_NVM], (s->m.nr_chunks - 1) * cs,
			 s->m.host + 3 * cs, cs);
	return 0;
}

static int probe_bind(struct scope *s)
{
	struct mem_tier *t = &s->m.tiers[MEM_TIER_DRAM];
	uint64_t cs = s->m.chunk_size;

	return t->view ? mem_tier_bind(t, MEM_TIER_DRAM, t->view + s->m.chunks[3].frame * cs,
				       cs, 0) : -ENOENT;
}

static int probe_mprotect(struct scope *s)
{
	uint64_t cs = s->m.chunk_size;

	if (mprotect(s->m.host + 3 * cs, cs, PROT_READ) < 0)
		return -errno;
	return mprotect(s->m.host + 3 * cs, cs, PROT_READ | PROT_WRITE) < 0 ? -errno : 0;
}

static void probe(struct scope *s, const char *what, int (*op)(struct scope *s))
{
	uint32_t c, n, others = 0;
	char list[128] = "";
	size_t len = 0;
	int r;

	r = guest_pass(s);
	r = r ? r : harvest(s);
	r = r ? r : op(s);
	r = r ? r : guest_pass(s);
	r = r ? r : harvest(s);
	for (c = 0; !r && c < s->m.nr_chunks; c++) {
		n = logged(s, c * s->chunk_pages, s->chunk_pages);
		if (c == 3 || !n)
			continue;
		others += n;
		if (len < sizeof(list) - 8)
			len += (size_t)snprintf(list + len, sizeof(list) - len, " %u", c);
	}
	tap_diag("  probe %-28s %s: %u pages of other chunks logged again (chunks%s), chunk 3: %u",
		 what, r ? strerror(-r) : "ok", others, list,
		 r ? 0 : logged(s, 3 * s->chunk_pages, s->chunk_pages));
}

static int setup(struct scope *s, uint64_t chunk, uint64_t ram, const char *nvm, char *why,
		 size_t n)
{
	struct memory_config cfg;
	int r;

	memory_config_init(&cfg, ram);
	cfg.chunk_size = chunk;
	r = memory_parse_flag(&cfg, "--nvm", nvm, why, n);
	r = r ? r : memory_config_validate(&cfg, why, n);
	r = r ? r : memory_init(&s->m, &cfg);
	if (r)
		return r;
	s->inited = true;
	s->pages = (uint32_t)(ram / MEM_PAGE_SIZE);
	s->chunk_pages = (uint32_t)(chunk / MEM_PAGE_SIZE);
	s->bits = calloc(s->pages / 64 + 1, sizeof(uint64_t));
	if (!s->bits)
		return -ENOMEM;
	r = mg_create_log(&s->g, &s->m, 0, (uint32_t)ram, MEM_PAGE_SIZE, true);
	r = r ? r : memory_write(&s->m, MG_CODE_GPA, rs_code_start,
				 (size_t)(rs_code_end - rs_code_start));
	if (r)
		snprintf(why, n, "VM: %s", strerror(-r));
	return r;
}

/*
 * Sets shmem THP to @mode, the previous mode into @old: 1 when set, 0 when
 * the knob is not there.
 */
static int thp_set(const char *mode, char *old, size_t n)
{
	char buf[128], *a, *b;
	FILE *f;

	if (old) {
		f = fopen(THP_KNOB, "r");
		if (!f)
			return 0;
		a = fgets(buf, sizeof(buf), f) ? strchr(buf, '[') : NULL;
		b = a ? strchr(a, ']') : NULL;
		fclose(f);
		if (!b)
			return 0;
		*b = '\0';
		snprintf(old, n, "%s", a + 1);
	}
	f = fopen(THP_KNOB, "w");
	if (!f)
		return 0;
	fprintf(f, "%s\n", mode);
	return fclose(f) == 0;
}

/*
 * One configuration "CHUNK_KIB:RAM_MIB:NVM[:thp][:probe]" (thp: shmem THP
 * allowed, so the DRAM memfd gets huge pages; probe: diagnosis lines for
 * each step of a remap first): 15 TAP lines.
 */
static void scope_run(const char *spec)
{
	struct mem_migrate_opts wp = { .method = MEM_MIGRATE_WP };
	unsigned long long chunk_kib = 0, ram_mib = 0;
	char nvm[MEM_PATH_MAX] = "", why[256] = "", old[32] = "";
	struct mem_chunk ch;
	int thp;
	struct scope s;
	int r;

	memset(&s, 0, sizeof(s));
	s.g.vm_fd = s.g.vcpu_fd = s.g.kvm_fd = -1;
	r = sscanf(spec, "%llu:%llu:%255[^:]", &chunk_kib, &ram_mib, nvm) == 3 ? 0 : -EINVAL;
	/* ":probe": the steps of a remap one by one first (diagnosis only). */
	thp = strstr(spec, ":thp") ? thp_set("advise", old, sizeof(old)) : 0;
	r = r ? r : setup(&s, chunk_kib << 10, ram_mib << 20, nvm, why, sizeof(why));
	if (!tap_ok(r == 0, "%s: VM with %llu KiB chunks, %llu MiB, dirty-logged", spec,
		    chunk_kib, ram_mib)) {
		tap_diag("  %s", why[0] ? why : strerror(-r));
		for (r = 0; r < SCOPE_LINES - 1; r++)
			tap_skip("no VM", "remap scope");
		goto out;
	}
	/* Fault everything in and harvest that, then the control pass. */
	r = guest_pass(&s);
	r = r ? r : harvest(&s);
	tap_ok(r == 0, "first pass maps every page");
	show_pmd_mapped();
	if (strstr(spec, ":probe")) {
		probe(&s, "mmap(MAP_FIXED) same frame", probe_mapfixed);
		probe(&s, "tier copy (view dropped)", probe_copy);
		probe(&s, "mbind on the DRAM view", probe_bind);
		probe(&s, "mprotect RO and back", probe_mprotect);
		probe(&s, "mmap(MAP_FIXED) same again", probe_mapfixed);
	}
	census(&s, -1, "control, nothing moved");
	r = memory_remap(&s.m, 1, MEM_TIER_NVM);
	tap_ok(r == 0, "memory_remap chunk 1 to the slow tier");
	census(&s, 1, "after memory_remap");
	r = memory_migrate(&s.m, 1, MEM_TIER_DRAM, &wp, NULL);
	memory_chunk_info(&s.m, 1, &ch);
	tap_ok(r == 0 && ch.tier == MEM_TIER_DRAM, "memory_migrate (write-protect) chunk 1 back");
	census(&s, 1, "after memory_migrate");
	/* A later pass: nothing refaults after the moves are over. */
	r = memory_remap(&s.m, 2, MEM_TIER_NVM);
	r = r ? r : guest_pass(&s);
	r = r ? r : harvest(&s);
	tap_ok(r == 0, "chunk 2 to the slow tier, pass, harvest");
	census(&s, -1, "a pass later, nothing moved since");
out:
	if (s.g.mem)
		mg_destroy(&s.g);
	if (s.inited)
		memory_exit(&s.m);
	free(s.bits);
	if (thp > 0)
		thp_set(old, NULL, 0);
}

/*
 * Pages the kernel isolated, migrated, collapsed or armed for NUMA hinting
 * since boot: any of these invalidates KVM's entries for the pages involved.
 */
static unsigned long long kernel_moves(void)
{
	static const char *const keys[] = {
		"compact_isolated", "pgmigrate_success", "pgmigrate_fail",
		"thp_collapse_alloc", "thp_collapse_alloc_failed", "numa_pte_updates",
	};
	unsigned long long v, sum = 0;
	char key[64], line[128];
	size_t i;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", key, &v) != 2)
			continue;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			sum += strcmp(key, keys[i]) ? 0 : v;
	}
	fclose(f);
	return sum;
}

/* One run of @spec in a child, its TAP into @out; the child's exit status. */
static int scope_child(const char *spec, FILE *out)
{
	unsigned long long before = kernel_moves();
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (dup2(fileno(out), STDOUT_FILENO) < 0)
			_exit(1);
		scope_run(spec);
		fflush(stdout);
		_exit(!tap_state.failed ? 0 :
		      kernel_moves() != before ? SCOPE_DISTURBED : 1);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* Runs @spec until it passes or fails undisturbed; prints the last run's TAP. */
static void scope_report(const char *spec)
{
	char buf[4096];
	FILE *out = NULL;
	size_t n;
	int run, r = 1;

	for (run = 1; run <= SCOPE_RUNS; run++) {
		if (out)
			fclose(out);
		out = tmpfile();
		if (!out)
			break;
		r = scope_child(spec, out);
		if (r != SCOPE_DISTURBED || run == SCOPE_RUNS)
			break;
		tap_diag("%s: failed while the kernel moved pages (/proc/vmstat); run %d of %d",
			 spec, run + 1, SCOPE_RUNS);
	}
	if (out) {
		rewind(out);
		while ((n = fread(buf, 1, sizeof(buf), out)) > 0)
			fwrite(buf, 1, n, stdout);
		fclose(out);
	}
	if (!out || r < 0) {
		/* No TAP from the child: fail its lines here. */
		for (run = 0; run < SCOPE_LINES; run++)
			tap_ok(0, "%s: run in a child (%s)", spec, r < 0 ? strerror(-r) : "no tmpfile");
		return;
	}
	tap_state.n += SCOPE_LINES;
	tap_state.failed += r != 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: remap_scope CHUNK_KIB:RAM_MIB:NVM ...\n");
		return 2;
	}
	tap_plan(SCOPE_LINES * (argc - 1));
	for (i = 1; i < argc; i++)
		scope_report(argv[i]);
	return tap_done(1);
}
