/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial console: where its output goes and
 * where its input comes from. When stdin is a terminal it is put in raw
 * mode for the VM's run and restored on every way out (poweroff, reset,
 * signals, errors); Ctrl-A x stops the VM, Ctrl-A Ctrl-A sends Ctrl-A.
 */
#ifndef HMMV_VMM_CONSOLE_H
#define HMMV_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/config.h"

struct console;
struct vm;

int console_open(struct console **out, const struct console_config *cfg,
		 char *why, size_t whylen);
void console_close(struct console *c);
/* Enters raw mode when input is a terminal; console_stop() restores it. */
int console_start(struct console *c);
void console_stop(struct console *c);
/* Guest output; never fails (a closed output just drops it). */
void console_write(struct console *c, const uint8_t *buf, size_t len);
/* The fd to poll for input, or -1 when there is none or @room is 0. */
int console_input_fd(struct console *c, size_t room);
/* True while the console still has an input source. */
bool console_has_input(struct console *c);
/* Moves available input into the guest's UART (main thread only). */
void console_pump(struct console *c, struct vm *vm);

#endif
