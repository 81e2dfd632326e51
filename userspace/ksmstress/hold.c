// SPDX-License-Identifier: GPL-2.0
/*
 * The holding helper: a process of its own, forked before the parent made
 * anything mergeable (so not in ksmd's list), SCHED_FIFO and pinned to the
 * forking parent's CPU. Per fork it sleeps a little (the fork is inside
 * dup_mmap() by then, the parent's mmap lock held for writing), then reads
 * the parent's /proc/PID/cmdline: access_remote_vm() waits in
 * mmap_read_lock() for dup_mmap()'s mmap_write_unlock(oldmm). ksmd, which
 * waits for the same lock to scan the parent, is granted it at the same
 * time. This real-time task preempts the forker there (same CPU, preempt=
 * full), before the forker's mmput() of the failed child, and spins: the
 * child keeps mm_users == 1 while ksmd, on the other CPU, finishes the
 * parent's slot and reaches the child's, inserted behind the scan cursor by
 * the early ksm_fork() of the positive control.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "ksmstress.h"

static unsigned long long timed_read(int fd)
{
	unsigned long long t = now_ns();
	char buf[64];

	if (pread(fd, buf, sizeof(buf), 0) < 0)
		return 0;
	return now_ns() - t;
}

/*
 * The helper's main loop: one fork per command until the pipe's EOF (the
 * parent closed it or died). Returns the exit status.
 */
int hold_main(int cmd_fd, int res_fd, pid_t parent, int cpu, int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	unsigned long long base = ~0ULL, t, thresh;
	struct ks_cmd c;
	char path[64];
	int fd, i;
	ssize_t n;

	/* Not "ksmstress": nothing may take this process for the forker. */
	prctl(PR_SET_NAME, "ksmstress-hold", 0, 0, 0);
	/* The parent disarms and stops us (pipe EOF); a ^C must not cut a fork. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)parent);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "ksmstress-hold: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (pin_cpu(cpu)) {
		fprintf(stderr, "ksmstress-hold: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return 1;
	}
	/* A read nobody blocks: what "waited for the lock" is measured against. */
	for (i = 0; i < 8; i++) {
		t = timed_read(fd);
		if (t && t < base)
			base = t;
	}
	if (base == ~0ULL) {
		fprintf(stderr, "ksmstress-hold: no calibration read of %s worked\n", path);
		return 1;
	}
	thresh = base * 5 > 200000 ? base * 5 : 200000;
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		fprintf(stderr, "ksmstress-hold: SCHED_FIFO %d: %s\n", prio, strerror(errno));
		return 1;
	}
	for (;;) {
		struct ks_res r = { 0 };
		struct timespec ts;

		n = read(cmd_fd, &c, sizeof(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(c))
			break;
		ts.tv_sec = c.delay_us / 1000000;
		ts.tv_nsec = (c.delay_us % 1000000) * 1000L;
		nanosleep(&ts, NULL);
		t = timed_read(fd);
		r.wait_us = (unsigned int)(t / 1000);
		/* Waited for dup_mmap()'s unlock: keep the forker off its mmput(). */
		if (t > thresh) {
			unsigned long long t0 = now_ns();

			r.held = 1;
			while (now_ns() - t0 < c.spin_ms * 1000000ULL)
				;
		}
		if (write(res_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			break;
	}
	close(fd);
	return 0;
}
