// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metermark: executes the traffic meter's marker instruction (xchg %cx,%cx)
 * once, so the meter (tools/meter) writes a "mark" record with its counters
 * at this point. A no-op without the meter.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "usage: metermark\n");
		return 2;
	}
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
	return 0;
}
