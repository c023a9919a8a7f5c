// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny real-mode guest through hmmv's own KVM layer: it writes "Hi!" to a
 * port and one byte into each of three pages, then halts. Checks the port
 * output, the bytes in guest RAM, and that the dirty log names the written
 * pages and no page the guest never touched.
 */
#include <stdio.h>
#include <string.h>

#include "tests/tap.h"
#include "rmguest.h"

#define RAM		(2ULL << 20)
#define CODE_GPA	0x1000

/* Pages the guest writes: gpa 0x10000, 0x12000 and 0x15000. */
static const uint64_t written[] = { 0x10, 0x12, 0x15 };

static const uint8_t code[] = {
	0xb0, 'H', 0xe6, RM_PORT,		/* mov al,'H'; out 0xe9,al */
	0xb0, 'i', 0xe6, RM_PORT,		/* mov al,'i'; out 0xe9,al */
	0xb0, '!', 0xe6, RM_PORT,		/* mov al,'!'; out 0xe9,al */
	0xb8, 0x00, 0x10,			/* mov ax,0x1000 */
	0x8e, 0xd8,				/* mov ds,ax  (base 0x10000) */
	0xc6, 0x06, 0x00, 0x00, 0xaa,		/* mov byte [0x0000],0xaa */
	0xc6, 0x06, 0x00, 0x20, 0xbb,		/* mov byte [0x2000],0xbb */
	0xc6, 0x06, 0x00, 0x50, 0xcc,		/* mov byte [0x5000],0xcc */
	0xf4,					/* hlt */
};

static int is_written(uint64_t page)
{
	size_t i;

	for (i = 0; i < sizeof(written) / sizeof(written[0]); i++)
		if (written[i] == page)
			return 1;
	return 0;
}

static void check_dirty_log(struct rmguest *g)
{
	uint64_t bitmap[RAM / RM_PAGE / 64];
	uint64_t page, stray = 0, first_stray = 0;
	int r, all_written = 1;
	size_t i;

	r = rmguest_get_dirty(g, bitmap);
	if (!tap_ok(r == 0, "KVM_GET_DIRTY_LOG on the guest's memslot")) {
		tap_diag("  %s", strerror(-r));
		return;
	}
	for (i = 0; i < sizeof(written) / sizeof(written[0]); i++)
		all_written &= rm_test_bit(bitmap, written[i]);
	tap_ok(all_written, "dirty log names the 3 pages the guest wrote");
	for (page = 0; page < RAM / RM_PAGE; page++) {
		if (is_written(page) || page == CODE_GPA / RM_PAGE)
			continue;
		if (rm_test_bit(bitmap, page) && !stray++)
			first_stray = page;
	}
	if (!tap_ok(stray == 0, "dirty log names no page the guest never touched"))
		tap_diag("  %llu stray pages, first %#llx", (unsigned long long)stray,
			 (unsigned long long)first_stray);
	tap_diag("code page %s in the log (fetched only)",
		 rm_test_bit(bitmap, CODE_GPA / RM_PAGE) ? "is" : "is not");
}

int main(void)
{
	struct rmguest g;
	char why[512] = "";
	uint8_t b[3];
	int r;

	tap_plan(7);
	if (rmguest_init_ok(&g, RAM, 0, "KVM opened, VM with 2 MiB dirty-logged RAM and a vCPU"))
		return tap_done(1);
	tap_diag("KVM: %d memslots, manual dirty log flags %#x, dirty ring %d bytes",
		 g.kvm.nr_memslots, g.kvm.manual_dirty_log, g.kvm.dirty_ring_max);
	r = memory_write(&g.mem, CODE_GPA, code, sizeof(code));
	r = r ? r : rmguest_run(&g, CODE_GPA, why, sizeof(why));
	if (!tap_ok(r == 0, "guest ran to HLT"))
		tap_diag("  %s", why[0] ? why : strerror(-r));
	if (!tap_ok(g.out_len == 3 && !memcmp(g.out, "Hi!", 3), "port output is \"Hi!\""))
		tap_diag("  got %zu bytes '%.*s'", g.out_len, (int)g.out_len, g.out);
	r = memory_read(&g.mem, 0x10000, &b[0], 1);
	r |= memory_read(&g.mem, 0x12000, &b[1], 1);
	r |= memory_read(&g.mem, 0x15000, &b[2], 1);
	if (!tap_ok(r == 0 && b[0] == 0xaa && b[1] == 0xbb && b[2] == 0xcc,
		    "guest's writes are in guest RAM"))
		tap_diag("  read %02x %02x %02x", b[0], b[1], b[2]);
	check_dirty_log(&g);
	rmguest_exit(&g);
	return tap_done(1);
}
