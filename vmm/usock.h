/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The listening UNIX sockets of hmmv's servers (a VM's control socket,
 * the DRAM pool's): bound private, a stale socket left by a dead server
 * replaced, a live one never stolen, and peers checked by credentials.
 */
#ifndef HMMV_VMM_USOCK_H
#define HMMV_VMM_USOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * The directory a socket @path would be made in ("." without a slash, "/"
 * for "/name") into @dir (at least sizeof(sun_path) bytes), and its stat.
 * -EINVAL (empty or too long a path) or -ENOENT (no such directory) with
 * "FLAG PATH: reason" in @why.
 */
int usock_dir(const char *path, const char *flag, char *dir, struct stat *st,
	      char *why, size_t whylen);
/*
 * Binds and listens on @path with @mode, non-blocking. A socket file whose
 * server is gone is replaced; a served one (-EADDRINUSE) or a file that is
 * not a socket (-EEXIST) is left alone. Returns the fd, or -errno with
 * "FLAG PATH: reason" in @why.
 */
int usock_listen(const char *path, mode_t mode, const char *flag, char *why,
		 size_t whylen);
/*
 * Accepts one connection, non-blocking, from this user or root (or, with
 * @group, this group): the fd and the peer's pid in *@pid, or -errno
 * (-EPERM: someone else, already closed).
 */
int usock_accept(int lfd, bool group, pid_t *pid);

#endif
