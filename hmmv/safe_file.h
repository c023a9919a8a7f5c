/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opening a file named by the user, safely in a shared directory (/tmp):
 * never blocks (a FIFO with no writer, a device), accepts only a regular
 * file, and never writes through a symlink. Used by every flag that names
 * a file hmmv reads or writes (-k, -i, --console file:, --trace,
 * hmmv sim --trace), so they all refuse the same things with the same words.
 */
#ifndef HMMV_SAFE_FILE_H
#define HMMV_SAFE_FILE_H

#include <sys/types.h>

/* Mode of the files hmmv creates: private, or group-readable on request. */
#define SAFE_FILE_MODE		0600
#define SAFE_FILE_MODE_GROUP	0640

/*
 * open(2) with O_CLOEXEC | O_NOCTTY, without blocking; with O_NOFOLLOW when
 * @flags writes (a planted symlink is refused, not followed). Returns the
 * fd (blocking again) or -errno: -ELOOP a symlink where one is refused,
 * -ENXIO not a regular file (FIFO, device, socket, directory), else
 * open(2)'s. @mode is used with O_CREAT (and the umask still applies).
 */
int safe_file_open(const char *path, int flags, mode_t mode);
/* The reason for an error of safe_file_open(), for "FLAG PATH: reason". */
const char *safe_file_strerror(int err);

#endif
