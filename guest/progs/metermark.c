// SPDX-License-Identifier: GPL-2.0
/*
 * metermark LABEL: executes the traffic meter's marker instruction
 * (xchg %cx,%cx, tools/meter/meter.c) once, so the meter of the nested test
 * host writes a "mark" record with its counters at this point, then prints
 * "meter-mark: LABEL" so the marks can be named in order, and
 * "meter-time: LABEL SECONDS", the guest's clock at the mark (seconds since
 * boot, as /proc/uptime counts): a script timing its work from the mark
 * reads it here, since a process started after this one exits starts late
 * under emulation (0.9 to 2 s in make eval-real's runs). Harmless without
 * the meter. Works in the test host and in a guest alike: TCG sees both.
 */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts;

	if (argc != 2) {
		fprintf(stderr, "usage: metermark LABEL\n");
		return 2;
	}
	__asm__ volatile(".byte 0x66, 0x87, 0xc9" ::: "memory", "cx");
	/* The clock first, the mark's line whatever it gives: marks pair by order. */
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0) {
		printf("meter-mark: %s\n", argv[1]);
		perror("metermark: clock_gettime");
		return 1;
	}
	printf("meter-mark: %s\nmeter-time: %s %lld.%03ld\n", argv[1], argv[1],
	       (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	fflush(stdout);
	return 0;
}
