// SPDX-License-Identifier: GPL-2.0
/* The memory flags of hmmv run: parsing and validation against the host. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "memory/internal.h"

void memory_config_init(struct memory_config *cfg, uint64_t ram_size)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = ram_size;
	cfg->chunk_size = MEM_DEFAULT_CHUNK;
	cfg->dram.node = MEM_NO_NODE;
	cfg->nvm.node = MEM_NO_NODE;
	cfg->placement = MEM_PLACE_DRAM_FIRST;
}

/* "1 GiB", "2 MiB", "4 KiB" or bytes, for messages. */
static const char *fmt_size(char *buf, size_t len, uint64_t v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", v, units[u]);
	return buf;
}

static int parse_node(const char *s, int *node)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 4095)
		return -EINVAL;
	*node = (int)v;
	return 0;
}

static int parse_dram(struct memory_config *cfg, const char *val, char *why,
		      size_t whylen)
{
	char buf[128], *tok, *save = NULL;

	if (strlen(val) >= sizeof(buf))
		goto bad;
	strcpy(buf, val);
	tok = strtok_r(buf, ",", &save);
	if (!tok || memory_parse_size(tok, &cfg->dram.size) || !cfg->dram.size)
		goto bad;
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "hugetlb"))
			cfg->dram.hugetlb = true;
		else if (!strcmp(tok, "node=any"))
			cfg->dram.node = MEM_ANY_NODE;
		else if (!strncmp(tok, "node=", 5) && !parse_node(tok + 5, &cfg->dram.node))
			continue;
		else
			goto bad;
	}
	return 0;
bad:
	snprintf(why, whylen, "--dram '%s': expected SIZE[,hugetlb][,node=N|any]", val);
	return -EINVAL;
}

static int parse_nvm(struct memory_config *cfg, const char *val, char *why,
		     size_t whylen)
{
	if (!strncmp(val, "node=", 5)) {
		if (parse_node(val + 5, &cfg->nvm.node)) {
			snprintf(why, whylen, "--nvm '%s': expected node=N", val);
			return -EINVAL;
		}
		cfg->nvm.kind = MEM_BACK_NODE;
		return 0;
	}
	if (!*val || strlen(val) >= sizeof(cfg->nvm.path)) {
		snprintf(why, whylen, "--nvm '%.64s': expected /dev/daxX.Y, a file or node=N", val);
		return -EINVAL;
	}
	strcpy(cfg->nvm.path, val);
	/* Whether it is a devdax is decided by validation, from the inode. */
	cfg->nvm.kind = MEM_BACK_FILE;
	return 0;
}

static int parse_placement(struct memory_config *cfg, const char *val,
			   char *why, size_t whylen)
{
	if (!strcmp(val, "dram-first"))
		cfg->placement = MEM_PLACE_DRAM_FIRST;
	else if (!strcmp(val, "nvm-first"))
		cfg->placement = MEM_PLACE_NVM_FIRST;
	else if (!strcmp(val, "interleave"))
		cfg->placement = MEM_PLACE_INTERLEAVE;
	else {
		snprintf(why, whylen,
			 "--placement '%s': expected dram-first, nvm-first or interleave", val);
		return -EINVAL;
	}
	return 0;
}

static int parse_chunk(struct memory_config *cfg, const char *val, char *why,
		       size_t whylen)
{
	uint64_t v;

	if (memory_parse_size(val, &v) || v < MEM_MIN_CHUNK || v > MEM_MAX_CHUNK ||
	    (v & (v - 1))) {
		snprintf(why, whylen, "--chunk '%s': expected a power of two from 4K to 1G", val);
		return -EINVAL;
	}
	cfg->chunk_size = v;
	return 0;
}

int memory_parse_flag(struct memory_config *cfg, const char *flag,
		      const char *val, char *why, size_t whylen)
{
	if (!val) {
		snprintf(why, whylen, "%s: needs a value", flag);
		return -EINVAL;
	}
	if (!strcmp(flag, "--dram"))
		return parse_dram(cfg, val, why, whylen);
	if (!strcmp(flag, "--nvm"))
		return parse_nvm(cfg, val, why, whylen);
	if (!strcmp(flag, "--placement"))
		return parse_placement(cfg, val, why, whylen);
	if (!strcmp(flag, "--chunk"))
		return parse_chunk(cfg, val, why, whylen);
	snprintf(why, whylen, "%s: not a memory flag", flag);
	return -EINVAL;
}

int mem_read_u64_file(const char *path, uint64_t *out)
{
	char buf[64];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	buf[n > 0 ? n : 0] = '\0';
	return memory_parse_size(strtok(buf, " \n") ? buf : "", out);
}

static int check_node(const char *flag, int node, char *why, size_t whylen)
{
	if (numa_available() < 0 || node > numa_max_node() ||
	    !numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned int)node)) {
		snprintf(why, whylen, "%s node=%d: no such NUMA node on this host", flag, node);
		return -ENODEV;
	}
	return 0;
}

#define HUGE_NODE_DIR	"/sys/devices/system/node/node%u/hugepages/hugepages-2048kB"

/*
 * Free 2 MiB huge pages where the DRAM tier may take them: on the nodes it
 * binds to (mem_tier_nodes(): node=N, or the nodes with CPUs), since a
 * huge page reserved on another node does not serve it; the host's total
 * when it is unbound. @nodes gets the nodes' list, "" when unbound.
 */
static uint64_t hugetlb_free(const struct memory_config *cfg, char *nodes, size_t len)
{
	struct mem_tier t = { .kind = MEM_BACK_MEMFD, .node = cfg->dram.node };
	struct bitmask *mask = mem_tier_nodes(&t, MEM_TIER_DRAM);
	uint64_t sum = 0, v;
	char path[128];
	size_t at = 0;
	unsigned int n;

	nodes[0] = '\0';
	if (!mask) {
		mem_read_u64_file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", &sum);
		return sum;
	}
	for (n = 0; n < mask->size; n++) {
		if (!numa_bitmask_isbitset(mask, n))
			continue;
		snprintf(path, sizeof(path), HUGE_NODE_DIR "/free_hugepages", n);
		v = 0;
		mem_read_u64_file(path, &v);
		sum += v;
		if (at < len)
			at += (size_t)snprintf(nodes + at, len - at, "%s%u", at ? "," : "", n);
	}
	numa_bitmask_free(mask);
	return sum;
}

static int check_hugetlb(const struct memory_config *cfg, uint64_t dram,
			 char *why, size_t whylen)
{
	char s[32], nodes[64];
	uint64_t free_pages, need = dram / MEM_HUGE_SIZE;

	if (cfg->chunk_size < MEM_HUGE_SIZE) {
		snprintf(why, whylen, "--chunk %s is below the 2 MiB huge page of --dram hugetlb",
			 fmt_size(s, sizeof(s), cfg->chunk_size));
		return -EINVAL;
	}
	free_pages = hugetlb_free(cfg, nodes, sizeof(nodes));
	if (free_pages >= need)
		return 0;
	if (nodes[0])
		snprintf(why, whylen,
			 "--dram hugetlb: %" PRIu64 " free 2 MiB huge pages on DRAM node(s) %s, %"
			 PRIu64 " needed (reserve them there: " HUGE_NODE_DIR "/nr_hugepages)",
			 free_pages, nodes, need, (unsigned int)strtoul(nodes, NULL, 10));
	else
		snprintf(why, whylen,
			 "--dram hugetlb: %" PRIu64 " free 2 MiB huge pages, %" PRIu64
			 " needed (see /proc/sys/vm/nr_hugepages)", free_pages, need);
	return -ENOMEM;
}

/* Size and alignment of a devdax character device, from sysfs. */
static int devdax_probe(struct memory_config *cfg, const struct stat *st,
			char *why, size_t whylen)
{
	char base[96], path[160], link[PATH_MAX];
	ssize_t n;

	snprintf(base, sizeof(base), "/sys/dev/char/%u:%u", major(st->st_rdev),
		 minor(st->st_rdev));
	snprintf(path, sizeof(path), "%s/subsystem", base);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	if (n <= 0 || !strstr(link, "/dax")) {
		snprintf(why, whylen, "--nvm %s: a character device but not a devdax device",
			 cfg->nvm.path);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "%s/size", base);
	if (mem_read_u64_file(path, &cfg->nvm.size) || !cfg->nvm.size) {
		snprintf(why, whylen, "--nvm %s: cannot read its size from %s", cfg->nvm.path, path);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "%s/align", base);
	if (mem_read_u64_file(path, &cfg->nvm.align)) {
		snprintf(path, sizeof(path), "%s/device/dax_region/align", base);
		if (mem_read_u64_file(path, &cfg->nvm.align))
			cfg->nvm.align = MEM_HUGE_SIZE;	/* the kernel's default */
	}
	if (!cfg->nvm.align || (cfg->nvm.align & (cfg->nvm.align - 1)))
		cfg->nvm.align = MEM_HUGE_SIZE;
	cfg->nvm.kind = MEM_BACK_DEVDAX;
	return 0;
}

static int check_nvm_path(struct memory_config *cfg, char *why, size_t whylen)
{
	struct stat st;
	char s[32], a[32];
	int err;

	if (stat(cfg->nvm.path, &st) < 0 || access(cfg->nvm.path, R_OK | W_OK) < 0) {
		err = -errno;
		snprintf(why, whylen, "--nvm %s: %s", cfg->nvm.path, strerror(-err));
		return err;
	}
	if (S_ISCHR(st.st_mode)) {
		err = devdax_probe(cfg, &st, why, whylen);
		if (err)
			return err;
	} else if (S_ISREG(st.st_mode)) {
		cfg->nvm.kind = MEM_BACK_FILE;
		cfg->nvm.size = (uint64_t)st.st_size;
		cfg->nvm.align = MEM_PAGE_SIZE;
	} else {
		snprintf(why, whylen, "--nvm %s: neither a devdax device nor a regular file",
			 cfg->nvm.path);
		return -EINVAL;
	}
	if (cfg->chunk_size < cfg->nvm.align) {
		snprintf(why, whylen, "--chunk %s is below the %s alignment of --nvm %s",
			 fmt_size(s, sizeof(s), cfg->chunk_size),
			 fmt_size(a, sizeof(a), cfg->nvm.align), cfg->nvm.path);
		return -EINVAL;
	}
	return 0;
}

static int check_sizes(struct memory_config *cfg, char *why, size_t whylen)
{
	char r[32], c[32], d[32];
	uint64_t cs = cfg->chunk_size;

	fmt_size(r, sizeof(r), cfg->ram_size);
	fmt_size(c, sizeof(c), cs);
	fmt_size(d, sizeof(d), cfg->dram.size);
	if (!cfg->ram_size || cfg->ram_size % cs) {
		snprintf(why, whylen, "-m %s is not a multiple of --chunk %s", r, c);
		return -EINVAL;
	}
	if (cfg->dram.size > cfg->ram_size) {
		snprintf(why, whylen, "--dram %s is larger than guest RAM (-m %s)", d, r);
		return -EINVAL;
	}
	if (cfg->dram.size % cs) {
		snprintf(why, whylen, "--dram %s is not a multiple of --chunk %s", d, c);
		return -EINVAL;
	}
	if (cfg->dram.size && cfg->dram.size < cfg->ram_size &&
	    cfg->nvm.kind == MEM_BACK_NONE) {
		snprintf(why, whylen,
			 "--dram %s is less than guest RAM (-m %s) and no --nvm slow tier is given",
			 d, r);
		return -EINVAL;
	}
	if (cfg->nvm.kind == MEM_BACK_NONE && cfg->placement != MEM_PLACE_DRAM_FIRST) {
		snprintf(why, whylen, "--placement needs an --nvm slow tier");
		return -EINVAL;
	}
	return 0;
}

/* The slow tier must hold what does not fit in DRAM. */
static int check_capacity(struct memory_config *cfg, char *why, size_t whylen)
{
	uint64_t dram = cfg->dram.size ? cfg->dram.size : cfg->ram_size;
	uint64_t need = cfg->ram_size - dram, have;
	char h[32], n[32];

	if (cfg->nvm.kind == MEM_BACK_NONE)
		return 0;
	have = cfg->nvm.size - cfg->nvm.size % cfg->chunk_size;
	if (have >= need && (have || cfg->nvm.kind == MEM_BACK_NODE))
		return 0;
	if (cfg->nvm.kind == MEM_BACK_NODE)
		snprintf(why, whylen, "--nvm node=%d: the node has %s, %s are needed",
			 cfg->nvm.node, fmt_size(h, sizeof(h), have), fmt_size(n, sizeof(n), need));
	else
		snprintf(why, whylen, "--nvm %s: holds %s in whole chunks, %s are needed",
			 cfg->nvm.path, fmt_size(h, sizeof(h), have),
			 fmt_size(n, sizeof(n), need ? need : cfg->chunk_size));
	return -ENOSPC;
}

int memory_config_validate(struct memory_config *cfg, char *why, size_t whylen)
{
	uint64_t dram;
	long long node_size;
	int err;

	if (!cfg->chunk_size)
		cfg->chunk_size = MEM_DEFAULT_CHUNK;
	err = check_sizes(cfg, why, whylen);
	if (err)
		return err;
	dram = cfg->dram.size ? cfg->dram.size : cfg->ram_size;
	if (cfg->dram.node >= 0) {
		err = check_node("--dram", cfg->dram.node, why, whylen);
		if (err)
			return err;
	}
	if (cfg->dram.hugetlb) {
		err = check_hugetlb(cfg, dram, why, whylen);
		if (err)
			return err;
	}
	if (cfg->nvm.kind == MEM_BACK_NODE) {
		err = check_node("--nvm", cfg->nvm.node, why, whylen);
		if (err)
			return err;
		node_size = numa_node_size64(cfg->nvm.node, NULL);
		cfg->nvm.size = node_size > 0 ? (uint64_t)node_size : 0;
		if (cfg->nvm.size > cfg->ram_size)
			cfg->nvm.size = cfg->ram_size;
		cfg->nvm.align = MEM_PAGE_SIZE;
	} else if (cfg->nvm.kind != MEM_BACK_NONE) {
		err = check_nvm_path(cfg, why, whylen);
		if (err)
			return err;
	}
	return check_capacity(cfg, why, whylen);
}
