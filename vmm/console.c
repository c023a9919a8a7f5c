// SPDX-License-Identifier: GPL-2.0
/*
 * Console: stdout/stdin or a file, raw terminal handling, the escape key.
 *
 * Guest output never blocks a vCPU: console_write only copies into a
 * bounded ring (dropping and counting what does not fit, as Firecracker
 * does), and a writer thread of its own drains the ring with non-blocking
 * writes. A stalled reader (`hmmv run | sleep 600`) thus costs guest
 * output, never a vCPU stuck in write() with the UART's lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hmmv/safe_file.h"
#include "vmm/console.h"

#define CONSOLE_ESCAPE		0x01	/* Ctrl-A */
#define CONSOLE_RING_SIZE	(64u << 10)
#define CONSOLE_FLUSH_MS	2000	/* at the end, what a slow reader gets */

struct console {
	int out_fd;		/* -1: output discarded */
	bool own_out;		/* out_fd is ours to close */
	int in_fd;		/* -1: no input (or EOF seen) */
	bool is_tty;
	bool raw;
	bool escape;		/* Ctrl-A seen, waiting for the next key */
	struct termios saved;

	/* Output ring: vCPUs append under @lock, the writer drains it. */
	pthread_mutex_t lock;
	uint8_t *ring;
	size_t head, len;
	uint64_t dropped;	/* bytes that found the ring full */
	bool stopping;		/* writer: flush what is left, then end */
	bool out_dead;		/* the output failed: drop from now on */
	int wake_fd;		/* eventfd: output queued, or stop */
	pthread_t writer;
	bool writer_started;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void console_wake(struct console *c)
{
	uint64_t one = 1;

	/* Non-blocking eventfd: a full counter already means "wake up". */
	if (write(c->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		/* nothing else to do: the writer also polls on a timeout */
	}
}

/* Writes what the ring holds at its head; the producers never touch the
 * bytes between head and head+len, so no lock is held across write(). */
static void console_drain_once(struct console *c)
{
	size_t head, len;
	ssize_t n;

	pthread_mutex_lock(&c->lock);
	head = c->head;
	len = c->len;
	pthread_mutex_unlock(&c->lock);
	if (head + len > CONSOLE_RING_SIZE)
		len = CONSOLE_RING_SIZE - head;
	/* At most PIPE_BUF: a pipe that polled writable takes it at once. */
	n = write(c->out_fd, c->ring + head, len < PIPE_BUF ? len : PIPE_BUF);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	pthread_mutex_lock(&c->lock);
	if (n <= 0) {
		c->out_dead = true;	/* reader gone or I/O error */
		c->dropped += c->len;
		c->len = 0;
	} else {
		c->head = (c->head + (size_t)n) % CONSOLE_RING_SIZE;
		c->len -= (size_t)n;
	}
	pthread_mutex_unlock(&c->lock);
}

static void *console_writer(void *arg)
{
	struct console *c = arg;
	uint64_t deadline = 0, now, v;
	struct pollfd pfd[2];
	bool stopping;
	size_t len;
	int timeout;

	for (;;) {
		pthread_mutex_lock(&c->lock);
		len = c->len;
		stopping = c->stopping;
		pthread_mutex_unlock(&c->lock);
		now = now_ms();
		if (stopping && !deadline)
			deadline = now + CONSOLE_FLUSH_MS;
		if (stopping && (!len || now >= deadline))
			break;
		timeout = stopping ? (int)(deadline - now) : -1;
		pfd[0] = (struct pollfd){ .fd = c->wake_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = len ? c->out_fd : -1, .events = POLLOUT };
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if ((pfd[0].revents & POLLIN) && read(c->wake_fd, &v, sizeof(v)) < 0) {
			/* EAGAIN: another wake-up already consumed it */
		}
		if (pfd[1].revents)
			console_drain_once(c);
	}
	pthread_mutex_lock(&c->lock);
	c->dropped += c->len;	/* what the flush deadline left behind */
	c->len = 0;
	c->out_dead = true;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/*
 * A pipe or terminal on stdout is shared with other processes: rather than
 * set O_NONBLOCK on their file description, open our own one through
 * /proc. When that fails the writer still only writes after poll() said
 * the fd is writable.
 */
static void console_own_stdout(struct console *c)
{
	struct stat st;
	int fd;

	if (fstat(STDOUT_FILENO, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
		return;	/* a regular file never stalls a write for long */
	fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	c->out_fd = fd;
	c->own_out = true;
}

static int console_start_writer(struct console *c)
{
	int r;

	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0)
		return -errno;
	c->ring = malloc(CONSOLE_RING_SIZE);
	if (!c->ring)
		return -ENOMEM;
	r = -pthread_mutex_init(&c->lock, NULL);
	if (r < 0)
		return r;
	r = -pthread_create(&c->writer, NULL, console_writer, c);
	if (r < 0) {
		pthread_mutex_destroy(&c->lock);
		return r;
	}
	c->writer_started = true;
	return 0;
}

static void console_free(struct console *c)
{
	if (c->own_out && c->out_fd >= 0)
		close(c->out_fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	free(c->ring);
	free(c);
}

int console_open(struct console **out, const struct console_config *cfg,
		 char *why, size_t whylen)
{
	struct console *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->out_fd = -1;
	c->in_fd = -1;
	c->wake_fd = -1;
	switch (cfg->kind) {
	case CONSOLE_STDIO:
		c->out_fd = STDOUT_FILENO;
		c->in_fd = STDIN_FILENO;
		c->is_tty = isatty(STDIN_FILENO);
		console_own_stdout(c);
		break;
	case CONSOLE_FILE:
		c->out_fd = safe_file_open(cfg->path, O_WRONLY | O_CREAT | O_APPEND,
					   cfg->mode ? cfg->mode : SAFE_FILE_MODE);
		if (c->out_fd < 0) {
			snprintf(why, whylen, "--console file:%s: %s", cfg->path,
				 safe_file_strerror(c->out_fd));
			free(c);
			return -EINVAL;
		}
		c->own_out = true;
		break;
	case CONSOLE_NONE:
		break;
	}
	if (c->out_fd >= 0) {
		r = console_start_writer(c);
		if (r < 0) {
			snprintf(why, whylen, "console output thread: %s", strerror(-r));
			console_free(c);
			return r;
		}
	}
	*out = c;
	return 0;
}

void console_flush(struct console *c)
{
	if (!c || !c->writer_started)
		return;
	pthread_mutex_lock(&c->lock);
	c->stopping = true;
	pthread_mutex_unlock(&c->lock);
	console_wake(c);
	pthread_join(c->writer, NULL);
	pthread_mutex_destroy(&c->lock);
	c->writer_started = false;
}

uint64_t console_dropped(struct console *c)
{
	uint64_t n;

	if (!c)
		return 0;
	if (!c->writer_started)
		return c->dropped;	/* the writer is joined: no lock needed */
	pthread_mutex_lock(&c->lock);
	n = c->dropped;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void console_close(struct console *c)
{
	if (!c)
		return;
	console_stop(c);
	console_flush(c);
	console_free(c);
}

int console_start(struct console *c)
{
	struct termios t;

	if (!c->is_tty || c->raw)
		return 0;
	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -errno;
	c->raw = true;
	return 0;
}

void console_stop(struct console *c)
{
	if (!c || !c->raw)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
}

void console_write(struct console *c, const uint8_t *buf, size_t len)
{
	size_t n, tail, first;
	bool was_empty;

	if (!c || !c->writer_started || !len)
		return;
	pthread_mutex_lock(&c->lock);
	was_empty = !c->len;
	n = c->out_dead || c->stopping ? 0 : CONSOLE_RING_SIZE - c->len;
	if (n > len)
		n = len;
	tail = (c->head + c->len) % CONSOLE_RING_SIZE;
	first = n < CONSOLE_RING_SIZE - tail ? n : CONSOLE_RING_SIZE - tail;
	memcpy(c->ring + tail, buf, first);
	memcpy(c->ring, buf + first, n - first);
	c->len += n;
	c->dropped += len - n;
	pthread_mutex_unlock(&c->lock);
	if (was_empty && n)
		console_wake(c);
}

int console_input_fd(struct console *c, size_t room)
{
	return c && room >= 2 ? c->in_fd : -1;
}

bool console_has_input(struct console *c)
{
	return c && c->in_fd >= 0;
}

/* Filters the escape sequence out of @buf in place; returns bytes kept,
 * or -ECANCELED for Ctrl-A x. */
static ssize_t console_escape(struct console *c, uint8_t *buf, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (c->escape) {
			c->escape = false;
			if (buf[i] == 'x' || buf[i] == 'X')
				return -ECANCELED;
			if (buf[i] != CONSOLE_ESCAPE)
				buf[k++] = CONSOLE_ESCAPE;
			buf[k++] = buf[i];
		} else if (buf[i] == CONSOLE_ESCAPE) {
			c->escape = true;
		} else {
			buf[k++] = buf[i];
		}
	}
	return (ssize_t)k;
}

ssize_t console_read(struct console *c, uint8_t *buf, size_t room)
{
	ssize_t n;

	if (c->in_fd < 0 || room < 2)
		return 0;
	/* Read at most half: an escaped Ctrl-A expands to two bytes. */
	n = read(c->in_fd, buf, room / 2);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		c->in_fd = -1;	/* EOF or error: the guest gets no more input */
		return 0;
	}
	if (c->is_tty)
		n = console_escape(c, buf, (size_t)n);
	return n;
}
