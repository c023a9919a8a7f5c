// SPDX-License-Identifier: GPL-2.0
/* Simulator results: the text table, CSV rows, DRAM shares and --check. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/sim/sim.h"

/* Aggregate (vm < 0) or one VM's figures; ref (all-DRAM) gives slowdowns. */
void sim_result(const struct sim *s, const struct sim *ref, int vm,
		struct sim_result *r)
{
	double acc = 0, dram = 0, mig = 0, track = 0, migt = 0, time = 0, rthr = 0;
	double bd = 0, bs = 0;
	uint32_t i;

	memset(r, 0, sizeof(*r));
	r->name = s->ops->name;
	for (i = 0; i < s->nvms; i++) {
		const struct simvm *v = &s->vm[i];

		if (vm >= 0 && (uint32_t)vm != i)
			continue;
		if (v->time_ns > 0)
			r->thr += v->accesses / v->time_ns * 1e3;	/* M/s */
		if (v->idle_ns > 0)
			r->thr_idle += v->accesses / v->idle_ns * 1e3;
		if (ref && ref->vm[i].time_ns > 0)
			rthr += ref->vm[i].accesses / ref->vm[i].time_ns * 1e3;
		acc += v->accesses;
		dram += v->dram_acc;
		mig += v->migrated;
		bd += v->bytes[SIM_DRAM];
		bs += v->bytes[SIM_NVM];
		track += v->track_ns;
		migt += v->mig_ns;
		time += v->time_ns;
	}
	r->slow = r->thr > 0 && rthr > 0 ? rthr / r->thr : 0;
	r->hit = acc > 0 ? 100 * dram / acc : 0;
	r->mig_mb = mig / 1048576;
	r->track = time > 0 ? 100 * track / time : 0;
	r->migp = time > 0 ? 100 * migt / time : 0;
	r->slow_traffic = bd + bs > 0 ? 100 * bs / (bd + bs) : 0;
	r->traffic_mb = (bd + bs) / 1048576;
}

static void print_row(FILE *f, const char *label, const char *vm,
		      const struct sim_result *r, int csv)
{
	if (csv)
		fprintf(f, "%s,%s,%s,%.3f,%.4f,%.2f,%.1f,%.3f,%.3f,%.2f,%.3f\n", label,
			r->name, vm, r->thr, r->slow, r->hit, r->mig_mb, r->track,
			r->migp, r->slow_traffic, r->traffic_mb);
	else
		fprintf(f, "%-10s %-15s %-4s %10.2f %8.3f %7.2f %10.1f %7.3f %7.3f\n",
			label, r->name, vm, r->thr, r->slow, r->hit, r->mig_mb,
			r->track, r->migp);
}

static FILE *csv_open(const char *path)
{
	struct stat st;
	int hdr = stat(path, &st) || st.st_size == 0;
	FILE *f = fopen(path, "a");

	if (!f) {
		fprintf(stderr, "hmmv sim: --csv %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (hdr)
		fprintf(f, "workload,policy,vm,throughput_macc_s,slowdown,"
			"dram_hit_pct,migrated_mb,tracking_pct,migration_pct,slow_traffic_pct,"
			"traffic_mb\n");
	return f;
}

int sim_report(const struct sim_run *c, const struct sim *s, int n)
{
	const struct sim *ref = NULL;
	struct sim_result r;
	FILE *csv = NULL;
	char vm[8];
	int i, j;

	for (i = 0; i < n; i++)
		if (!strcmp(s[i].ops->name, "all-dram"))
			ref = &s[i];
	if (c->csv && !(csv = csv_open(c->csv)))
		return -EIO;
	if (!c->quiet)
		printf("%-10s %-15s %-4s %10s %8s %7s %10s %7s %7s\n", "workload",
		       "policy", "vm", "Macc/s", "slowdn", "hit%", "migr.MB",
		       "track%", "migr%");
	for (i = 0; i < n; i++) {
		for (j = -1; j < (int)s[i].nvms; j++) {
			if (j >= 0 && s[i].nvms == 1)
				break;
			snprintf(vm, sizeof(vm), j < 0 ? "all" : "%d", j);
			sim_result(&s[i], ref, j, &r);
			if (!c->quiet)
				print_row(stdout, c->label, vm, &r, 0);
			if (csv)
				print_row(csv, c->label, vm, &r, 1);
		}
	}
	if (csv && fclose(csv)) {
		fprintf(stderr, "hmmv sim: --csv %s: write failed\n", c->csv);
		return -EIO;
	}
	return 0;
}

/*
 * Sanity: every policy keeps within the DRAM it has (all of them, the
 * references included), and nobody beats all-DRAM or the oracle at idle
 * latency (0.1% numeric slack). Returns the number of violations, each
 * named on stderr. Loaded, they are no bounds: a placement sending pages
 * that only take write-backs to the slow tier sheds DRAM's queueing (its
 * reads wait behind fewer writes) and may beat them by up to the queueing
 * they pay. Nothing beats their accesses served at DRAM's idle latency,
 * or the oracle's placement at it (thr_idle: never below thr, the load
 * and the devices' sharing only add time).
 */
int sim_check(const struct sim *s, int n)
{
	struct sim_result r, top = { 0 }, orc = { 0 };
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		sim_result(&s[i], NULL, -1, &r);
		if (!strcmp(r.name, "all-dram"))
			top = r;
		if (!strcmp(r.name, "oracle"))
			orc = r;
	}
	for (i = 0; i < n; i++) {
		sim_result(&s[i], NULL, -1, &r);
		if (strcmp(r.name, "all-dram") && s[i].peak_dram > s[i].dram_cap) {
			fprintf(stderr, "hmmv sim: check: %s used %llu DRAM pages of %llu\n",
				r.name, (unsigned long long)s[i].peak_dram,
				(unsigned long long)s[i].dram_cap);
			bad++;
		}
		if (top.thr > 0 && r.thr > top.thr_idle * 1.001) {
			fprintf(stderr, "hmmv sim: check: %s beats all-dram at idle latency (%.3f > %.3f)\n",
				r.name, r.thr, top.thr_idle);
			bad++;
		}
		if (orc.thr > 0 && strcmp(r.name, "all-dram") && r.thr > orc.thr_idle * 1.001) {
			fprintf(stderr, "hmmv sim: check: %s beats the oracle at idle latency (%.3f > %.3f)\n",
				r.name, r.thr, orc.thr_idle);
			bad++;
		}
	}
	return bad;
}

int sim_write_share(const struct sim_run *c, const struct sim *s, uint32_t nint)
{
	char path[4096];
	uint32_t t, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s-%s.dat", c->share, s->ops->name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "hmmv sim: --share %s: %s\n", path, strerror(errno));
		return -errno;
	}
	fprintf(f, "# %s: DRAM MiB per VM; columns: time_s vm0 vm1 ...\n", s->ops->name);
	for (t = 0; t < nint && t < s->share_cap; t++) {
		fprintf(f, "%.2f", t * (double)s->interval_ns / 1e9);
		for (i = 0; i < s->nvms; i++)
			fprintf(f, " %.1f", s->share[(size_t)t * s->nvms + i] * SIM_PAGE / 1048576);
		fprintf(f, "\n");
	}
	if (fclose(f)) {
		fprintf(stderr, "hmmv sim: --share %s: write failed\n", path);
		return -EIO;
	}
	return 0;
}
