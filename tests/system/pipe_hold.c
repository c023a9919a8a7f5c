// SPDX-License-Identifier: GPL-2.0
/*
 * pipe_hold FIFO BYTES: opens FIFO read-write (so that its writers never
 * block on open, and never see a reader vanish), shrinks the pipe to BYTES
 * (F_SETPIPE_SZ; the kernel rounds up to a page), prints the capacity it
 * got, and holds the pipe until killed. Nothing reads it: a writer stalls
 * as soon as BYTES are queued, quickly even at a slow console's rate.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, cap;

	if (argc != 3) {
		fprintf(stderr, "usage: pipe_hold FIFO BYTES\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	cap = fcntl(fd, F_SETPIPE_SZ, atoi(argv[2]));
	if (cap < 0) {
		perror("F_SETPIPE_SZ");
		return 1;
	}
	printf("%d\n", cap);
	fflush(stdout);
	for (;;)
		pause();
}
