// SPDX-License-Identifier: GPL-2.0
/*
 * armcycle: the latency of one disarm + step change + arm, N times, cycling
 * through the steps given (a filter must be set already). Each cycle writes
 * -1 to index, the next step to step, then an index (0-29) to index.
 * Prints "armcycle n=N median_ms=M p90_ms=A max_ms=B" and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define MAX_RUNS 100000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Write @val to knob @name; exit with a message on error. */
static void put(const char *name, const char *val)
{
	char path[256];
	ssize_t len = strlen(val);
	int fd;

	snprintf(path, sizeof(path), FDM_DIR "/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, val, len) != len) {
		fprintf(stderr, "armcycle: writing '%s' to %s: %s\n", val, name,
			strerror(errno));
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	static double ms[MAX_RUNS];
	char idx[16], *end;
	long n, i;
	double t0;

	if (argc < 3) {
		fprintf(stderr, "usage: armcycle N STEP...\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n < 1 || n > MAX_RUNS) {
		fprintf(stderr, "armcycle: N must be 1-%d, got '%s'\n", MAX_RUNS, argv[1]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		snprintf(idx, sizeof(idx), "%ld", i % 30);
		t0 = now_ms();
		put("index", "-1");
		put("step", argv[2 + i % (argc - 2)]);
		put("index", idx);
		ms[i] = now_ms() - t0;
	}
	qsort(ms, n, sizeof(ms[0]), cmp_double);
	printf("armcycle n=%ld median_ms=%.2f p90_ms=%.2f max_ms=%.2f\n",
	       n, ms[n / 2], ms[n * 9 / 10], ms[n - 1]);
	return 0;
}
