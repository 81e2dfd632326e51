// SPDX-License-Identifier: GPL-2.0
/*
 * The registering helper: a process of its own (it maps nothing the uprobe
 * is on), SCHED_FIFO and pinned to the forking parent's CPU. Per cycle it
 * creates a uprobe event on the parent's fresh file, sleeps a little (the
 * parent forks meanwhile), enables it, tells the parent to stop forking,
 * disables the event and removes it.
 *
 * Enabling runs register_for_each_vma(), whose percpu_down_write(&dup_mmap_sem)
 * waits for a fork inside dup_mmap(); that fork's percpu_up_read() wakes
 * this real-time task, which preempts the forker at once (same CPU) and walks
 * i_mmap before the forker's mmput() of the failed child: the child's copy of
 * the file VMA comes first, next to the XA_ZERO_ENTRY the failure left.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "upstress.h"

const char *up_tracefs = "/sys/kernel/tracing";

void up_path(char *buf, size_t len, pid_t parent, unsigned int cycle)
{
	snprintf(buf, len, "/tmp/upstress.%d.%u", (int)parent, cycle);
}

const char *up_stage_name(int stage)
{
	static const char *const names[] = {
		"?", "create (uprobe_events)", "enable", "disable", "remove (uprobe_events)",
	};

	return stage > 0 && stage <= UP_REMOVE ? names[stage] : names[0];
}

/* 0 if uprobe_events is there (tracefs, or debugfs's tracing), else -1. */
int up_find_tracefs(void)
{
	if (!access("/sys/kernel/tracing/uprobe_events", W_OK))
		return 0;
	if (!access("/sys/kernel/debug/tracing/uprobe_events", W_OK)) {
		up_tracefs = "/sys/kernel/debug/tracing";
		return 0;
	}
	return -1;
}

/* One write(2) of s to the tracefs file rel; 0 or -errno. */
static int tracefs_write(const char *rel, const char *s)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", up_tracefs, rel);
	/* Never O_TRUNC on uprobe_events: that removes every probe. */
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(s))
		err = -EIO;
	close(fd);
	return err;
}

static void remove_event(void)
{
	tracefs_write("events/" UP_GROUP "/" UP_EVENT "/enable", "0");
	tracefs_write("uprobe_events", "-:" UP_GROUP "/" UP_EVENT);
}

/* One registration on the parent's file of this cycle; the first error. */
static int reg_cycle(pid_t parent, const struct up_cmd *c, struct up_shared *sh,
		     int *stage)
{
	char file[128], def[256];
	struct timespec ts;
	int err, e;

	up_path(file, sizeof(file), parent, c->cycle);
	snprintf(def, sizeof(def), "p:%s/%s %s:0x0", UP_GROUP, UP_EVENT, file);
	*stage = UP_CREATE;
	err = tracefs_write("uprobe_events", def);
	if (err)
		return err;
	if (c->delay_us) {
		ts.tv_sec = c->delay_us / 1000000;
		ts.tv_nsec = (c->delay_us % 1000000) * 1000L;
		nanosleep(&ts, NULL);
	}
	*stage = UP_ENABLE;
	err = tracefs_write("events/" UP_GROUP "/" UP_EVENT "/enable", "1");
	/* The parent stops forking: the disable need not wait for a fork. */
	__atomic_store_n(&sh->registered, 1, __ATOMIC_RELEASE);
	if (!err)
		*stage = UP_DISABLE;
	e = tracefs_write("events/" UP_GROUP "/" UP_EVENT "/enable", "0");
	if (!err && e)
		err = e;
	if (!err)
		*stage = UP_REMOVE;
	e = tracefs_write("uprobe_events", "-:" UP_GROUP "/" UP_EVENT);
	if (!err && e)
		err = e;
	return err;
}

/*
 * The helper's main loop: one cycle per command until the pipe's EOF (the
 * parent closed it or died). Returns the exit status.
 */
int reg_main(int cmd_fd, int res_fd, struct up_shared *sh, pid_t parent, int cpu,
	     int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	struct up_cmd c;
	ssize_t n;

	/* Not "upstress": the comm filter must never match this process. */
	prctl(PR_SET_NAME, "upstress-reg", 0, 0, 0);
	/* The parent disarms and stops us (pipe EOF); a ^C must not cut a cycle. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (pin_cpu(cpu)) {
		fprintf(stderr, "upstress-reg: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return 1;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		fprintf(stderr, "upstress-reg: SCHED_FIFO %d: %s\n", prio, strerror(errno));
		return 1;
	}
	remove_event();		/* left over by an earlier run that was killed */
	for (;;) {
		int stage = 0, err;

		n = read(cmd_fd, &c, sizeof(c));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(c))
			break;
		err = reg_cycle(parent, &c, sh, &stage);
		if (err)
			remove_event();
		sh->err = -err;
		sh->stage = err ? stage : 0;
		__atomic_store_n(&sh->registered, 1, __ATOMIC_RELEASE);
		if (write(res_fd, "", 1) != 1)
			break;
	}
	remove_event();
	return 0;
}
