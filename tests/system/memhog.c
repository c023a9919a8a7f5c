// SPDX-License-Identifier: GPL-2.0
/*
 * memhog NODE LEAVE_MIB [--movable]: takes all but LEAVE_MIB MiB of NUMA
 * node NODE's free memory (MemFree of /sys/devices/system/node/nodeNODE/
 * meminfo), bound to that node and locked (so neither reclaim nor demotion
 * moves it), prints "memhog: node N: took T MiB, free F MiB", then holds
 * it until SIGTERM or SIGINT. With --movable it also takes the room of the
 * node's evictable pages (its LRU lists, mlocked ones aside: the test
 * host's own files and processes), which reclaim or demotion then moves
 * away: otherwise the kernel would move them later to make room for the
 * guest, which would get that room on top of LEAVE_MIB. Gives the kernel's
 * own tiering about the same DRAM budget as hmmv's --dram in make
 * eval-real: some of the pages it counts stay (the guest held 97-125 MiB
 * of a 128 MiB budget in eight runs; tools/evalreal/analyse.sh reports it).
 */
#include <numaif.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* KEY ("MemFree:") of the node's meminfo, in KiB; -1 when not there. */
static long node_kb(int node, const char *key)
{
	char path[96], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, key);

		if (p) {
			kb = strtol(p + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static long node_free_mib(int node)
{
	long kb = node_kb(node, "MemFree:");

	return kb < 0 ? -1 : kb / 1024;
}

/* The node's evictable LRU pages, in MiB (what reclaim or demotion can move). */
static long node_movable_mib(int node)
{
	static const char *const lru[] = {
		"Active(anon):", "Inactive(anon):", "Active(file):", "Inactive(file):",
	};
	long kb, sum = 0;
	size_t i;

	for (i = 0; i < sizeof(lru) / sizeof(lru[0]); i++) {
		kb = node_kb(node, lru[i]);
		sum += kb > 0 ? kb : 0;
	}
	return sum / 1024;
}

static void on_signal(int sig)
{
}

int main(int argc, char **argv)
{
	unsigned long mask;
	long node, leave, have, take;
	struct sigaction sa;
	sigset_t set, old;
	size_t len;
	void *p;

	if (argc < 3 || argc > 4 || (node = atol(argv[1])) < 0 || node > 63 ||
	    (leave = atol(argv[2])) < 0 || (argc == 4 && strcmp(argv[3], "--movable"))) {
		fprintf(stderr, "usage: memhog NODE LEAVE_MIB [--movable]\n");
		return 2;
	}
	have = node_free_mib(node);
	if (have < 0) {
		fprintf(stderr, "memhog: no NUMA node %ld\n", node);
		return 2;
	}
	/* Nine tenths: some LRU pages are pinned for a while. */
	if (argc == 4)
		have += node_movable_mib(node) * 9 / 10;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* Blocked until sigsuspend: a signal sent early is not lost. */
	if (sigprocmask(SIG_BLOCK, &set, &old) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGINT, &sa, NULL)) {
		perror("memhog: signals");
		return 1;
	}
	take = have > leave ? have - leave : 0;
	len = (size_t)take << 20;
	p = NULL;
	if (len) {
		mask = 1ul << node;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("memhog: mmap");
			return 1;
		}
		if (mbind(p, len, MPOL_BIND, &mask, sizeof(mask) * 8, 0) || mlock(p, len)) {
			perror("memhog: mbind/mlock");
			munmap(p, len);
			return 1;
		}
	}
	printf("memhog: node %ld: took %ld MiB, free %ld MiB\n", node, take, node_free_mib(node));
	fflush(stdout);
	sigsuspend(&old);
	if (p)
		munmap(p, len);
	return 0;
}
