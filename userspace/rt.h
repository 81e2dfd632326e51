/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the real-time helpers (swaploop, kpoff): a checked number
 * option, and pinning to a CPU at a SCHED_FIFO priority (busybox has no
 * chrt). Include after common.h, with _GNU_SOURCE defined first.
 */
#ifndef FDM_RT_H
#define FDM_RT_H

#include <sched.h>

/* @s as a decimal in [@lo, @hi], else a message and exit 2. */
static inline long rt_num(const char *prog, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "%s: bad number '%s'\n", prog, s);
		exit(2);
	}
	return v;
}

/* Pin to @cpu (-1: leave) and run at SCHED_FIFO @fifo (0: leave). */
static inline int rt_pin_fifo(const char *prog, long cpu, long fifo)
{
	if (cpu >= 0) {
		cpu_set_t cs;

		CPU_ZERO(&cs);
		CPU_SET(cpu, &cs);
		if (sched_setaffinity(0, sizeof(cs), &cs)) {
			fprintf(stderr, "%s: sched_setaffinity(%ld): %s\n", prog, cpu, strerror(errno));
			return -1;
		}
	}
	if (fifo) {
		struct sched_param sp = { .sched_priority = (int)fifo };

		if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
			fprintf(stderr, "%s: SCHED_FIFO %ld: %s\n", prog, fifo, strerror(errno));
			return -1;
		}
	}
	return 0;
}

#endif
