// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv stat against a fake control socket (issue 14 item 7): it exits
 * non-zero when the server answers "error:", gives up after --timeout on a
 * server that never answers, and does not copy control characters (a
 * hostile or broken server's escape sequences) to the terminal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/cmd.h"

static char dir[] = "/tmp/hmmv-unit-stat-XXXXXX";

struct fake {
	int fd;			/* listening */
	const char *reply;	/* NULL: never answer (hold the connection) */
};

static void *fake_thread(void *arg)
{
	struct fake *f = arg;
	char buf[256];
	size_t got = 0;
	ssize_t n;
	int c;

	c = accept4(f->fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return NULL;
	/* The whole request line, as the real server reads it. */
	while (got < sizeof(buf) && (n = read(c, buf + got, sizeof(buf) - got)) > 0) {
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	if (f->reply) {
		if (send(c, f->reply, strlen(f->reply), MSG_NOSIGNAL) < 0)
			buf[0] = '\0';
	} else {
		sleep(6);
	}
	close(c);
	return NULL;
}

static int fake_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -1;
	return fd;
}

/*
 * Runs hmmv stat in a child against a fake server answering @reply; its
 * stdout in @out, exit status returned (-1: killed after 8 s), seconds
 * taken in @secs.
 */
static int run_stat(const char *reply, char **argv, int argc, char *out, size_t outlen,
		    double *secs)
{
	struct timespec t0, t1;
	struct fake f = { .reply = reply };
	char path[128];
	pthread_t th;
	int mfd, st, i;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/fake.sock", dir);
	f.fd = fake_listen(path);
	mfd = memfd_create("stat-out", MFD_CLOEXEC);
	if (f.fd < 0 || mfd < 0 || pthread_create(&th, NULL, fake_thread, &f))
		return -2;
	argv[1] = path;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(mfd, STDOUT_FILENO);
		i = cmd_stat(argc, argv);
		fflush(stdout);
		_exit(i);
	}
	for (i = 0; i < 800 && waitpid(pid, &st, WNOHANG) != pid; i++)
		usleep(10 * 1000);
	if (i == 800) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		st = -1;
	} else {
		st = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* The fake server may still hold a silent connection: close it. */
	shutdown(f.fd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(f.fd);
	unlink(path);
	n = pread(mfd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(mfd);
	return st;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			return 1;
		else if ((unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

int main(void)
{
	char *argv[5] = { "stat", NULL, NULL, NULL, NULL };
	char out[4096];
	double secs;
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = run_stat("dram 1\nnvm 2\n", argv, 2, out, sizeof(out), &secs);
	tap_is(rc, 0, "hmmv stat: a plain answer exits 0");
	tap_ok(!strcmp(out, "dram 1\nnvm 2\n"), "hmmv stat: the answer is printed as sent");

	rc = run_stat("error: chunk: expected a chunk number\n", argv, 2, out, sizeof(out), &secs);
	tap_is(rc, 1, "hmmv stat: an 'error:' answer exits 1");

	rc = run_stat("tier \033]0;owned\007\033[2Jdram\r\n", argv, 2, out, sizeof(out), &secs);
	tap_is(rc, 0, "hmmv stat: an answer with escapes still exits 0");
	tap_ok(!has_control(out) && strstr(out, "dram"),
	       "hmmv stat: no control characters reach the terminal");

	argv[2] = "--timeout";
	argv[3] = "1";
	rc = run_stat(NULL, argv, 4, out, sizeof(out), &secs);
	tap_is(rc, 1, "hmmv stat --timeout 1: a server that never answers is a failure");
	tap_ok(secs < 4, "hmmv stat --timeout 1: gives up in time (%.1f s)", secs);
	argv[3] = "0";
	rc = run_stat("x\n", argv, 4, out, sizeof(out), &secs);
	tap_is(rc, 2, "hmmv stat --timeout 0: a usage error");
	rmdir(dir);
	return tap_done(0);
}
