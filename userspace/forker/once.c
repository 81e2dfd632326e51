// SPDX-License-Identifier: GPL-2.0
/*
 * The default mode: arm for VMA #index at a step, fork --forks times and
 * check errno, the children's and the parent's memory, stats, last and
 * (--audit) the failed child's tree. With --no-arm: just fork and check.
 */
#include "forker.h"

int run_once(const struct forker_opts *o)
{
	const char *spec = o->spec, *step = o->step, *expect = o->expect;
	int noarm = o->noarm, forks = o->forks;
	int idx = -1, i, fails = 0, oks = 0, other = 0, applies, err;
	struct snap a, b;

	read_maps();
	read_account_flags();
	if (spec) {
		idx = resolve_index(spec);
		if (idx < 0) {
			fprintf(stderr, "forker: bad --index '%s'\n", spec);
			return 2;
		}
	}
	applies = noarm ? 0 : step_applies(step, idx);
	if (!strcmp(expect, "auto"))
		expect = applies ? "fail" : "ok";
	ktap_plan(noarm ? 2 : 4 + audit);
	printf("# %d VMAs in the parent (%d own, %s); target #%d %s step %s; expect %s\n",
	       nmaps, nown, o->mix ? "mixed" : "anon", idx,
	       idx >= 0 && idx < nmaps ? (maps[idx].name[0] ? maps[idx].name : "anon") : "(none)",
	       step, expect);
	if (!noarm) {
		if (take_snap(step, &a)) {
			printf("Bail out! cannot read stats\n");
			return KSFT_FAIL;
		}
		err = arm(step, idx);
		if (err) {
			printf("Bail out! arming failed: %s\n", strerror(-err));
			return KSFT_FAIL;
		}
	}
	for (i = 0; i < forks; i++) {
		int r = fork_once();

		if (r == -ENOMEM)
			fails++;
		else if (!r)
			oks++;
		else
			other++;
	}
	disarm();
	if (o->fail_lo >= 0)
		ktap_result(fails >= o->fail_lo && fails <= o->fail_hi && fails + oks == forks,
			    "%d of %d forks failed with ENOMEM, want %d to %d; the others succeeded (%d other errors)",
			    fails, forks, o->fail_lo, o->fail_hi, other);
	else if (!strcmp(expect, "fail"))
		ktap_result(fails == forks, "%d/%d forks failed with ENOMEM (%d other errors)",
			    fails, forks, other);
	else
		ktap_result(oks == forks, "%d/%d forks succeeded and children saw the parent's bytes (%d ENOMEM, %d other)",
			    oks, forks, fails, other);
	ktap_result(!parent_check(), "parent memory intact");
	if (!noarm) {
		take_snap(step, &b);
		ktap_result(b.inj - a.inj == fails && b.failed - a.failed == fails &&
			    b.exit_mmap - a.exit_mmap == fails,
			    "stats: injections %ld forks_failed %ld failed_exit_mmap %ld (want %d each)",
			    b.inj - a.inj, b.failed - a.failed, b.exit_mmap - a.exit_mmap, fails);
		if (fails) {
			check_last(step, idx, getpid(), step_errno(step));
			if (audit)
				check_audit(step, idx, nmaps);
		} else {
			ktap_result(b.inj == a.inj, "no injection at #%d (%s)", idx,
				    idx < nmaps ? kind_name[own_of(maps[idx].start) >= 0 ? own[own_of(maps[idx].start)].kind : 0] : "past the last VMA");
			if (audit)
				ktap_skip("audit: no failed child");
		}
	}
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
