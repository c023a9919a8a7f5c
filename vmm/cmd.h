/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hmmv's subcommands. Each returns the process exit status: 0 success,
 * 1 runtime failure, 2 usage error (see README "Exit status").
 */
#ifndef HMMV_VMM_CMD_H
#define HMMV_VMM_CMD_H

#define EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_capture(int argc, char **argv);

#endif
