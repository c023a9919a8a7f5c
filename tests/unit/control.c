// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket without KVM: over a guest_mem with a file slow tier,
 * its verbs (stat, stat json, chunk, remap), its privacy (0600 socket, 0700
 * default directory), stale and live sockets, and cleanup on stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "memory/memory.h"
#include "tests/tap.h"
#include "vmm/control.h"

static char dir[] = "/tmp/hmmv-unit-ctl-XXXXXX";

/* The answer to @req as a string (static buffer). */
static const char *ask(const char *path, const char *req)
{
	static char buf[4096];
	char why[256];
	ssize_t n;
	int fd = memfd_create("answer", MFD_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0 || control_request(path, req, fd, why, sizeof(why)) < 0) {
		if (fd >= 0)
			close(fd);
		return "(request failed)";
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
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
	tap_ok(!strncmp(a, "error: remap: expected CHUNK dram|nvm [wp|pause]", 48),
	       "remap with a bad method is an error");
	a = ask(path, "move 1 dram wp");
	tap_ok(!strncmp(a, "error: move: expected CHUNK dram|nvm", 36), "move takes no method");
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
	test_stale_and_default(&m);
	memory_exit(&m);
	unlink(img);
	rmdir(dir);
	return tap_done(0);
}
