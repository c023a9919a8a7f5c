// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv pool --dram SIZE --socket PATH [--node N] [--policy P] [--period-ms MS]
 * [--group]: serves one host DRAM budget to the VMs started with
 * `hmmv run --pool PATH` (tools/pool/pool.h, docs/pool-protocol.md).
 */
#include <errno.h>
#include <numa.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "memory/memory.h"
#include "tools/pool/pool.h"
#include "vmm/cmd.h"

static void pool_usage(FILE *f)
{
	fprintf(f,
		"usage: hmmv pool --dram SIZE --socket PATH [--node N] [--policy P]\n"
		"                 [--period-ms MS] [--group]\n\n"
		"Serves one host DRAM budget to the VMs started with hmmv run --pool PATH:\n"
		"every period it grants each VM a DRAM quota from the VMs' temperature\n"
		"reports, and each VM keeps its DRAM use within its quota.\n"
		"  --dram SIZE       the budget (SIZE: a number with an optional K, M, G or T\n"
		"                    binary suffix; a bare number is bytes)\n"
		"  --socket PATH     the UNIX socket to serve (0600), in a directory of this\n"
		"                    user that nobody else may write to (e.g. /run/hmmv)\n"
		"  --node N          the host NUMA node the budget lives on (shown by hmmv\n"
		"                    stat; VMs bind their DRAM with --dram SIZE,node=N)\n"
		"  --policy P        hmmv (default: the hottest memory host-wide gets DRAM),\n"
		"                    equal, or proportional (to guest size)\n"
		"  --period-ms MS    rebalance and report period, 100 to 60000 (default 1000)\n"
		"  --group           socket 0660 (and a group-writable directory allowed):\n"
		"                    members of this process's group may use it\n\n"
		"hmmv stat PATH [--json|--prometheus] shows the budget and every VM's quota.\n"
		"SIGINT, SIGTERM or SIGHUP stop the pool (exit 0); its VMs keep running\n"
		"within their last quotas and re-register when a pool serves PATH again.\n");
}

static int parse_flag(struct pool_server_config *c, const char *flag, const char *v)
{
	char *end;
	long n;

	if (!strcmp(flag, "--dram"))
		return memory_parse_size(v, &c->budget) < 0 || !c->budget ? -EINVAL : 0;
	if (!strcmp(flag, "--socket")) {
		c->socket = v;
		return *v ? 0 : -EINVAL;
	}
	if (!strcmp(flag, "--policy")) {
		if (!strcmp(v, "hmmv"))
			c->split = POOL_SPLIT_HMMV;
		else if (!strcmp(v, "equal"))
			c->split = POOL_SPLIT_EQUAL;
		else if (!strcmp(v, "proportional"))
			c->split = POOL_SPLIT_PROPORTIONAL;
		else
			return -EINVAL;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return -EINVAL;
	if (!strcmp(flag, "--node")) {
		if (n < 0 || numa_available() < 0 || n > numa_max_node() ||
		    numa_node_size64((int)n, NULL) <= 0)
			return -EINVAL;
		c->node = (int)n;
		return 0;
	}
	if (!strcmp(flag, "--period-ms")) {
		if (n < 100 || n > 60000)
			return -EINVAL;
		c->period_ms = (uint32_t)n;
		return 0;
	}
	return -ENOENT;
}

static const char *flag_rule(const char *flag)
{
	if (!strcmp(flag, "--dram"))
		return "expected a size above 0, e.g. 4G";
	if (!strcmp(flag, "--policy"))
		return "expected hmmv, equal or proportional";
	if (!strcmp(flag, "--node"))
		return "no such NUMA node with memory on this host";
	if (!strcmp(flag, "--period-ms"))
		return "expected milliseconds from 100 to 60000";
	return "expected a non-empty path";
}

static int pool_parse(int argc, char **argv, struct pool_server_config *c)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			pool_usage(stdout);
			return 1;
		}
		if (!strcmp(argv[i], "--group")) {
			c->group = true;
			continue;
		}
		if (strncmp(argv[i], "--", 2) || i + 1 >= argc) {
			fprintf(stderr, "hmmv pool: %s '%s' (see hmmv pool --help)\n",
				strncmp(argv[i], "--", 2) ? "unexpected argument" :
				"missing value for", argv[i]);
			return -EINVAL;
		}
		r = parse_flag(c, argv[i], argv[i + 1]);
		if (r == -ENOENT) {
			fprintf(stderr, "hmmv pool: unknown flag '%s' (see hmmv pool --help)\n",
				argv[i]);
			return -EINVAL;
		}
		if (r < 0) {
			fprintf(stderr, "hmmv pool: %s '%s': %s\n", argv[i], argv[i + 1],
				flag_rule(argv[i]));
			return -EINVAL;
		}
		i++;
	}
	if (!c->budget || !c->socket) {
		fprintf(stderr, "hmmv pool: %s is required (see hmmv pool --help)\n",
			!c->budget ? "--dram" : "--socket");
		return -EINVAL;
	}
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP arrive on a signalfd: the loop ends cleanly. */
static int pool_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR || sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

int cmd_pool(int argc, char **argv)
{
	struct pool_server_config cfg = { .node = -1, .split = POOL_SPLIT_HMMV,
					  .period_ms = POOL_DEFAULT_PERIOD_MS };
	struct pool_server *s;
	char why[256] = "";
	sigset_t old;
	int r, sfd;

	r = pool_parse(argc, argv, &cfg);
	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	sfd = pool_signals(&old);
	if (sfd < 0) {
		fprintf(stderr, "hmmv pool: signals: %s\n", strerror(errno));
		return 1;
	}
	r = pool_server_create(&s, &cfg, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "hmmv pool: %s\n", why);
		close(sfd);
		return r == -ENOENT || r == -EPERM || r == -EEXIST ||
		       r == -EINVAL ? EXIT_USAGE : 1;
	}
	r = pool_server_run(s, sfd);
	pool_server_destroy(s);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		fprintf(stderr, "hmmv pool: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
