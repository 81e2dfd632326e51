// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers of the stressors: option numbers, a monotonic clock, a line
 * in the kernel log, CPU pinning.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <time.h>

#include "fdm.h"

/* A decimal number in [lo, hi] for option @opt of @prog, or exit 2. */
long opt_num(const char *prog, const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "%s: %s needs a number %ld-%ld, got '%s'\n", prog, opt, lo, hi, s);
		exit(2);
	}
	return v;
}

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A line in the kernel log (best effort): where a splat's fork shows. */
void log_kmsg(const char *fmt, ...)
{
	char buf[128] = "<6>";
	va_list ap;
	ssize_t r;
	int fd;

	va_start(ap, fmt);
	vsnprintf(buf + 3, sizeof(buf) - 3, fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0)
		return;
	r = write(fd, buf, strlen(buf));
	(void)r;
	close(fd);
}

int pin_cpu(int cpu)
{
	cpu_set_t cs;

	CPU_ZERO(&cs);
	CPU_SET(cpu, &cs);
	return sched_setaffinity(0, sizeof(cs), &cs);
}
