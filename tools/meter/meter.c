// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hmmv's memory-traffic meter: a QEMU TCG plugin for the nested test host.
 * Every load and store the emulated machine makes (its kernel, its
 * processes, and the nested KVM guests it runs) goes through a model of a
 * last-level cache per vCPU; the cache's line fills and dirty write-backs
 * are counted by guest-physical range (DRAM node, slow NUMA node, NVDIMM).
 *
 * Needs a QEMU whose qemu_plugin_hwaddr_phys_addr() returns guest-physical
 * addresses (measured: 10.0 does, 7.2 returns RAMBlock offsets).
 *
 * Arguments (-plugin meter.so,ARG=VAL,...):
 *   out=FILE            where the report goes (required)
 *   range=NAME:START:SIZE  a guest-physical range (repeatable, up to 8)
 *   llc=SIZE ways=N line=BYTES   the cache model (default 8M, 16, 64)
 *   interval=MS         a cumulative "interval" record every MS of host time
 *   trace=FILE          also write the per-page fills and write-backs of one
 *                       range as an hmmv trace (hmmv/trace.h: one VM whose
 *                       pages are the range's 4 KiB pages, counts of lines),
 *                       for hmmv sim; trace_range=NAME (default the last
 *                       range), trace_ms=MS its interval (default 100, host
 *                       time; flushed at every mark too)
 *   touch=FILE          with trace=: also the same pages' line touches, as a
 *                       trace of the same intervals (reads = accesses to a
 *                       line other than the vCPU's previous one, cache hits
 *                       included; writes = the 1 ms slots of host time in
 *                       which the page was touched, and in their upper 16
 *                       bits the first of them, counted from the
 *                       interval's start: TRACE_F_TOUCH_TIMES, hmmv/trace.h;
 *                       trace_ms at most 65535): what a page-access
 *                       tracker sees, which the fills alone hide. A page's
 *                       touches come in bursts (a page written through in
 *                       one go): a sampling window catches a burst or not,
 *                       whatever the number of touches in it
 *   touch_code=FILE     with touch=: the traced range's backing file (the
 *                       memory-backend-file's mem-path); instructions
 *                       fetched from it count too, one touch of each page a
 *                       translated block lies on per execution of the block
 *                       (a page tracker sees fetches; loads and stores alone
 *                       hide a guest's code). Found in /proc/self/maps.
 *   mark_trace=FILE     the per-page fills and write-backs of a span of
 *                       physical memory, mark_trace_span=START:SIZE (several
 *                       ranges, say DRAM and the slow node together), as an
 *                       hmmv trace whose interval is the step: the block of
 *                       interval K holds the traffic between steps K-1 and K
 *                       (K = the last step + 1 at exit), a step being a mark
 *                       or a tick (below; without ticks, step K is mark K).
 *                       Per-page totals between steps, without trace='s
 *                       100 ms blocks: a large span then costs one block per
 *                       step
 *   gate=on             count only from an odd mark to the next even one;
 *                       outside, translated code is not instrumented at all,
 *                       so the test host runs at nearly its unmetered speed
 *                       (each switch retranslates: a few accesses right
 *                       after a mark may be missed)
 * Sizes take K, M, G suffixes; numbers may be hex (0x...).
 *
 * Report (text, one record a line, every figure cumulative since start):
 *   KIND SEQ MS ACCESSES {NAME RD_BYTES WB_BYTES}... other RD WB
 * KIND is "interval", "mark" (the test host executed the marker
 * instruction, xchg %cx,%cx: see guest/progs/metermark.c), "tick" (it
 * executed the tick instruction, xchg %dx,%dx: a step of mark_trace= that
 * neither is a mark nor opens or closes the gate; tests/system/guest_pages.c
 * ticks before and after each list of the guest's frames, so that a
 * frame's traffic can be split where the lists were taken), "phase" (it
 * executed the phase instruction, xchg %bx,%bx: a record alone, no step,
 * no gate; guest/progs/hotset.c brackets its updates with two, so that
 * the analysis finds them on the meter's clock), "progress" (it executed
 * the progress instruction, xchg %si,%si: a record alone, like a phase;
 * hotset marks each equal part of its work with one, so that the analysis
 * maps one run's point of the work onto another's) or "total" (at exit,
 * after the modelled cache is flushed). SEQ counts each kind apart.
 * RD = line fills, WB = dirty lines written back; ACCESSES = loads and
 * stores to RAM before the cache.
 */
#include "hmmv/trace.h"
#include "tools/meter/llc.h"
#include "tools/meter/plugin_api.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = METER_PLUGIN_API_VERSION;

#define METER_RANGES	8
#define METER_NAME	16
#define METER_TICK	4096	/* slow-path accesses between clock reads */
#define METER_SLOT_NS	1000000	/* touch=: a page's touches counted once per slot */

static const uint8_t meter_marker[] = { 0x66, 0x87, 0xc9 };	/* xchg %cx,%cx */
static const uint8_t meter_ticker[] = { 0x66, 0x87, 0xd2 };	/* xchg %dx,%dx */
static const uint8_t meter_phaser[] = { 0x66, 0x87, 0xdb };	/* xchg %bx,%bx */
static const uint8_t meter_progresser[] = { 0x66, 0x87, 0xf6 };	/* xchg %si,%si */

struct meter_range {
	char name[METER_NAME];
	uint64_t start;		/* in lines */
	uint64_t end;
};

/*
 * A trace file of per-page counts, one VM: fills (rd) and write-backs (wb),
 * or a touch trace's touches and the time slots they fell in.
 */
struct meter_pages {
	FILE *f;
	uint32_t *rd, *wb;		/* per page, since the last block */
	struct trace_rec *recs;		/* room for a block */
	struct trace_hdr hdr;
	int err;
};

/* trace=FILE: one range's traffic per 4 KiB page and interval. */
struct meter_trace {
	struct meter_pages pg;
	int range;
	uint64_t first_line;		/* the range's first line */
	uint32_t lines_per_page;
	struct meter_pages tp;		/* touch=FILE, blocks as pg's */
	uint32_t *slot_at;		/* per page, the last slot it was touched in + 1 */
	uint32_t *first_at;		/* per page, its first slot this interval + 1 */
	uint32_t slot;			/* the current slot (host time) */
	uint32_t since;			/* the slot the touch block being counted began in + 1 */
	char *code_path;		/* touch_code=FILE, resolved */
	pthread_once_t code_once;	/* its lookup, at the first translation */
	uintptr_t code_lo, code_hi;	/* its mapping in this process (none: 0) */
	uint64_t code_off;		/* ... from this file offset */
	uint64_t range_lines;
	uint64_t ival_ns;
	uint32_t last;			/* last interval flushed + 1 */
};

/* mark_trace=FILE: a span's traffic per 4 KiB page, one block per step. */
struct meter_marks {
	struct meter_pages pg;
	uint64_t first_line, lines;
	uint32_t lines_per_page;
};

/* One vCPU's cache and counters; only its own thread writes them. */
struct meter_vcpu {
	struct meter_llc llc;
	uint64_t last_line;
	bool last_dirty;
	uint32_t tick;
	uint64_t accesses;
	uint64_t rd[METER_RANGES + 1];	/* [nranges] = outside every range */
	uint64_t wb[METER_RANGES + 1];
} __attribute__((aligned(64)));

struct meter {
	FILE *out;
	struct meter_range ranges[METER_RANGES];
	int nranges;
	struct meter_vcpu *vcpus;
	int nvcpus;
	unsigned int line;
	pthread_mutex_t lock;	/* serialises the report */
	uint64_t t0_ns;
	uint64_t interval_ns;
	uint64_t next_ns;
	uint64_t seq_interval;
	uint64_t seq_mark;
	uint64_t seq_tick;
	uint64_t seq_phase;
	uint64_t seq_progress;
	uint64_t seq_step;	/* marks and ticks: mark_trace='s blocks */
	qemu_plugin_id_t id;
	bool gate;
	bool armed;		/* translations get the memory callbacks */
	struct meter_trace tr;
	struct meter_marks mk;
};

/* A plugin has no context pointer at install: its one instance. */
static struct meter meter = { .lock = PTHREAD_MUTEX_INITIALIZER,
			       .tr = { .code_once = PTHREAD_ONCE_INIT } };

static uint64_t meter_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* QEMU's plugin log (qemu_plugin_outs) is silent without -d plugin. */
static void meter_say(const char *fmt, const char *what)
{
	fprintf(stderr, fmt, what);
}

/* The owner thread writes, the reporting thread reads: relaxed atomics. */
static inline void meter_bump(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline uint64_t meter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static int meter_range_of(uint64_t line)
{
	int i;

	for (i = 0; i < meter.nranges; i++)
		if (line >= meter.ranges[i].start && line < meter.ranges[i].end)
			return i;
	return meter.nranges;
}

static void meter_report(const char *kind, uint64_t seq)
{
	uint64_t acc = 0, rd, wb;
	int r, v;

	fprintf(meter.out, "%s %llu %llu", kind, (unsigned long long)seq,
		(unsigned long long)((meter_now_ns() - meter.t0_ns) / 1000000));
	for (v = 0; v < meter.nvcpus; v++)
		acc += meter_read(&meter.vcpus[v].accesses);
	fprintf(meter.out, " %llu", (unsigned long long)acc);
	for (r = 0; r <= meter.nranges; r++) {
		rd = wb = 0;
		for (v = 0; v < meter.nvcpus; v++) {
			rd += meter_read(&meter.vcpus[v].rd[r]);
			wb += meter_read(&meter.vcpus[v].wb[r]);
		}
		fprintf(meter.out, " %s %llu %llu",
			r < meter.nranges ? meter.ranges[r].name : "other",
			(unsigned long long)(rd * meter.line),
			(unsigned long long)(wb * meter.line));
	}
	fputc('\n', meter.out);
	fflush(meter.out);
}

/* @range: meter_range_of(@line), which the caller has already looked up. */
static inline void meter_trace_count(int range, uint64_t line, bool wb)
{
	struct meter_trace *t = &meter.tr;
	uint64_t page;

	if (!t->pg.f || range != t->range)
		return;
	page = (line - t->first_line) / t->lines_per_page;
	__atomic_fetch_add(wb ? &t->pg.wb[page] : &t->pg.rd[page], 1, __ATOMIC_RELAXED);
}

/* mark_trace=FILE: a fill or write-back of @line, if in the span. */
static inline void meter_marks_count(uint64_t line, bool wb)
{
	struct meter_marks *m = &meter.mk;
	uint64_t off = line - m->first_line;	/* below the span: wraps, out */

	if (!m->pg.f || off >= m->lines)
		return;
	off /= m->lines_per_page;
	__atomic_fetch_add(wb ? &m->pg.wb[off] : &m->pg.rd[off], 1, __ATOMIC_RELAXED);
}

/* touch=FILE: a touch of range page @page, and the slot it falls in. */
static inline void meter_touch_page(struct meter_trace *t, uint64_t page)
{
	uint32_t now = __atomic_load_n(&t->slot, __ATOMIC_RELAXED) + 1;

	__atomic_fetch_add(&t->tp.rd[page], 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&t->slot_at[page], __ATOMIC_RELAXED) == now)
		return;
	__atomic_store_n(&t->slot_at[page], now, __ATOMIC_RELAXED);
	if (!__atomic_fetch_add(&t->tp.wb[page], 1, __ATOMIC_RELAXED))
		__atomic_store_n(&t->first_at[page], now, __ATOMIC_RELAXED);
}

/* touch=FILE: an access to a line other than the vCPU's previous one. */
static inline void meter_touch_count(uint64_t line)
{
	struct meter_trace *t = &meter.tr;
	uint64_t off = line - t->first_line;	/* below the range: wraps, out */

	if (!t->tp.f || off >= t->range_lines)
		return;
	meter_touch_page(t, off / t->lines_per_page);
}

/* touch_code=: an execution of a block of code on range page @udata - 1. */
static void meter_fetch(unsigned int vcpu, void *udata)
{
	struct meter_trace *t = &meter.tr;
	uint64_t page = (uintptr_t)udata - 1;

	if (page < t->pg.hdr.vm_pages[0])
		meter_touch_page(t, page);
}

/*
 * The mapping of the touch_code= file in this process (/proc/self/maps),
 * once: vCPU threads translate concurrently (pthread_once()).
 */
static void meter_code_lookup(void)
{
	struct meter_trace *t = &meter.tr;
	unsigned long lo, hi, off;
	char line[4352], path[4096];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &lo, &hi, &off, path) != 4 ||
		    strcmp(path, t->code_path))
			continue;
		t->code_lo = lo;
		t->code_hi = hi;
		t->code_off = off;
		break;
	}
	if (f)
		fclose(f);
	if (!t->code_hi)
		meter_say("meter: touch_code=%s: not mapped by QEMU; no fetch touches\n",
			  t->code_path);
}

/* The range pages @tb's instructions lie on get a fetch callback each. */
static void meter_code_tb(struct qemu_plugin_tb *tb, size_t n)
{
	struct meter_trace *t = &meter.tr;
	uintptr_t seen[2] = { 0, 0 }, h;
	size_t i;
	int k = 0;

	pthread_once(&t->code_once, meter_code_lookup);
	if (!t->code_hi)
		return;
	for (i = 0; i < n && k < 2; i++) {
		h = (uintptr_t)qemu_plugin_insn_haddr(qemu_plugin_tb_get_insn(tb, i));
		if (h < t->code_lo || h >= t->code_hi)
			continue;
		h = (h - t->code_lo + t->code_off) / 4096 + 1;
		if (h == seen[0] || h == seen[1])
			continue;
		seen[k++] = h;
		qemu_plugin_register_vcpu_tb_exec_cb(tb, meter_fetch, QEMU_PLUGIN_CB_NO_REGS,
						     (void *)h);
	}
}

/* touch=: the slot clock, read at full resolution (the coarse one ticks in ms). */
static void meter_touch_clock(struct meter_trace *t)
{
	struct timespec ts;

	if (!t->tp.f || clock_gettime(CLOCK_MONOTONIC, &ts))
		return;
	__atomic_store_n(&t->slot, (uint32_t)(((uint64_t)ts.tv_sec * 1000000000ull +
					       ts.tv_nsec) / METER_SLOT_NS), __ATOMIC_RELAXED);
}

/* touch=: the slot clock read now, + 1 (as slot_at and first_at count). */
static uint32_t meter_touch_now(struct meter_trace *t)
{
	meter_touch_clock(t);
	return __atomic_load_n(&t->slot, __ATOMIC_RELAXED) + 1;
}

/*
 * touch=: page @p's @slots and its first slot, zeroed, counted from the
 * start of the time the block holds (t->since: the flush before, numbered
 * by the interval it came in, so the touches fell in the one before it),
 * as its record's writes (TRACE_F_TOUCH_TIMES). A touch after the
 * interval's end, before the flush that ends it, counts as its last slot.
 */
static uint32_t meter_touch_word(struct meter_trace *t, uint64_t p, uint32_t slots)
{
	uint64_t last = t->ival_ns / METER_SLOT_NS - 1,
		 at = __atomic_exchange_n(&t->first_at[p], 0, __ATOMIC_RELAXED);

	at = at > t->since ? at - t->since : 0;
	return TRACE_TOUCH_WORD(slots < 0xffff ? slots : 0xffff, at < last ? at : last);
}

/*
 * @pg's counts since its last block, zeroed, as its block of interval
 * @ival; no block when empty. With @times (the touch trace's), each
 * page's first slot goes with its slots. An error stays in pg->err.
 */
static void meter_pages_block(struct meter_pages *pg, uint32_t ival, struct meter_trace *times)
{
	uint32_t n = 0, r, w;
	uint64_t p;

	for (p = 0; p < pg->hdr.vm_pages[0]; p++) {
		r = __atomic_exchange_n(&pg->rd[p], 0, __ATOMIC_RELAXED);
		w = __atomic_exchange_n(&pg->wb[p], 0, __ATOMIC_RELAXED);
		if (times && w)
			w = meter_touch_word(times, p, w);
		if (r || w)
			pg->recs[n++] = (struct trace_rec){ .page = (uint32_t)p, .reads = r, .writes = w };
	}
	if (n)
		pg->err = trace_write_block(pg->f, &pg->hdr, ival, 0, pg->recs, n);
}

/* The span's traffic since the last step, as the block of step @seq. */
static void meter_marks_flush(uint64_t seq)
{
	struct meter_pages *pg = &meter.mk.pg;

	if (!pg->f || pg->err || seq > UINT32_MAX)
		return;
	meter_pages_block(pg, (uint32_t)seq, NULL);
}

/*
 * Writes what was counted since the last flush as one block, numbered by
 * host time (meter.lock held). Intervals without traffic have no block.
 */
static void meter_trace_flush(void)
{
	struct meter_trace *t = &meter.tr;
	uint64_t ival;

	if (!t->pg.f || t->pg.err)
		return;
	ival = (meter_now_ns() - meter.t0_ns) / t->ival_ns;
	if (ival < t->last)
		ival = t->last;		/* a block per interval at most */
	if (ival > UINT32_MAX)
		return;
	if (t->tp.f) {
		uint32_t next = meter_touch_now(t);

		meter_pages_block(&t->tp, (uint32_t)ival, t);
		t->since = next;
	}
	/* A touch trace's error stops both, as one trace's would. */
	if (t->tp.err) {
		t->pg.err = t->tp.err;
		return;
	}
	/* Next flush in the next interval, even after an empty one. */
	t->last = (uint32_t)ival + 1;
	meter_pages_block(&t->pg, (uint32_t)ival, NULL);
}

static void meter_maybe_trace(void)
{
	struct meter_trace *t = &meter.tr;
	uint64_t now = meter_now_ns();

	meter_touch_clock(t);
	if (!t->pg.f || (now - meter.t0_ns) / t->ival_ns < t->last)
		return;
	if (pthread_mutex_trylock(&meter.lock))
		return;
	meter_trace_flush();
	pthread_mutex_unlock(&meter.lock);
}

static void meter_maybe_interval(void)
{
	uint64_t now = meter_now_ns();

	if (now < __atomic_load_n(&meter.next_ns, __ATOMIC_RELAXED))
		return;
	if (pthread_mutex_trylock(&meter.lock))
		return;
	if (now >= meter.next_ns) {
		meter_report("interval", ++meter.seq_interval);
		__atomic_store_n(&meter.next_ns, now + meter.interval_ns,
				 __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&meter.lock);
}

static void meter_access(unsigned int vcpu, qemu_plugin_meminfo_t info,
			 uint64_t vaddr, bool store)
{
	struct meter_vcpu *v = &meter.vcpus[vcpu];
	struct qemu_plugin_hwaddr *hw;
	uint64_t line, victim;
	int r;

	hw = qemu_plugin_get_hwaddr(info, vaddr);
	if (!hw || qemu_plugin_hwaddr_is_io(hw))
		return;
	meter_bump(&v->accesses, 1);
	line = qemu_plugin_hwaddr_phys_addr(hw) >> v->llc.line_shift;
	/* Most accesses touch the line the previous one did: a sure hit. */
	if (line == v->last_line && (v->last_dirty || !store))
		return;
	v->last_line = line;
	v->last_dirty = store;
	meter_touch_count(line);
	switch (meter_llc_access(&v->llc, line, store, &victim)) {
	case METER_LLC_HIT:
		break;
	case METER_LLC_MISS_WB:
		r = meter_range_of(victim);
		meter_bump(&v->wb[r], 1);
		meter_trace_count(r, victim, true);
		meter_marks_count(victim, true);
		/* fall through */
	case METER_LLC_MISS:
		r = meter_range_of(line);
		meter_bump(&v->rd[r], 1);
		meter_trace_count(r, line, false);
		meter_marks_count(line, false);
		break;
	}
	if (++v->tick >= METER_TICK) {
		v->tick = 0;
		meter_maybe_interval();
		meter_maybe_trace();
	}
}

static void meter_load(unsigned int vcpu, qemu_plugin_meminfo_t info,
		       uint64_t vaddr, void *udata)
{
	if (vcpu < (unsigned int)meter.nvcpus)
		meter_access(vcpu, info, vaddr, false);
}

static void meter_store(unsigned int vcpu, qemu_plugin_meminfo_t info,
			uint64_t vaddr, void *udata)
{
	if (vcpu < (unsigned int)meter.nvcpus)
		meter_access(vcpu, info, vaddr, true);
}

static void meter_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
static void meter_exit(qemu_plugin_id_t id, void *udata);

/* After a reset: every callback is gone and the code cache flushed. */
static void meter_rearm(qemu_plugin_id_t id)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, meter_tb_trans);
	qemu_plugin_register_atexit_cb(id, meter_exit, NULL);
}

static void meter_mark(unsigned int vcpu, void *udata)
{
	bool toggle;

	pthread_mutex_lock(&meter.lock);
	meter_report("mark", ++meter.seq_mark);
	meter_trace_flush();
	meter_marks_flush(++meter.seq_step);
	toggle = meter.gate;
	if (toggle)
		__atomic_store_n(&meter.armed, meter.seq_mark & 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&meter.lock);
	/* Retranslate everything with or without the memory callbacks. */
	if (toggle)
		qemu_plugin_reset(meter.id, meter_rearm);
}

/* A step of mark_trace= alone: no gate switch, no retranslation. */
static void meter_tick(unsigned int vcpu, void *udata)
{
	pthread_mutex_lock(&meter.lock);
	meter_report("tick", ++meter.seq_tick);
	meter_marks_flush(++meter.seq_step);
	pthread_mutex_unlock(&meter.lock);
}

/* A point in the counters and on the meter's clock, nothing else. */
static void meter_phase(unsigned int vcpu, void *udata)
{
	pthread_mutex_lock(&meter.lock);
	meter_report("phase", ++meter.seq_phase);
	pthread_mutex_unlock(&meter.lock);
}

/* A point of the guest's work (meter_progresser), nothing else. */
static void meter_progress(unsigned int vcpu, void *udata)
{
	pthread_mutex_lock(&meter.lock);
	meter_report("progress", ++meter.seq_progress);
	pthread_mutex_unlock(&meter.lock);
}

/* Whether @insn is the instruction @code (both 3 bytes long). */
static bool meter_is_insn(const struct qemu_plugin_insn *insn, const uint8_t *code)
{
	uint8_t b[sizeof(meter_marker)];

	if (qemu_plugin_insn_data(insn, b, sizeof(b)) != sizeof(b))
		return false;
	return !memcmp(b, code, sizeof(b));
}

static void meter_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	struct qemu_plugin_insn *insn;

	bool armed = __atomic_load_n(&meter.armed, __ATOMIC_RELAXED);

	if (armed && meter.tr.code_path)
		meter_code_tb(tb, n);
	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		if (meter_is_insn(insn, meter_marker))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, meter_mark,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
		else if (meter_is_insn(insn, meter_ticker))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, meter_tick,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
		else if (meter_is_insn(insn, meter_phaser))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, meter_phase,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
		else if (meter_is_insn(insn, meter_progresser))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, meter_progress,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
		if (!armed)
			continue;
		qemu_plugin_register_vcpu_mem_cb(insn, meter_load,
						 QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_R, NULL);
		qemu_plugin_register_vcpu_mem_cb(insn, meter_store,
						 QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_W, NULL);
	}
}

static void meter_flush_line(uint64_t line, void *arg)
{
	struct meter_vcpu *v = arg;

	int r = meter_range_of(line);

	meter_bump(&v->wb[r], 1);
	meter_trace_count(r, line, true);
	meter_marks_count(line, true);
}

/* Ends @pg's file (its error, if any, said as @what's) and frees it. */
static void meter_pages_close(struct meter_pages *pg, const char *what)
{
	if (pg->f) {
		if (!pg->err)
			pg->err = trace_write_end(pg->f);
		if (fclose(pg->f) && !pg->err)
			pg->err = -EIO;
		if (pg->err)
			fprintf(stderr, "meter: %s: %s\n", what, strerror(-pg->err));
	}
	pg->f = NULL;
	free(pg->rd);
	free(pg->wb);
	free(pg->recs);
	pg->rd = pg->wb = NULL;
	pg->recs = NULL;
}

static void meter_trace_free(void)
{
	struct meter_trace *t = &meter.tr;

	if (t->pg.f)
		meter_trace_flush();
	meter_pages_close(&t->tp, "touch");
	meter_pages_close(&t->pg, "trace");
	free(t->slot_at);
	free(t->first_at);
	free(t->code_path);
	t->slot_at = t->first_at = NULL;
	t->code_path = NULL;
}

/* At exit: what came after the last step, as the block of the next. */
static void meter_marks_free(void)
{
	meter_marks_flush(meter.seq_step + 1);
	meter_pages_close(&meter.mk.pg, "mark_trace");
}

static void meter_free(void)
{
	int v;

	meter_trace_free();
	meter_marks_free();
	if (meter.out)
		fclose(meter.out);
	meter.out = NULL;
	for (v = 0; meter.vcpus && v < meter.nvcpus; v++)
		meter_llc_free(&meter.vcpus[v].llc);
	free(meter.vcpus);
	meter.vcpus = NULL;
	meter.nvcpus = 0;
}

static void meter_exit(qemu_plugin_id_t id, void *udata)
{
	int v;

	pthread_mutex_lock(&meter.lock);
	for (v = 0; v < meter.nvcpus; v++)
		meter_llc_flush(&meter.vcpus[v].llc, meter_flush_line, &meter.vcpus[v]);
	meter_report("total", 1);
	meter_free();
	pthread_mutex_unlock(&meter.lock);
}

static int meter_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* NAME:START:SIZE */
static int meter_parse_range(const char *s, struct meter_range *r)
{
	char buf[128], *start, *size;
	uint64_t a, n;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	start = strchr(buf, ':');
	if (!start)
		return -EINVAL;
	*start++ = '\0';
	size = strchr(start, ':');
	if (!size)
		return -EINVAL;
	*size++ = '\0';
	if (!buf[0] || strlen(buf) >= METER_NAME || strchr(buf, ' '))
		return -EINVAL;
	if (meter_parse_size(start, &a) || meter_parse_size(size, &n) || !n)
		return -EINVAL;
	snprintf(r->name, sizeof(r->name), "%s", buf);
	r->start = a;
	r->end = a + n;
	return 0;
}

struct meter_args {
	const char *out, *trace, *trace_range, *touch, *touch_code, *marks, *marks_span;
	uint64_t llc, ways, line, interval_ms, trace_ms;
};

static int meter_parse_arg(const char *arg, struct meter_args *a)
{
	const struct { const char *key; const char **val; } strs[] = {
		{ "out", &a->out }, { "trace", &a->trace }, { "trace_range", &a->trace_range },
		{ "touch", &a->touch }, { "touch_code", &a->touch_code },
		{ "mark_trace", &a->marks }, { "mark_trace_span", &a->marks_span },
	};
	const struct { const char *key; uint64_t *val; } nums[] = {
		{ "llc", &a->llc }, { "ways", &a->ways }, { "line", &a->line },
		{ "interval", &a->interval_ms }, { "trace_ms", &a->trace_ms },
	};
	const char *eq = strchr(arg, '=');
	size_t klen, i;

	if (!eq)
		return -EINVAL;
	klen = eq - arg;
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strlen(strs[i].key) == klen && !strncmp(arg, strs[i].key, klen)) {
			*strs[i].val = eq + 1;
			return 0;
		}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (strlen(nums[i].key) == klen && !strncmp(arg, nums[i].key, klen))
			return meter_parse_size(eq + 1, nums[i].val);
	if (klen == 5 && !strncmp(arg, "range", 5)) {
		if (meter.nranges == METER_RANGES)
			return -E2BIG;
		return meter_parse_range(eq + 1, &meter.ranges[meter.nranges++]);
	}
	return -EINVAL;
}

/* Opens @path for a trace of one VM of @pages pages, and its counters. */
static int meter_pages_open(struct meter_pages *pg, const char *path, uint64_t pages,
			    uint64_t interval_ns, uint32_t flags)
{
	pg->hdr = (struct trace_hdr){ .version = TRACE_VERSION, .flags = flags,
				      .page_shift = 12, .nvms = 1,
				      .interval_ns = interval_ns, .vm_pages = { pages } };
	pg->rd = calloc(pages, sizeof(uint32_t));
	pg->wb = calloc(pages, sizeof(uint32_t));
	pg->recs = calloc(pages, sizeof(struct trace_rec));
	pg->f = fopen(path, "w");
	if (!pg->rd || !pg->wb || !pg->recs || !pg->f || trace_write_header(pg->f, &pg->hdr))
		return -EIO;
	return 0;
}

/* trace=FILE: the range's pages (after meter_setup() made it lines). */
static int meter_trace_setup(const struct meter_args *a)
{
	struct meter_trace *t = &meter.tr;
	const struct meter_range *r;
	uint64_t pages;
	int i = meter.nranges - 1;

	if (a->trace_range)
		for (i = 0; i < meter.nranges; i++)
			if (!strcmp(meter.ranges[i].name, a->trace_range))
				break;
	if (i < 0 || i == meter.nranges || a->line > 4096 || 4096 % a->line ||
	    !a->trace_ms) {
		meter_say("meter: trace=%s: needs a named range, a line dividing 4096 "
			  "and trace_ms > 0\n", a->trace);
		return -EINVAL;
	}
	r = &meter.ranges[i];
	t->range = i;
	t->first_line = r->start;
	t->lines_per_page = 4096 / a->line;
	pages = (r->end - r->start + t->lines_per_page - 1) / t->lines_per_page;
	t->ival_ns = a->trace_ms * 1000000ull;
	t->range_lines = r->end - r->start;
	if (meter_pages_open(&t->pg, a->trace, pages, t->ival_ns, 0)) {
		meter_say("meter: cannot write trace=%s\n", a->trace);
		return -EINVAL;
	}
	if (!a->touch)
		return 0;
	/* A slot's place in the interval takes 16 bits. */
	if (a->trace_ms > 0xffff) {
		meter_say("meter: touch=%s: needs trace_ms <= 65535\n", a->touch);
		return -EINVAL;
	}
	t->slot_at = calloc(pages, sizeof(uint32_t));
	t->first_at = calloc(pages, sizeof(uint32_t));
	if (!t->slot_at || !t->first_at ||
	    meter_pages_open(&t->tp, a->touch, pages, t->ival_ns, TRACE_F_TOUCH_TIMES)) {
		meter_say("meter: cannot write touch=%s\n", a->touch);
		return -EINVAL;
	}
	/* The first block's first slots count from here. */
	t->since = meter_touch_now(t);
	if (!a->touch_code)
		return 0;
	/* As /proc/self/maps names it: absolute, links resolved. */
	t->code_path = realpath(a->touch_code, NULL);
	if (!t->code_path) {
		meter_say("meter: touch_code=%s: no such file\n", a->touch_code);
		return -EINVAL;
	}
	return 0;
}

/* mark_trace=FILE over mark_trace_span=START:SIZE (bytes, page-aligned). */
static int meter_marks_setup(const struct meter_args *a)
{
	struct meter_marks *m = &meter.mk;
	struct meter_range span;
	char buf[128];
	uint64_t pages;

	if (!a->marks_span || snprintf(buf, sizeof(buf), "span:%s", a->marks_span) >= (int)sizeof(buf) ||
	    meter_parse_range(buf, &span) || span.start % 4096 || span.end % 4096 ||
	    a->line > 4096 || 4096 % a->line || (span.end - span.start) / 4096 > UINT32_MAX) {
		meter_say("meter: mark_trace=%s: needs mark_trace_span=START:SIZE, page-aligned, "
			  "and a line dividing 4096\n", a->marks);
		return -EINVAL;
	}
	pages = (span.end - span.start) / 4096;
	m->first_line = span.start / a->line;
	m->lines = (span.end - span.start) / a->line;
	m->lines_per_page = 4096 / a->line;
	/* One interval per mark: interval_ns only names the unit (1 s). */
	if (meter_pages_open(&m->pg, a->marks, pages, 1000000000ull, 0)) {
		meter_say("meter: cannot write mark_trace=%s\n", a->marks);
		return -EINVAL;
	}
	return 0;
}

static int meter_setup(const qemu_info_t *info, const struct meter_args *a)
{
	int i, v, err;

	if (a->ways > 64 || a->line > 4096) {
		meter_say("meter: %s: ways at most 64, line at most 4096\n", "cache");
		return -EINVAL;
	}
	meter.line = a->line;
	for (i = 0; i < meter.nranges; i++) {
		meter.ranges[i].start /= a->line;
		meter.ranges[i].end = (meter.ranges[i].end + a->line - 1) / a->line;
	}
	meter.nvcpus = info->system.max_vcpus;
	meter.vcpus = calloc(meter.nvcpus, sizeof(*meter.vcpus));
	if (!meter.vcpus)
		return -ENOMEM;
	for (v = 0; v < meter.nvcpus; v++) {
		err = meter_llc_init(&meter.vcpus[v].llc, a->llc, a->ways, a->line);
		if (err) {
			meter_say("meter: %s: bad cache geometry (llc a multiple of ways*line)\n",
				  "llc");
			return err;
		}
		meter.vcpus[v].last_line = UINT64_MAX;
	}
	meter.out = fopen(a->out, "w");
	if (!meter.out) {
		meter_say("meter: cannot create out=%s\n", a->out);
		return -errno;
	}
	fprintf(meter.out, "# meter: llc %llu ways %llu line %llu vcpus %d\n",
		(unsigned long long)a->llc, (unsigned long long)a->ways,
		(unsigned long long)a->line, meter.nvcpus);
	for (i = 0; i < meter.nranges; i++)
		fprintf(meter.out, "# range %s 0x%llx 0x%llx\n", meter.ranges[i].name,
			(unsigned long long)(meter.ranges[i].start * a->line),
			(unsigned long long)(meter.ranges[i].end * a->line));
	fprintf(meter.out, "# kind seq ms accesses {name rd_bytes wb_bytes}...\n");
	if (a->touch && !a->trace) {
		meter_say("meter: touch=%s: needs trace=\n", a->touch);
		return -EINVAL;
	}
	if (a->touch_code && !a->touch) {
		meter_say("meter: touch_code=%s: needs touch=\n", a->touch_code);
		return -EINVAL;
	}
	if (a->trace && meter_trace_setup(a))
		return -EINVAL;
	if (a->marks_span && !a->marks) {
		meter_say("meter: mark_trace_span=%s: needs mark_trace=\n", a->marks_span);
		return -EINVAL;
	}
	if (a->marks && meter_marks_setup(a))
		return -EINVAL;
	meter.t0_ns = meter_now_ns();
	meter.interval_ns = a->interval_ms * 1000000ull;
	meter.next_ns = meter.t0_ns + meter.interval_ns;
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	struct meter_args a = { .llc = 8 << 20, .ways = 16, .line = 64,
				.interval_ms = 1000, .trace_ms = 100 };
	bool gate = false;
	int i;

	if (!info->system_emulation) {
		meter_say("meter: %s\n", "needs system emulation");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "gate=", 5) &&
		    qemu_plugin_bool_parse("gate", argv[i] + 5, &gate))
			continue;
		if (meter_parse_arg(argv[i], &a)) {
			meter_say("meter: bad argument '%s' (see tools/meter/meter.c)\n",
				  argv[i]);
			return -1;
		}
	}
	if (!a.out) {
		meter_say("meter: %s\n", "out=FILE is required");
		return -1;
	}
	if (!a.interval_ms || !a.line || !a.ways) {
		meter_say("meter: %s\n", "interval, line and ways must be positive");
		return -1;
	}
	if (meter_setup(info, &a)) {
		meter_free();
		return -1;
	}
	meter.id = id;
	meter.gate = gate;
	meter.armed = !gate;
	meter_rearm(id);
	return 0;
}
