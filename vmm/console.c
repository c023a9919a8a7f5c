// SPDX-License-Identifier: GPL-2.0
/* Console: stdout/stdin or a file, raw terminal handling, the escape key. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "devices/legacy.h"
#include "hmmv/safe_file.h"
#include "vmm/console.h"
#include "vmm/vm.h"

#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */

struct console {
	int out_fd;		/* -1: output discarded */
	bool own_out;		/* out_fd is ours to close */
	int in_fd;		/* -1: no input (or EOF seen) */
	bool is_tty;
	bool raw;
	bool escape;		/* Ctrl-A seen, waiting for the next key */
	struct termios saved;
};

int console_open(struct console **out, const struct console_config *cfg,
		 char *why, size_t whylen)
{
	struct console *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->out_fd = -1;
	c->in_fd = -1;
	switch (cfg->kind) {
	case CONSOLE_STDIO:
		c->out_fd = STDOUT_FILENO;
		c->in_fd = STDIN_FILENO;
		c->is_tty = isatty(STDIN_FILENO);
		break;
	case CONSOLE_FILE:
		c->out_fd = safe_file_open(cfg->path, O_WRONLY | O_CREAT | O_APPEND,
					   cfg->mode ? cfg->mode : SAFE_FILE_MODE);
		if (c->out_fd < 0) {
			snprintf(why, whylen, "--console file:%s: %s", cfg->path,
				 safe_file_strerror(c->out_fd));
			free(c);
			return -EINVAL;
		}
		c->own_out = true;
		break;
	case CONSOLE_NONE:
		break;
	}
	*out = c;
	return 0;
}

void console_close(struct console *c)
{
	if (!c)
		return;
	console_stop(c);
	if (c->own_out && c->out_fd >= 0)
		close(c->out_fd);
	free(c);
}

int console_start(struct console *c)
{
	struct termios t;

	if (!c->is_tty || c->raw)
		return 0;
	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0)
		return -errno;
	c->raw = true;
	return 0;
}

void console_stop(struct console *c)
{
	if (!c || !c->raw)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
	c->raw = false;
}

void console_write(struct console *c, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (c && c->out_fd >= 0 && len) {
		n = write(c->out_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

int console_input_fd(struct console *c, size_t room)
{
	return c && room ? c->in_fd : -1;
}

bool console_has_input(struct console *c)
{
	return c && c->in_fd >= 0;
}

/* Filters the escape sequence out of @buf in place; returns bytes kept. */
static size_t console_escape(struct console *c, struct vm *vm, uint8_t *buf, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (c->escape) {
			c->escape = false;
			if (buf[i] == 'x' || buf[i] == 'X') {
				vm_request_stop(vm, VM_EXIT_SIGNAL);
				return 0;
			}
			if (buf[i] != CONSOLE_ESCAPE)
				buf[k++] = CONSOLE_ESCAPE;
			buf[k++] = buf[i];
		} else if (buf[i] == CONSOLE_ESCAPE) {
			c->escape = true;
		} else {
			buf[k++] = buf[i];
		}
	}
	return k;
}

void console_pump(struct console *c, struct vm *vm)
{
	uint8_t buf[512];
	size_t room = serial_rx_room(vm->serial);
	ssize_t n;

	if (c->in_fd < 0 || !room)
		return;
	/* Leave room for an escaped Ctrl-A expanding to two bytes. */
	n = read(c->in_fd, buf, room - 1 < sizeof(buf) / 2 ? (room > 1 ? room - 1 : 1)
							     : sizeof(buf) / 2);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		c->in_fd = -1;	/* EOF or error: the guest gets no more input */
		return;
	}
	if (c->is_tty)
		n = (ssize_t)console_escape(c, vm, buf, (size_t)n);
	serial_receive(vm->serial, buf, (size_t)n);
}
