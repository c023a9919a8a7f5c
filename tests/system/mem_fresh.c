// SPDX-License-Identifier: GPL-2.0
/*
 * A fresh slow-tier frame shows the guest zeros, never what an earlier
 * user left on the device or file: fills NVM with a pattern, sets up guest
 * RAM on it (chunk 0 in DRAM, the rest on NVM), and runs a tiny guest that
 * reads one word every 512 bytes of the NVM-backed RAM and reports how many
 * were not zero. Prints how long memory_init took (the clearing's cost).
 *
 * usage: mem_fresh NVM [RAM_SIZE]     (default 64M)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory/memory.h"
#include "tests/system/mem_miniguest.h"
#include "tests/tap.h"

#define FRESH_PATTERN	0xa5
#define FRESH_STRIDE	512

/* Counts non-zero dwords in [esi, edi) every edx bytes; reports on 0x10. */
__asm__(".pushsection .rodata\n"
	".globl fresh_code_start\n.globl fresh_code_end\n"
	"fresh_code_start:\n"
	".code32\n"
	"	xor %ebp, %ebp\n"
	"	mov %esi, %ecx\n"
	"1:	cmpl $0, (%ecx)\n"
	"	je 2f\n"
	"	inc %ebp\n"
	"2:	add %edx, %ecx\n"
	"	cmp %edi, %ecx\n"
	"	jb 1b\n"
	"	mov %ebp, %eax\n"
	"	out %eax, $0x10\n"
	"	hlt\n"
	".code64\n"
	"fresh_code_end:\n"
	".popsection\n");
extern const unsigned char fresh_code_start[], fresh_code_end[];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Writes the pattern over the whole backing, as a previous VM might have. */
static int fill_backing(const struct memory_config *cfg)
{
	uint8_t *p;
	int fd, ok;

	fd = open(cfg->nvm.path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	p = mmap(NULL, cfg->nvm.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, FRESH_PATTERN, cfg->nvm.size);
	ok = p[cfg->nvm.size - 1] == FRESH_PATTERN;
	munmap(p, cfg->nvm.size);
	return ok ? 0 : -EIO;
}

/* Runs the scan guest to its port write; -errno or the count. */
static int64_t guest_scan(struct miniguest *g)
{
	uint32_t v;

	for (;;) {
		if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (g->run->exit_reason == KVM_EXIT_INTR)
			continue;
		if (g->run->exit_reason != KVM_EXIT_IO || g->run->io.port != MG_PORT_MISMATCH)
			return -EPROTO;
		memcpy(&v, (uint8_t *)g->run + g->run->io.data_offset, 4);
		return v;
	}
}

static void check_guest(struct guest_mem *m, const char *path)
{
	uint32_t start = (uint32_t)m->chunk_size, end = (uint32_t)m->ram_size;
	struct miniguest g;
	int64_t bad = -1;
	int err;

	err = mg_create(&g, m, start, end, FRESH_STRIDE);
	if (!err)
		err = memory_write(m, MG_CODE_GPA, fresh_code_start,
				   (size_t)(fresh_code_end - fresh_code_start));
	if (!err)
		bad = guest_scan(&g);
	tap_ok(!err && bad == 0, "the guest reads zeros in %u MiB of fresh frames on %s "
	       "(%lld non-zero words, err %d)", (end - start) >> 20, path, (long long)bad, err);
	mg_destroy(&g);
}

int main(int argc, char **argv)
{
	struct memory_config cfg;
	struct guest_mem m;
	uint64_t ram = 64ULL << 20, t0;
	char why[256];
	int err;

	if (argc < 2 || (argc > 2 && memory_parse_size(argv[2], &ram))) {
		fprintf(stderr, "usage: mem_fresh NVM [RAM_SIZE]\n");
		return 2;
	}
	tap_plan(3);
	memory_config_init(&cfg, ram);
	err = memory_parse_flag(&cfg, "--nvm", argv[1], why, sizeof(why));
	if (!err)
		err = memory_parse_flag(&cfg, "--dram", "2M", why, sizeof(why));
	if (!err)
		err = memory_config_validate(&cfg, why, sizeof(why));
	if (err) {
		fprintf(stderr, "mem_fresh: %s\n", why);
		return 2;
	}
	err = fill_backing(&cfg);
	tap_ok(!err, "%s filled with 0x%02x (%llu MiB): %s", argv[1], FRESH_PATTERN,
	       (unsigned long long)(cfg.nvm.size >> 20), strerror(-err));
	t0 = now_ms();
	err = memory_init(&m, &cfg);
	if (!tap_ok(!err, "guest RAM of %llu MiB, %llu MiB on %s (%s)",
		    (unsigned long long)(ram >> 20), (unsigned long long)((ram >> 20) - 2),
		    argv[1], strerror(-err)))
		return tap_done(1);
	tap_diag("memory_init took %llu ms", (unsigned long long)(now_ms() - t0));
	check_guest(&m, argv[1]);
	memory_exit(&m);
	return tap_done(1);
}
