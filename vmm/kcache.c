// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side decompression of a bzImage's XZ payload, cached by content.
 *
 * Decompressing inside the guest costs about half of a boot in the nested
 * test host; on the host it costs a fraction of a second once. The cache
 * file is named by the CRC-64 and length of the whole bzImage and holds the
 * payload as the kernel's own decompressor would see it (vmlinux ELF, then
 * its relocations). A cache entry is trusted only when its length equals
 * the uncompressed size the bzImage records after its payload. Files are
 * written under a temporary name and renamed, so readers never see a
 * partial one.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/boot_internal.h"

#define KCACHE_MAX_KERNEL	(512u << 20)
/* Linux builds use a 32 MiB dictionary at most (scripts/xz_wrap.sh). */
#define KCACHE_XZ_MEMLIMIT	(128u << 20)

static int kcache_dir(const char *cache_dir, char *buf, size_t len)
{
	const char *base = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (cache_dir)
		n = snprintf(buf, len, "%s", cache_dir);
	else if (base && base[0] == '/')
		n = snprintf(buf, len, "%s/hmmv", base);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.cache/hmmv", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p for the last two components, private to the user. */
static void kcache_mkdir(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (mkdir(dir, 0700) == 0 || errno != ENOENT || !slash || slash == dir)
		return;
	*slash = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*slash = '/';
		return;
	}
	*slash = '/';
	(void)!mkdir(dir, 0700);
}

/* Ours and writable by nobody else: what we may trust, or write into. */
static bool kcache_trusted(int fd, mode_t type)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == type &&
	       st.st_uid == geteuid() && !(st.st_mode & 022);
}

/*
 * The cache folder as a directory fd (created when missing), or -errno:
 * -EPERM when it is not a real directory of ours that only we can write,
 * as the control socket's directory is checked (vmm/control.c). Entries
 * are then opened relative to it, so the folder cannot be swapped later.
 */
static int kcache_dir_open(const struct boot_file *bz, const char *cache_dir,
			   char *name, size_t namelen)
{
	char dir[4096];
	int fd, n, r;

	r = kcache_dir(cache_dir, dir, sizeof(dir));
	if (r < 0)
		return r;
	n = snprintf(name, namelen, "vmlinux-%016" PRIx64 "-%zx",
		     lzma_crc64(bz->data, bz->len, 0), bz->len);
	if (n < 0 || (size_t)n >= namelen)
		return -ENAMETOOLONG;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		kcache_mkdir(dir);
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (!kcache_trusted(fd, S_IFDIR)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int kcache_lookup(int dfd, const char *name, size_t size, struct boot_file *out)
{
	struct stat st;
	void *p;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!kcache_trusted(fd, S_IFREG) || fstat(fd, &st) < 0 ||
	    (size_t)st.st_size != size) {
		close(fd);
		return -ENOENT;
	}
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	out->data = p;
	out->len = size;
	return 0;
}

static int kcache_decompress(const uint8_t *in, size_t in_len, size_t size,
			     struct boot_file *out)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	uint8_t *buf;
	lzma_ret ret;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	/* The stream's header names its dictionary: bound what it may cost. */
	if (lzma_stream_decoder(&strm, KCACHE_XZ_MEMLIMIT, 0) != LZMA_OK) {
		free(buf);
		return -ENOMEM;
	}
	strm.next_in = in;
	strm.avail_in = in_len;
	strm.next_out = buf;
	strm.avail_out = size;
	ret = lzma_code(&strm, LZMA_FINISH);
	lzma_end(&strm);
	if (ret != LZMA_STREAM_END || strm.total_out != size) {
		free(buf);
		return -ENOEXEC;
	}
	out->data = buf;
	out->len = size;
	return 0;
}

/* Best effort: a cache that cannot be written only costs time. */
static void kcache_store(int dfd, const char *name, const struct boot_file *f)
{
	char tmp[128];
	size_t off = 0;
	ssize_t n;
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	while (off < f->len) {
		n = write(fd, f->data + off, f->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (close(fd) < 0 || off != f->len || renameat(dfd, tmp, dfd, name) < 0)
		unlinkat(dfd, tmp, 0);
}

static int kcache_is_xz(const uint8_t *p, size_t len)
{
	static const uint8_t magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };

	return len > sizeof(magic) + 4 && !memcmp(p, magic, sizeof(magic));
}

int kcache_get(const struct boot_file *bz, const uint8_t *payload,
	       size_t payload_len, const char *cache_dir,
	       struct boot_file *out, int *from_cache)
{
	char name[64];
	uint32_t size;
	int r, dfd;

	if (!kcache_is_xz(payload, payload_len))
		return -ENOTSUP;
	/* The build appends the uncompressed size, little endian. */
	memcpy(&size, payload + payload_len - 4, 4);
	if (!size || size > KCACHE_MAX_KERNEL)
		return -ENOEXEC;
	/* No usable folder (missing, not ours, writable by others): no cache. */
	dfd = kcache_dir_open(bz, cache_dir, name, sizeof(name));
	if (dfd >= 0 && kcache_lookup(dfd, name, size, out) == 0) {
		close(dfd);
		*from_cache = 1;
		return 0;
	}
	*from_cache = 0;
	r = kcache_decompress(payload, payload_len - 4, size, out);
	if (r == 0 && dfd >= 0)
		kcache_store(dfd, name, out);
	if (dfd >= 0)
		close(dfd);
	return r;
}

void kcache_put(struct boot_file *f, int from_cache)
{
	if (!f->data)
		return;
	if (from_cache)
		munmap((void *)f->data, f->len);
	else
		free((void *)f->data);
	f->data = NULL;
}
