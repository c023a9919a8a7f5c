// SPDX-License-Identifier: GPL-2.0
/*
 * trace_check FILE [FRAME...]: validates a trace recorded by hmmv run
 * --trace (header, blocks in order, records valid, end marker) and prints
 * key=value summaries for tests/system/trace_guest.sh. FRAMEs are the hot
 * set's 2 MiB guest-physical frames (guest/progs/hotset.c prints them);
 * trace pages are guest-RAM offsets, equal to guest-physical addresses
 * below the PCI hole, so frame F is trace chunk F (512 pages).
 *
 * The hot phase runs from the first to the last interval in which at least
 * half of the hot frames were touched, less those two (the workload starts
 * and ends within them); for its intervals it prints how
 * many had every hot frame touched, how many had at least half of them
 * written, and the median and 90th percentile of other chunks touched.
 * Over the whole trace, per chunk: the intervals in which it has a record
 * and the sum of its reads (for an engine trace, TRACE_F_WINDOWS, the
 * page-windows it was seen in, and only records seen in a window count:
 * its writes are refaults); it prints the least of these over the hot
 * frames and the 90th percentile over the other chunks.
 * Exit status: 0 well formed, 1 malformed or unreadable, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/trace.h"

#define CHUNK_PAGES	512
#define MAX_FRAMES	4096

struct ival {
	uint32_t hot_touched, hot_written, other;
	uint64_t reads, writes;
};

struct check {
	uint64_t frames[MAX_FRAMES];
	uint32_t nframes;
	struct ival *iv;	/* per interval */
	uint32_t niv;
	uint8_t *seen;		/* per chunk, scratch */
	uint32_t *seen_ivals;	/* per chunk: intervals with a record */
	uint64_t *hits;		/* per chunk: reads summed */
	uint32_t nchunks;
	int windows;		/* an engine trace: writes are refaults */
};

static int is_hot(const struct check *k, uint64_t chunk)
{
	uint32_t i;

	for (i = 0; i < k->nframes; i++)
		if (k->frames[i] == chunk)
			return 1;
	return 0;
}

/* Per-chunk summary of one block: bit 0 touched, bit 1 written. */
static void account(struct check *k, const struct trace_block *b,
		    const struct trace_rec *r)
{
	struct ival *v = &k->iv[b->interval];
	uint32_t i, c;

	memset(k->seen, 0, k->nchunks);
	for (i = 0; i < b->nrec; i++) {
		c = r[i].page / CHUNK_PAGES;
		/* An engine's record of refaults alone saw no touch in a window. */
		if (k->windows && !r[i].reads)
			continue;
		k->seen[c] |= 1 | (r[i].writes && !k->windows ? 2 : 0);
		k->hits[c] += r[i].reads;
		v->reads += r[i].reads;
		v->writes += r[i].writes;
	}
	for (c = 0; c < k->nchunks; c++) {
		if (!k->seen[c])
			continue;
		k->seen_ivals[c]++;
		if (!is_hot(k, c)) {
			v->other++;
			continue;
		}
		v->hot_touched++;
		v->hot_written += k->seen[c] >> 1;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Per chunk over the whole trace: hot frames' least, others' p90. */
static void summarize_chunks(const struct check *k)
{
	uint64_t *other = calloc(k->nchunks + 1, sizeof(uint64_t));
	uint64_t hot_hits = UINT64_MAX;
	uint32_t c, n = 0, hot_seen = UINT32_MAX;

	if (!other || !k->nframes) {
		free(other);
		return;
	}
	for (c = 0; c < k->nchunks; c++) {
		if (!is_hot(k, c)) {
			other[n++] = k->hits[c];
			continue;
		}
		hot_seen = k->seen_ivals[c] < hot_seen ? k->seen_ivals[c] : hot_seen;
		hot_hits = k->hits[c] < hot_hits ? k->hits[c] : hot_hits;
	}
	qsort(other, n, sizeof(*other), cmp_u64);
	printf("hot_seen_min=%u hot_hits_min=%llu other_hits_p90=%llu\n", hot_seen,
	       (unsigned long long)hot_hits,
	       (unsigned long long)(n ? other[(n * 9) / 10] : 0));
	free(other);
}

static void summarize(const struct check *k)
{
	uint32_t i, first = UINT32_MAX, last = 0, n = 0, all = 0, half_w = 0;
	uint32_t *other = calloc(k->niv + 1, sizeof(uint32_t));

	for (i = 0; i < k->niv; i++) {
		if (!k->nframes || 2 * k->iv[i].hot_touched < k->nframes)
			continue;
		if (first == UINT32_MAX)
			first = i;
		last = i;
	}
	for (i = first + 1; other && first != UINT32_MAX && i < last; i++) {
		all += k->iv[i].hot_touched == k->nframes;
		half_w += 2 * k->iv[i].hot_written >= k->nframes;
		other[n++] = k->iv[i].other;
	}
	printf("hot_frames=%u hot_intervals=%u all_hot_touched=%u half_hot_written=%u\n",
	       k->nframes, n, all, half_w);
	if (n && other) {
		qsort(other, n, sizeof(*other), cmp_u32);
		printf("other_chunks_median=%u other_chunks_p90=%u other_chunks_max=%u\n",
		       other[n / 2], other[(n * 9) / 10], other[n - 1]);
	}
	free(other);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n = -1;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static int grow(struct check *k, uint32_t n)
{
	struct ival *iv;

	n = n < 1024 ? 1024 : n + n / 2;
	iv = realloc(k->iv, n * sizeof(*iv));
	if (!iv) {
		fprintf(stderr, "trace_check: out of memory\n");
		return -1;
	}
	memset(iv + k->niv, 0, (n - k->niv) * sizeof(*iv));
	k->iv = iv;
	k->niv = n;
	return 0;
}

static int walk(struct check *k, struct trace_cursor *c, struct trace_rec *recs,
		uint32_t max)
{
	struct trace_block b;
	uint64_t blocks = 0, recsum = 0;
	int r;

	k->windows = !!(c->hdr.flags & TRACE_F_WINDOWS);
	while ((r = trace_next_block(c, &b, recs, max)) == 1) {
		if (b.vm != 0) {
			fprintf(stderr, "trace_check: block of vm %u in a one-VM trace\n", b.vm);
			return -1;
		}
		if (b.interval >= k->niv && grow(k, b.interval + 1))
			return -1;
		account(k, &b, recs);
		blocks++;
		recsum += b.nrec;
	}
	if (r < 0) {
		fprintf(stderr, "trace_check: malformed after %llu blocks: %s\n",
			(unsigned long long)blocks, strerror(-r));
		return -1;
	}
	printf("vm_pages=%llu interval_ms=%llu flags=%u blocks=%llu records=%llu end=1\n",
	       (unsigned long long)c->hdr.vm_pages[0],
	       (unsigned long long)(c->hdr.interval_ns / 1000000), c->hdr.flags,
	       (unsigned long long)blocks, (unsigned long long)recsum);
	return 0;
}

int main(int argc, char **argv)
{
	struct check k = { .nframes = 0 };
	struct trace_cursor c;
	struct trace_rec *recs;
	uint8_t *buf;
	size_t len = 0;
	int i, r;

	if (argc < 2 || argc - 2 > MAX_FRAMES) {
		fprintf(stderr, "usage: trace_check FILE [FRAME...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		k.frames[k.nframes++] = strtoull(argv[i], NULL, 0);
	buf = slurp(argv[1], &len);
	r = buf ? trace_open_mem(&c, buf, len) : -errno;
	if (r < 0 || c.hdr.nvms != 1) {
		fprintf(stderr, "trace_check: %s: bad trace: %s\n", argv[1], strerror(r ? -r : EINVAL));
		return 1;
	}
	k.nchunks = (uint32_t)((c.hdr.vm_pages[0] + CHUNK_PAGES - 1) / CHUNK_PAGES);
	k.seen = calloc(k.nchunks, 1);
	k.seen_ivals = calloc(k.nchunks, sizeof(*k.seen_ivals));
	k.hits = calloc(k.nchunks, sizeof(*k.hits));
	recs = calloc(c.hdr.vm_pages[0], sizeof(*recs));
	if (!k.seen || !k.seen_ivals || !k.hits || !recs) {
		fprintf(stderr, "trace_check: out of memory\n");
		return 1;
	}
	r = walk(&k, &c, recs, (uint32_t)c.hdr.vm_pages[0]);
	if (r == 0) {
		summarize(&k);
		summarize_chunks(&k);
	}
	free(recs);
	free(k.seen);
	free(k.seen_ivals);
	free(k.hits);
	free(k.iv);
	free(buf);
	return r ? 1 : 0;
}
