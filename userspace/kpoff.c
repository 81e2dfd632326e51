// SPDX-License-Identifier: GPL-2.0
/*
 * kpoff: at the first SIGUSR1 (fail_dup_mmap's notify knob sends it while
 * dup_mmap() still runs), write 0 to /sys/kernel/debug/kprobes/enabled, so
 * that the fork's end probe is missed (slots.sh). SCHED_FIFO and pinned to
 * the forking task's CPU, it runs as soon as that task can be preempted.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <time.h>

#include "common.h"
#include "rt.h"

#define KPROBES_ENABLED "/sys/kernel/debug/kprobes/enabled"

static void usage(FILE *f)
{
	fprintf(f,
"usage: kpoff [--fifo PRIO] [--cpu C] [--timeout S] [--pidfile FILE]\n"
"  waits for SIGUSR1, then writes 0 to " KPROBES_ENABLED "\n"
"  (every kprobe off, system-wide) and exits; the caller turns them on again.\n"
"  --fifo PRIO   SCHED_FIFO at PRIO (1-99); --cpu C pins to CPU C\n"
"exit: 0 after the write, 1 on an error, 3 when no signal came in --timeout S\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fifo", 1, 0, 'f' }, { "cpu", 1, 0, 'c' }, { "timeout", 1, 0, 't' },
		{ "pidfile", 1, 0, 'p' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	long fifo = 0, cpu = -1, timeout = 60;
	const char *pidfile = NULL;
	struct timespec ts = { 0 };
	sigset_t set;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': fifo = rt_num("kpoff", optarg, 1, 99); break;
		case 'c': cpu = rt_num("kpoff", optarg, 0, CPU_SETSIZE - 1); break;
		case 't': timeout = rt_num("kpoff", optarg, 1, 86400); break;
		case 'p': pidfile = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (rt_pin_fifo("kpoff", cpu, fifo))
		return 1;
	fd = open(KPROBES_ENABLED, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "kpoff: %s: %s\n", KPROBES_ENABLED, strerror(errno));
		return 1;
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "kpoff: cannot write %s\n", pidfile);
			return 1;
		}
	}
	ts.tv_sec = timeout;
	if (sigtimedwait(&set, NULL, &ts) != SIGUSR1) {
		fprintf(stderr, "kpoff: no SIGUSR1 in %ld s\n", timeout);
		return 3;
	}
	if (write(fd, "0\n", 2) != 2) {
		fprintf(stderr, "kpoff: write 0 to %s: %s\n", KPROBES_ENABLED, strerror(errno));
		return 1;
	}
	close(fd);
	printf("kpoff: kprobes turned off at SIGUSR1\n");
	return 0;
}
