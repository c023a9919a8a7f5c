// SPDX-License-Identifier: GPL-2.0
/*
 * The "prometheus" verb: a VM's tier and engine figures in the Prometheus
 * text exposition format, with stable metric names and a "vm" label, for
 * a node exporter's textfile collector or a cron job (README, "Metrics").
 */
#include <inttypes.h>
#include <stdio.h>

#include "vmm/control_prom.h"

static void head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void tiers(struct guest_mem *m, const char *vm, FILE *out)
{
	static const char *const what[2] = { "hmmv_vm_tier_capacity_bytes",
					     "hmmv_vm_tier_used_bytes" };
	static const char *const help[2] = { "Guest RAM the tier may hold.",
					     "Guest RAM on the tier now." };
	struct mem_tier_stat st;
	int k, t;

	for (k = 0; k < 2; k++) {
		head(out, what[k], "gauge", help[k]);
		for (t = 0; t < MEM_NR_TIERS; t++) {
			if (memory_tier_stat(m, t, &st) < 0 || !st.capacity)
				continue;
			fprintf(out, "%s{vm=\"%s\",tier=\"%s\"} %" PRIu64 "\n", what[k], vm,
				memory_tier_name(t), k ? st.used : st.capacity);
		}
	}
}

static void one(FILE *out, const char *name, const char *type, const char *help,
		const char *vm, uint64_t v)
{
	head(out, name, type, help);
	fprintf(out, "%s{vm=\"%s\"} %" PRIu64 "\n", name, vm, v);
}

static void engine(struct engine *e, const char *vm, FILE *out)
{
	struct engine_stats s;

	engine_get_stats(e, &s);
	one(out, "hmmv_vm_engine_intervals_total", "counter", "Engine intervals run.", vm,
	    s.intervals);
	one(out, "hmmv_vm_promotions_total", "counter", "Chunks moved into DRAM.", vm,
	    s.promotions);
	one(out, "hmmv_vm_demotions_total", "counter", "Chunks moved to the slow tier.", vm,
	    s.demotions);
	one(out, "hmmv_vm_promoted_bytes_total", "counter", "Bytes moved into DRAM.", vm,
	    s.promoted_bytes);
	one(out, "hmmv_vm_demoted_bytes_total", "counter", "Bytes moved to the slow tier.", vm,
	    s.demoted_bytes);
	one(out, "hmmv_vm_pingpong_total", "counter",
	    "Chunks moved back within 16 intervals of a move.", vm, s.pingpong);
	one(out, "hmmv_vm_tracker_faults_total", "counter",
	    "Guest faults the tracker caused (pages zapped plus re-armed).", vm,
	    s.zapped + s.rearmed);
	one(out, "hmmv_vm_engine_cpu_seconds_total", "counter",
	    "CPU time of the engine thread.", vm, s.cpu_ns / 1000000000);
	one(out, "hmmv_vm_hot_bytes", "gauge", "Guest RAM the engine saw touched.", vm,
	    s.hot_bytes);
}

void control_prometheus(struct guest_mem *m, struct engine *e, const char *vm,
			FILE *out)
{
	tiers(m, vm, out);
	if (e)
		engine(e, vm, out);
}
