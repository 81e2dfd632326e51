/* SPDX-License-Identifier: GPL-2.0 */
/*
 * forker's modes, one file each, dispatched by main.c; the options they
 * share. VMAs, arming and checking come from the library (lib/fdm.h).
 */
#ifndef FDM_FORKER_H
#define FDM_FORKER_H

#include "../lib/fdm.h"

extern int audit;	/* also check the audit of the failed child */

/* The options of the default mode (once.c), as main.c parsed them. */
struct forker_opts {
	const char *spec, *step, *expect;
	int mix, forks, noarm, fail_lo, fail_hi;
};

int run_once(const struct forker_opts *o);
int run_kill(const char *spec, const char *step, int nvmas, int mix,
	     int dontfork, int wipeonfork);
int run_sweep(void);
int run_stress(const char *spec, int secs, int procs, int swap, int cpu,
	       int nvmas, int mix);
int run_bench(int n);
int run_rate(int secs);
int run_loop(int secs);
int print_uprobe_offset(void);

#endif
