// SPDX-License-Identifier: GPL-2.0
/*
 * metermark LABEL: executes the traffic meter's marker instruction
 * (xchg %cx,%cx, tools/meter/meter.c) once, so the meter of the nested test
 * host writes a "mark" record with its counters at this point, then prints
 * "meter-mark: LABEL" so the marks can be named in order. Harmless without
 * the meter. Works in the test host and in a guest alike: TCG sees both.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: metermark LABEL\n");
		return 2;
	}
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
	printf("meter-mark: %s\n", argv[1]);
	fflush(stdout);
	return 0;
}
