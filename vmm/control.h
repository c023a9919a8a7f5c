/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-VM control socket: a UNIX stream socket private to its owner
 * (0600, in a 0700 directory), default $XDG_RUNTIME_DIR/hmmv/vm-PID.sock or
 * /tmp/hmmv-UID/vm-PID.sock, or --control PATH. One request per connection:
 * the client writes one line "VERB [ARGS]", the server answers and closes.
 * Verbs: stat [json], chunk N, remap N dram|nvm, move N dram|nvm,
 * engine [json|moves], status [json] (stat plus the engine), placement (a
 * letter per chunk: d DRAM, n slow tier). Clients are served concurrently,
 * each within 2 s from connect to the end of its answer; a request over
 * 255 bytes or with control characters is answered "error: ..." and not
 * executed (vmm/control_req.h).
 */
#ifndef HMMV_VMM_CONTROL_H
#define HMMV_VMM_CONTROL_H

#include <stddef.h>

#include "memory/memory.h"

struct control;
struct engine;

/*
 * Binds the socket (@path, or the default when NULL) and starts its thread.
 * -errno with one line in @why; -EINVAL/-ENOENT/-EADDRINUSE/-EPERM are the
 * user's (a bad --control), the rest runtime failures.
 */
int control_start(struct control **out, const char *path, struct guest_mem *mem,
		  char *why, size_t whylen);
/*
 * Checks a user-named --control PATH before anything is created: short
 * enough for a UNIX socket, in an existing directory we may write to.
 * 0 for NULL (the default path); -errno with one line in @why otherwise.
 */
int control_check_path(const char *path, char *why, size_t whylen);
/* Serves the engine's verbs from now on (before any client can ask). */
void control_set_engine(struct control *ctl, struct engine *e);
/* The VM's name for the prometheus verb's "vm" label (default vm-PID). */
void control_set_name(struct control *ctl, const char *name);
/* Stops the thread, removes the socket (and the default directory). */
void control_stop(struct control *ctl);
/*
 * Connects to @path, sends @request (one line, no newline) and reads the
 * whole answer into *@answer (malloc'd, NUL-terminated, *@len bytes), all
 * within @timeout_ms. -errno with one line in @why (-ETIMEDOUT: no answer
 * in time).
 */
int control_request(const char *path, const char *request, int timeout_ms,
		    char **answer, size_t *len, char *why, size_t whylen);
/*
 * Parses one request line (@len bytes, no newline) against the server's
 * verbs, without running it (tests/fuzz/fuzz_control.c). 0, or -EINVAL
 * with the "error: ..." answer in @err.
 */
struct control_req;
int control_parse(const char *line, size_t len, struct control_req *req,
		  char *err, size_t errlen);

#endif
