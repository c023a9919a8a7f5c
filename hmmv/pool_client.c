// SPDX-License-Identifier: GPL-2.0
/* A VM's link to the DRAM pool (hmmv/pool_client.h). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hmmv/pool_client.h"
#include "memory/memory.h"

#define WELCOME_MS	5000

struct pool_client {
	struct pool_client_config cfg;
	struct pool_hello hello;
	const struct pool_client_ops *ops;
	void *arg;
	int fd;			/* -1: no pool right now */
	int stop_fd;
	pthread_t thread;
	uint32_t period_ms;
	uint32_t seq;		/* of the quota in force */
	uint64_t quota;
	bool need_ack;
	bool gone_said;
	uint8_t in[POOL_MSG_MAX];
	size_t in_len;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int pool_client_parse_flag(struct pool_client_config *cfg, const char *flag,
			   const char *val, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	uint64_t *size;

	if (!strcmp(flag, "--pool")) {
		if (!*val || strlen(val) >= sizeof(sa.sun_path)) {
			snprintf(why, whylen, "'%s': expected the pool's socket path", val);
			return -EINVAL;
		}
		cfg->path = val;
		return 0;
	}
	if (!strcmp(flag, "--name")) {
		if (!pool_name_ok(val)) {
			snprintf(why, whylen, "'%s': expected 1 to %d printable characters, "
				 "no spaces, quotes or backslashes", val, POOL_NAME_LEN);
			return -EINVAL;
		}
		cfg->name = val;
		return 0;
	}
	size = !strcmp(flag, "--dram-min") ? &cfg->min_bytes : &cfg->max_bytes;
	if (memory_parse_size(val, size) < 0) {
		snprintf(why, whylen, "'%s': expected a size, e.g. 64M", val);
		return -EINVAL;
	}
	return 0;
}

/* ---- the socket ---- */

static void client_drop(struct pool_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = 0;
}

static int client_send(struct pool_client *c, const struct pool_msg *m)
{
	uint8_t buf[POOL_MSG_MAX];
	int n = pool_msg_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		return -EIO;
	return 0;
}

static void apply_quota(struct pool_client *c, uint32_t seq, uint64_t quota)
{
	c->seq = seq;
	c->quota = quota;
	c->need_ack = true;
	c->ops->set_quota(c->arg, quota);
}

/* Reads what is there; 1 per message handled into @m, 0 none, -errno. */
static int client_read(struct pool_client *c, struct pool_msg *m)
{
	ssize_t n;
	int used;

	used = pool_msg_decode(c->in, c->in_len, m);
	if (used == 0) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
		if (n == 0)
			return -EPIPE;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		c->in_len += (size_t)n;
		used = pool_msg_decode(c->in, c->in_len, m);
	}
	if (used <= 0)
		return used < 0 ? -EPROTO : 0;
	memmove(c->in, c->in + used, c->in_len - (size_t)used);
	c->in_len -= (size_t)used;
	return 1;
}

/* Connect, HELLO, wait for WELCOME. -errno with a reason in @why. */
static int client_register(struct pool_client *c, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pool_msg m = { .type = POOL_HELLO };
	struct pool_report r = { 0 };
	uint64_t deadline = now_ms() + WELCOME_MS;
	struct pollfd p;
	int err;

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	memcpy(sa.sun_path, c->cfg.path, strlen(c->cfg.path));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		snprintf(why, whylen, "--pool %s: %s (is hmmv pool serving it?)",
			 c->cfg.path, strerror(-err));
		client_drop(c);
		return err;
	}
	c->ops->report(c->arg, &r);
	m.u.hello = c->hello;
	m.u.hello.held_bytes = r.held_bytes;
	err = client_send(c, &m);
	while (!err) {
		p = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		if (now_ms() >= deadline || poll(&p, 1, (int)(deadline - now_ms())) <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		err = client_read(c, &m);
		if (err == 1 && m.type == POOL_WELCOME) {
			c->period_ms = m.u.welcome.period_ms;
			apply_quota(c, m.u.welcome.seq, m.u.welcome.quota);
			return 0;
		}
		if (err == 1)
			err = m.type == POOL_ERROR ? -EPERM : -EPROTO;
	}
	snprintf(why, whylen, "--pool %s: %s%s", c->cfg.path,
		 err == -EPERM ? "refused: " : "registration failed: ",
		 err == -EPERM ? m.u.error : strerror(-err));
	client_drop(c);
	return err;
}

/* ---- the thread ---- */

static void client_lost(struct pool_client *c, const char *what)
{
	client_drop(c);
	if (c->gone_said)
		return;
	c->gone_said = true;
	fprintf(stderr, "hmmv: pool %s: %s; keeping within the last quota (%llu MiB) "
		"and reconnecting\n", c->cfg.path, what,
		(unsigned long long)(c->quota >> 20));
}

static void client_period(struct pool_client *c)
{
	struct pool_msg m = { .type = POOL_REPORT };
	char why[160];

	if (c->fd < 0) {
		if (client_register(c, why, sizeof(why)) < 0)
			return;
		if (c->gone_said)
			fprintf(stderr, "hmmv: pool %s: registered again\n", c->cfg.path);
		c->gone_said = false;
	}
	c->ops->report(c->arg, &m.u.report);
	if (client_send(c, &m) < 0) {
		client_lost(c, "connection lost");
		return;
	}
	if (c->need_ack && m.u.report.held_bytes <= c->quota) {
		struct pool_msg a = { .type = POOL_ACK };

		a.u.ack.seq = c->seq;
		a.u.ack.held_bytes = m.u.report.held_bytes;
		if (client_send(c, &a) == 0)
			c->need_ack = false;
	}
}

static void client_input(struct pool_client *c)
{
	struct pool_msg m;
	int r;

	while ((r = client_read(c, &m)) == 1) {
		if (m.type == POOL_QUOTA) {
			apply_quota(c, m.u.quota.seq, m.u.quota.quota);
		} else if (m.type == POOL_ERROR) {
			client_lost(c, m.u.error);
			return;
		}
	}
	if (r < 0)
		client_lost(c, r == -EPROTO ? "bad message from the pool" :
			    "the pool closed the connection");
}

static void *client_thread(void *arg)
{
	struct pool_client *c = arg;
	uint64_t next = now_ms() + c->period_ms, now;
	struct pollfd p[2];

	for (;;) {
		now = now_ms();
		p[0] = (struct pollfd){ .fd = c->stop_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		if (poll(p, c->fd >= 0 ? 2 : 1, next > now ? (int)(next - now) : 0) < 0 &&
		    errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (c->fd >= 0 && p[1].revents)
			client_input(c);
		if (now_ms() >= next) {
			client_period(c);
			next = now_ms() + c->period_ms;
		}
	}
	return NULL;
}

int pool_client_start(struct pool_client **out, const struct pool_client_config *cfg,
		      uint64_t guest_bytes, uint64_t dram_bytes, uint64_t chunk_bytes,
		      const struct pool_client_ops *ops, void *arg, char *why,
		      size_t whylen)
{
	struct pool_client *c;
	int r;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->cfg = *cfg;
	c->ops = ops;
	c->arg = arg;
	c->fd = -1;
	if (cfg->name)
		snprintf(c->hello.name, sizeof(c->hello.name), "%s", cfg->name);
	else
		snprintf(c->hello.name, sizeof(c->hello.name), "vm-%d", (int)getpid());
	c->hello.guest_bytes = guest_bytes;
	c->hello.chunk_bytes = chunk_bytes;
	c->hello.max_bytes = cfg->max_bytes ? cfg->max_bytes : dram_bytes;
	c->hello.min_bytes = cfg->min_bytes;
	if (c->hello.max_bytes > dram_bytes || c->hello.min_bytes > c->hello.max_bytes) {
		snprintf(why, whylen, "--dram-%s: must be at most %s", c->hello.max_bytes >
			 dram_bytes ? "max" : "min", c->hello.max_bytes > dram_bytes ?
			 "the DRAM tier's size (--dram)" : "--dram-max");
		free(c);
		return -EINVAL;
	}
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (c->stop_fd < 0) {
		free(c);
		return -errno;
	}
	r = client_register(c, why, whylen);
	if (r == 0)
		r = -pthread_create(&c->thread, NULL, client_thread, c);
	if (r < 0) {
		if (!why[0])
			snprintf(why, whylen, "--pool %s: %s", cfg->path, strerror(-r));
		client_drop(c);
		close(c->stop_fd);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void pool_client_stop(struct pool_client *c)
{
	uint64_t one = 1;

	if (!c)
		return;
	/* An eventfd write of 1 cannot fail short of a bug: join regardless. */
	if (write(c->stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "hmmv: pool client: cannot wake its thread\n");
	pthread_join(c->thread, NULL);
	client_drop(c);
	close(c->stop_fd);
	free(c);
}
