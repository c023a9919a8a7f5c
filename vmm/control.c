// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM control socket server and its client helper (hmmv stat).
 *
 * One thread serves up to CONTROL_CLIENTS clients at once with poll(2):
 * every socket is non-blocking, and each connection has CONTROL_REQ_MS
 * from accept to its last answer byte, so a slow or stuck client holds up
 * nobody and is cut off (issue 14). Requests are parsed by control_req.c.
 */
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
#include <time.h>
#include <unistd.h>

#include "hmmv/engine.h"
#include "vmm/control.h"
#include "vmm/control_prom.h"
#include "vmm/control_req.h"
#include "vmm/usock.h"

#define CONTROL_CLIENTS		16
#define CONTROL_REQ_MS		2000	/* accept to last answer byte */
#define CONTROL_ANSWER_MAX	(4u << 20)	/* hmmv stat's limit */

struct control_client {
	int fd;			/* -1: slot free */
	uint64_t deadline;	/* CLOCK_MONOTONIC ms */
	size_t got;		/* request bytes received */
	char req[CONTROL_REQ_MAX];
	char *out;		/* answer, NULL while reading the request */
	size_t out_len, out_off;
};

struct control {
	int fd;			/* listening socket */
	int stop_fd;		/* eventfd: wakes the thread to leave */
	pthread_t thread;
	bool started;
	struct guest_mem *mem;
	struct control_client clients[CONTROL_CLIENTS];
	struct engine *engine;	/* NULL: the engine is off */
	char name[40];		/* the "vm" label of the prometheus verb */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dir[80];		/* default directory, when we created it */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the verbs: one table entry each ---- */

static void verb_stat(struct control *ctl, const struct control_req *req, FILE *out)
{
	memory_stat_print(ctl->mem, out, req->json);
}

static void verb_chunk(struct control *ctl, const struct control_req *req, FILE *out)
{
	struct guest_mem *m = ctl->mem;
	unsigned int c = req->chunk;
	struct mem_chunk ch;

	if (memory_chunk_info(m, c, &ch)) {
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

static void verb_move(struct control *ctl, const struct control_req *req, FILE *out)
{
	const char *verb = req->verb->name;
	uint64_t pause_ns = 0, stall_ns = 0;
	int err;

	if (req->method >= 0)
		err = move_method(ctl, req->chunk, req->tier, req->method, &pause_ns,
				  &stall_ns);
	else if (!strcmp(verb, "remap"))
		err = memory_remap_paused(ctl->mem, req->chunk, req->tier, &pause_ns);
	else
		err = memory_move_inplace(ctl->mem, req->chunk, req->tier);
	if (err)
		fprintf(out, "error: %s %u %s: %s\n", verb, req->chunk,
			memory_tier_name(req->tier), strerror(-err));
	else if (req->method >= 0)
		fprintf(out, "ok pause_ns=%" PRIu64 " stall_ns=%" PRIu64 "\n", pause_ns, stall_ns);
	else
		fprintf(out, "ok pause_ns=%" PRIu64 "\n", pause_ns);
}

void control_set_engine(struct control *ctl, struct engine *e)
{
	ctl->engine = e;
}

void control_set_name(struct control *ctl, const char *name)
{
	snprintf(ctl->name, sizeof(ctl->name), "%s", name);
}

static void verb_prometheus(struct control *ctl, const struct control_req *req,
			    FILE *out)
{
	control_prometheus(ctl->mem, ctl->engine, ctl->name, out);
}

/* placement: one letter per chunk, d (DRAM) or n (slow tier), in order. */
static void verb_placement(struct control *ctl, const struct control_req *req,
			   FILE *out)
{
	struct mem_chunk ch;
	uint32_t c;

	fprintf(out, "placement %u ", ctl->mem->nr_chunks);
	for (c = 0; c < ctl->mem->nr_chunks; c++)
		fputc(memory_chunk_info(ctl->mem, c, &ch) == 0 &&
		      ch.tier == MEM_TIER_DRAM ? 'd' : 'n', out);
	fputc('\n', out);
}

/* dram-pages: per chunk, in order, how many of its 4 KiB pages are in DRAM. */
static void verb_dram_pages(struct control *ctl, const struct control_req *req,
			    FILE *out)
{
	uint32_t c;

	fprintf(out, "dram-pages %u", ctl->mem->nr_chunks);
	for (c = 0; c < ctl->mem->nr_chunks; c++)
		fprintf(out, " %u", memory_chunk_dram_pages(ctl->mem, c));
	fputc('\n', out);
}

/* engine [json|moves], status [json]: the engine's figures (status: + stat). */
static void verb_engine(struct control *ctl, const struct control_req *req,
			FILE *out)
{
	bool status = !strcmp(req->verb->name, "status"), json = req->json;

	if (status) {
		if (json)
			fprintf(out, "{\"tiers\":");
		memory_stat_print(ctl->mem, out, json);
		if (json)
			fprintf(out, ",\"engine\":");
	}
	if (!ctl->engine && json)
		fprintf(out, "{\"mode\":\"off\",\"slot_flags\":%u}", ctl->mem->slot_flags);
	else if (!ctl->engine)
		fprintf(out, "engine: off (memslot flags %#x)\n", ctl->mem->slot_flags);
	else if (req->moves)
		engine_print_moves(ctl->engine, out);
	else
		engine_print(ctl->engine, out, json);
	if (json)
		fprintf(out, "%s\n", status ? "}" : "");
}

static const struct control_verb control_verbs[] = {
	{ "stat", CONTROL_ARG_FORMAT, "stat [json]", verb_stat },
	{ "chunk", CONTROL_ARG_CHUNK, "chunk N", verb_chunk },
	{ "remap", CONTROL_ARG_REMAP, "remap N dram|nvm [wp|pause]", verb_move },
	{ "move", CONTROL_ARG_MOVE, "move N dram|nvm", verb_move },
	{ "engine", CONTROL_ARG_ENGINE, "engine [json|moves]", verb_engine },
	{ "status", CONTROL_ARG_FORMAT, "status [json]", verb_engine },
	{ "placement", CONTROL_ARG_NONE, "placement", verb_placement },
	{ "dram-pages", CONTROL_ARG_NONE, "dram-pages", verb_dram_pages },
	{ "prometheus", CONTROL_ARG_NONE, "prometheus", verb_prometheus },
};

int control_parse(const char *line, size_t len, struct control_req *req,
		  char *err, size_t errlen)
{
	return control_req_parse(line, len, control_verbs,
				 sizeof(control_verbs) / sizeof(control_verbs[0]),
				 req, err, errlen);
}

/* ---- the server ---- */

static void client_close(struct control_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

/* Sends what it can; closes the connection once all is sent or on error. */
static void client_send(struct control_client *cl)
{
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		/* A client gone early must not SIGPIPE the VMM. */
		n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		cl->out_off += (size_t)n;
	}
	client_close(cl);
}

static void client_answer_text(struct control_client *cl, const char *text)
{
	cl->out = strdup(text);
	cl->out_len = cl->out ? strlen(text) : 0;
	cl->out_off = 0;
	if (!cl->out)
		client_close(cl);
	else
		client_send(cl);
}

/* Runs the request line of @len bytes and starts sending the answer. */
static void client_run(struct control *ctl, struct control_client *cl, size_t len)
{
	struct control_req req;
	char err[512];
	FILE *out;

	if (control_parse(cl->req, len, &req, err, sizeof(err)) < 0) {
		client_answer_text(cl, err);
		return;
	}
	out = open_memstream(&cl->out, &cl->out_len);
	if (!out) {
		client_close(cl);
		return;
	}
	req.verb->run(ctl, &req, out);
	if (fclose(out) != 0) {
		client_close(cl);
		return;
	}
	cl->out_off = 0;
	client_send(cl);
}

static void client_read(struct control *ctl, struct control_client *cl)
{
	ssize_t n;
	int r;

	n = read(cl->fd, cl->req + cl->got, sizeof(cl->req) - cl->got);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_close(cl);
		return;
	}
	cl->got += (size_t)n;
	r = control_req_scan(cl->req, cl->got, n == 0);
	if (r == -EAGAIN)
		return;
	if (r == -ENODATA)	/* a liveness probe's connect: nothing to answer */
		client_close(cl);
	else if (r == -EMSGSIZE)
		client_answer_text(cl, "error: request longer than 255 bytes: not executed\n");
	else
		client_run(ctl, cl, (size_t)r);
}

/* The peer must be our own user (or root). */
static void control_accept(struct control *ctl)
{
	struct control_client *cl = NULL;
	pid_t pid;
	int fd, i;

	fd = usock_accept(ctl->fd, false, &pid);
	if (fd < 0)
		return;
	for (i = 0; i < CONTROL_CLIENTS && !cl; i++)
		if (ctl->clients[i].fd < 0)
			cl = &ctl->clients[i];
	if (!cl) {
		/* Best effort: a busy server says so rather than keep anyone waiting. */
		(void)!send(fd, "error: busy, try again\n", 23, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->deadline = now_ms() + CONTROL_REQ_MS;
}

/* Cuts off clients past their deadline; returns the ms to the next one. */
static int control_expire(struct control *ctl)
{
	uint64_t now = now_ms(), next = UINT64_MAX;
	struct control_client *cl;
	int i;

	for (i = 0; i < CONTROL_CLIENTS; i++) {
		cl = &ctl->clients[i];
		if (cl->fd < 0)
			continue;
		if (now >= cl->deadline) {
			if (!cl->out)
				(void)!send(cl->fd, "error: request not complete in time\n", 36,
					    MSG_NOSIGNAL | MSG_DONTWAIT);
			client_close(cl);
			continue;
		}
		if (cl->deadline < next)
			next = cl->deadline;
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void *control_thread(void *arg)
{
	struct control *ctl = arg;
	struct pollfd pfd[2 + CONTROL_CLIENTS];
	int slot[2 + CONTROL_CLIENTS];
	int i, n, timeout;

	for (;;) {
		timeout = control_expire(ctl);
		pfd[0] = (struct pollfd){ .fd = ctl->stop_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ctl->fd, .events = POLLIN };
		for (n = 2, i = 0; i < CONTROL_CLIENTS; i++) {
			if (ctl->clients[i].fd < 0)
				continue;
			pfd[n] = (struct pollfd){ .fd = ctl->clients[i].fd,
				.events = ctl->clients[i].out ? POLLOUT : POLLIN };
			slot[n++] = i;
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		for (i = 2; i < n; i++) {
			struct control_client *cl = &ctl->clients[slot[i]];

			if (!pfd[i].revents || cl->fd < 0)
				continue;
			if (cl->out)
				client_send(cl);
			else
				client_read(ctl, cl);
		}
		if (pfd[1].revents)
			control_accept(ctl);
	}
	for (i = 0; i < CONTROL_CLIENTS; i++)
		client_close(&ctl->clients[i]);
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

static int control_bind(struct control *ctl, char *why, size_t whylen)
{
	ctl->fd = usock_listen(ctl->path, 0600, "--control", why, whylen);
	return ctl->fd < 0 ? ctl->fd : 0;
}

int control_check_path(const char *path, char *why, size_t whylen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	int r;

	if (!path)
		return 0;
	r = usock_dir(path, "--control", dir, &st, why, whylen);
	if (r < 0)
		return r;
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
	snprintf(ctl->name, sizeof(ctl->name), "vm-%d", (int)getpid());
	for (r = 0; r < CONTROL_CLIENTS; r++)
		ctl->clients[r].fd = -1;
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

/* Waits for @events on @fd until @deadline; -ETIMEDOUT past it. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now;
	int r;

	for (;;) {
		now = now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Connects, retrying while the server's backlog is full, until @deadline. */
static int request_connect(const char *path, uint64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int fd, r;

	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while ((r = connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0 &&
	       errno == EAGAIN && now_ms() < deadline)
		nanosleep(&ts, NULL);
	if (r < 0) {
		r = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return r;
	}
	return fd;
}

static int request_send(int fd, const char *req, size_t len, uint64_t deadline)
{
	size_t off = 0;
	ssize_t n;
	int r;

	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		r = wait_fd(fd, POLLOUT, deadline);
		if (r < 0)
			return r;
	}
	return 0;
}

static int request_receive(int fd, char **answer, size_t *len, uint64_t deadline)
{
	size_t cap = 0, got = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int r;

	for (;;) {
		if (got + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CONTROL_ANSWER_MAX) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + got, cap - got - 1);
		if (n == 0)
			break;
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		r = errno == EAGAIN || errno == EINTR ? wait_fd(fd, POLLIN, deadline) : -errno;
		if (r < 0) {
			free(buf);
			return r;
		}
	}
	buf[got] = '\0';
	*answer = buf;
	*len = got;
	return 0;
}

int control_request(const char *path, const char *request, int timeout_ms,
		    char **answer, size_t *len, char *why, size_t whylen)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	char line[CONTROL_REQ_MAX + 1];
	int fd, r, n;

	*answer = NULL;
	*len = 0;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(why, whylen, "%s: path too long for a UNIX socket", path);
		return -ENAMETOOLONG;
	}
	n = snprintf(line, sizeof(line), "%s\n", request);
	if (n < 0 || (size_t)n > CONTROL_REQ_MAX) {
		snprintf(why, whylen, "request longer than %d bytes", CONTROL_REQ_MAX - 1);
		return -EMSGSIZE;
	}
	fd = request_connect(path, deadline);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(-fd));
		return fd;
	}
	r = request_send(fd, line, (size_t)n, deadline);
	if (r == 0)
		r = request_receive(fd, answer, len, deadline);
	close(fd);
	if (r == -ETIMEDOUT)
		snprintf(why, whylen, "%s: no answer within %d ms", path, timeout_ms);
	else if (r == -EFBIG)
		snprintf(why, whylen, "%s: answer over %u bytes", path, CONTROL_ANSWER_MAX);
	else if (r < 0)
		snprintf(why, whylen, "%s: %s", path, strerror(-r));
	return r;
}
