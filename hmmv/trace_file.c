// SPDX-License-Identifier: GPL-2.0
/*
 * A trace file read whole into memory, for trace_open_mem(): apart from
 * trace.c, which the meter plugin links alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmmv/safe_file.h"
#include "hmmv/trace.h"

int trace_file_read(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	int fd = safe_file_open(path, O_RDONLY, 0), r = 0;

	*buf = NULL;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		r = -errno;
	else if (st.st_size <= 0)
		r = -EINVAL;
	else if (!(*buf = malloc(st.st_size)))
		r = -ENOMEM;
	while (!r && off < (size_t)st.st_size) {
		n = read(fd, *buf + off, st.st_size - off);
		if (n <= 0)
			r = n < 0 ? -errno : -ENODATA;
		else
			off += n;
	}
	close(fd);
	if (r) {
		free(*buf);
		*buf = NULL;
		return r;
	}
	*len = off;
	return 0;
}
