// SPDX-License-Identifier: GPL-2.0
/*
 * prand BYTES SEED: writes BYTES pseudo-random bytes (xorshift64) to stdout.
 * Much cheaper than /dev/urandom in a nested guest, and reproducible.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint64_t left, s, buf[8192];
	size_t i, n;

	if (argc != 3) {
		fprintf(stderr, "usage: prand BYTES SEED\n");
		return 2;
	}
	left = strtoull(argv[1], NULL, 0);
	s = strtoull(argv[2], NULL, 0) | 1;
	while (left) {
		for (i = 0; i < sizeof(buf) / 8; i++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[i] = s;
		}
		n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		if (write(1, buf, n) != (ssize_t)n) {
			perror("prand: write");
			return 1;
		}
		left -= n;
	}
	return 0;
}
