// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's sockets around its ledger: one thread, poll(2), everything
 * non-blocking. A client costs only its own connection: a malformed or
 * oversized message, a client that never registers, or one that never
 * reads its answers is cut off, and nobody waits for it. A VM's DRAM is
 * freed when its process ends (a pidfd), not when its connection drops:
 * a VM whose pool link broke still holds what it was granted.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tools/pool/pool.h"
#include "vmm/usock.h"

#define POOL_CONNS		128
#define POOL_HELLO_MS		5000	/* connect to HELLO, or a stat answer */
#define POOL_STALL_MS		5000	/* output not drained */
#define POOL_OUT_MAX		(256u << 10)
#define POOL_TEXT_MAX		64

struct pool_conn {
	int fd;			/* -1: free */
	int slot;		/* ledger slot once registered, else -1 */
	bool text;		/* a stat request, not a VM */
	bool closing;		/* close once the output is sent */
	uint64_t deadline;	/* ms: HELLO due, or stat answered */
	uint64_t stall_since;	/* ms: output pending since, 0 none */
	uint8_t in[POOL_MSG_MAX];
	size_t in_len;
	uint8_t *out;
	size_t out_len, out_off;
};

struct pool_server {
	struct pool_server_config cfg;
	struct pool_ledger ledger;
	int fd;			/* listening */
	int timer_fd;
	int pidfd[POOL_MAX_VMS];	/* per ledger slot, -1 none */
	int conn_of[POOL_MAX_VMS];	/* per ledger slot: connection, -1 */
	struct pool_conn conn[POOL_CONNS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- output ---- */

static int conn_queue(struct pool_conn *c, const void *buf, size_t len)
{
	uint8_t *p;

	if (c->out_len - c->out_off + len > POOL_OUT_MAX)
		return -ENOBUFS;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	p = realloc(c->out, c->out_len + len);
	if (!p)
		return -ENOMEM;
	c->out = p;
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	if (!c->stall_since)
		c->stall_since = now_ms();
	return 0;
}

static int conn_queue_msg(struct pool_conn *c, const struct pool_msg *m)
{
	uint8_t buf[POOL_MSG_MAX];
	int n = pool_msg_encode(m, buf, sizeof(buf));

	return n < 0 ? n : conn_queue(c, buf, (size_t)n);
}

static void conn_flush(struct pool_conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0)
			return;
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	c->stall_since = 0;
}

/* ---- connections ---- */

static void conn_close(struct pool_server *s, struct pool_conn *c)
{
	if (c->slot >= 0) {
		/* The process may live on: it keeps what it holds (ledger)... */
		pool_ledger_detach(&s->ledger, c->slot);
		s->conn_of[c->slot] = -1;
		/* ... unless we cannot tell when it ends (no pidfd). */
		if (s->pidfd[c->slot] < 0)
			pool_ledger_remove(&s->ledger, c->slot);
	}
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->slot = -1;
}

static void slot_forget(struct pool_server *s, int slot)
{
	if (s->conn_of[slot] >= 0) {
		s->conn[s->conn_of[slot]].slot = -1;
		conn_close(s, &s->conn[s->conn_of[slot]]);
	}
	if (s->pidfd[slot] >= 0)
		close(s->pidfd[slot]);
	s->pidfd[slot] = -1;
	s->conn_of[slot] = -1;
	pool_ledger_remove(&s->ledger, slot);
}

static void conn_error(struct pool_server *s, struct pool_conn *c, const char *what)
{
	struct pool_msg m = { .type = POOL_ERROR };

	snprintf(m.u.error, sizeof(m.u.error), "%s", what);
	conn_queue_msg(c, &m);
	conn_flush(c);
	conn_close(s, c);
}

/* The peer's pid, once more allowed (SO_PEERCRED): -errno otherwise. */
static int peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	return cred.pid;
}

static void pool_accept(struct pool_server *s)
{
	struct pool_conn *c = NULL;
	pid_t pid;
	int fd, i;

	fd = usock_accept(s->fd, s->cfg.group, &pid);
	if (fd < 0)
		return;
	for (i = 0; i < POOL_CONNS && !c; i++)
		if (s->conn[i].fd < 0)
			c = &s->conn[i];
	if (!c) {
		close(fd);	/* full: the client retries */
		return;
	}
	c->fd = fd;
	c->slot = -1;
	c->deadline = now_ms() + POOL_HELLO_MS;
}

/* ---- VM messages ---- */

static void send_quota(struct pool_server *s, int slot)
{
	struct pool_vm_entry *v = &s->ledger.vm[slot];
	struct pool_msg m = { .type = POOL_QUOTA };
	int ci = s->conn_of[slot];

	v->send = false;
	if (ci < 0)
		return;
	m.u.quota.seq = v->seq;
	m.u.quota.quota = v->quota;
	if (conn_queue_msg(&s->conn[ci], &m) < 0)
		conn_close(s, &s->conn[ci]);
}

static int pidfd_of(int pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void on_hello(struct pool_server *s, struct pool_conn *c,
		     const struct pool_hello *h)
{
	struct pool_msg m = { .type = POOL_WELCOME };
	struct pool_vm_entry *v;
	int pid = peer_pid(c->fd), slot;

	if (c->slot >= 0) {
		conn_error(s, c, "registered twice");
		return;
	}
	slot = pid < 0 ? pid : pool_ledger_register(&s->ledger, h, pid, now_ms());
	if (slot < 0) {
		conn_error(s, c, slot == -ENOSPC ? "pool full" : slot == -EBUSY ?
			   "this process is already registered" :
			   "minimum DRAM beyond what the pool can guarantee");
		return;
	}
	if (s->pidfd[slot] < 0)
		s->pidfd[slot] = pidfd_of(pid);
	c->slot = slot;
	c->deadline = 0;
	s->conn_of[slot] = (int)(c - s->conn);
	v = &s->ledger.vm[slot];
	v->send = false;
	m.u.welcome.vm_id = v->id;
	m.u.welcome.period_ms = s->ledger.period_ms;
	m.u.welcome.seq = v->seq;
	m.u.welcome.quota = v->quota;
	if (conn_queue_msg(c, &m) < 0)
		conn_close(s, c);
}

static void on_msg(struct pool_server *s, struct pool_conn *c, const struct pool_msg *m)
{
	int r = 0;

	if (m->type == POOL_HELLO) {
		on_hello(s, c, &m->u.hello);
		return;
	}
	if (c->slot < 0) {
		conn_error(s, c, "HELLO first");
		return;
	}
	if (m->type == POOL_REPORT)
		r = pool_ledger_report(&s->ledger, c->slot, &m->u.report, now_ms());
	else if (m->type == POOL_ACK)
		r = pool_ledger_ack(&s->ledger, c->slot, m->u.ack.seq, m->u.ack.held_bytes);
	else
		r = -EINVAL;
	if (r < 0)
		conn_error(s, c, "message out of range");
}

/* ---- stat requests: one text line, one answer ---- */

static void on_text(struct pool_server *s, struct pool_conn *c)
{
	char *nl = memchr(c->in, '\n', c->in_len), *buf = NULL;
	size_t len = 0;
	int fmt = -1;
	FILE *f;

	if (!nl) {
		if (c->in_len >= POOL_TEXT_MAX)
			conn_close(s, c);
		return;
	}
	*nl = '\0';
	if (nl > (char *)c->in && nl[-1] == '\r')
		nl[-1] = '\0';
	if (!strcmp((char *)c->in, "stat") || !strcmp((char *)c->in, "status"))
		fmt = POOL_PRINT_TEXT;
	else if (!strcmp((char *)c->in, "stat json") || !strcmp((char *)c->in, "status json"))
		fmt = POOL_PRINT_JSON;
	else if (!strcmp((char *)c->in, "prometheus"))
		fmt = POOL_PRINT_PROM;
	f = open_memstream(&buf, &len);
	if (!f) {
		conn_close(s, c);
		return;
	}
	if (fmt < 0)
		fprintf(f, "error: a pool answers stat [json], status [json], prometheus\n");
	else
		pool_ledger_print(&s->ledger, f, now_ms(), fmt);
	fclose(f);
	c->closing = true;
	c->in_len = 0;
	if (conn_queue(c, buf, len) < 0)
		conn_close(s, c);
	free(buf);
}

static void conn_read(struct pool_server *s, struct pool_conn *c)
{
	struct pool_msg m;
	ssize_t n;
	int used;

	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			conn_close(s, c);
		return;
	}
	c->in_len += (size_t)n;
	if (c->slot < 0 && !pool_msg_is_binary(c->in, c->in_len))
		c->text = true;
	if (c->text) {
		on_text(s, c);
		return;
	}
	while (c->fd >= 0 && (used = pool_msg_decode(c->in, c->in_len, &m)) != 0) {
		if (used < 0) {
			conn_error(s, c, "malformed message");
			return;
		}
		memmove(c->in, c->in + used, c->in_len - (size_t)used);
		c->in_len -= (size_t)used;
		on_msg(s, c, &m);
	}
}

/* ---- the period ---- */

static void pool_tick(struct pool_server *s)
{
	int fenced[POOL_MAX_VMS];
	uint64_t now = now_ms();
	uint32_t n, i;

	n = pool_ledger_fence(&s->ledger, now, fenced, POOL_MAX_VMS);
	for (i = 0; i < n; i++) {
		int ci = s->conn_of[fenced[i]];

		/* Cut off, but still counted until its process ends (pidfd). */
		s->conn_of[fenced[i]] = -1;
		if (ci >= 0) {
			s->conn[ci].slot = -1;
			conn_error(s, &s->conn[ci], "fenced: quota not acknowledged in time");
		}
	}
	pool_ledger_rebalance(&s->ledger, now);
	for (i = 0; i < POOL_MAX_VMS; i++)
		if (s->ledger.vm[i].send)
			send_quota(s, (int)i);
}

static void pool_expire(struct pool_server *s)
{
	uint64_t now = now_ms();
	int i;

	for (i = 0; i < POOL_CONNS; i++) {
		struct pool_conn *c = &s->conn[i];

		if (c->fd < 0)
			continue;
		if ((c->deadline && now > c->deadline) ||
		    (c->stall_since && now - c->stall_since > POOL_STALL_MS))
			conn_close(s, c);
	}
}

static nfds_t pool_fill_poll(struct pool_server *s, int stop_fd, struct pollfd *p,
			     int *who)
{
	nfds_t n = 0;
	int i;

	p[n] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
	who[n++] = -1;
	p[n] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	who[n++] = -2;
	p[n] = (struct pollfd){ .fd = s->timer_fd, .events = POLLIN };
	who[n++] = -3;
	for (i = 0; i < POOL_MAX_VMS; i++) {
		if (s->pidfd[i] < 0)
			continue;
		p[n] = (struct pollfd){ .fd = s->pidfd[i], .events = POLLIN };
		who[n++] = 1000 + i;
	}
	for (i = 0; i < POOL_CONNS; i++) {
		if (s->conn[i].fd < 0)
			continue;
		p[n] = (struct pollfd){ .fd = s->conn[i].fd, .events = POLLIN |
				       (s->conn[i].out_len ? POLLOUT : 0) };
		who[n++] = i;
	}
	return n;
}

static void pool_event(struct pool_server *s, int who, short rev)
{
	struct pool_conn *c;
	uint64_t ticks;

	if (who == -2) {
		pool_accept(s);
	} else if (who == -3) {
		if (read(s->timer_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
			pool_tick(s);
	} else if (who >= 1000) {
		slot_forget(s, who - 1000);	/* the VM's process ended */
	} else if (s->conn[who].fd >= 0) {
		c = &s->conn[who];
		if (rev & POLLOUT)
			conn_flush(c);
		if (c->closing && !c->out_len) {
			conn_close(s, c);
			return;
		}
		if (rev & (POLLIN | POLLHUP | POLLERR))
			conn_read(s, c);
	}
}

int pool_server_run(struct pool_server *s, int stop_fd)
{
	struct pollfd p[3 + POOL_MAX_VMS + POOL_CONNS];
	int who[3 + POOL_MAX_VMS + POOL_CONNS];
	nfds_t n, i;

	for (;;) {
		n = pool_fill_poll(s, stop_fd, p, who);
		if (poll(p, n, 500) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents)
			return 0;
		for (i = 1; i < n; i++)
			if (p[i].revents)
				pool_event(s, who[i], p[i].revents);
		pool_expire(s);
	}
}

/* ---- set-up ---- */

/* The socket's directory must not let others swap the socket under us. */
static int check_dir(const char *path, bool group, char *why, size_t whylen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	int r;

	r = usock_dir(path, "--socket", dir, &st, why, whylen);
	if (r < 0)
		return r;
	if ((st.st_mode & (group ? 002 : 022)) || st.st_uid != geteuid()) {
		snprintf(why, whylen, "--socket %s: %s is not a private directory of this "
			 "user (others may write to it); use one such as /run/hmmv (0700)",
			 path, dir);
		return -EPERM;
	}
	return 0;
}

static int pool_bind(struct pool_server *s, char *why, size_t whylen)
{
	s->fd = usock_listen(s->path, s->cfg.group ? 0660 : 0600, "--socket", why, whylen);
	return s->fd < 0 ? s->fd : 0;
}

static int pool_timer(struct pool_server *s)
{
	struct itimerspec its = { 0 };

	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->timer_fd < 0)
		return -errno;
	its.it_interval.tv_sec = s->cfg.period_ms / 1000;
	its.it_interval.tv_nsec = (long)(s->cfg.period_ms % 1000) * 1000000;
	its.it_value = its.it_interval;
	return timerfd_settime(s->timer_fd, 0, &its, NULL) < 0 ? -errno : 0;
}

int pool_server_create(struct pool_server **out, const struct pool_server_config *cfg,
		       char *why, size_t whylen)
{
	struct pool_server *s;
	int i, r;

	*out = NULL;
	if (!cfg->socket || strlen(cfg->socket) >= sizeof(s->path)) {
		snprintf(why, whylen, "--socket: %s", cfg->socket ? "path too long for a "
			 "UNIX socket" : "required");
		return -EINVAL;
	}
	r = check_dir(cfg->socket, cfg->group, why, whylen);
	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->fd = s->timer_fd = -1;
	strcpy(s->path, cfg->socket);
	for (i = 0; i < POOL_MAX_VMS; i++)
		s->pidfd[i] = s->conn_of[i] = -1;
	for (i = 0; i < POOL_CONNS; i++) {
		s->conn[i].fd = -1;
		s->conn[i].slot = -1;
	}
	pool_ledger_init(&s->ledger, cfg->budget, cfg->split, cfg->period_ms);
	r = pool_bind(s, why, whylen);
	if (r == 0)
		r = pool_timer(s);
	if (r < 0) {
		if (!why[0])
			snprintf(why, whylen, "--socket %s: %s", s->path, strerror(-r));
		pool_server_destroy(s);
		return r;
	}
	*out = s;
	return 0;
}

void pool_server_destroy(struct pool_server *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < POOL_CONNS; i++)
		if (s->conn[i].fd >= 0)
			conn_close(s, &s->conn[i]);
	for (i = 0; i < POOL_MAX_VMS; i++)
		if (s->pidfd[i] >= 0)
			close(s->pidfd[i]);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	free(s);
}
