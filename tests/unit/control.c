// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket without KVM: over a guest_mem with a file slow tier,
 * its verbs (stat, stat json, chunk, remap), its privacy (0600 socket, 0700
 * default directory), stale and live sockets, and cleanup on stop; its
 * fairness (issue 14 item 7): a client dripping a request slowly holds
 * nobody else up and is cut off, an over-size request is an error and is
 * not executed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "memory/memory.h"
#include "tests/tap.h"
#include "vmm/control.h"

static char dir[] = "/tmp/hmmv-unit-ctl-XXXXXX";

/* The answer to @req as a string (static buffer). */
static const char *ask(const char *path, const char *req)
{
	static char buf[4096];
	char why[256], *a;
	size_t len;

	if (control_request(path, req, 5000, &a, &len, why, sizeof(why)) < 0)
		return "(request failed)";
	snprintf(buf, sizeof(buf), "%s", a);
	free(a);
	return buf;
}

static void test_verbs(struct guest_mem *m)
{
	char path[128], why[256] = "";
	struct control *ctl, *other;
	struct stat st;
	const char *a;

	snprintf(path, sizeof(path), "%s/vm.sock", dir);
	tap_is(control_start(&ctl, path, m, why, sizeof(why)), 0, "control: starts on --control PATH");
	tap_ok(!stat(path, &st) && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600,
	       "control: socket is 0600");
	a = ask(path, "stat");
	tap_ok(strstr(a, "dram") && strstr(a, "file") && strstr(a, "capacity"),
	       "stat: a table with both tiers");
	a = ask(path, "stat json");
	tap_ok(a[0] == '{' && strstr(a, "\"name\":\"dram\"") && strstr(a, "\"chunks\":4,") &&
	       strstr(a, "\"name\":\"nvm\",\"backend\":\"file\""), "stat json: tiers with chunk counts");
	a = ask(path, "chunk 5");
	tap_ok(!strncmp(a, "chunk=5 gpa=0xa00000 tier=nvm ", 30), "chunk 5: on the slow tier (%.40s)", a);
	a = ask(path, "remap 1 nvm");
	tap_ok(!strncmp(a, "ok pause_ns=", 12), "remap 1 nvm: ok");
	a = ask(path, "chunk 1");
	tap_ok(strstr(a, "tier=nvm") != NULL, "chunk 1: now on the slow tier");
	a = ask(path, "stat json");
	tap_ok(strstr(a, "\"name\":\"dram\",\"backend\":\"memfd\",\"node\":-1,\"capacity\":8388608,"
			 "\"used\":6291456,\"chunks\":3") != NULL, "stat json: DRAM now 3 chunks");
	a = ask(path, "remap 1 dram wp");
	tap_ok(!strncmp(a, "ok pause_ns=0 stall_ns=", 23), "remap 1 dram wp: ok, a stall, no pause");
	a = ask(path, "remap 1 nvm pause");
	tap_ok(!strncmp(a, "ok pause_ns=", 12) && strstr(a, " stall_ns=0"),
	       "remap 1 nvm pause: ok, no stall");
	a = ask(path, "remap 1 dram sideways");
	tap_ok(!strncmp(a, "error: remap: expected", 22) && strstr(a, "[wp|pause]"),
	       "remap with a bad method is an error");
	a = ask(path, "move 1 dram wp");
	tap_ok(!strncmp(a, "error: move: expected", 21), "move takes no method");
	a = ask(path, "remap 999 nvm");
	tap_ok(!strncmp(a, "error: remap 999", 16), "remap of a chunk out of range is an error");
	a = ask(path, "frobnicate");
	tap_ok(!strncmp(a, "error: unknown request", 22), "unknown verb rejected");
	why[0] = '\0';
	tap_is(control_start(&other, path, m, why, sizeof(why)), -EADDRINUSE,
	       "a live socket is not stolen");
	control_stop(ctl);
	tap_ok(access(path, F_OK) && errno == ENOENT, "stop removes the socket");
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what the server sends until it closes, at most @ms; -1 on timeout. */
static ssize_t raw_answer(int fd, char *buf, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len - 1) {
		if (poll(&pfd, 1, ms) != 1)
			return -1;
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

struct drip {
	int fd;
	volatile int stop;
	int sent;
	int cut;	/* the server closed the connection */
};

/* Sends "stat" one byte every 300 ms, then spaces, never a newline. */
static void *drip_thread(void *arg)
{
	struct drip *d = arg;
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	const char *req = "stat";

	while (!d->stop && d->sent < 40) {
		char c = d->sent < 4 ? req[d->sent] : ' ';

		if (send(d->fd, &c, 1, MSG_NOSIGNAL) != 1) {
			d->cut = 1;
			break;
		}
		d->sent++;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void test_fair(struct guest_mem *m)
{
	char path[128], why[256] = "", buf[4096], big[600];
	struct drip d = { .fd = -1 };
	struct control *ctl;
	pthread_t th;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/fair.sock", dir);
	if (control_start(&ctl, path, m, why, sizeof(why)) < 0) {
		tap_ok(0, "control starts: %s", why);
		return;
	}
	d.fd = raw_connect(path);
	if (d.fd < 0 || pthread_create(&th, NULL, drip_thread, &d)) {
		tap_ok(0, "a dripping client connects");
		control_stop(ctl);
		return;
	}
	usleep(100 * 1000);
	/* Another client while the dripper is mid-request: served at once. */
	for (i = 0; i < 3; i++) {
		fd = raw_connect(path);
		n = fd < 0 || send(fd, "stat\n", 5, MSG_NOSIGNAL) != 5 ? -1 :
		    raw_answer(fd, buf, sizeof(buf), 1000);
		if (fd >= 0)
			close(fd);
		tap_ok(n > 0 && strstr(buf, "capacity"),
		       "request %d served within 1 s while a client drips its request", i + 1);
	}
	/* The dripper itself: cut off well before its 12 s of dripping. */
	n = raw_answer(d.fd, buf, sizeof(buf), 6000);
	tap_ok(n >= 0 && d.sent < 25, "a dripping client is cut off after a bounded time "
	       "(%d bytes sent, answer '%.40s')", d.sent, n > 0 ? buf : "");
	d.stop = 1;
	pthread_join(th, NULL);
	close(d.fd);

	/* Over the size limit: an error, and the first bytes not executed. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "remap 0 nvm", 11);
	big[sizeof(big) - 1] = '\n';
	fd = raw_connect(path);
	n = fd < 0 || send(fd, big, sizeof(big), MSG_NOSIGNAL) != (ssize_t)sizeof(big) ? -1 :
	    raw_answer(fd, buf, sizeof(buf), 3000);
	if (fd >= 0)
		close(fd);
	tap_ok(n > 0 && !strncmp(buf, "error:", 6) && strstr(buf, "long"),
	       "an over-size request is answered with an error (%.60s)", n > 0 ? buf : "");
	tap_ok(strstr(ask(path, "chunk 0"), "tier=dram") != NULL,
	       "an over-size request is not executed (chunk 0 still in DRAM)");
	/* A request ended by EOF instead of a newline is still answered. */
	fd = raw_connect(path);
	n = fd < 0 || send(fd, "stat\r", 5, MSG_NOSIGNAL) != 5 || shutdown(fd, SHUT_WR) ? -1 :
	    raw_answer(fd, buf, sizeof(buf), 1000);
	if (fd >= 0)
		close(fd);
	tap_ok(n > 0 && strstr(buf, "capacity"), "a request ended by EOF is answered");
	/* Control characters inside a request: an error, not a verb. */
	tap_ok(!strncmp(ask(path, "stat json\x01"), "error:", 6), "control characters are refused");
	control_stop(ctl);
}

static void test_stale_and_default(struct guest_mem *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[200], why[256] = "", d[160];
	struct control *ctl;
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	tap_is(control_start(&ctl, path, m, why, sizeof(why)), 0, "a stale socket is replaced");
	control_stop(ctl);

	setenv("XDG_RUNTIME_DIR", dir, 1);
	snprintf(d, sizeof(d), "%s/hmmv", dir);
	tap_is(control_start(&ctl, NULL, m, why, sizeof(why)), 0, "default path starts");
	tap_ok(!stat(d, &st) && (st.st_mode & 0777) == 0700, "default directory is 0700");
	snprintf(path, sizeof(path), "%s/vm-%d.sock", d, (int)getpid());
	tap_ok(!access(path, F_OK), "default socket is vm-PID.sock");
	control_stop(ctl);
	tap_ok(access(d, F_OK) && errno == ENOENT, "stop removes the default directory");
	mkdir(d, 0755);
	why[0] = '\0';
	tap_is(control_start(&ctl, NULL, m, why, sizeof(why)), -EPERM,
	       "a group/world-readable default directory is refused");
	tap_ok(strstr(why, "--control") != NULL, "the message suggests --control: %s", why);
	rmdir(d);
}

int main(void)
{
	struct memory_config cfg;
	struct guest_mem m;
	char why[256], img[160];
	int fd;

	if (!mkdtemp(dir))
		return 1;
	snprintf(img, sizeof(img), "%s/slow.img", dir);
	fd = open(img, O_CREAT | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, 32 << 20) < 0)
		return 1;
	close(fd);
	memory_config_init(&cfg, 32 << 20);
	memory_parse_flag(&cfg, "--dram", "8M", why, sizeof(why));
	memory_parse_flag(&cfg, "--nvm", img, why, sizeof(why));
	if (memory_config_validate(&cfg, why, sizeof(why)) || memory_init(&m, &cfg)) {
		printf("1..0 # SKIP cannot set up guest memory: %s\n", why);
		return 0;
	}
	test_verbs(&m);
	test_fair(&m);
	test_stale_and_default(&m);
	memory_exit(&m);
	unlink(img);
	rmdir(dir);
	return tap_done(0);
}
