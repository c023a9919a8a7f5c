// SPDX-License-Identifier: GPL-2.0
/*
 * hmmv stat POOL_SOCKET: the budget, each VM's grant, use, hot set and
 * report age, and the recent rebalance rounds; as a table, one JSON
 * object, or the Prometheus text exposition format (stable metric names,
 * a "vm" label) for a node exporter's textfile collector.
 */
#include <inttypes.h>
#include <stdio.h>

#include "tools/pool/pool.h"

static const char *const state_name[] = {
	[POOL_VM_FREE] = "free", [POOL_VM_ACTIVE] = "active",
	[POOL_VM_DETACHED] = "detached", [POOL_VM_FENCED] = "fenced",
};

static const char *const split_name[] = {
	[POOL_SPLIT_HMMV] = "hmmv", [POOL_SPLIT_EQUAL] = "equal",
	[POOL_SPLIT_PROPORTIONAL] = "proportional",
};

static double mib(uint64_t b)
{
	return (double)b / (1 << 20);
}

/* Seconds since the VM's last report; -1 for none yet. */
static double age_s(const struct pool_vm_entry *v, uint64_t now_ms)
{
	return v->last_report ? (double)(now_ms - v->last_report) / 1000 : -1;
}

static uint32_t nr_vms(const struct pool_ledger *l)
{
	uint32_t i, n = 0;

	for (i = 0; i < POOL_MAX_VMS; i++)
		n += l->vm[i].state != POOL_VM_FREE;
	return n;
}

static void print_text(const struct pool_ledger *l, FILE *out, uint64_t now_ms)
{
	uint32_t i, k, n;

	fprintf(out, "pool: budget %.1f MiB, granted %.1f MiB, held or granted %.1f MiB, "
		"policy %s, period %u ms, %u VMs\n", mib(l->budget),
		mib(pool_ledger_granted(l)), mib(pool_ledger_reserved(l)),
		split_name[l->split], l->period_ms, nr_vms(l));
	fprintf(out, "%-16s %4s %7s %-8s %10s %10s %10s %10s %10s %8s\n", "vm", "id", "pid",
		"state", "quota.MiB", "dram.MiB", "hot.MiB", "min.MiB", "max.MiB", "report.s");
	for (i = 0; i < POOL_MAX_VMS; i++) {
		const struct pool_vm_entry *v = &l->vm[i];

		if (v->state == POOL_VM_FREE)
			continue;
		fprintf(out, "%-16s %4u %7d %-8s %10.1f %10.1f %10.1f %10.1f %10.1f %8.1f\n",
			v->hello.name, v->id, v->pid, state_name[v->state], mib(v->quota),
			mib(v->held), mib(v->hot), mib(v->hello.min_bytes),
			mib(v->hello.max_bytes), age_s(v, now_ms));
	}
	n = l->rounds < POOL_HISTORY ? l->rounds : POOL_HISTORY;
	fprintf(out, "rebalance rounds: %u; the last %u:\n", l->rounds, n < 8 ? n : 8);
	for (k = 0; k < n && k < 8; k++) {
		const struct pool_round *r = &l->hist[(l->rounds - 1 - k) % POOL_HISTORY];

		fprintf(out, "  %.1f s ago: %u changes, %.1f MiB granted\n",
			(double)(now_ms - r->at_ms) / 1000, r->changes, mib(r->granted));
	}
}

static void print_json(const struct pool_ledger *l, FILE *out, uint64_t now_ms)
{
	const char *sep = "";
	uint32_t i, k, n;

	fprintf(out, "{\"budget\":%" PRIu64 ",\"granted\":%" PRIu64 ",\"reserved\":%" PRIu64
		",\"policy\":\"%s\",\"period_ms\":%u,\"vms\":[", l->budget,
		pool_ledger_granted(l), pool_ledger_reserved(l), split_name[l->split],
		l->period_ms);
	for (i = 0; i < POOL_MAX_VMS; i++) {
		const struct pool_vm_entry *v = &l->vm[i];

		if (v->state == POOL_VM_FREE)
			continue;
		fprintf(out, "%s{\"name\":\"%s\",\"id\":%u,\"pid\":%d,\"state\":\"%s\","
			"\"quota\":%" PRIu64 ",\"dram\":%" PRIu64 ",\"hot\":%" PRIu64
			",\"min\":%" PRIu64 ",\"max\":%" PRIu64 ",\"report_age_s\":%.3f}",
			sep, v->hello.name, v->id, v->pid, state_name[v->state], v->quota,
			v->held, v->hot, v->hello.min_bytes, v->hello.max_bytes,
			age_s(v, now_ms));
		sep = ",";
	}
	fprintf(out, "],\"rounds\":%u,\"history\":[", l->rounds);
	n = l->rounds < POOL_HISTORY ? l->rounds : POOL_HISTORY;
	for (k = 0; k < n; k++) {
		const struct pool_round *r = &l->hist[(l->rounds - 1 - k) % POOL_HISTORY];

		fprintf(out, "%s{\"ago_s\":%.3f,\"changes\":%u,\"granted\":%" PRIu64 "}",
			k ? "," : "", (double)(now_ms - r->at_ms) / 1000, r->changes,
			r->granted);
	}
	fprintf(out, "]}\n");
}

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_vm(const struct pool_ledger *l, FILE *out, const char *name,
		    const char *help, int what, uint64_t now_ms)
{
	uint32_t i;

	prom_head(out, name, "gauge", help);
	for (i = 0; i < POOL_MAX_VMS; i++) {
		const struct pool_vm_entry *v = &l->vm[i];
		double x = what == 0 ? (double)v->quota : what == 1 ? (double)v->held :
			   what == 2 ? (double)v->hot : age_s(v, now_ms);

		if (v->state != POOL_VM_FREE)
			fprintf(out, "%s{vm=\"%s\"} %.17g\n", name, v->hello.name, x);
	}
}

static void print_prom(const struct pool_ledger *l, FILE *out, uint64_t now_ms)
{
	prom_head(out, "hmmv_pool_budget_bytes", "gauge", "DRAM budget of the pool.");
	fprintf(out, "hmmv_pool_budget_bytes %" PRIu64 "\n", l->budget);
	prom_head(out, "hmmv_pool_granted_bytes", "gauge", "Sum of the VMs' DRAM quotas.");
	fprintf(out, "hmmv_pool_granted_bytes %" PRIu64 "\n", pool_ledger_granted(l));
	prom_head(out, "hmmv_pool_vms", "gauge", "VMs registered (any state).");
	fprintf(out, "hmmv_pool_vms %u\n", nr_vms(l));
	prom_head(out, "hmmv_pool_rebalances_total", "counter", "Rebalance rounds run.");
	fprintf(out, "hmmv_pool_rebalances_total %u\n", l->rounds);
	prom_vm(l, out, "hmmv_pool_vm_quota_bytes", "DRAM quota granted to the VM.", 0, now_ms);
	prom_vm(l, out, "hmmv_pool_vm_dram_bytes", "DRAM the VM last reported in use.", 1,
		now_ms);
	prom_vm(l, out, "hmmv_pool_vm_hot_bytes", "The VM's hot set, last reported.", 2, now_ms);
	prom_vm(l, out, "hmmv_pool_vm_report_age_seconds",
		"Seconds since the VM's last report (-1: none yet).", 3, now_ms);
}

void pool_ledger_print(const struct pool_ledger *l, FILE *out, uint64_t now_ms,
		       int format)
{
	if (format == POOL_PRINT_JSON)
		print_json(l, out, now_ms);
	else if (format == POOL_PRINT_PROM)
		print_prom(l, out, now_ms);
	else
		print_text(l, out, now_ms);
}
