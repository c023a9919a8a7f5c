// SPDX-License-Identifier: GPL-2.0
/*
 * The console's output path without KVM: guest output goes out whole and in
 * order while the reader keeps up; with a reader that stalls, console_write
 * never blocks, the overflow is dropped and counted exactly, and the final
 * flush gives up after a bounded wait.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/console.h"

#define TOTAL	(1u << 20)

static char fifo[] = "/tmp/hmmv-unit-console-XXXXXX";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Opens the console on the FIFO, with @rfd a non-blocking reader of it.
 * --console file: refuses FIFOs (they could hang the start), so the FIFO
 * stands in for stdout, where a stalled pipe is what happens for real:
 * console_open() takes its own descriptor of fd 1, which is then restored.
 */
static struct console *open_on_fifo(int *rfd)
{
	struct console_config cfg = { .kind = CONSOLE_STDIO };
	struct console *c = NULL;
	char why[256];
	int wfd, saved, r;

	*rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*rfd < 0)
		return NULL;
	wfd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (wfd < 0 || saved < 0 || dup2(wfd, STDOUT_FILENO) < 0)
		return NULL;
	r = console_open(&c, &cfg, why, sizeof(why));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(wfd);
	if (r < 0)
		return NULL;
	/* A one-page pipe: the ring, not the pipe, holds what is stalled. */
	fcntl(*rfd, F_SETPIPE_SZ, 4096);
	return c;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

/* Reads what is there; checks it continues the pattern from *@pos. */
static bool drain(int rfd, size_t *pos)
{
	uint8_t buf[4096];
	bool same = true;
	ssize_t n, k;

	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		for (k = 0; k < n; k++, (*pos)++)
			same &= buf[k] == pattern(*pos);
	return same;
}

static void test_reader_keeps_up(void)
{
	uint8_t buf[1000];
	size_t pos = 0, i, j;
	bool same = true;
	int rfd;
	struct console *c = open_on_fifo(&rfd);

	tap_ok(c != NULL, "console on a FIFO");
	if (!c)
		return;
	for (i = 0; i < TOTAL; i += sizeof(buf)) {
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = pattern(i + j);
		/* Keep up: never more than the ring's 64 KiB outstanding. */
		while (i + sizeof(buf) > pos + (64u << 10)) {
			same &= drain(rfd, &pos);
			usleep(200);	/* let the writer thread run on a loaded host */
		}
		console_write(c, buf, sizeof(buf));
	}
	while (pos < i) {
		same &= drain(rfd, &pos);
		usleep(200);
	}
	console_flush(c);
	tap_ok(console_dropped(c) == 0 && pos == i && same,
	       "a reader that keeps up gets every byte in order (%zu of %zu, %llu dropped)",
	       pos, i, (unsigned long long)console_dropped(c));
	console_close(c);
	close(rfd);
}

static void test_stalled_reader(void)
{
	uint8_t buf[4096];
	size_t pos = 0, i;
	double t0, t_write, t_flush;
	uint64_t dropped;
	int rfd;
	struct console *c = open_on_fifo(&rfd);

	if (!c) {
		tap_ok(0, "console on a FIFO");
		return;
	}
	memset(buf, 'x', sizeof(buf));
	t0 = now_s();
	for (i = 0; i < TOTAL; i += sizeof(buf)) {
		console_write(c, buf, sizeof(buf));
	}
	t_write = now_s() - t0;
	t0 = now_s();
	console_flush(c);	/* nobody reads: must give up, not hang */
	t_flush = now_s() - t0;
	drain(rfd, &pos);
	dropped = console_dropped(c);
	tap_ok(t_write < 1.0, "1 MiB of output to a stalled reader: console_write never blocks (%.3f s)",
	       t_write);
	tap_ok(t_flush > 1.0 && t_flush < 5.0,
	       "the final flush waits for a stalled reader, then gives up (%.1f s)", t_flush);
	tap_ok(dropped > 0 && pos + dropped == TOTAL,
	       "overflow dropped and counted exactly: %zu delivered + %llu dropped = %u",
	       pos, (unsigned long long)dropped, TOTAL);
	console_close(c);
	close(rfd);
}

int main(void)
{
	int fd = mkstemp(fifo);

	tap_plan(5);
	alarm(60);	/* a console that blocks would hang here: fail instead */
	if (fd >= 0) {
		close(fd);
		unlink(fifo);
	}
	if (fd < 0 || mkfifo(fifo, 0600) < 0) {
		tap_diag("mkfifo %s: %s", fifo, strerror(errno));
		return tap_done(1);
	}
	test_reader_keeps_up();
	test_stalled_reader();
	unlink(fifo);
	return tap_done(1);
}
