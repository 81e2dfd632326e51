// SPDX-License-Identifier: GPL-2.0
/*
 * Arming: point the module at this process (step, pid, index or addr) and
 * disarm it again on the way out, also on SIGINT and SIGTERM.
 */
#include <signal.h>

#include "fdm.h"

int by_addr;
static int armed_by_us;

void disarm(void)
{
	if (armed_by_us)
		knob_write("index", "-1");
	armed_by_us = 0;
}

void on_signal(int sig)
{
	disarm();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Arm for this process; retarget only when already armed for the same step. */
int arm(const char *step, int idx)
{
	static char cur_step[32];
	char v[32];
	int err = 0;

	if (!armed_by_us || strcmp(cur_step, step)) {
		snprintf(v, sizeof(v), "%d", getpid());
		err = knob_write("index", "-1");
		if (!err)
			err = knob_write("step", step);
		if (!err)
			err = knob_write("pid", v);
		snprintf(cur_step, sizeof(cur_step), "%s", step);
	}
	if (by_addr && idx < nmaps)	/* an address inside the VMA, not its start */
		snprintf(v, sizeof(v), "0x%lx", maps[idx].start +
			 (maps[idx].end - maps[idx].start) / 2);
	else
		snprintf(v, sizeof(v), "%d", idx);
	if (!err)
		err = knob_write(by_addr ? "addr" : "index", v);
	if (!err)
		armed_by_us = 1;
	return err;
}
