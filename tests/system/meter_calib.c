// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meter_calib: makes a known amount of memory traffic in one place, between
 * traffic-meter marks, and prints what the meter should attribute.
 *   usage: meter_calib dax|node0|node1 MIB FIRST_MARK
 *          meter_calib code CALLS FIRST_MARK
 * The buffer (MIB MiB of /dev/dax0.0, or anonymous memory bound to a NUMA
 * node) is written once, then the cache is emptied by reading a scratch
 * buffer, then: mark FIRST; read the buffer; mark FIRST+1; empty the cache;
 * mark FIRST+2; write the buffer; mark FIRST+3. Each pass brings every line
 * into the cache once: MIB MiB of fills (write-allocate for the writes).
 * Prints "# meter-expect: FROM TO RANGE rd BYTES" lines (TAP comments).
 * "code" writes a return instruction into a page of /dev/dax0.0 and calls
 * it CALLS times between marks FIRST and FIRST+1: the meter's touch trace
 * (touch_code=) must count the fetches. Prints "# meter-code: PHYS CALLS",
 * the page's physical address.
 * "tick" reads MIB MiB of node 1 twice between marks FIRST and FIRST+1,
 * with a tick of the meter (xchg %dx,%dx) after the first pass and the
 * cache emptied after it: the meter's report has a tick record with half
 * the traffic on each side, and its per-step trace of RAM a block for
 * each half. Prints "# meter-tick: FIRST slow BYTES", each pass's bytes.
 * The second pass ends with the meter's phase instruction (xchg %bx,%bx)
 * just before the mark: a "phase" record with the mark's counters, which
 * is not a step of the per-step trace; the progress instruction (xchg
 * %si,%si) right after the tick: a "progress" record with the tick's.
 */
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SCRATCH_BYTES (64ul << 20)	/* well over any modelled LLC */

static void mark(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
}

static void tick(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xd2" ::: "memory", "dx");
}

static void phase(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xdb" ::: "memory", "bx");
}

static void progress(void)
{
	__asm__ volatile(".byte 0x66, 0x87, 0xf6" ::: "memory", "si");
}

static uint64_t read_pass(const volatile uint64_t *p, size_t bytes)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < bytes / 8; i += 8)	/* one load a 64-byte line */
		sum += p[i];
	return sum;
}

static void write_pass(volatile uint64_t *p, size_t bytes, uint64_t v)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = v + i;
}

static void *map_dax(size_t bytes)
{
	void *p;
	int fd = open("/dev/dax0.0", O_RDWR);

	if (fd < 0) {
		perror("meter_calib: /dev/dax0.0");
		return NULL;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("meter_calib: mmap /dev/dax0.0");
		return NULL;
	}
	return p;
}

static void *map_node(size_t bytes, int node)
{
	unsigned long mask = 1ul << node;
	void *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("meter_calib: mmap");
		return NULL;
	}
	if (mbind(p, bytes, MPOL_BIND, &mask, sizeof(mask) * 8, 0)) {
		perror("meter_calib: mbind");
		munmap(p, bytes);
		return NULL;
	}
	return p;
}

/* The physical start of /dev/dax0.0 (its resource attribute). */
static int dax_phys(unsigned long long *phys)
{
	FILE *f = fopen("/sys/bus/dax/devices/dax0.0/resource", "r");
	int ok;

	if (!f) {
		perror("meter_calib: dax0.0/resource");
		return -1;
	}
	ok = fscanf(f, "%llx", phys) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

#define CODE_PAGE 5	/* a page of the devdax's first 2 MiB, not its first */

static int run_code(long calls, long first)
{
	size_t bytes = 2ul << 20;
	unsigned long long phys;
	volatile uint8_t *p;
	void (*fn)(void);
	long i;
	int fd = open("/dev/dax0.0", O_RDWR);

	if (fd < 0 || dax_phys(&phys)) {
		perror("meter_calib: /dev/dax0.0");
		return 1;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("meter_calib: mmap /dev/dax0.0 executable");
		return 1;
	}
	p[CODE_PAGE * 4096] = 0xc3;	/* ret */
	fn = (void (*)(void))(uintptr_t)(p + CODE_PAGE * 4096);
	mark();
	for (i = 0; i < calls; i++)
		fn();
	mark();
	printf("# meter-code: 0x%llx %ld (marks %ld..%ld)\n",
	       phys + CODE_PAGE * 4096, calls, first, first + 1);
	munmap((void *)p, bytes);
	return 0;
}

int main(int argc, char **argv)
{
	const char *where, *range;
	volatile uint64_t *buf, *scratch;
	uint64_t sum = 0;
	size_t bytes;
	cpu_set_t cpus;
	long first;
	int ticks;

	if (argc == 4 && !strcmp(argv[1], "code") && atol(argv[2]) > 0 &&
	    atol(argv[3]) > 0)
		return run_code(atol(argv[2]), atol(argv[3]));
	if (argc != 4 || atol(argv[2]) <= 0 || atol(argv[2]) % 2 ||
	    (first = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: meter_calib dax|node0|node1|tick MIB(even) FIRST_MARK | code CALLS FIRST_MARK\n");
		return 2;
	}
	ticks = !strcmp(argv[1], "tick");
	where = ticks ? "node1" : argv[1];
	bytes = (size_t)atol(argv[2]) << 20;
	/* One CPU: one modelled cache sees the whole pass. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("meter_calib: sched_setaffinity");
	if (!strcmp(where, "dax")) {
		buf = map_dax(bytes);
		range = "nvdimm";
	} else if (!strcmp(where, "node0") || !strcmp(where, "node1")) {
		buf = map_node(bytes, where[4] - '0');
		range = where[4] == '0' ? "dram" : "slow";
	} else {
		fprintf(stderr, "meter_calib: where must be dax, node0 or node1, not '%s'\n",
			where);
		return 2;
	}
	scratch = map_node(SCRATCH_BYTES, 0);
	if (!buf || !scratch)
		return 1;
	write_pass(buf, bytes, 1);
	write_pass(scratch, SCRATCH_BYTES, 2);

	sum += read_pass(scratch, SCRATCH_BYTES);
	if (ticks) {
		mark();
		sum += read_pass(buf, bytes);
		tick();
		progress();
		sum += read_pass(scratch, SCRATCH_BYTES);
		sum += read_pass(buf, bytes);
		phase();
		mark();
		printf("# meter-tick: %ld %s %zu (sum %llx)\n", first, range, bytes,
		       (unsigned long long)sum);
		goto out;
	}
	mark();
	sum += read_pass(buf, bytes);
	mark();
	sum += read_pass(scratch, SCRATCH_BYTES);
	mark();
	write_pass(buf, bytes, 3);
	mark();

	printf("# meter-expect: %ld %ld %s rd %zu (read pass, sum %llx)\n",
	       first, first + 1, range, bytes, (unsigned long long)sum);
	printf("# meter-expect: %ld %ld %s rd %zu (write pass)\n",
	       first + 2, first + 3, range, bytes);
out:
	munmap((void *)buf, bytes);
	munmap((void *)scratch, SCRATCH_BYTES);
	return 0;
}
