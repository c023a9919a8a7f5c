// SPDX-License-Identifier: GPL-2.0
/* What access tracking sees of an interval: its touches, not its traffic. */
#include "tools/sim/sim.h"

const struct trace_rec *sim_seen_recs(const struct ival *iv, uint32_t vm,
				      uint32_t *n)
{
	*n = iv->has_touch ? iv->ntouch[vm] : iv->n[vm];
	return iv->has_touch ? iv->touch[vm] : iv->rec[vm];
}

/*
 * A touch trace's reads are the touches, or with touch_slots its writes
 * the time slots they fell in: a page's touches come in bursts (a page
 * written through in one go is a few microseconds of hundreds of
 * touches), and a window sees a burst whole or not at all, so the slots
 * are the events. Otherwise counts are LLC fills and write-backs
 * (hmmv/trace.h): a write-back evicts a line the guest filled
 * (write-allocate) and wrote, in this interval or an earlier one, and is
 * not a touch of its own; a read-modify-write miss is one fill, one
 * write-back and one touch. The fills are the touches (those hitting the
 * LLC are not in the trace). In a presence trace (the VMM's tracker) a
 * written page's bit is a touch.
 */
double sim_touches(const struct sim *s, const struct ival *iv,
		   const struct trace_rec *r)
{
	if (iv->has_touch)
		return iv->touch_slots ? (double)TRACE_TOUCH_SLOTS(r->writes) : (double)r->reads;
	if (s->trace_flags & TRACE_F_PRESENCE)
		return r->reads > r->writes ? (double)r->reads : (double)r->writes;
	return (double)r->reads;
}
