/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial console: where its output goes and
 * where its input comes from. When stdin is a terminal it is put in raw
 * mode for the VM's run and restored on every way out (poweroff, reset,
 * signals, errors); Ctrl-A x stops the VM, Ctrl-A Ctrl-A sends Ctrl-A.
 * Output is buffered and written by a thread of the console's own, so that
 * a stalled reader never blocks a vCPU: once the buffer is full, output is
 * dropped and counted (console_dropped).
 */
#ifndef HMMV_VMM_CONSOLE_H
#define HMMV_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vmm/config.h"

struct console;

int console_open(struct console **out, const struct console_config *cfg,
		 char *why, size_t whylen);
/* Flushes (console_flush) and frees; restores the terminal. */
void console_close(struct console *c);
/* Enters raw mode when input is a terminal; console_stop() restores it. */
int console_start(struct console *c);
void console_stop(struct console *c);
/* Guest output; never blocks and never fails (dropped when it cannot go). */
void console_write(struct console *c, const uint8_t *buf, size_t len);
/* Stops the writer thread once it wrote what is buffered, or after a
 * bounded wait for a stalled reader; later output is dropped. */
void console_flush(struct console *c);
/* Bytes of guest output dropped so far. */
uint64_t console_dropped(struct console *c);
/* The fd to poll for input, or -1 when there is none or @room is too small. */
int console_input_fd(struct console *c, size_t room);
/* True while the console still has an input source. */
bool console_has_input(struct console *c);
/*
 * Reads available input for the guest into @buf (at most @room bytes, the
 * escape filtered out); returns the bytes to queue, 0 when there are none,
 * -ECANCELED when the user typed the stop escape (main thread only).
 */
ssize_t console_read(struct console *c, uint8_t *buf, size_t room);

#endif
