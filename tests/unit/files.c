// SPDX-License-Identifier: GPL-2.0
/*
 * Files hmmv opens by name, in a world-writable directory (issue 14, items
 * 4 and 5): --trace and --console file: neither follow a planted symlink
 * nor create world-readable files; -k, -i, --console, --trace and
 * hmmv sim --trace refuse a FIFO at once instead of blocking; the kernel
 * cache trusts neither a folder others may write nor an xz header that
 * asks the decoder for gigabytes.
 *
 * Each open runs in a child with a deadline: before the fixes a FIFO hung
 * it (reported as a failure, not a hung test).
 */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hmmv/tracker.h"
#include "tests/tap.h"
#include "tools/sim/sim.h"
#include "vmm/boot_internal.h"
#include "vmm/console.h"

#define HUNG	200	/* child status: did not return within the deadline */

static char dir[] = "/tmp/hmmv-unit-files-XXXXXX";
static char secret[200];	/* a file a planted symlink points at */

/* Runs @fn(@arg) in a child; its return value (0..255), or HUNG. */
static int in_child(int (*fn)(const char *), const char *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int st, i;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg) & 0xff);
	for (i = 0; i < 150; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return HUNG;
}

/* 0 opened; 1 refused with a line naming the flag; 2 refused otherwise. */
static int try_trace(const char *path)
{
	struct tracker *t;
	char why[256] = "";

	if (tracker_create(&t, path, 0, why, sizeof(why)) == 0) {
		tracker_destroy(t);
		return 0;
	}
	return strstr(why, "--trace") && strstr(why, path) ? 1 : 2;
}

static int try_console(const char *path)
{
	struct console_config cfg = { .kind = CONSOLE_FILE, .path = path };
	struct console *c;
	char why[256] = "";

	if (console_open(&c, &cfg, why, sizeof(why)) == 0) {
		console_write(c, (const uint8_t *)"x", 1);
		console_close(c);
		return 0;
	}
	return strstr(why, "--console") && strstr(why, path) ? 1 : 2;
}

static int try_kernel(const char *path)
{
	struct boot_file f = { 0 };
	char why[256] = "";

	if (boot_file_map(&f, "--initrd", path, why, sizeof(why)) == 0) {
		boot_file_unmap(&f);
		return 0;
	}
	return strstr(why, "--initrd") && strstr(why, path) ? 1 : 2;
}

static int try_sim(const char *path)
{
	struct source *s;

	if (source_open_trace(&s, path, 1) == 0) {
		source_close(s);
		return 0;
	}
	return 1;
}

static void make_secret(void)
{
	int fd;

	snprintf(secret, sizeof(secret), "%s/secret", dir);
	fd = open(secret, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "precious\n", 9) != 9)
		tap_diag("cannot write %s", secret);
	if (fd >= 0)
		close(fd);
}

static int secret_intact(void)
{
	char buf[32] = "";
	int fd = open(secret, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n == 9 && !memcmp(buf, "precious\n", 9);
}

static void test_symlinks(void)
{
	char link[220];

	make_secret();
	snprintf(link, sizeof(link), "%s/trace.link", dir);
	if (symlink(secret, link) < 0)
		tap_diag("symlink: %s", strerror(errno));
	tap_is(in_child(try_trace, link), 1, "--trace refuses a planted symlink, naming it");
	tap_ok(secret_intact(), "--trace: the symlink's target is untouched");
	unlink(link);

	snprintf(link, sizeof(link), "%s/console.link", dir);
	if (symlink(secret, link) < 0)
		tap_diag("symlink: %s", strerror(errno));
	tap_is(in_child(try_console, link), 1, "--console file: refuses a planted symlink");
	tap_ok(secret_intact(), "--console: the symlink's target is untouched");
	unlink(link);
	unlink(secret);
}

static void test_modes(void)
{
	char path[220];
	struct stat st;

	umask(0);
	snprintf(path, sizeof(path), "%s/new.trace", dir);
	tap_is(in_child(try_trace, path), 0, "--trace creates a new file");
	/* tracker_destroy removes a trace it created that never started. */
	tap_ok(access(path, F_OK) != 0, "an unstarted trace it created is removed");
	snprintf(path, sizeof(path), "%s/new.console", dir);
	tap_is(in_child(try_console, path), 0, "--console file: creates a new file");
	if (stat(path, &st) < 0)
		st.st_mode = 0;
	tap_ok((st.st_mode & 0777) == 0600,
	       "--console file: creates it 0600 whatever the umask (mode %o)",
	       st.st_mode & 0777);
	unlink(path);
	umask(022);
}

/* A mode check the tracker allows: create it by starting a real trace. */
static void test_trace_mode(void)
{
	struct tracker *t;
	char why[256] = "", path[220];
	struct stat st;

	umask(0);
	snprintf(path, sizeof(path), "%s/kept.trace", dir);
	if (tracker_create(&t, path, 0, why, sizeof(why)) < 0) {
		tap_ok(0, "--trace %s: %s", path, why);
		umask(022);
		return;
	}
	if (stat(path, &st) < 0)
		st.st_mode = 0;
	tap_ok((st.st_mode & 0777) == 0600,
	       "--trace creates its file 0600 whatever the umask (mode %o)", st.st_mode & 0777);
	tracker_destroy(t);
	unlink(path);
	umask(022);
}

static void test_fifos(void)
{
	char fifo[220];

	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	if (mkfifo(fifo, 0600) < 0)
		tap_diag("mkfifo: %s", strerror(errno));
	tap_is(in_child(try_kernel, fifo), 1, "-k/-i on a FIFO: refused at once, naming it");
	tap_is(in_child(try_console, fifo), 1, "--console file: on a FIFO: refused at once");
	tap_is(in_child(try_trace, fifo), 1, "--trace on a FIFO: refused at once");
	tap_is(in_child(try_sim, fifo), 1, "hmmv sim --trace on a FIFO: refused at once");
	tap_is(in_child(try_console, "/dev/null"), 1, "--console file:/dev/null: not a regular file");
	unlink(fifo);
}

/* ---- the kernel cache ---- */

struct xz_kernel {
	uint8_t bz[64];		/* the "bzImage": only its CRC names the entry */
	uint8_t *payload;	/* xz stream + 4-byte size */
	size_t payload_len;
	uint8_t plain[8192];
};

/* Streaming, as xz(1) writes kernels: no sizes in the block header. */
static int xz_make(struct xz_kernel *k)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap = sizeof(k->plain) + 1024;
	uint32_t size = sizeof(k->plain);
	lzma_ret ret;
	size_t i;

	memset(k->bz, 0x5a, sizeof(k->bz));
	for (i = 0; i < sizeof(k->plain); i++)
		k->plain[i] = (uint8_t)(i * 7 + (i >> 8));
	k->payload = malloc(cap + 4);
	if (!k->payload || lzma_easy_encoder(&strm, 1, LZMA_CHECK_CRC32) != LZMA_OK)
		return -1;
	strm.next_in = k->plain;
	strm.avail_in = sizeof(k->plain);
	strm.next_out = k->payload;
	strm.avail_out = cap;
	ret = lzma_code(&strm, LZMA_FINISH);
	lzma_end(&strm);
	if (ret != LZMA_STREAM_END)
		return -1;
	memcpy(k->payload + strm.total_out, &size, 4);
	k->payload_len = strm.total_out + 4;
	return 0;
}

/* Decompresses @k through the cache in @cdir; 1 from the cache, 0 not, <0. */
static int kc_get(struct xz_kernel *k, const char *cdir, int *good)
{
	struct boot_file bz = { .data = k->bz, .len = sizeof(k->bz) };
	struct boot_file out = { 0 };
	int cached = 0, r;

	r = kcache_get(&bz, k->payload, k->payload_len, cdir, &out, &cached);
	if (r < 0)
		return r;
	*good = out.len == sizeof(k->plain) && !memcmp(out.data, k->plain, out.len);
	kcache_put(&out, cached);
	return cached;
}

/* Plants a file of the right size under the entry's name in @cdir. */
static void kc_plant(struct xz_kernel *k, const char *cdir)
{
	char path[300], junk[sizeof(k->plain)];
	uint64_t crc = lzma_crc64(k->bz, sizeof(k->bz), 0);
	int fd;

	memset(junk, 0xcc, sizeof(junk));
	snprintf(path, sizeof(path), "%s/vmlinux-%016llx-%zx", cdir, (unsigned long long)crc,
		 sizeof(k->bz));
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
		tap_diag("cannot plant %s", path);
	if (fd >= 0)
		close(fd);
}

static void test_kcache(void)
{
	struct xz_kernel k;
	char cdir[240];
	int good = 0, r;

	if (xz_make(&k) < 0) {
		tap_ok(0, "liblzma encodes a test payload");
		return;
	}
	snprintf(cdir, sizeof(cdir), "%s/cache", dir);
	tap_is(kc_get(&k, cdir, &good), 0, "kcache: first use decompresses");
	tap_ok(good, "kcache: the payload as compressed");
	tap_is(kc_get(&k, cdir, &good), 1, "kcache: second use comes from the cache");
	tap_ok(good, "kcache: the cached payload is intact");

	/* A folder anyone may write: its entries are not ours to trust. */
	if (mkdir(cdir, 0700) < 0 && errno != EEXIST)
		tap_diag("mkdir: %s", strerror(errno));
	chmod(cdir, 0777);
	kc_plant(&k, cdir);
	r = kc_get(&k, cdir, &good);
	tap_ok(r == 0 && good, "kcache: a world-writable folder's planted entry is not used "
	       "(from cache %d, payload %s)", r, good ? "good" : "WRONG");
	chmod(cdir, 0700);
	/* A folder of another user, even 0700. */
	if (geteuid() == 0 && chown(cdir, 4242, 4242) == 0) {
		r = kc_get(&k, cdir, &good);
		tap_ok(r == 0 && good, "kcache: another user's folder is not trusted "
		       "(from cache %d, payload %s)", r, good ? "good" : "WRONG");
		if (chown(cdir, 0, 0) < 0)
			tap_diag("chown back: %s", strerror(errno));
	} else {
		tap_skip("needs root", "kcache: another user's folder is not trusted");
	}
	/* A planted entry in our own private folder, but writable by others. */
	kc_plant(&k, cdir);
	{
		char path[300];
		uint64_t crc = lzma_crc64(k.bz, sizeof(k.bz), 0);

		snprintf(path, sizeof(path), "%s/vmlinux-%016llx-%zx", cdir,
			 (unsigned long long)crc, sizeof(k.bz));
		chmod(path, 0666);
		r = kc_get(&k, cdir, &good);
		tap_ok(r == 0 && good, "kcache: a world-writable entry is not used "
		       "(from cache %d, payload %s)", r, good ? "good" : "WRONG");
		unlink(path);
	}
	free(k.payload);
}

/* Skips one xz variable-length integer. */
static const uint8_t *xz_vli_skip(const uint8_t *p)
{
	while (*p & 0x80)
		p++;
	return p + 1;
}

/*
 * An xz stream whose LZMA2 header asks for a 3 GiB dictionary: the decoder
 * must refuse it by its memory limit rather than allocate what it asks.
 * Block header: size byte, flags, [compressed size], [uncompressed size],
 * filter id 0x21, props size 1, dictionary byte, padding, CRC32.
 */
static void test_xz_limit(void)
{
	struct xz_kernel k;
	struct boot_file bz, out = { 0 };
	char cdir[240];
	uint8_t *h, *p;
	uint32_t crc;
	int cached = 0, r;
	size_t hlen;

	if (xz_make(&k) < 0) {
		tap_ok(0, "liblzma encodes a test payload");
		return;
	}
	k.bz[0] ^= 1;	/* another cache entry than test_kcache's */
	bz = (struct boot_file){ .data = k.bz, .len = sizeof(k.bz) };
	h = k.payload + 12;
	hlen = ((size_t)h[0] + 1) * 4;
	p = h + 2;
	if (h[1] & 0x40)
		p = (uint8_t *)xz_vli_skip(p);
	if (h[1] & 0x80)
		p = (uint8_t *)xz_vli_skip(p);
	if ((h[1] & 3) != 0 || p[0] != 0x21 || p[1] != 1) {
		tap_ok(0, "xz block header as expected (%02x %02x %02x)", h[1], p[0], p[1]);
		free(k.payload);
		return;
	}
	p[2] = 39;	/* (2 | 1) << (39 / 2 + 11): 3 GiB */
	crc = lzma_crc32(h, hlen - 4, 0);
	memcpy(h + hlen - 4, &crc, 4);
	snprintf(cdir, sizeof(cdir), "%s/cache-xz", dir);
	r = kcache_get(&bz, k.payload, k.payload_len, cdir, &out, &cached);
	tap_ok(r < 0, "kcache: an xz header asking for a 3 GiB dictionary is refused (%d)", r);
	if (r == 0)
		kcache_put(&out, cached);
	free(k.payload);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 01777);	/* like /tmp */
	test_symlinks();
	test_modes();
	test_trace_mode();
	test_fifos();
	test_kcache();
	test_xz_limit();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			tap_diag("cannot remove %s", dir);
	}
	return tap_done(0);
}
