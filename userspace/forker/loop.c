// SPDX-License-Identifier: GPL-2.0
/*
 * --loop SECS: fork for SECS seconds or until SIGUSR1, accepting ENOMEM
 * (the module is armed by the caller), then check the parent's memory.
 */
#include <signal.h>
#include <time.h>

#include "forker.h"

static volatile sig_atomic_t loop_stop;

static void on_usr1(int sig)
{
	(void)sig;
	loop_stop = 1;
}

int run_loop(int secs)
{
	time_t end = time(NULL) + secs;
	long ok = 0, enomem = 0, bad = 0;
	int r;

	signal(SIGUSR1, on_usr1);
	while (time(NULL) < end && !loop_stop) {
		r = fork_once();
		if (!r)
			ok++;
		else if (r == -ENOMEM)
			enomem++;
		else
			bad++;
	}
	ktap_plan(2);
	ktap_result(!bad, "loop: %ld forks ok, %ld ENOMEM, %ld other failures", ok, enomem, bad);
	ktap_result(!parent_check(), "parent memory intact");
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
