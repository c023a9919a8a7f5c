// SPDX-License-Identifier: GPL-2.0
/*
 * `hmmv pool` over real sockets, without KVM: the server in a thread, VMs
 * as forked processes running the real client (hmmv/pool_client.c) over
 * a fake engine that complies at once. Checks convergence (hot VMs get
 * more), the budget at every look, kill -9 returning a VM's quota,
 * hostile clients (garbage, a huge length, silence) costing only their
 * own connection, and a pool restart the VMs ride out.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hmmv/pool_client.h"
#include "tests/tap.h"
#include "tools/pool/pool.h"
#include "vmm/control.h"

#define MIB	(1ull << 20)
#define BUDGET	(256 * MIB)

static char dir[] = "/tmp/hmmv-unit-pool-XXXXXX";
static char sock[128];

struct server {
	struct pool_server *s;
	pthread_t thread;
	int stop_fd;
};

static void *server_thread(void *arg)
{
	struct server *sv = arg;

	pool_server_run(sv->s, sv->stop_fd);
	return NULL;
}

static int server_start(struct server *sv)
{
	struct pool_server_config cfg = { .budget = BUDGET, .node = -1, .socket = sock,
					  .split = POOL_SPLIT_HMMV, .period_ms = 100 };
	char why[256] = "";

	sv->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (pool_server_create(&sv->s, &cfg, why, sizeof(why)) < 0) {
		tap_diag("pool: %s", why);
		return -1;
	}
	return pthread_create(&sv->thread, NULL, server_thread, sv) ? -1 : 0;
}

static void server_stop(struct server *sv)
{
	uint64_t one = 1;

	if (write(sv->stop_fd, &one, sizeof(one)) != sizeof(one))
		return;
	pthread_join(sv->thread, NULL);
	pool_server_destroy(sv->s);
	close(sv->stop_fd);
}

/* ---- a fake VM: complies with every quota at once ---- */

static _Atomic uint64_t fake_quota;
static uint64_t fake_hot;

static void fake_report(void *arg, struct pool_report *r)
{
	memset(r, 0, sizeof(*r));
	r->held_bytes = atomic_load(&fake_quota);
	r->hot_bytes = fake_hot;
	r->hist[12] = fake_hot;
	r->hist[0] = 256 * MIB - fake_hot;
}

static void fake_set_quota(void *arg, uint64_t bytes)
{
	atomic_store(&fake_quota, bytes < 256 * MIB ? bytes : 256 * MIB);
}

static const struct pool_client_ops fake_ops = {
	.report = fake_report, .set_quota = fake_set_quota,
};

static pid_t fake_vm(const char *name, uint64_t hot)
{
	struct pool_client_config cfg = { .path = sock, .name = name };
	struct pool_client *c;
	char why[256] = "";
	pid_t pid = fork();

	if (pid)
		return pid;
	fake_hot = hot;
	alarm(60);
	if (pool_client_start(&c, &cfg, 256 * MIB, 256 * MIB, 2 * MIB, &fake_ops, NULL,
			      why, sizeof(why)) < 0) {
		fprintf(stderr, "fake vm %s: %s\n", name, why);
		_exit(1);
	}
	for (;;)
		pause();
}

/* ---- looking at the pool ---- */

static char *stat_json(void)
{
	char why[256], *ans = NULL;
	size_t len;

	if (control_request(sock, "stat json", 2000, &ans, &len, why, sizeof(why)) < 0)
		return NULL;
	return ans;
}

static uint64_t field(const char *json, const char *key)
{
	const char *p = strstr(json, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : UINT64_MAX;
}

/* A VM's quota from the pool's JSON; UINT64_MAX when absent. */
static uint64_t quota_of(const char *json, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "\"name\":\"%s\"", name);
	p = strstr(json, key);
	return p ? field(p, "\"quota\":") : UINT64_MAX;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Watches the pool for @ms; false when the quotas ever summed above the budget. */
static bool watch(long ms, uint64_t *max_granted)
{
	bool ok = true;
	char *j;
	long t;

	for (t = 0; t < ms; t += 100) {
		j = stat_json();
		if (j) {
			uint64_t g = field(j, "\"granted\":");

			ok &= g <= BUDGET;
			if (g > *max_granted)
				*max_granted = g;
			free(j);
		}
		sleep_ms(100);
	}
	return ok;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memcpy(sa.sun_path, sock, strlen(sock));
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_hostile(void)
{
	static const uint8_t huge[12] = { 'H', 'M', 'P', 'L', 1, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f };
	int quiet = raw_connect(), junk = raw_connect(), big = raw_connect();
	struct timespec t0, t1;
	char *j;

	if (junk >= 0 && write(junk, "HMPL\x01\x00\x63\x00garbage-garbage", 22) < 0)
		tap_diag("write: %s", strerror(errno));
	if (big >= 0 && write(big, huge, sizeof(huge)) < 0)
		tap_diag("write: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	j = stat_json();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok(j && quiet >= 0 && (t1.tv_sec - t0.tv_sec) < 2,
	       "a silent client, garbage and a huge length leave the pool answering");
	free(j);
	tap_ok(junk >= 0 && read(junk, (char[64]){ 0 }, 64) >= 0 &&
	       read(junk, (char[64]){ 0 }, 64) == 0, "the garbage sender is cut off");
	close(quiet);
	close(junk);
	close(big);
}

int main(void)
{
	struct server sv;
	uint64_t maxg = 0, q_hot, q_cold, q_after;
	pid_t vm[4];
	char *j;
	bool ok;
	int i;

	alarm(120);
	if (!mkdtemp(dir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return tap_done(1);
	}
	snprintf(sock, sizeof(sock), "%s/pool.sock", dir);
	signal(SIGPIPE, SIG_IGN);
	if (server_start(&sv) < 0)
		return tap_done(1);
	vm[0] = fake_vm("hot-a", 100 * MIB);
	vm[1] = fake_vm("hot-b", 100 * MIB);
	vm[2] = fake_vm("cold-a", 8 * MIB);
	vm[3] = fake_vm("cold-b", 8 * MIB);
	ok = watch(3000, &maxg);
	j = stat_json();
	q_hot = j ? quota_of(j, "hot-a") + quota_of(j, "hot-b") : 0;
	q_cold = j ? quota_of(j, "cold-a") + quota_of(j, "cold-b") : 0;
	tap_ok(j && q_hot > q_cold && q_hot >= 2 * 100 * MIB,
	       "four VMs converge: the hot ones get more (%llu vs %llu MiB)",
	       (unsigned long long)(q_hot / MIB), (unsigned long long)(q_cold / MIB));
	free(j);
	tap_ok(ok && maxg <= BUDGET, "quotas never summed above the budget (max %llu MiB of %llu)",
	       (unsigned long long)(maxg / MIB), (unsigned long long)(BUDGET / MIB));

	test_hostile();

	kill(vm[0], SIGKILL);
	waitpid(vm[0], NULL, 0);
	sleep_ms(1500);
	j = stat_json();
	q_after = j ? quota_of(j, "hot-b") : 0;
	tap_ok(j && quota_of(j, "hot-a") == UINT64_MAX && q_after > q_hot / 2,
	       "kill -9 of a VM returns its quota: gone from the pool, hot-b up to %llu MiB",
	       (unsigned long long)(q_after / MIB));
	free(j);

	server_stop(&sv);
	sleep_ms(300);
	if (server_start(&sv) < 0)
		return tap_done(1);
	maxg = 0;
	ok = true;
	/* Up to 20 s on a loaded host: each VM reconnects once per period. */
	for (i = 0, j = NULL; i < 40; i++) {
		free(j);
		ok &= watch(500, &maxg);
		j = stat_json();
		if (j && quota_of(j, "hot-b") != UINT64_MAX &&
		    quota_of(j, "cold-a") != UINT64_MAX && quota_of(j, "cold-b") != UINT64_MAX)
			break;
	}
	tap_ok(i < 40 && ok, "a restarted pool is rebuilt from re-registrations, within the "
	       "budget (after %.1f s)", (i + 1) * 0.5);
	free(j);
	for (i = 1; i < 4; i++) {
		int st = 0;

		kill(vm[i], SIGKILL);
		waitpid(vm[i], &st, 0);
	}
	server_stop(&sv);
	tap_ok(access(sock, F_OK) < 0, "the pool removes its socket when it stops");
	rmdir(dir);
	return tap_done(0);
}
