// SPDX-License-Identifier: GPL-2.0
/*
 * guest_pages PID NAME START SIZE [UNION]: the pages of physical range
 * [START, START + SIZE) (hex or decimal bytes) that back a mapping of
 * process PID whose /proc/PID/maps path contains NAME (the mapped file's
 * pages resident in memory, whether the process has them mapped now or
 * not; each file range once), as "FIRST COUNT" runs of page indices from
 * START, ascending; with UNION, added to the
 * runs that file holds (none when it does not exist) and written back to
 * it instead, with UNION.pfn (where each mapped page was: the next call
 * counts the pages moved to or from the range since, into UNION.moves,
 * followed by the pages resident and those in the range).
 * make eval-real takes them every second of the Linux-tiering run, one
 * union per workload (NAME hmmv-dram, the range the NVDIMM's
 * kmem node): the meter counts the whole NVDIMM, the test host's own
 * pages there included; these are the guest's, and the frames the
 * kernel's migrations copied them to.
 * guest_pages --steps LOG PID NAME START SIZE UNION: the same, and then
 * appends to LOG the frames in the range that joined and left the process
 * since the last call (UNION.pfn): a line "@ MS" (MS the CLOCK_BOOTTIME
 * of its first tick), then "+ FIRST COUNT" and
 * "- FIRST COUNT" runs; and ticks the traffic meter (tools/meter/meter.c:
 * its per-step trace of RAM starts a block) before it reads the frames
 * and after it wrote them, so that entry K of LOG was taken between the
 * meter's ticks 2K-1 and 2K (a read takes a while: a frame that joins
 * meanwhile may be missed, and is in the next entry). A call that fails
 * after its first tick still appends an entry, with no frames, and ticks
 * again. make eval-real's analysis then counts a frame's traffic only
 * while it held the guest's RAM.
 * guest_pages --steps-after LOG ...: the same without the ticks, for a
 * second range listed right after a --steps call (the NVDIMM after RAM):
 * its entry K is the moment of that call's entry K.
 * guest_pages --where PID NAME START SIZE: where each page of those
 * mappings is, in mapping order (the guest's pages, for one mapping of
 * its RAM): "FIRST COUNT IN" runs of page indices, IN 1 where the frame is
 * in the range, 0 where it is elsewhere; pages not present are left out.
 * make eval-real takes it at each workload's start in the Linux run (the
 * range the NVDIMM), for hmmv sim --nb-placement.
 * Exit 0, or 1 with one line on stderr (needs root: pagemap hides PFNs).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/evalreal/runs.h"

/* The meter's tick (xchg %dx,%dx): harmless without the meter. */
#if defined(__x86_64__) || defined(__i386__)
#define meter_tick() __asm__ volatile(".byte 0x66, 0x87, 0xd2" ::: "memory", "dx")
#else
#define meter_tick() do { } while (0)
#endif

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PAGE		4096ULL
#define BATCH		512

/* A file range already read: hmmv maps its guest memory twice. */
struct file_range {
	dev_t dev;
	ino_t ino;
	uint64_t off, len;
};

struct range {
	struct file_range *seen;
	size_t nseen;
	uint64_t first_pfn, pages;
	uint8_t *bits;
	uint64_t *pfn, *old;		/* per mapped page, 0: not present */
	size_t npfn, cap, nold;
	uint64_t moves;
};

static int in_range(const struct range *r, uint64_t pfn)
{
	return pfn >= r->first_pfn && pfn - r->first_pfn < r->pages;
}

/* Sets @pfn's bit in @set when it is a frame of the range (0: none). */
static void mark_frame(const struct range *r, uint64_t pfn, uint8_t *set)
{
	if (!pfn || !in_range(r, pfn))
		return;
	pfn -= r->first_pfn;
	set[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
}

/* Page @i of the mappings is at @pfn now: a move since the last call? */
static int note_pfn(struct range *r, uint64_t pfn)
{
	uint64_t *n, was;

	if (r->npfn == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1 << 16;
		n = realloc(r->pfn, r->cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->pfn = n;
	}
	was = r->npfn < r->nold ? r->old[r->npfn] : 0;
	if (was && pfn && was != pfn && (in_range(r, was) || in_range(r, pfn)))
		r->moves++;
	r->pfn[r->npfn++] = pfn;
	return 0;
}

/* The PFNs of @n pages at @addr of this process ([i]: 0 when not present). */
static int read_pfns(int pm, uintptr_t addr, size_t n, uint64_t *ent)
{
	ssize_t got;

	got = pread(pm, ent, n * sizeof(ent[0]), (off_t)(addr / PAGE * sizeof(ent[0])));
	if (got < 0)
		return -errno;
	return (size_t)got < n * sizeof(ent[0]) ? -EIO : 0;
}

/*
 * Notes the frames of @n pages at @addr (this process), in order, and
 * marks those in the range; @vec: mincore()'s residency.
 */
static int note_pages(struct range *r, int pm, uintptr_t addr, size_t n, const uint8_t *vec)
{
	uint64_t ent[BATCH], pfn;
	size_t i, k, m;
	int err;

	for (k = 0; k < n; k += m) {
		m = n - k > BATCH ? BATCH : n - k;
		err = read_pfns(pm, addr + k * PAGE, m, ent);
		if (err)
			return err;
		for (i = 0; i < m; i++) {
			pfn = ent[i] & PM_PRESENT && vec[k + i] & 1 ? ent[i] & PM_PFN_MASK : 0;
			if (note_pfn(r, pfn))
				return -ENOMEM;
			mark_frame(r, pfn, r->bits);
		}
	}
	return 0;
}

/* Maps in the resident pages of @vec (@n pages at @addr), not touching them. */
static int populate_resident(uint8_t *addr, size_t n, const uint8_t *vec)
{
	size_t i = 0, j;

	while (i < n) {
		if (!(vec[i] & 1)) {
			i++;
			continue;
		}
		for (j = i; j < n && vec[j] & 1; j++)
			;
		/* Read-populating a hole would allocate: resident runs only. */
		if (madvise(addr + i * PAGE, (j - i) * PAGE, MADV_POPULATE_READ) && errno != EFAULT)
			return -errno;
		i = j;
	}
	return 0;
}

/* Whether @fd's range [@off, +@len) was read already; noted if not. */
static int file_seen(struct range *r, int fd, uint64_t off, uint64_t len)
{
	struct file_range *n;
	struct stat st;
	size_t i;

	if (fstat(fd, &st))
		return -errno;
	for (i = 0; i < r->nseen; i++)
		if (r->seen[i].dev == st.st_dev && r->seen[i].ino == st.st_ino &&
		    r->seen[i].off == off && r->seen[i].len == len)
			return 1;
	/* A VM whose chunks moved has a mapping a chunk: no fixed bound. */
	n = realloc(r->seen, (r->nseen + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	r->seen = n;
	r->seen[r->nseen++] = (struct file_range){ st.st_dev, st.st_ino, off, len };
	return 0;
}

/*
 * The frames behind the process's mapping [lo, hi) of a file at @off: the
 * file's pages resident in memory, whether the process has them mapped
 * now or not (hmmv's tracker drops its mappings of the pages it samples,
 * and the memfd keeps them), read through a mapping of our own of the same
 * file (/proc/PID/map_files: root only).
 */
static int scan_mapping(const char *pid, int pm, uint64_t lo, uint64_t hi, uint64_t off,
			struct range *r)
{
	size_t n = (size_t)((hi - lo) / PAGE);
	uint8_t *addr, *vec;
	char path[128];
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%s/map_files/%" PRIx64 "-%" PRIx64, pid, lo, hi);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Split or gone since maps was read (hmmv remapped a chunk): skipped. */
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* A second mapping of the same pages adds nothing (and --where counts mappings). */
	err = file_seen(r, fd, off, hi - lo);
	if (err) {
		close(fd);
		return err < 0 ? err : 0;
	}
	addr = mmap(NULL, hi - lo, PROT_READ, MAP_SHARED, fd, (off_t)off);
	close(fd);
	if (addr == MAP_FAILED)
		return -errno;
	vec = malloc(n);
	err = vec ? 0 : -ENOMEM;
	if (!err && mincore(addr, hi - lo, vec))
		err = -errno;
	err = err ? err : populate_resident(addr, n, vec);
	err = err ? err : note_pages(r, pm, (uintptr_t)addr, n, vec);
	free(vec);
	munmap(addr, hi - lo);
	return err;
}

static int scan_process(const char *pid, const char *name, struct range *r)
{
	char line[512];
	unsigned long long lo, hi, off;
	int pm, err = 0, pos;
	FILE *maps;

	snprintf(line, sizeof(line), "/proc/%s/maps", pid);
	maps = fopen(line, "r");
	if (!maps)
		return -errno;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		err = -errno;
		fclose(maps);
		return err;
	}
	while (!err && fgets(line, sizeof(line), maps)) {
		pos = -1;
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &lo, &hi, &off, &pos) != 3 ||
		    pos < 0 || !strstr(line + pos, name))
			continue;
		err = scan_mapping(pid, pm, lo, hi, off, r);
	}
	close(pm);
	fclose(maps);
	return err;
}

/*
 * "FIRST COUNT" runs of the frames in @a and not in @b (NULL: none), each
 * line after @sign.
 */
static void print_runs_of(const struct range *r, const uint8_t *a, const uint8_t *b,
			  const char *sign, FILE *f)
{
	uint64_t p, start = 0;
	int in = 0, set;

	for (p = 0; p <= r->pages; p++) {
		set = p < r->pages && (a[p / 8] >> (p % 8) & 1) &&
		      !(b && (b[p / 8] >> (p % 8) & 1));
		if (set && !in)
			start = p;
		else if (!set && in)
			fprintf(f, "%s%" PRIu64 " %" PRIu64 "\n", sign, start, p - start);
		in = set;
	}
}

static void print_runs(const struct range *r, FILE *f)
{
	print_runs_of(r, r->bits, NULL, "", f);
}

/* Adds the runs of @path (written by print_runs) to @r; none: 0. */
static int load_runs(struct range *r, const char *path)
{
	int err = runs_load(r->bits, r->pages, path);

	return err == -ENOENT ? 0 : err;
}

/* Writes @path whole or not at all (a temporary file renamed). */
static int store_file(const struct range *r, const char *path,
		      int (*put)(const struct range *r, FILE *f))
{
	char tmp[4096];
	FILE *f;
	int err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	err = put(r, f);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int put_runs(const struct range *r, FILE *f)
{
	print_runs(r, f);
	return ferror(f) ? -EIO : 0;
}

static int put_pfns(const struct range *r, FILE *f)
{
	return fwrite(r->pfn, sizeof(*r->pfn), r->npfn, f) == r->npfn ? 0 : -EIO;
}

/* The moves so far, then the pages resident now and those in the range. */
static int put_moves(const struct range *r, FILE *f)
{
	uint64_t present = 0, in = 0;
	size_t i;

	for (i = 0; i < r->npfn; i++) {
		present += r->pfn[i] != 0;
		in += r->pfn[i] && in_range(r, r->pfn[i]);
	}
	return fprintf(f, "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", r->moves, present, in) < 0 ?
	       -EIO : 0;
}

/* The last call's PFNs (@base.pfn) and move count (@base.moves), if any. */
static int load_state(struct range *r, const char *base)
{
	char path[4096];
	unsigned long long m;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s.moves", base);
	f = fopen(path, "r");
	if (f) {
		r->moves = fscanf(f, "%llu", &m) == 1 ? m : 0;
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s.pfn", base);
	f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	rewind(f);
	r->nold = len > 0 ? (size_t)len / sizeof(*r->old) : 0;
	r->old = r->nold ? malloc(r->nold * sizeof(*r->old)) : NULL;
	if (r->nold && (!r->old || fread(r->old, sizeof(*r->old), r->nold, f) != r->nold))
		r->nold = 0;
	fclose(f);
	return 0;
}

static int store_state(struct range *r, const char *base)
{
	char path[4096];
	int err;

	err = store_file(r, base, put_runs);
	snprintf(path, sizeof(path), "%s.pfn", base);
	err = err ? err : store_file(r, path, put_pfns);
	snprintf(path, sizeof(path), "%s.moves", base);
	return err ? err : store_file(r, path, put_moves);
}

/* Bit i of @set for each of @pfn[0..n) in the range (frame i). */
static void frames_of(const struct range *r, const uint64_t *pfn, size_t n, uint8_t *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		mark_frame(r, pfn[i], set);
}

/*
 * An entry's first line: "@", and with the meter's ticks "@ MS", the
 * CLOCK_BOOTTIME ms of the first tick (the meter records it on its own
 * clock: the analysis maps the test host's times onto the meter's by it).
 */
static void print_at(FILE *f, uint64_t at_ms)
{
	if (at_ms)
		fprintf(f, "@ %" PRIu64 "\n", at_ms);
	else
		fputs("@\n", f);
}

/* CLOCK_BOOTTIME in ms, 0 if it cannot be read. */
static uint64_t boot_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --steps: appends the frames that joined and left since the last call. */
static int append_step(const struct range *r, const char *path, uint64_t at_ms)
{
	uint8_t *now = calloc(r->pages / 8 + 1, 1), *was = calloc(r->pages / 8 + 1, 1);
	FILE *f = NULL;
	int err = 0;

	if (!now || !was) {
		err = -ENOMEM;
		goto out;
	}
	frames_of(r, r->pfn, r->npfn, now);
	frames_of(r, r->old, r->nold, was);
	f = fopen(path, "a");
	if (!f) {
		err = -errno;
		goto out;
	}
	print_at(f, at_ms);
	print_runs_of(r, now, was, "+ ", f);
	print_runs_of(r, was, now, "- ", f);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
out:
	free(now);
	free(was);
	return err;
}

/*
 * --steps, a call that failed: an entry without frames, so that entries
 * and ticks still pair (at worst a list missed).
 */
static void append_empty(const char *path, uint64_t at_ms)
{
	FILE *f = fopen(path, "a");

	if (f) {
		print_at(f, at_ms);
		fclose(f);
	}
}

/* Frees @r; says what failed unless @what is NULL (said already). */
static int fail(struct range *r, const char *what, int err)
{
	if (what)
		fprintf(stderr, "guest_pages: %s: %s\n", what, strerror(-err));
	free(r->bits);
	free(r->pfn);
	free(r->old);
	free(r->seen);
	return 1;
}

/* --where: runs of mapped pages by whether their frame is in the range. */
static int put_where(const struct range *r, FILE *f)
{
	size_t i, first = 0;
	int cls = -1, c;

	for (i = 0; i <= r->npfn; i++) {
		c = i == r->npfn || !r->pfn[i] ? -1 : in_range(r, r->pfn[i]);
		if (c == cls)
			continue;
		if (cls >= 0)
			fprintf(f, "%zu %zu %d\n", first, i - first, cls);
		first = i;
		cls = c;
	}
	return ferror(f) ? -EIO : 0;
}

/*
 * Lists @r's frames (argv as main's, after the options): into UNION and
 * its state with one, else on stdout. On failure *what names what failed,
 * NULL when said already.
 */
static int list_frames(struct range *r, int argc, char **argv, int where, const char **what)
{
	int err;

	*what = "memory";
	r->bits = calloc(r->pages / 8 + 1, 1);
	if (!r->bits)
		return -ENOMEM;
	*what = argv[5];
	err = argc == 6 ? load_runs(r, argv[5]) : 0;
	err = err ? err : argc == 6 ? load_state(r, argv[5]) : 0;
	if (err)
		return err;
	*what = "process";
	err = scan_process(argv[1], argv[2], r);
	/* An exiting process has no mappings left: keep the last state. */
	if (!err && !r->npfn) {
		fprintf(stderr, "guest_pages: process %s: no mapping named %s\n", argv[1], argv[2]);
		*what = NULL;
		return -ENOENT;
	}
	if (err)
		return err;
	if (argc == 6) {
		*what = argv[5];
		return store_state(r, argv[5]);
	}
	*what = "stdout";
	return (where ? put_where(r, stdout) : put_runs(r, stdout)) ? -EIO :
	       fflush(stdout) ? -EIO : 0;
}

int main(int argc, char **argv)
{
	unsigned long long start, size;
	struct range r = { 0 };
	const char *steps = NULL, *what;
	uint64_t at_ms = 0;
	int err, where = 0, tick = 0;
	char *end;

	if (argc > 1 && !strcmp(argv[1], "--where")) {
		where = 1;
		argc--;
		argv++;
	} else if (argc > 2 && (!strcmp(argv[1], "--steps") || !strcmp(argv[1], "--steps-after"))) {
		tick = !strcmp(argv[1], "--steps");
		steps = argv[2];
		argc -= 2;
		argv += 2;
	}
	if ((argc != 5 || steps) && (argc != 6 || where)) {
		fprintf(stderr, "usage: guest_pages [--where | --steps LOG | --steps-after LOG] PID NAME START SIZE [UNION]"
			" (--steps needs UNION)\n");
		return 2;
	}
	start = strtoull(argv[3], &end, 0);
	if (*end || start % PAGE) {
		fprintf(stderr, "guest_pages: START %s: not a page-aligned address\n", argv[3]);
		return 2;
	}
	size = strtoull(argv[4], &end, 0);
	if (*end || !size || size % PAGE || size > (1ULL << 40)) {
		fprintf(stderr, "guest_pages: SIZE %s: not a page multiple up to 1 TiB\n", argv[4]);
		return 2;
	}
	if (steps && tick) {
		at_ms = boot_ms();
		meter_tick();
	}
	r.first_pfn = start / PAGE;
	r.pages = size / PAGE;
	err = list_frames(&r, argc, argv, where, &what);
	if (steps) {
		if (err) {
			append_empty(steps, at_ms);
		} else {
			err = append_step(&r, steps, at_ms);
			what = steps;
		}
		if (tick)
			meter_tick();
	}
	if (err)
		return fail(&r, what, err);
	free(r.bits);
	free(r.pfn);
	free(r.old);
	free(r.seen);
	return 0;
}
