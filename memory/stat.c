// SPDX-License-Identifier: GPL-2.0
/* Per-tier figures for hmmv stat: capacity, used bytes, chunk counts. */
#include <errno.h>
#include <inttypes.h>

#include "memory/internal.h"

int memory_tier_stat(struct guest_mem *m, int tier, struct mem_tier_stat *st)
{
	const struct mem_tier *t;

	if (tier < 0 || tier >= MEM_NR_TIERS || m->tiers[tier].kind == MEM_BACK_NONE)
		return -ENOENT;
	t = &m->tiers[tier];
	pthread_mutex_lock(&m->lock);
	*st = (struct mem_tier_stat){
		.name = memory_tier_name(tier),
		.backend = mem_backend_name(t->kind),
		.capacity = t->quota,
		.used = mem_tier_used(m, tier),
		.chunks = t->nr_chunks,
		.frames_used = t->frames.used,
		.frames = t->frames.nr,
		.node = t->node,
	};
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static void print_json(struct guest_mem *m, FILE *out)
{
	struct mem_tier_stat st;
	const char *sep = "";
	int t;

	fprintf(out, "{\"ram_size\":%" PRIu64 ",\"chunk_size\":%" PRIu64
		",\"chunks\":%u,\"remaps\":%" PRIu64 ",\"remap_ns\":%" PRIu64 ",\"tiers\":[",
		m->ram_size, m->chunk_size, m->nr_chunks, m->nr_remaps, m->remap_ns);
	for (t = 0; t < MEM_NR_TIERS; t++) {
		if (memory_tier_stat(m, t, &st))
			continue;
		fprintf(out, "%s{\"name\":\"%s\",\"backend\":\"%s\",\"node\":%d,"
			"\"capacity\":%" PRIu64 ",\"used\":%" PRIu64 ",\"chunks\":%u,"
			"\"frames_used\":%u,\"frames\":%u}",
			sep, st.name, st.backend, st.node, st.capacity, st.used,
			st.chunks, st.frames_used, st.frames);
		sep = ",";
	}
	fprintf(out, "]}\n");
}

static void print_table(struct guest_mem *m, FILE *out)
{
	struct mem_tier_stat st;
	char node[16];
	int t;

	fprintf(out, "guest RAM %" PRIu64 " MiB in %u chunks of %" PRIu64 " KiB; %"
		PRIu64 " remaps\n", m->ram_size >> 20, m->nr_chunks, m->chunk_size >> 10,
		m->nr_remaps);
	fprintf(out, "%-5s %-7s %-5s %12s %12s %8s %14s\n", "tier", "backend", "node",
		"capacity", "used", "chunks", "frames");
	for (t = 0; t < MEM_NR_TIERS; t++) {
		if (memory_tier_stat(m, t, &st))
			continue;
		snprintf(node, sizeof(node), st.node < 0 ? "-" : "%d", st.node);
		fprintf(out, "%-5s %-7s %-5s %8" PRIu64 " MiB %8" PRIu64 " MiB %8u %6u/%-7u\n",
			st.name, st.backend, node, st.capacity >> 20, st.used >> 20,
			st.chunks, st.frames_used, st.frames);
	}
}

void memory_stat_print(struct guest_mem *m, FILE *out, bool json)
{
	if (json)
		print_json(m, out);
	else
		print_table(m, out);
}
