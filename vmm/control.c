// SPDX-License-Identifier: GPL-2.0
/* The per-VM control socket server and its client helper (hmmv stat). */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/control.h"

#define CONTROL_REQ_MAX	256

struct control {
	int fd;			/* listening socket */
	int stop_fd;		/* eventfd: wakes the thread to leave */
	pthread_t thread;
	bool started;
	struct guest_mem *mem;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[80];		/* default directory, when we created it */
};

static int parse_tier(const char *s)
{
	if (!strcmp(s, "dram"))
		return MEM_TIER_DRAM;
	if (!strcmp(s, "nvm") || !strcmp(s, "slow"))
		return MEM_TIER_NVM;
	return -1;
}

static void verb_chunk(struct control *ctl, const char *args, FILE *out)
{
	struct guest_mem *m = ctl->mem;
	struct mem_chunk ch;
	unsigned int c;

	if (sscanf(args, "%u", &c) != 1 || memory_chunk_info(m, c, &ch)) {
		fprintf(out, "error: chunk: expected a chunk number below %u\n", m->nr_chunks);
		return;
	}
	fprintf(out, "chunk=%u gpa=0x%" PRIx64 " tier=%s file=%s frame=%u offset=0x%" PRIx64
		" io=%u\n", c, memory_chunk_gpa(m, c), memory_tier_name(ch.tier),
		memory_tier_name(ch.file), ch.frame, (uint64_t)ch.frame * m->chunk_size,
		memory_chunk_io(m, c));
}

/* "remap N TIER wp|pause": memory_migrate() by that method. */
static int move_method(struct control *ctl, unsigned int c, int dst, int method,
		       uint64_t *pause_ns, uint64_t *stall_ns)
{
	struct mem_migrate_opts o = { .method = method };
	struct mem_migrate_stats st;
	int err;

	err = memory_migrate(ctl->mem, c, dst, &o, &st);
	*pause_ns = st.pause_ns;
	*stall_ns = st.writer_stall_ns;
	return err;
}

static void verb_move(struct control *ctl, const char *verb, const char *args, FILE *out)
{
	char tier[16], how[16] = "";
	unsigned int c;
	uint64_t pause_ns = 0, stall_ns = 0;
	int dst, err, n, method = -1;

	n = sscanf(args, "%u %15s %15s", &c, tier, how);
	if (n == 3)
		method = !strcmp(how, "wp") ? MEM_MIGRATE_WP :
			 !strcmp(how, "pause") ? MEM_MIGRATE_PAUSE : -1;
	if (n < 2 || (dst = parse_tier(tier)) < 0 || (n == 3 && strcmp(verb, "remap")) ||
	    (n == 3 && method < 0)) {
		fprintf(out, "error: %s: expected CHUNK dram|nvm%s\n", verb,
			strcmp(verb, "remap") ? "" : " [wp|pause]");
		return;
	}
	if (n == 3)
		err = move_method(ctl, c, dst, method, &pause_ns, &stall_ns);
	else if (!strcmp(verb, "remap"))
		err = memory_remap_paused(ctl->mem, c, dst, &pause_ns);
	else
		err = memory_move_inplace(ctl->mem, c, dst);
	if (err)
		fprintf(out, "error: %s %u %s: %s\n", verb, c, tier, strerror(-err));
	else if (n == 3)
		fprintf(out, "ok pause_ns=%" PRIu64 " stall_ns=%" PRIu64 "\n", pause_ns, stall_ns);
	else
		fprintf(out, "ok pause_ns=%" PRIu64 "\n", pause_ns);
}

static void control_dispatch(struct control *ctl, char *req, FILE *out)
{
	char *args;

	req[strcspn(req, "\r\n")] = '\0';
	args = strchr(req, ' ');
	if (args)
		*args++ = '\0';
	else
		args = req + strlen(req);
	if (!strcmp(req, "stat"))
		memory_stat_print(ctl->mem, out, !strcmp(args, "json"));
	else if (!strcmp(req, "chunk"))
		verb_chunk(ctl, args, out);
	else if (!strcmp(req, "remap") || !strcmp(req, "move"))
		verb_move(ctl, req, args, out);
	else
		fprintf(out, "error: unknown request '%.32s' (stat [json], chunk N, "
			"remap N dram|nvm [wp|pause], move N dram|nvm)\n", req);
}

/* Reads one request line; the peer must be our own user (or root). */
static int control_read(int fd, char *req, size_t len)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	size_t got = 0;
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0)
		return -errno;
	if (cred.uid != geteuid() && cred.uid != 0)
		return -EPERM;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, req + got, len - 1 - got);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
		if (memchr(req, '\n', got))
			break;
	}
	req[got] = '\0';
	return 0;
}

static void control_serve_one(struct control *ctl, int fd)
{
	char req[CONTROL_REQ_MAX], *buf = NULL;
	size_t len = 0, off;
	ssize_t n;
	FILE *out;

	/* Nothing asked (e.g. a liveness probe's connect): nothing to answer. */
	if (control_read(fd, req, sizeof(req)) < 0 || !req[0])
		return;
	out = open_memstream(&buf, &len);
	if (!out)
		return;
	control_dispatch(ctl, req, out);
	if (fclose(out) == 0) {
		for (off = 0; off < len; off += (size_t)n) {
			/* A client gone early must not SIGPIPE the VMM. */
			n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
			if (n <= 0)
				break;
		}
	}
	free(buf);
}

static void *control_thread(void *arg)
{
	struct control *ctl = arg;
	struct pollfd pfd[2];
	int fd;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = ctl->fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ctl->stop_fd, .events = POLLIN };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (!pfd[0].revents)
			continue;
		fd = accept4(ctl->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		control_serve_one(ctl, fd);
		close(fd);
	}
	return NULL;
}

/* The default directory: created 0700, or an existing one that is ours. */
static int control_default_path(struct control *ctl, char *why, size_t whylen)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n, r;

	if (run && *run)
		n = snprintf(ctl->dir, sizeof(ctl->dir), "%s/hmmv", run);
	else
		n = snprintf(ctl->dir, sizeof(ctl->dir), "/tmp/hmmv-%u", (unsigned int)geteuid());
	if (n < 0 || (size_t)n >= sizeof(ctl->dir)) {
		snprintf(why, whylen, "control socket: directory name too long");
		ctl->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s/vm-%d.sock", ctl->dir, (int)getpid());
	if (mkdir(ctl->dir, 0700) == 0)
		return 0;	/* ours: removed at exit when empty */
	r = -errno;
	if (r != -EEXIST) {
		snprintf(why, whylen, "control socket directory %s: %s", ctl->dir, strerror(-r));
		ctl->dir[0] = '\0';
		return r;
	}
	/* Existing: must be a real directory of ours that nobody else can enter. */
	if (lstat(ctl->dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		snprintf(why, whylen, "control socket directory %s is not a private (0700) "
			 "directory of this user; use --control PATH", ctl->dir);
		ctl->dir[0] = '\0';
		return -EPERM;
	}
	return 0;
}

/* A socket file left by a dead hmmv is removed; a live one is an error. */
static int control_clear_stale(const char *path, const struct sockaddr_un *sa,
			       char *why, size_t whylen)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "--control %s: exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		snprintf(why, whylen, "--control %s: another hmmv is serving it", path);
		return -EADDRINUSE;
	}
	return unlink(path) < 0 ? -errno : 0;
}

static int control_bind(struct control *ctl, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	memcpy(sa.sun_path, ctl->path, sizeof(sa.sun_path) - 1);
	r = control_clear_stale(ctl->path, &sa, why, whylen);
	if (r < 0)
		return r;
	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0)
		return -errno;
	if (bind(ctl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		snprintf(why, whylen, "--control %s: %s", ctl->path, strerror(-r));
		return r;
	}
	if (chmod(ctl->path, 0600) < 0 || listen(ctl->fd, 8) < 0) {
		r = -errno;
		unlink(ctl->path);
		return r;
	}
	return 0;
}

int control_check_path(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	char dir[sizeof(sa.sun_path)];
	struct stat st;
	char *slash;

	if (!path)
		return 0;
	if (!path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "--control %s: %s", path, path[0] ?
			 "path too long for a UNIX socket" : "empty path");
		return -EINVAL;
	}
	/* The socket's directory: "." without a slash, "/" for "/name". */
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "--control %s: %s is not an existing directory",
			 path, dir);
		return -ENOENT;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		snprintf(why, whylen, "--control %s: cannot create a socket in %s: %s",
			 path, dir, strerror(errno));
		return -EACCES;
	}
	return 0;
}

int control_start(struct control **out, const char *path, struct guest_mem *mem,
		  char *why, size_t whylen)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int r;

	*out = NULL;
	if (!ctl)
		return -ENOMEM;
	ctl->fd = ctl->stop_fd = -1;
	ctl->mem = mem;
	if (path && strlen(path) >= sizeof(ctl->path)) {
		snprintf(why, whylen, "--control %s: path too long for a UNIX socket", path);
		r = -ENAMETOOLONG;
		goto fail;
	}
	if (path)
		strcpy(ctl->path, path);
	else if ((r = control_default_path(ctl, why, whylen)) < 0)
		goto fail;
	r = control_bind(ctl, why, whylen);
	if (r < 0)
		goto fail;
	ctl->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ctl->stop_fd < 0) {
		r = -errno;
		goto fail;
	}
	r = -pthread_create(&ctl->thread, NULL, control_thread, ctl);
	if (r < 0)
		goto fail;
	ctl->started = true;
	*out = ctl;
	return 0;
fail:
	if (!why[0])
		snprintf(why, whylen, "control socket %s: %s", ctl->path, strerror(-r));
	control_stop(ctl);
	return r;
}

void control_stop(struct control *ctl)
{
	uint64_t one = 1;

	if (!ctl)
		return;
	if (ctl->started && write(ctl->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(ctl->thread, NULL);
	if (ctl->fd >= 0) {
		close(ctl->fd);
		unlink(ctl->path);
	}
	if (ctl->stop_fd >= 0)
		close(ctl->stop_fd);
	if (ctl->dir[0])
		rmdir(ctl->dir);	/* only when empty: other VMs may be there */
	free(ctl);
}

int control_request(const char *path, const char *request, int out_fd,
		    char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd, r = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "%s: path too long for a UNIX socket", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) != (ssize_t)strlen(request) ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(out_fd, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	}
	if (n < 0)
		r = -errno;
	close(fd);
	return r;
}
