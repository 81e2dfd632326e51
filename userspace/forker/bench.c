// SPDX-License-Identifier: GPL-2.0
/*
 * --bench N and --rate S: fork timing, no checks; one line of figures each
 * for scripts/guest/bench.sh. The module, if armed, is the caller's business.
 */
#include <time.h>

#include "forker.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * --bench N: N timed fork()+waitpid() of this parent (the module, if armed,
 * is the caller's business). Prints "bench forks=N median_us=M p10_us=A
 * p90_us=B ok=K enomem=E" and nothing else.
 */
int run_bench(int n)
{
	static double us[100000];
	struct timespec t0, t1;
	long ok = 0, enomem = 0;
	int i, r;

	if (n > 100000)
		n = 100000;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = fork_once();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
		ok += r == 0;
		enomem += r == -ENOMEM;
	}
	qsort(us, n, sizeof(us[0]), cmp_double);
	printf("bench forks=%d median_us=%.1f p10_us=%.1f p90_us=%.1f ok=%ld enomem=%ld\n",
	       n, us[n / 2], us[n / 10], us[n * 9 / 10], ok, enomem);
	return 0;
}

/* --rate S: forks per second over S seconds (failed or not), one line. */
int run_rate(int secs)
{
	struct timespec t0, t1;
	long ok = 0, enomem = 0, other = 0;
	double el;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		r = fork_once();
		ok += r == 0;
		enomem += r == -ENOMEM;
		other += r != 0 && r != -ENOMEM;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (el < secs);
	printf("rate seconds=%.2f ok_per_s=%.1f enomem_per_s=%.1f other=%ld\n",
	       el, ok / el, enomem / el, other);
	return other ? KSFT_FAIL : KSFT_PASS;
}
