// SPDX-License-Identifier: GPL-2.0
/* Opening user-named files safely in shared directories (safe_file.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmmv/safe_file.h"

int safe_file_open(const char *path, int flags, mode_t mode)
{
	struct stat st;
	int fd, fl;

	flags |= O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	/* Reading through a symlink is harmless (-k /vmlinuz); writing is not. */
	if ((flags & O_ACCMODE) != O_RDONLY)
		flags |= O_NOFOLLOW;
	fd = open(path, flags, mode);
	if (fd < 0)
		/* O_WRONLY on a FIFO without reader, or a device without driver. */
		return errno == ENXIO || errno == EISDIR ? -ENXIO : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENXIO;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		fl = -errno;
		close(fd);
		return fl;
	}
	return fd;
}

const char *safe_file_strerror(int err)
{
	if (err == -ELOOP)
		return "is a symbolic link (refused: hmmv does not write through one)";
	if (err == -ENXIO)
		return "not a regular file";
	return strerror(-err);
}
