// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-memory accessors for device code: bounds-checked translation and
 * copies, a record of what the VMM writes (the tracker must know that those
 * pages changed although no vCPU touched them), and per-chunk in-flight I/O
 * counts that hold off a migration of the chunk.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "memory/internal.h"

void *memory_translate(struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	const struct mem_region *r;
	int i;

	for (i = 0; i < m->nr_regions; i++) {
		r = &m->regions[i];
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return m->host + r->offset + (gpa - r->gpa);
	}
	return NULL;
}

/* Takes an I/O reference on each chunk of host range [off, off+len). */
static void chunks_hold(struct guest_mem *m, uint64_t off, uint64_t len)
{
	uint64_t c, last;
	uint32_t v;

	if (!len || !m->state)
		return;
	last = (off + len - 1) / m->chunk_size;
	for (c = off / m->chunk_size; c <= last; c++) {
		v = atomic_load(&m->state[c]);
		for (;;) {
			/* A migration lasts one chunk copy: wait it out. */
			if (v & MEM_CHUNK_MIGRATING) {
				sched_yield();
				v = atomic_load(&m->state[c]);
				continue;
			}
			if (atomic_compare_exchange_weak(&m->state[c], &v, v + 1))
				break;
		}
	}
}

static void chunks_release(struct guest_mem *m, uint64_t off, uint64_t len)
{
	uint64_t c, last;

	if (!len || !m->state)
		return;
	last = (off + len - 1) / m->chunk_size;
	for (c = off / m->chunk_size; c <= last; c++)
		atomic_fetch_sub(&m->state[c], 1);
}

static void mark_written(struct guest_mem *m, uint64_t off, uint64_t len)
{
	uint64_t p, last;

	if (!len || !m->vmm_dirty)
		return;
	last = (off + len - 1) / MEM_PAGE_SIZE;
	for (p = off / MEM_PAGE_SIZE; p <= last; p++)
		atomic_fetch_or(&m->vmm_dirty[p / 64], 1ULL << (p % 64));
}

static uint64_t host_off(const struct guest_mem *m, const void *p)
{
	return (uint64_t)((const uint8_t *)p - m->host);
}

int memory_read(struct guest_mem *m, uint64_t gpa, void *buf, size_t len)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return -EFAULT;
	chunks_hold(m, host_off(m, p), len);
	memcpy(buf, p, len);
	chunks_release(m, host_off(m, p), len);
	return 0;
}

int memory_write(struct guest_mem *m, uint64_t gpa, const void *buf, size_t len)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return -EFAULT;
	chunks_hold(m, host_off(m, p), len);
	memcpy(p, buf, len);
	mark_written(m, host_off(m, p), len);
	chunks_release(m, host_off(m, p), len);
	return 0;
}

int memory_io_begin(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return -EFAULT;
	chunks_hold(m, host_off(m, p), len);
	return 0;
}

void memory_io_end(struct guest_mem *m, uint64_t gpa, uint64_t len, bool write)
{
	void *p = memory_translate(m, gpa, len);

	if (!p)
		return;
	if (write)
		mark_written(m, host_off(m, p), len);
	chunks_release(m, host_off(m, p), len);
}

int memory_range_hold(struct guest_mem *m, uint64_t off, uint64_t len)
{
	if (off > m->ram_size || len > m->ram_size - off)
		return -EINVAL;
	chunks_hold(m, off, len);
	return 0;
}

void memory_range_release(struct guest_mem *m, uint64_t off, uint64_t len)
{
	if (off > m->ram_size || len > m->ram_size - off)
		return;
	chunks_release(m, off, len);
}

int memory_fetch_written(struct guest_mem *m, uint32_t chunk, uint64_t *bits)
{
	uint64_t per = m->chunk_size / MEM_PAGE_SIZE, first, i, w, word;
	int n = 0;

	if (chunk >= m->nr_chunks)
		return -EINVAL;
	first = chunk * per;
	memset(bits, 0, (per + 63) / 64 * sizeof(uint64_t));
	if (per % 64 == 0) {
		for (w = 0; w < per / 64; w++) {
			word = atomic_exchange(&m->vmm_dirty[first / 64 + w], 0);
			bits[w] = word;
			n += __builtin_popcountll(word);
		}
		return n;
	}
	for (i = 0; i < per; i++) {
		w = first + i;
		word = atomic_fetch_and(&m->vmm_dirty[w / 64], ~(1ULL << (w % 64)));
		if (!((word >> (w % 64)) & 1))
			continue;
		bits[i / 64] |= 1ULL << (i % 64);
		n++;
	}
	return n;
}

uint32_t memory_chunk_io(const struct guest_mem *m, uint32_t chunk)
{
	if (chunk >= m->nr_chunks)
		return 0;
	return atomic_load(&m->state[chunk]) & ~MEM_CHUNK_MIGRATING;
}

/* MADV_DONTNEED drops PTEs only where a shared file keeps the pages. */
static bool zap_keeps_data(const struct mem_tier *t)
{
	return t->fd >= 0 && (t->kind == MEM_BACK_MEMFD || t->kind == MEM_BACK_NODE ||
			      t->kind == MEM_BACK_DEVDAX || t->kind == MEM_BACK_FILE);
}

/* Every chunk of [off, off+len) on a backing a zap cannot lose data of. */
static int zap_check(struct guest_mem *m, uint64_t off, uint64_t len)
{
	uint64_t c, last = (off + len - 1) / m->chunk_size;
	const struct mem_tier *t;
	int err = 0;

	pthread_mutex_lock(&m->lock);
	for (c = off / m->chunk_size; c <= last && !err; c++) {
		t = &m->tiers[m->chunks[c].file];
		if (!zap_keeps_data(t))
			err = -EOPNOTSUPP;
	}
	pthread_mutex_unlock(&m->lock);
	return err;
}

/*
 * A devdax mapping is huge (2 MiB or more): dropping part of one makes the
 * kernel tear down the whole huge entry anyway, and Linux 6.1 does it
 * through a path that logs "bad pmd" and leaves the entry half-cleared.
 * A hugetlb mapping cannot be dropped in part at all (EINVAL). So a range
 * that ends inside a chunk on either is widened to the whole chunk; the
 * caller still reads only the pages it asked about.
 */
static bool zap_whole(const struct mem_tier *t)
{
	return t->kind == MEM_BACK_DEVDAX || t->hugetlb;
}

static void zap_widen(struct guest_mem *m, uint64_t *off, uint64_t *len)
{
	uint64_t cs = m->chunk_size, end = *off + *len;
	uint32_t first = (uint32_t)(*off / cs), last = (uint32_t)((end - 1) / cs);

	pthread_mutex_lock(&m->lock);
	if (zap_whole(&m->tiers[m->chunks[first].file]))
		*off = (uint64_t)first * cs;
	if (zap_whole(&m->tiers[m->chunks[last].file]))
		end = ((uint64_t)last + 1) * cs;
	pthread_mutex_unlock(&m->lock);
	*len = (end < m->ram_size ? end : m->ram_size) - *off;
}

int memory_zap_range(struct guest_mem *m, uint64_t off, uint64_t len)
{
	uint64_t zoff, zlen;
	int err;

	if (!len || off % MEM_PAGE_SIZE || len % MEM_PAGE_SIZE || off > m->ram_size ||
	    len > m->ram_size - off)
		return -EINVAL;
	err = zap_check(m, off, len);
	if (err)
		return err;
	/*
	 * One call for the whole range (one MMU-notifier round in KVM, the
	 * expensive part); the I/O references keep remaps from swapping a
	 * frame under it, and so the backing zap_widen() sees.
	 */
	chunks_hold(m, off, len);
	zoff = off;
	zlen = len;
	zap_widen(m, &zoff, &zlen);
	if (madvise(m->host + zoff, zlen, MADV_DONTNEED) < 0)
		err = -errno;
	chunks_release(m, off, len);
	return err;
}
