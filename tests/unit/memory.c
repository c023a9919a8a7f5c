// SPDX-License-Identifier: GPL-2.0
/*
 * memory/ without KVM: frame allocator, flag parsing and validation, launch
 * placement, remap bookkeeping and data, accessors' bounds, I/O counts and
 * VMM-write records. Backends: memfd DRAM, a temporary file, node 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memory/internal.h"
#include "tests/tap.h"

#define MiB (1ULL << 20)

static char tmpfile_path[] = "/tmp/hmmv-unit-mem-XXXXXX";

static void test_frames(void)
{
	struct mem_frames f;
	int64_t a, b, c;

	tap_is(mem_frames_init(&f, 130), 0, "frames: init 130");
	a = mem_frames_alloc(&f);
	b = mem_frames_alloc(&f);
	tap_ok(a == 0 && b == 1, "frames: lowest first (%lld, %lld)", (long long)a, (long long)b);
	tap_is(mem_frames_take(&f, 1), -EBUSY, "frames: take of a used frame is -EBUSY");
	tap_is(mem_frames_take(&f, 130), -EINVAL, "frames: take out of range is -EINVAL");
	tap_is(mem_frames_free(&f, 0), 0, "frames: free");
	tap_is(mem_frames_free(&f, 0), -EINVAL, "frames: double free is -EINVAL");
	c = mem_frames_alloc(&f);
	tap_is(c, 0, "frames: a freed frame is reused first");
	while (mem_frames_alloc(&f) >= 0)
		;
	tap_is(f.used, 130, "frames: all 130 allocated, none beyond");
	tap_is(mem_frames_alloc(&f), -ENOSPC, "frames: full is -ENOSPC");
	mem_frames_free(&f, 129);
	tap_is(mem_frames_alloc(&f), 129, "frames: last frame found again");
	mem_frames_exit(&f);
}

static int parse(struct memory_config *cfg, const char *flag, const char *val)
{
	char why[256];

	return memory_parse_flag(cfg, flag, val, why, sizeof(why));
}

static void test_parse(void)
{
	struct memory_config cfg;
	uint64_t v = 0;
	char why[256] = "";

	tap_ok(!memory_parse_size("512M", &v) && v == 512 * MiB, "size: 512M");
	tap_ok(!memory_parse_size("2MiB", &v) && v == 2 * MiB, "size: 2MiB");
	tap_ok(!memory_parse_size("4096", &v) && v == 4096, "size: 4096");
	tap_ok(memory_parse_size("12Q", &v) == -EINVAL, "size: 12Q rejected");
	tap_ok(memory_parse_size("99999999999T", &v) == -ERANGE, "size: overflow rejected");
	tap_ok(!memory_parse_size("0x10000000", &v) && v == 256 * MiB, "size: 0x10000000");
	tap_ok(!memory_parse_size("0x1M", &v) && v == MiB, "size: 0x1M, hex with a suffix");
	tap_ok(!memory_parse_size("010M", &v) && v == 10 * MiB, "size: 010M is decimal, not octal");
	tap_ok(!memory_parse_size("2gib", &v) && v == 2048 * MiB &&
	       !memory_parse_size("4kb", &v) && v == 4096, "size: suffixes in any case");
	tap_ok(memory_parse_size("0x", &v) == -EINVAL && memory_parse_size("", &v) == -EINVAL &&
	       memory_parse_size("-1", &v) == -EINVAL && memory_parse_size(" 1", &v) == -EINVAL,
	       "size: 0x, empty, -1 and leading space rejected");
	tap_ok(memory_parse_size("1MiBx", &v) == -EINVAL && memory_parse_size("1Mi", &v) == -EINVAL,
	       "size: trailing garbage rejected");
	tap_ok(memory_parse_size("99999999999999999999", &v) == -ERANGE &&
	       memory_parse_size("17179869184G", &v) == -ERANGE, "size: overflow of the number and of the shift");
	memory_config_init(&cfg, 512 * MiB);
	tap_ok(!parse(&cfg, "--dram", "128M,hugetlb,node=0") && cfg.dram.size == 128 * MiB &&
	       cfg.dram.hugetlb && cfg.dram.node == 0, "--dram 128M,hugetlb,node=0");
	tap_ok(parse(&cfg, "--dram", "128M,bogus") == -EINVAL, "--dram with an unknown option");
	tap_ok(!parse(&cfg, "--nvm", "node=1") && cfg.nvm.kind == MEM_BACK_NODE &&
	       cfg.nvm.node == 1, "--nvm node=1");
	tap_ok(!parse(&cfg, "--placement", "interleave") &&
	       cfg.placement == MEM_PLACE_INTERLEAVE, "--placement interleave");
	tap_ok(parse(&cfg, "--placement", "random") == -EINVAL, "--placement random rejected");
	tap_ok(parse(&cfg, "--chunk", "3M") == -EINVAL, "--chunk 3M (not a power of two)");
	tap_ok(parse(&cfg, "--chunk", "2K") == -EINVAL, "--chunk 2K (below 4K)");
	tap_ok(!parse(&cfg, "--chunk", "4K") && cfg.chunk_size == 4096, "--chunk 4K");
	memory_parse_flag(&cfg, "--chunk", "3M", why, sizeof(why));
	tap_ok(strstr(why, "--chunk") != NULL, "message names the flag: %s", why);
}

/* Validation outcome and that its message names @flag. */
static void check_invalid(struct memory_config *cfg, const char *flag, const char *name)
{
	char why[256] = "";
	int err = memory_config_validate(cfg, why, sizeof(why));

	tap_ok(err < 0 && strstr(why, flag), "%s: %s", name, why);
}

static void test_validate(void)
{
	struct memory_config cfg;
	char why[256];

	memory_config_init(&cfg, 512 * MiB);
	tap_is(memory_config_validate(&cfg, why, sizeof(why)), 0, "plain DRAM validates");
	parse(&cfg, "--dram", "1G");
	check_invalid(&cfg, "--dram", "DRAM larger than guest RAM");
	memory_config_init(&cfg, 512 * MiB);
	parse(&cfg, "--dram", "129M");
	parse(&cfg, "--nvm", tmpfile_path);
	check_invalid(&cfg, "--dram", "DRAM not a multiple of the chunk");
	memory_config_init(&cfg, 513 * MiB);
	check_invalid(&cfg, "-m", "RAM not a multiple of the chunk");
	memory_config_init(&cfg, 512 * MiB);
	parse(&cfg, "--dram", "128M");
	check_invalid(&cfg, "--nvm", "DRAM below RAM without a slow tier");
	parse(&cfg, "--nvm", "/dev/dax97.3");
	check_invalid(&cfg, "--nvm /dev/dax97.3", "missing devdax");
	parse(&cfg, "--nvm", "/dev/null");
	check_invalid(&cfg, "--nvm /dev/null", "a character device that is not devdax");
	parse(&cfg, "--nvm", "node=4000");
	check_invalid(&cfg, "--nvm node=4000", "a NUMA node that does not exist");
	memory_config_init(&cfg, 512 * MiB);
	parse(&cfg, "--dram", "512M,node=4000");
	check_invalid(&cfg, "--dram node=4000", "a DRAM node that does not exist");
	memory_config_init(&cfg, 512 * MiB);
	parse(&cfg, "--dram", "512M,hugetlb");
	parse(&cfg, "--chunk", "4K");
	check_invalid(&cfg, "--chunk", "chunk below the huge page size");
	memory_config_init(&cfg, 512 * MiB);
	parse(&cfg, "--dram", "128M");
	parse(&cfg, "--nvm", tmpfile_path);	/* 64 MiB: too small */
	check_invalid(&cfg, "--nvm", "slow tier smaller than needed");
}

static void setup_file_cfg(struct memory_config *cfg, uint64_t ram, uint64_t dram,
			   const char *placement)
{
	memory_config_init(cfg, ram);
	if (dram)
		cfg->dram.size = dram;
	parse(cfg, "--nvm", tmpfile_path);
	parse(cfg, "--placement", placement);
}

static void count_tiers(struct guest_mem *m, uint32_t *dram, uint32_t *nvm)
{
	uint32_t c;

	*dram = *nvm = 0;
	for (c = 0; c < m->nr_chunks; c++)
		(m->chunks[c].tier == MEM_TIER_DRAM ? (*dram)++ : (*nvm)++);
}

static void test_placement(void)
{
	struct memory_config cfg;
	struct guest_mem m;
	uint32_t d, n;
	char why[256];
	int err;

	memory_config_init(&cfg, 64 * MiB);
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "plain DRAM: init");
	count_tiers(&m, &d, &n);
	tap_ok(d == 32 && n == 0 && m.tiers[MEM_TIER_NVM].kind == MEM_BACK_NONE,
	       "plain DRAM: 32 chunks, all DRAM, no slow tier");
	memory_exit(&m);

	setup_file_cfg(&cfg, 64 * MiB, 16 * MiB, "dram-first");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "dram-first: init %s", err ? why : "");
	count_tiers(&m, &d, &n);
	tap_ok(d == 8 && n == 24 && m.chunks[7].tier == MEM_TIER_DRAM &&
	       m.chunks[8].tier == MEM_TIER_NVM, "dram-first: first 8 chunks DRAM, 24 on the file");
	memory_exit(&m);

	setup_file_cfg(&cfg, 64 * MiB, 32 * MiB, "nvm-first");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "nvm-first: init");
	count_tiers(&m, &d, &n);
	tap_ok(n == 32 && d == 0, "nvm-first: the 64 MiB file takes all 32 chunks");
	memory_exit(&m);

	setup_file_cfg(&cfg, 64 * MiB, 8 * MiB, "interleave");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "interleave: init");
	count_tiers(&m, &d, &n);
	tap_ok(d == 4 && n == 28 && m.chunks[0].tier == MEM_TIER_DRAM &&
	       m.chunks[1].tier == MEM_TIER_NVM && m.chunks[2].tier == MEM_TIER_DRAM &&
	       m.chunks[8].tier == MEM_TIER_NVM,
	       "interleave: alternates until DRAM's 4 chunks are used");
	memory_exit(&m);
}

static bool chunk_has(struct guest_mem *m, uint32_t c, uint8_t seed)
{
	uint8_t *p = m->host + (uint64_t)c * m->chunk_size;
	uint64_t i;

	for (i = 0; i < m->chunk_size; i += 997)
		if (p[i] != (uint8_t)(i * 7 + seed))
			return false;
	return true;
}

static void fill_chunk(struct guest_mem *m, uint32_t c, uint8_t seed)
{
	uint8_t *buf = malloc(m->chunk_size);
	uint64_t i;

	for (i = 0; i < m->chunk_size; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
	memory_write(m, memory_chunk_gpa(m, c), buf, m->chunk_size);
	free(buf);
}

/* The frame's bytes as the file holds them, read with pread. */
static bool file_has(int fd, uint64_t off, uint64_t len, uint8_t seed)
{
	uint8_t buf[4096];
	uint64_t i;

	for (i = 0; i < len; i += sizeof(buf)) {
		if (pread(fd, buf, sizeof(buf), (off_t)(off + i)) != (ssize_t)sizeof(buf))
			return false;
		if (buf[100] != (uint8_t)((i + 100) * 7 + seed))
			return false;
	}
	return true;
}

static void test_remap(void)
{
	struct memory_config cfg;
	struct mem_tier_stat st;
	struct mem_chunk ch;
	struct guest_mem m;
	char why[256];
	int fd, err;

	setup_file_cfg(&cfg, 32 * MiB, 8 * MiB, "dram-first");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "remap: init");
	fill_chunk(&m, 1, 3);
	tap_is(memory_remap(&m, 1, MEM_TIER_DRAM), -EALREADY, "remap: to its own tier is -EALREADY");
	tap_is(memory_remap(&m, 9, MEM_TIER_DRAM), -ENOSPC, "remap: into a full DRAM is -ENOSPC");
	tap_is(memory_remap(&m, 1, MEM_TIER_NVM), 0, "remap: DRAM chunk 1 -> file");
	memory_chunk_info(&m, 1, &ch);
	tap_ok(ch.tier == MEM_TIER_NVM && ch.file == MEM_TIER_NVM && ch.frame == 12,
	       "remap: chunk 1 on the file's first free frame (%u)", ch.frame);
	tap_ok(chunk_has(&m, 1, 3), "remap: data intact at the same host address");
	fd = open(tmpfile_path, O_RDONLY);
	tap_ok(file_has(fd, (uint64_t)ch.frame * m.chunk_size, m.chunk_size, 3),
	       "remap: the data is in the file's frame");
	memory_tier_stat(&m, MEM_TIER_DRAM, &st);
	tap_ok(st.chunks == 3 && st.used == 6 * MiB && st.frames_used == 3,
	       "remap: DRAM stat 3 chunks, 6 MiB, 3 frames");
	memory_tier_stat(&m, MEM_TIER_NVM, &st);
	tap_ok(st.chunks == 13 && st.frames_used == 13, "remap: file stat 13 chunks");
	fill_chunk(&m, 9, 5);
	tap_is(memory_io_begin(&m, memory_chunk_gpa(&m, 9) + 4096, 8192, true), 0,
	       "io: begin on chunk 9");
	tap_is(memory_chunk_io(&m, 9), 1, "io: chunk 9 has one I/O in flight");
	tap_is(memory_remap(&m, 9, MEM_TIER_DRAM), -EBUSY, "remap: chunk with I/O in flight is -EBUSY");
	memory_io_end(&m, memory_chunk_gpa(&m, 9) + 4096, 8192, true);
	tap_is(memory_chunk_io(&m, 9), 0, "io: drained");
	tap_is(memory_remap(&m, 9, MEM_TIER_DRAM), 0, "remap: file chunk 9 -> DRAM after the drain");
	tap_ok(chunk_has(&m, 9, 5), "remap: chunk 9 data intact");
	memory_chunk_info(&m, 9, &ch);
	tap_ok(ch.tier == MEM_TIER_DRAM && ch.frame == 1,
	       "remap: chunk 9 took DRAM frame 1 that chunk 1 freed");
	tap_is(memory_remap(&m, 1, MEM_TIER_DRAM), -ENOSPC, "remap: back needs a free DRAM frame");
	tap_is(m.nr_remaps, 2, "remap: two remaps counted");
	tap_is(memory_remap(&m, 16, MEM_TIER_NVM), -EINVAL, "remap: chunk out of range");
	tap_is(memory_move_inplace(&m, 9, MEM_TIER_NVM), -EOPNOTSUPP,
	       "in place: not for a file tier");
	close(fd);
	memory_exit(&m);
}

static int hook_calls[2];
static int hook_policy = -1;

static void count_hook(void *ctx, int phase)
{
	struct guest_mem *m = ctx;

	hook_calls[phase == MEM_MIGRATE_PROTECTED]++;
	/* Protected: guest writes fail, a vCPU would wait. */
	if (phase == MEM_MIGRATE_PROTECTED) {
		hook_calls[1] += m->wp_active == 1 ? 10 : 0;
		hook_policy = sched_getscheduler(0);
	}
}

/*
 * The tracker's hold (memory_range_hold()): a held range keeps moves off
 * its chunks, and a hold begun while a chunk moves waits for the move.
 */
struct hold_race {
	struct guest_mem *m;
	uint64_t off;
	pthread_t thread;
	bool started;
	_Atomic int done;
};

static void *hold_thread(void *arg)
{
	struct hold_race *h = arg;

	if (!memory_range_hold(h->m, h->off, 4096))
		memory_range_release(h->m, h->off, 4096);
	atomic_store(&h->done, 1);
	return NULL;
}

static int hold_done_in_move;

static void hold_hook(void *ctx, int phase)
{
	struct hold_race *h = ctx;
	struct timespec ts = { .tv_nsec = 50000000 };

	if (phase != MEM_MIGRATE_PROTECTED)
		return;
	h->started = !pthread_create(&h->thread, NULL, hold_thread, h);
	nanosleep(&ts, NULL);
	hold_done_in_move = atomic_load(&h->done);
}

static void test_hold(struct guest_mem *m)
{
	struct mem_migrate_opts wp = { .method = MEM_MIGRATE_WP, .hook = hold_hook };
	struct hold_race h = { .m = m, .off = 3 * m->chunk_size + 4096 };
	struct mem_migrate_stats st;
	int err;

	tap_is(memory_range_hold(m, m->ram_size, 4096), -EINVAL, "hold: outside RAM is -EINVAL");
	tap_is(memory_range_hold(m, 3 * m->chunk_size + 4096, 8192), 0, "hold: a range in chunk 3");
	tap_is(memory_migrate(m, 3, MEM_TIER_NVM, NULL, &st), -EBUSY,
	       "hold: a move of the held chunk is -EBUSY");
	memory_range_release(m, 3 * m->chunk_size + 4096, 8192);
	wp.hook_ctx = &h;
	err = memory_migrate(m, 3, MEM_TIER_NVM, &wp, &st);
	if (h.started)
		pthread_join(h.thread, NULL);
	tap_ok(!err && h.started && !hold_done_in_move && atomic_load(&h.done),
	       "hold: released, the chunk moves; a hold begun mid-move waits for its end");
}

/* memory_migrate() without KVM: no vCPUs, no dirty log. */
static void test_migrate(void)
{
	struct mem_migrate_opts wp = { .method = MEM_MIGRATE_WP }, pz = { .method = 1 };
	struct mem_migrate_stats st;
	struct memory_config cfg;
	struct mem_chunk ch;
	struct guest_mem m;
	char why[256], buf[8] = "abcdefg";
	uint64_t seq;
	int err;

	setup_file_cfg(&cfg, 32 * MiB, 8 * MiB, "dram-first");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "migrate: init");
	tap_is(memory_migrate(&m, 9, MEM_TIER_DRAM, &pz, &st), -ENOSPC,
	       "migrate: into a full DRAM is -ENOSPC");
	tap_is(memory_migrate(&m, 9, MEM_TIER_NVM, &wp, &st), -EALREADY,
	       "migrate: to its own tier is -EALREADY");
	fill_chunk(&m, 1, 4);
	wp.hook = count_hook;
	wp.hook_ctx = &m;
	seq = memory_wp_seq(&m);
	tap_is(memory_migrate(&m, 1, MEM_TIER_NVM, &wp, &st), 0, "migrate: wp, DRAM -> file");
	memory_chunk_info(&m, 1, &ch);
	tap_ok(ch.tier == MEM_TIER_NVM && chunk_has(&m, 1, 4), "migrate: on the file, data intact");
	tap_ok(st.method == MEM_MIGRATE_WP && st.writer_stall_ns > 0 && !st.pause_ns &&
	       !st.rounds && st.copy_ns > 0, "migrate: wp stats (stall, no pause, no pre-copy)");
	tap_ok(hook_calls[0] == 0 && hook_calls[1] == 11,
	       "migrate: hook once, chunk protected, no pre-copy without a dirty log");
	tap_ok((st.boosted == 1) == (hook_policy == SCHED_FIFO) &&
	       sched_getscheduler(0) == SCHED_OTHER,
	       "migrate: the window ran at SCHED_FIFO exactly when boosted (%s here), "
	       "and the mover is SCHED_OTHER again after it",
	       st.boosted == 1 ? "boosted" : "not permitted");
	tap_ok(memory_wp_seq(&m) == seq + 2 && !m.wp_active, "migrate: protect and release counted");
	tap_is(memory_wp_wait(&m, seq), 0, "wp_wait: a move since the token: re-enter");
	tap_is(memory_wp_wait(&m, memory_wp_seq(&m)), -EFAULT, "wp_wait: none: a real fault");
	tap_ok(memory_write(&m, memory_chunk_gpa(&m, 1), buf, 8) == 0,
	       "migrate: the chunk is writable again");
	tap_ok(memory_wp_mmio(&m, memory_chunk_gpa(&m, 1) + 8, buf, 4, true) &&
	       !memcmp((char *)m.host + m.chunk_size + 8, "abcd", 4),
	       "wp_mmio: a RAM write is completed in RAM");
	tap_ok(!memory_wp_mmio(&m, 64 * MiB, buf, 4, true), "wp_mmio: not RAM: left to devices");
	fill_chunk(&m, 1, 6);
	tap_is(memory_migrate(&m, 2, MEM_TIER_NVM, &pz, &st), 0, "migrate: pause, DRAM -> file");
	tap_ok(st.method == MEM_MIGRATE_PAUSE && !st.writer_stall_ns,
	       "migrate: pause stats (no writer stall)");
	tap_is(memory_migrate(&m, 1, MEM_TIER_DRAM, NULL, &st), 0, "migrate: defaults, file -> DRAM");
	tap_ok(chunk_has(&m, 1, 6), "migrate: data intact");
	pz.method = 7;
	tap_is(memory_migrate(&m, 1, MEM_TIER_NVM, &pz, &st), -EINVAL, "migrate: bad method");
	tap_is(memory_io_begin(&m, memory_chunk_gpa(&m, 3), 4096, false), 0, "io: begin on 3");
	tap_is(memory_migrate(&m, 3, MEM_TIER_NVM, NULL, &st), -EBUSY,
	       "migrate: chunk with I/O in flight is -EBUSY");
	memory_io_end(&m, memory_chunk_gpa(&m, 3), 4096, false);
	test_hold(&m);
	memory_exit(&m);
}

static void test_access(void)
{
	struct memory_config cfg;
	struct guest_mem m;
	uint64_t bits[8];
	char buf[16] = "hello";
	int n;

	memory_config_init(&cfg, 64 * MiB);
	memory_init(&m, &cfg);
	tap_ok(memory_translate(&m, 64 * MiB - 8, 8) != NULL, "access: last 8 bytes translate");
	tap_ok(memory_translate(&m, 64 * MiB - 8, 9) == NULL, "access: one byte past the end fails");
	tap_ok(memory_translate(&m, ~0ULL, 2) == NULL, "access: wrapping address fails");
	tap_is(memory_write(&m, 64 * MiB, buf, 1), -EFAULT, "access: write outside RAM is -EFAULT");
	tap_is(memory_read(&m, 2 * MiB - 2, buf, 5), 0, "access: read across a chunk boundary");
	tap_is(memory_write(&m, 2 * MiB + 8192 - 2, buf, 4), 0, "access: write spanning 2 pages");
	n = memory_fetch_written(&m, 1, bits);
	tap_ok(n == 2 && bits[0] == 0x6, "access: VMM write recorded on pages 1 and 2 (%d)", n);
	tap_is(memory_fetch_written(&m, 1, bits), 0, "access: record cleared by the fetch");
	memory_exit(&m);

	memory_config_init(&cfg, 8 * MiB);
	cfg.chunk_size = 4096;
	memory_init(&m, &cfg);
	memory_write(&m, 12288, buf, 1);
	tap_ok(memory_fetch_written(&m, 3, bits) == 1 && bits[0] == 1 &&
	       memory_fetch_written(&m, 2, bits) == 0, "access: 4 KiB chunks record per chunk");
	memory_exit(&m);
}

static void test_inplace(void)
{
	struct memory_config cfg;
	struct mem_chunk ch;
	struct guest_mem m;
	char why[256];
	int err;

	memory_config_init(&cfg, 16 * MiB);
	parse(&cfg, "--dram", "8M");
	parse(&cfg, "--nvm", "node=0");
	err = memory_config_validate(&cfg, why, sizeof(why));
	if (err || memory_init(&m, &cfg)) {
		tap_skip("no NUMA here", "in place: node tier");
		return;
	}
	fill_chunk(&m, 0, 9);
	err = memory_move_inplace(&m, 0, MEM_TIER_NVM);
	memory_chunk_info(&m, 0, &ch);
	tap_ok(!err && ch.tier == MEM_TIER_NVM && ch.file == MEM_TIER_DRAM && chunk_has(&m, 0, 9),
	       "in place: chunk 0 counted on node 0's tier, same frame, data intact (%d)", err);
	tap_is(memory_remap(&m, 4, MEM_TIER_DRAM), 0,
	       "in place: freed DRAM quota lets a slow chunk in by remap");
	tap_is(memory_move_inplace(&m, 0, MEM_TIER_DRAM), -ENOSPC, "in place: quota holds");
	tap_is(memory_remap(&m, 0, MEM_TIER_NVM), 0, "in place: then remapped into the node memfd");
	memory_chunk_info(&m, 0, &ch);
	tap_ok(ch.file == MEM_TIER_NVM && chunk_has(&m, 0, 9) &&
	       m.tiers[MEM_TIER_DRAM].frames.used == 4, "in place: old DRAM frame freed, data intact");
	memory_exit(&m);
}

/* What an earlier VM left in the file; the guest must see zeros instead. */
static void test_owner(void)
{
	struct memory_config cfg;
	struct guest_mem m, m2;
	uint64_t i, stale = 0;
	char why[256];
	int fd, err;

	fd = open(tmpfile_path, O_RDWR);
	for (i = 0; fd >= 0 && i < 64 * MiB; i += MiB)
		if (pwrite(fd, "stale", 5, (off_t)i) != 5)
			break;
	if (fd >= 0)
		close(fd);
	setup_file_cfg(&cfg, 64 * MiB, 16 * MiB, "dram-first");
	err = memory_config_validate(&cfg, why, sizeof(why));
	tap_ok(!err && !memory_init(&m, &cfg), "owner: init on a file holding stale data");
	for (i = 0; i < m.ram_size; i += 4096)
		stale += m.host[i] != 0;
	tap_is(stale, 0, "owner: the guest's RAM reads zeros on the file's frames");
	tap_is(memory_init(&m2, &cfg), -EBUSY, "owner: a second VM on the same file is -EBUSY");
	memory_exit(&m);
	tap_ok(!memory_init(&m2, &cfg), "owner: the file is free again after exit");
	memory_exit(&m2);
}

int main(void)
{
	int fd = mkstemp(tmpfile_path);

	if (fd < 0 || ftruncate(fd, 64 * MiB) < 0) {
		printf("1..0 # SKIP no temporary file\n");
		return 0;
	}
	close(fd);
	test_frames();
	test_parse();
	test_validate();
	test_placement();
	test_remap();
	test_migrate();
	test_access();
	test_inplace();
	test_owner();
	unlink(tmpfile_path);
	return tap_done(0);
}
