// SPDX-License-Identifier: GPL-2.0
/*
 * Checking: fork once and let the child check its copy of our VMAs, check
 * the parent's own, and what the module counted (stats) and named (last).
 * Also holds the program's one pair of KTAP counters (common.h).
 */
#include <sys/wait.h>
#include <time.h>

#include "fdm.h"

int ktap_n, ktap_fail;
int quick_child;

/* In the child: every copied VMA holds the parent's bytes. */
static int child_check(void)
{
	int i;
	size_t o;

	for (i = 0; i < nown; i++) {
		const unsigned char *p = (const unsigned char *)own[i].addr;

		if (own[i].dontfork)
			continue;
		for (o = 0; o < PAGE; o++) {
			unsigned char want = own[i].wipeonfork ? 0 : pattern(i, o);

			if (p[o] != want)
				return 1;
		}
	}
	return 0;
}

int parent_check(void)
{
	int i;
	size_t o;

	for (i = 0; i < nown; i++)
		for (o = 0; o < PAGE; o++)
			if (((unsigned char *)own[i].addr)[o] != pattern(i, o))
				return 1;
	return 0;
}

/*
 * Returns 0 ok (child verified), -errno on fork failure, 1 bad child.
 * uprobe-loop.sh puts a uprobe on this function (forker --uprobe-offset).
 */
int fork_once(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(quick_child ? 0 : child_check());
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int take_snap(const char *step, struct snap *s)
{
	char buf[4096], key[64];

	if (knob_read("stats", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(key, sizeof(key), "injections_%s", step);
	s->inj = knob_field(buf, key);
	s->failed = knob_field(buf, "forks_failed");
	s->exit_mmap = knob_field(buf, "failed_exit_mmap");
	return 0;
}

void check_last(const char *step, int idx, pid_t pid, int error)
{
	char buf[1024], got_step[32], vma[64], want_vma[64];

	knob_read("last", buf, sizeof(buf));
	knob_str(buf, "step", got_step, sizeof(got_step));
	knob_str(buf, "vma", vma, sizeof(vma));
	/* arch: one past the last VMA, no range */
	if (idx < nmaps)
		snprintf(want_vma, sizeof(want_vma), "%lx-%lx", maps[idx].start, maps[idx].end);
	else
		snprintf(want_vma, sizeof(want_vma), "0-0");
	ktap_result(knob_field(buf, "pid") == pid && knob_field(buf, "index") == idx &&
		    !strcmp(got_step, step) && !strcmp(vma, want_vma) &&
		    knob_field(buf, "error") == error,
		    "last names pid %d VMA #%d %s (%s) step %s error %d (got pid %ld index %ld vma %s step %s error %ld)",
		    pid, idx, want_vma,
		    idx >= nmaps ? "after the last VMA" : maps[idx].name[0] ? maps[idx].name : "anon",
		    step, error, knob_field(buf, "pid"), knob_field(buf, "index"),
		    vma, got_step, knob_field(buf, "error"));
}

/*
 * Fork back to back for @secs seconds where every fork must fail: count
 * the ENOMEM failures in @failed and anything else (a child, another
 * errno) in @other. Returns the forks tried.
 */
long fail_forks_for(long secs, long *failed, long *other)
{
	time_t end = time(NULL) + secs;
	long forks = 0;
	pid_t p;

	while (time(NULL) < end) {
		p = fork();
		forks++;
		if (p == 0)
			_exit(0);
		if (p > 0) {
			waitpid(p, NULL, 0);
			(*other)++;	/* every fork must fail */
		} else if (errno == ENOMEM) {
			(*failed)++;
		} else {
			(*other)++;
		}
	}
	return forks;
}
