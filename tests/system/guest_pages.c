// SPDX-License-Identifier: GPL-2.0
/*
 * guest_pages PID NAME START SIZE [UNION]: the pages of physical range
 * [START, START + SIZE) (hex or decimal bytes) that back a mapping of
 * process PID whose /proc/PID/maps path contains NAME, as "FIRST COUNT"
 * runs of page indices from START, ascending; with UNION, added to the
 * runs that file holds (none when it does not exist) and written back to
 * it instead, with UNION.pfn (where each mapped page was: the next call
 * counts the pages moved to or from the range since, into UNION.moves,
 * followed by the pages resident and those in the range).
 * make eval-real takes them every second of the Linux-tiering run, one
 * union per workload (NAME hmmv-dram, the range the NVDIMM's
 * kmem node): the meter counts the whole NVDIMM, the test host's own
 * pages there included; these are the guest's, and the frames the
 * kernel's migrations copied them to.
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
#include <unistd.h>

#include "tools/evalreal/runs.h"

#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PAGE		4096ULL
#define BATCH		512

struct range {
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

/* Marks the range's pages behind virtual [lo, hi) of the process. */
static int scan_mapping(int pm, uint64_t lo, uint64_t hi, struct range *r)
{
	uint64_t ent[BATCH], v, pfn;
	size_t i, n;
	ssize_t got;

	for (v = lo; v < hi; v += n * PAGE) {
		n = (size_t)((hi - v) / PAGE);
		n = n > BATCH ? BATCH : n;
		got = pread(pm, ent, n * sizeof(ent[0]), (off_t)(v / PAGE * sizeof(ent[0])));
		if (got < 0)
			return -errno;
		if ((size_t)got < n * sizeof(ent[0]))
			return -EIO;
		for (i = 0; i < n; i++) {
			pfn = ent[i] & PM_PRESENT ? ent[i] & PM_PFN_MASK : 0;
			if (note_pfn(r, pfn))
				return -ENOMEM;
			if (!pfn || !in_range(r, pfn))
				continue;
			pfn -= r->first_pfn;
			r->bits[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		}
	}
	return 0;
}

static int scan_process(const char *pid, const char *name, struct range *r)
{
	char path[64], line[512];
	unsigned long long lo, hi;
	int pm, err = 0, pos;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	maps = fopen(path, "r");
	if (!maps)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		err = -errno;
		fclose(maps);
		return err;
	}
	while (!err && fgets(line, sizeof(line), maps)) {
		pos = -1;
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &pos) != 2 ||
		    pos < 0 || !strstr(line + pos, name))
			continue;
		err = scan_mapping(pm, lo, hi, r);
	}
	close(pm);
	fclose(maps);
	return err;
}

static void print_runs(const struct range *r, FILE *f)
{
	uint64_t p, start = 0;
	int in = 0, set;

	for (p = 0; p <= r->pages; p++) {
		set = p < r->pages && (r->bits[p / 8] >> (p % 8) & 1);
		if (set && !in)
			start = p;
		else if (!set && in)
			fprintf(f, "%" PRIu64 " %" PRIu64 "\n", start, p - start);
		in = set;
	}
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

/* Frees @r; says what failed unless @what is NULL (said already). */
static int fail(struct range *r, const char *what, int err)
{
	if (what)
		fprintf(stderr, "guest_pages: %s: %s\n", what, strerror(-err));
	free(r->bits);
	free(r->pfn);
	free(r->old);
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

int main(int argc, char **argv)
{
	unsigned long long start, size;
	struct range r = { 0 };
	int err, where = 0;
	char *end;

	if (argc > 1 && !strcmp(argv[1], "--where")) {
		where = 1;
		argc--;
		argv++;
	}
	if (argc != 5 && (argc != 6 || where)) {
		fprintf(stderr, "usage: guest_pages [--where] PID NAME START SIZE [UNION]\n");
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
	r.first_pfn = start / PAGE;
	r.pages = size / PAGE;
	r.bits = calloc(r.pages / 8 + 1, 1);
	if (!r.bits)
		return fail(&r, "memory", -ENOMEM);
	err = argc == 6 ? load_runs(&r, argv[5]) : 0;
	err = err ? err : argc == 6 ? load_state(&r, argv[5]) : 0;
	if (err)
		return fail(&r, argv[5], err);
	err = scan_process(argv[1], argv[2], &r);
	/* An exiting process has no mappings left: keep the last state. */
	if (!err && !r.npfn) {
		fprintf(stderr, "guest_pages: process %s: no mapping named %s\n", argv[1], argv[2]);
		return fail(&r, NULL, 0);
	}
	if (err)
		return fail(&r, "process", err);
	if (argc == 6)
		err = store_state(&r, argv[5]);
	else
		err = (where ? put_where(&r, stdout) : put_runs(&r, stdout)) ? -EIO :
		      fflush(stdout) ? -EIO : 0;
	if (err)
		return fail(&r, argc == 6 ? argv[5] : "stdout", err);
	free(r.bits);
	free(r.pfn);
	free(r.old);
	return 0;
}
