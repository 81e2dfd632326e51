// SPDX-License-Identifier: GPL-2.0
/*
 * --duration S: P parents fork in a loop for S seconds (the module is armed
 * by the caller), optionally pinned and paging out the VMAs before the
 * target; only ENOMEM may fail, and every parent's memory must be intact.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "forker.h"

/* One stress worker: fork until the deadline, paging out what comes first. */
static int stress_worker(const char *spec, int secs, int swap, int cpu,
			 int nvmas, int mix, long counts[3])
{
	time_t end = time(NULL) + secs;
	int idx = nvmas, i, r;

	if (cpu >= 0) {
		cpu_set_t cs;

		CPU_ZERO(&cs);
		CPU_SET(cpu, &cs);
		if (sched_setaffinity(0, sizeof(cs), &cs))
			return 2;
	}
	if (build_vmas(nvmas, mix, -1, -1))
		return 2;
	read_maps();
	if (spec)
		idx = resolve_index(spec);
	while (time(NULL) < end) {
		if (swap) {	/* the VMAs copied before the failure point */
			for (i = 0; i < nown; i++)
				if (maps_index_of(own[i].addr) < idx)
					madvise((void *)own[i].addr, PAGE, MADV_PAGEOUT);
		}
		r = fork_once();
		counts[r == 0 ? 0 : r == -ENOMEM ? 1 : 2]++;
	}
	return parent_check() ? 3 : 0;
}

/* --duration: P parents fork in a loop; the module is armed by the caller. */
int run_stress(const char *spec, int secs, int procs, int swap, int cpu,
	       int nvmas, int mix)
{
	long *counts = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long ok = 0, enomem = 0, other = 0;
	int i, status, bad = 0, corrupt = 0;

	if (counts == MAP_FAILED)
		return KSFT_FAIL;
	for (i = 0; i < procs; i++) {
		pid_t w = fork();

		if (w < 0)
			return KSFT_FAIL;
		if (!w)
			_exit(stress_worker(spec, secs, swap, cpu, nvmas, mix, counts + 3 * i));
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			bad++;
			corrupt += WIFEXITED(status) && WEXITSTATUS(status) == 3;
		}
	}
	for (i = 0; i < procs; i++) {
		ok += counts[3 * i];
		enomem += counts[3 * i + 1];
		other += counts[3 * i + 2];
	}
	ktap_plan(2);
	ktap_result(!other && bad == corrupt,
		    "stress: %d parents, %ld forks ok, %ld ENOMEM, %ld other failures, %d %s",
		    procs, ok, enomem, other, bad, "workers failed");
	ktap_result(!corrupt, "parent memory intact in %d of %d parents", procs - corrupt, procs);
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
