// SPDX-License-Identifier: GPL-2.0
/*
 * exitbench: how long a process with VMAS mappings takes to exit, N times.
 * The parent forks a child that waits on a pipe; the clock runs from the
 * parent's write to the pipe until waitpid() has reaped the child, so the
 * fork itself (dup_mmap()) is not in the figure, the child's exit_mmap() is.
 * Prints "exit n=N median_us=M p10_us=A p90_us=B" and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 100000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* VMAS one-page anonymous mappings that cannot merge (every other page). */
static int build(int vmas)
{
	long page = sysconf(_SC_PAGESIZE);
	char *base;
	int i;

	base = mmap(NULL, 2 * page * vmas, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	for (i = 0; i < vmas; i++) {
		char *p = base + 2 * page * i;

		if (mprotect(p, page, PROT_READ | PROT_WRITE))
			return -1;
		*p = 1;
	}
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* One child: fork, wait until it is parked, time its exit. */
static int one(double *us)
{
	int go[2], ready[2], st;
	double t0;
	pid_t pid;
	char c;

	if (pipe(go) || pipe(ready))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		return -1;
	t0 = now_us();
	if (write(go[1], "g", 1) != 1 || waitpid(pid, &st, 0) != pid)
		return -1;
	*us = now_us() - t0;
	close(go[1]);
	close(ready[0]);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static double us[MAX_RUNS];
	char *end;
	long vmas, n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: exitbench VMAS N\n");
		return 2;
	}
	vmas = strtol(argv[1], &end, 10);
	if (*end || vmas < 0 || vmas > 60000) {
		fprintf(stderr, "exitbench: VMAS must be 0-60000, got '%s'\n", argv[1]);
		return 2;
	}
	n = strtol(argv[2], &end, 10);
	if (*end || n < 1 || n > MAX_RUNS) {
		fprintf(stderr, "exitbench: N must be 1-%d, got '%s'\n", MAX_RUNS, argv[2]);
		return 2;
	}
	if (build(vmas)) {
		fprintf(stderr, "exitbench: building %ld VMAs: %s\n", vmas, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (one(&us[i])) {
			fprintf(stderr, "exitbench: run %ld failed: %s\n", i, strerror(errno));
			return 1;
		}
	}
	qsort(us, n, sizeof(us[0]), cmp_double);
	printf("exit n=%ld median_us=%.1f p10_us=%.1f p90_us=%.1f\n",
	       n, us[n / 2], us[n / 10], us[n * 9 / 10]);
	return 0;
}
