// SPDX-License-Identifier: GPL-2.0
/*
 * --step kill: a victim process builds the VMAs, arms for itself and forks;
 * it must die of SIGKILL where the step applies, and survive elsewhere.
 */
#include <signal.h>
#include <sys/wait.h>

#include "forker.h"

/* VM_DONTCOPY VMAs the victim can report; more is an error, not a cut. */
#define KILL_MAX_DC 16

int run_kill(const char *spec, const char *step, int nvmas, int mix,
	     int dontfork, int wipeonfork)
{
	/* What the parent needs of the victim's maps: the target, the next, and
	 * where the VM_DONTCOPY VMAs are (the audit leaves them out).
	 */
	struct {
		int idx, applies, total, ndc, dc[KILL_MAX_DC], nexti;
		struct mapent m, next;	/* the target and the next copied VMA */
	} info = { .idx = -1 };
	int pfd[2], status, killed, j;
	struct snap a, b;
	long want;
	pid_t v;

	ktap_plan(3 + audit);
	if (pipe(pfd) || take_snap(step, &a))
		return KSFT_FAIL;
	v = fork();
	if (v < 0)
		return KSFT_FAIL;
	if (!v) {
		close(pfd[0]);
		if (build_vmas(nvmas, mix, dontfork, wipeonfork))
			_exit(2);
		read_maps();
		read_account_flags();
		info.idx = resolve_index(spec);
		info.applies = step_applies(step, info.idx);
		info.total = nmaps;
		if (info.idx >= 0 && info.idx < nmaps)
			info.m = maps[info.idx];
		info.nexti = info.idx + 1;
		while (info.idx >= 0 && info.nexti < nmaps && maps[info.nexti].dontcopy)
			info.nexti++;
		if (info.idx >= 0 && info.nexti < nmaps)
			info.next = maps[info.nexti];
		for (j = 0; j < nmaps; j++) {
			if (!maps[j].dontcopy)
				continue;
			if (info.ndc == KILL_MAX_DC) {
				fprintf(stderr, "forker: kill: more than %d VM_DONTCOPY VMAs\n",
					KILL_MAX_DC);
				_exit(2);
			}
			info.dc[info.ndc++] = j;
		}
		if (write(pfd[1], &info, sizeof(info)) != sizeof(info))
			_exit(2);
		if (info.idx < 0 || arm(step, info.idx))
			_exit(3);
		fork_once();
		disarm();
		_exit(4);	/* survived: no injection */
	}
	close(pfd[1]);
	if (read(pfd[0], &info, sizeof(info)) != sizeof(info)) {
		waitpid(v, &status, 0);
		printf("Bail out! the victim reported nothing (status 0x%x)\n", status);
		return 2;
	}
	waitpid(v, &status, 0);
	knob_write("index", "-1");
	take_snap(step, &b);
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	want = info.applies;
	printf("# victim %d: target #%d %s, expect %s\n", v, info.idx,
	       info.m.name[0] ? info.m.name : "anon", want ? "kill" : "survival");
	if (want)
		ktap_result(info.idx >= 0 && killed,
			    "victim forking at VMA #%d was killed by SIGKILL (status 0x%x)",
			    info.idx, status);
	else
		ktap_result(info.idx >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 4,
			    "victim forking at VMA #%d survived (status 0x%x)", info.idx, status);
	ktap_result(b.inj - a.inj == want && b.failed - a.failed == want &&
		    b.exit_mmap - a.exit_mmap == want,
		    "stats: injections %ld forks_failed %ld failed_exit_mmap %ld (want %ld each)",
		    b.inj - a.inj, b.failed - a.failed, b.exit_mmap - a.exit_mmap, want);
	if (want && info.idx >= 0) {
		maps[info.idx] = info.m;
		if (info.nexti < MAX_MAPS)
			maps[info.nexti] = info.next;
		nmaps = info.idx + 1;
		for (j = 0; j < info.ndc; j++)
			maps[info.dc[j]].dontcopy = 1;
		check_last(step, info.idx, v, 0);
		if (audit)
			check_audit(step, info.idx, info.total);
	} else {
		ktap_result(b.inj == a.inj, "no injection at #%d", info.idx);
		if (audit)
			ktap_skip("audit: no failed child");
	}
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
