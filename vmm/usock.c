// SPDX-License-Identifier: GPL-2.0
/* Listening UNIX sockets for hmmv's servers (vmm/usock.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/usock.h"

int usock_dir(const char *path, const char *flag, char *dir, struct stat *st,
	      char *why, size_t whylen)
{
	struct sockaddr_un sa;
	char *slash;

	if (!path[0] || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "%s %s: %s", flag, path, path[0] ?
			 "path too long for a UNIX socket" : "empty path");
		return -EINVAL;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0';
	if (stat(dir, st) < 0 || !S_ISDIR(st->st_mode)) {
		snprintf(why, whylen, "%s %s: %s is not an existing directory", flag, path, dir);
		return -ENOENT;
	}
	return 0;
}

/* A socket file left by a dead server is removed; a live one is an error. */
static int usock_clear_stale(const struct sockaddr_un *sa, const char *flag,
			     char *why, size_t whylen)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "%s %s: exists and is not a socket", flag, sa->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		snprintf(why, whylen, "%s %s: another hmmv is serving it", flag, sa->sun_path);
		return -EADDRINUSE;
	}
	return unlink(sa->sun_path) < 0 ? -errno : 0;
}

int usock_listen(const char *path, mode_t mode, const char *flag, char *why,
		 size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "%s %s: path too long for a UNIX socket", flag, path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	r = usock_clear_stale(&sa, flag, why, whylen);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s %s: %s", flag, path, strerror(-r));
		close(fd);
		return r;
	}
	if (chmod(path, mode) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		snprintf(why, whylen, "%s %s: %s", flag, path, strerror(-r));
		unlink(path);
		close(fd);
		return r;
	}
	return fd;
}

int usock_accept(int lfd, bool group, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != geteuid() && cred.uid != 0 && !(group && cred.gid == getegid()))) {
		close(fd);
		return -EPERM;
	}
	*pid = cred.pid;
	return fd;
}
