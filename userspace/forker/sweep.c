// SPDX-License-Identifier: GPL-2.0
/*
 * --sweep: every available step but kill, at every index and one past the
 * last: each fork must fail exactly where the step applies. One result per
 * step, then the parent's memory.
 */
#include <time.h>

#include "forker.h"

int run_sweep(void)
{
	char steps[1024], name[32], sym[64], avail[32];
	struct timespec t0, t1;
	int nsteps = 0, i, off = 0;
	const char *p;

	if (knob_read("steps", steps, sizeof(steps)) < 0)
		return KSFT_FAIL;
	for (p = steps; next_step(&p, name, sym, avail);)
		nsteps += !strcmp(avail, "available") && strcmp(name, "kill");
	if (!nsteps) {
		printf("Bail out! no available step in %s/steps\n", FDM_DIR);
		return KSFT_FAIL;
	}
	read_maps();
	read_account_flags();
	ktap_plan(nsteps + 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = steps; next_step(&p, name, sym, avail);) {
		long forks = 0, fails = 0, bad = 0, audited = 0, bad_audits = 0;
		struct snap a, b;

		if (strcmp(avail, "available") || !strcmp(name, "kill"))
			continue;
		take_snap(name, &a);
		for (i = 0; i <= nmaps; i++) {
			int want = step_applies(name, i), r;

			if (arm(name, i)) {
				bad++;
				continue;
			}
			r = fork_once();
			forks++;
			fails += r == -ENOMEM;
			if (audit && r == -ENOMEM) {
				audited++;
				bad_audits += !check_audit_quiet(name, i, nmaps, 1);
			}
			if ((want && r != -ENOMEM) || (!want && r != 0)) {
				bad++;
				printf("# %s at #%d: got %d, want %s\n", name, i, r,
				       want ? "ENOMEM" : "success");
			}
		}
		disarm();
		take_snap(name, &b);
		ktap_result(!bad && !bad_audits && b.inj - a.inj == fails && b.failed - a.failed == fails,
			    "sweep %s: %ld forks over #0-#%d, %ld failed where the step applies, %ld mismatches, injections %ld, audits %ld checked %ld wrong",
			    name, forks, nmaps, fails, bad, b.inj - a.inj, audited, bad_audits);
		off += fails;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# sweep: %d steps x %d indices, %d injected failures, %.2f s\n", nsteps,
	       nmaps + 1, off, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ktap_result(!parent_check(), "parent memory intact");
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
