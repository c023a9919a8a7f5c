// SPDX-License-Identifier: GPL-2.0
/* The engine's flags (hmmv/engine.h) and its pure helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmmv/engine.h"

void engine_config_init(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = ENGINE_AUTO;
	cfg->copy = ENGINE_COPY_WP;
	cfg->fault_ns = POLICY_FAULT_NS;
}

static int parse_u32(const char *val, unsigned long lo, unsigned long hi,
		     uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || *val == '-' || *val == '+' ||
	    v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* One of two words: *out 0 for @a, 1 for @b; else -EINVAL, why in @why. */
static int parse_word(const char *val, const char *a, const char *b, int *out,
		      char *why, size_t whylen)
{
	if (!strcmp(val, a)) {
		*out = 0;
	} else if (!strcmp(val, b)) {
		*out = 1;
	} else {
		snprintf(why, whylen, "'%s' is neither '%s' nor '%s'", val, a, b);
		return -EINVAL;
	}
	return 0;
}

static int bad(char *why, size_t n, const char *fmt, const char *val,
	       unsigned long lo, unsigned long hi)
{
	snprintf(why, n, fmt, val, lo, hi);
	return -EINVAL;
}

int engine_parse_flag(struct engine_config *cfg, const char *flag,
		      const char *val, char *why, size_t whylen)
{
	const char *num = "'%s' is not a number from %lu to %lu";
	int w;

	if (!strcmp(flag, "--trace"))
		return tracker_parse_trace(&cfg->trace, val, why, whylen);
	if (!strcmp(flag, "--hmmv")) {
		if (parse_word(val, "on", "off", &w, why, whylen) < 0)
			return -EINVAL;
		cfg->mode = w ? ENGINE_OFF : ENGINE_ON;
		return 0;
	}
	if (!strcmp(flag, "--hmmv-copy")) {
		if (parse_word(val, "wp", "pause", &w, why, whylen) < 0)
			return -EINVAL;
		cfg->copy = w ? ENGINE_COPY_PAUSE : ENGINE_COPY_WP;
		return 0;
	}
	if (!strcmp(flag, "--hmmv-dirty-log")) {
		if (parse_word(val, "sampling", "always", &w, why, whylen) < 0)
			return -EINVAL;
		cfg->dirty_log = w ? ENGINE_LOG_ALWAYS : ENGINE_LOG_SAMPLING;
		return 0;
	}
	if (!strcmp(flag, "--hmmv-move")) {
		if (parse_word(val, "chunk", "page", &w, why, whylen) < 0)
			return -EINVAL;
		cfg->move = w ? ENGINE_MOVE_PAGE : ENGINE_MOVE_CHUNK;
		return 0;
	}
	if (!strcmp(flag, "--hmmv-interval") || !strcmp(flag, "--trace-interval"))
		return parse_u32(val, ENGINE_MIN_INTERVAL_MS, ENGINE_MAX_INTERVAL_MS,
				 &cfg->interval_ms) ?
		       bad(why, whylen, "'%s' is not a number of milliseconds from %lu to %lu",
			   val, ENGINE_MIN_INTERVAL_MS, ENGINE_MAX_INTERVAL_MS) : 0;
	if (!strcmp(flag, "--hmmv-window-ms"))
		return parse_u32(val, 1, ENGINE_MAX_INTERVAL_MS, &cfg->window_ms) ?
		       bad(why, whylen, "'%s' is not a number of milliseconds from %lu to %lu",
			   val, 1, ENGINE_MAX_INTERVAL_MS) : 0;
	if (!strcmp(flag, "--hmmv-windows"))
		return parse_u32(val, 1, POLICY_MAX_WINDOWS, &cfg->windows) ?
		       bad(why, whylen, num, val, 1, POLICY_MAX_WINDOWS) : 0;
	if (!strcmp(flag, "--hmmv-levels"))
		return parse_u32(val, 1, POLICY_MAX_LEVELS, &cfg->levels) ?
		       bad(why, whylen, num, val, 1, POLICY_MAX_LEVELS) : 0;
	if (!strcmp(flag, "--hmmv-rate"))
		return parse_u32(val, 1, ENGINE_MAX_RATE_MIBS, &cfg->rate_mibs) ?
		       bad(why, whylen, "'%s' is not a rate in MiB/s from %lu to %lu",
			   val, 1, ENGINE_MAX_RATE_MIBS) : 0;
	if (!strcmp(flag, "--hmmv-track-pct")) {
		cfg->track_set = true;
		return parse_u32(val, 0, 100, &cfg->track_pct) ?
		       bad(why, whylen, "'%s' is not a percentage from %lu to %lu",
			   val, 0, 100) : 0;
	}
	if (!strcmp(flag, "--hmmv-fault-ns"))
		return parse_u32(val, ENGINE_MIN_FAULT_NS, ENGINE_MAX_FAULT_NS, &cfg->fault_ns) ?
		       bad(why, whylen, "'%s' is not a number of nanoseconds from %lu to %lu",
			   val, ENGINE_MIN_FAULT_NS, ENGINE_MAX_FAULT_NS) : 0;
	if (!strcmp(flag, "--hmmv-block-pages") || !strcmp(flag, "--trace-pages")) {
		if (parse_u32(val, 1, 1u << 18, &cfg->sample_pages) ||
		    (cfg->sample_pages & (cfg->sample_pages - 1))) {
			cfg->sample_pages = 0;
			return bad(why, whylen, "'%s' is not a power of two from %lu to %lu",
				   val, 1, 1ul << 18);
		}
		return 0;
	}
	snprintf(why, whylen, "unknown engine flag");
	return -EINVAL;
}

bool engine_config_tracks(const struct engine_config *cfg, bool slow_tier)
{
	if (cfg->trace)
		return true;
	return cfg->mode == ENGINE_ON || (cfg->mode == ENGINE_AUTO && slow_tier);
}

int engine_config_check(const struct engine_config *cfg, bool slow_tier,
			char *why, size_t whylen)
{
	struct policy_params par;
	uint32_t interval, windows, window;

	policy_params_default(&par);
	interval = cfg->interval_ms ? cfg->interval_ms : POLICY_DEFAULT_INTERVAL_MS;
	windows = cfg->windows ? cfg->windows : par.windows;
	window = cfg->window_ms ? cfg->window_ms : POLICY_DEFAULT_WINDOW_MS;
	if (cfg->mode == ENGINE_ON && !slow_tier) {
		snprintf(why, whylen, "--hmmv on: needs a slow tier (--nvm)");
		return -EINVAL;
	}
	if (window * windows > interval) {
		snprintf(why, whylen, "--hmmv-window-ms: %u windows of %u ms do not fit "
			 "in an interval of %u ms", windows, window, interval);
		return -EINVAL;
	}
	return 0;
}

uint32_t engine_rate_moves(uint32_t rate_mibs, uint32_t interval_ms,
			   uint64_t chunk_size, uint32_t dflt)
{
	uint64_t bytes;

	if (!rate_mibs || !chunk_size)
		return dflt;
	bytes = (uint64_t)rate_mibs * (1ULL << 20) * interval_ms / 1000;
	bytes /= chunk_size;
	if (!bytes)
		return 1;
	return bytes < UINT32_MAX ? (uint32_t)bytes : UINT32_MAX;
}

uint64_t engine_percentile(const uint64_t *sorted, uint32_t n, uint32_t pct)
{
	uint64_t rank;

	if (!n)
		return 0;
	rank = ((uint64_t)pct * n + 99) / 100;
	if (rank < 1)
		rank = 1;
	return sorted[rank > n ? n - 1 : rank - 1];
}
