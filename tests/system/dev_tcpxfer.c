// SPDX-License-Identifier: GPL-2.0
/* The guest's tcpxfer, built for the test host as /bin/dev_tcpxfer. */
#include "guest/progs/tcpxfer.c"
