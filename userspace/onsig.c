// SPDX-License-Identifier: GPL-2.0
/*
 * onsig: at the first SIGUSR1 (fail_dup_mmap's notify knob sends it while
 * dup_mmap() still runs), act inside the fork: --kprobes-off writes 0 to
 * /sys/kernel/debug/kprobes/enabled, so the fork's end probe is missed
 * (slots.sh); --spin S holds the CPU for S seconds, so the fork waits
 * (early-disarm.sh). SCHED_FIFO and pinned to the forking task's CPU, it
 * runs as soon as that task can be preempted.
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
"usage: onsig --kprobes-off|--spin S [--fifo PRIO] [--cpu C] [--timeout S] [--pidfile FILE]\n"
"  waits for SIGUSR1, then acts once and exits:\n"
"  --kprobes-off  writes 0 to " KPROBES_ENABLED "\n"
"                 (every kprobe off, system-wide; the caller turns them on again)\n"
"  --spin S       runs without sleeping for S seconds\n"
"  --fifo PRIO   SCHED_FIFO at PRIO (1-99); --cpu C pins to CPU C\n"
"exit: 0 after the action, 1 on an error, 3 when no signal came in --timeout S\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fifo", 1, 0, 'f' }, { "cpu", 1, 0, 'c' }, { "timeout", 1, 0, 't' },
		{ "pidfile", 1, 0, 'p' }, { "help", 0, 0, 'h' },
		{ "kprobes-off", 0, 0, 'k' }, { "spin", 1, 0, 's' }, { 0, 0, 0, 0 },
	};
	long fifo = 0, cpu = -1, timeout = 60, spin = 0;
	int kpoff = 0, fd = -1;
	const char *pidfile = NULL;
	struct timespec ts = { 0 };
	sigset_t set;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': fifo = rt_num("onsig", optarg, 1, 99); break;
		case 'c': cpu = rt_num("onsig", optarg, 0, CPU_SETSIZE - 1); break;
		case 't': timeout = rt_num("onsig", optarg, 1, 86400); break;
		case 'p': pidfile = optarg; break;
		case 'k': kpoff = 1; break;
		case 's': spin = rt_num("onsig", optarg, 1, 600); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || kpoff == !!spin) {
		usage(stderr);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (rt_pin_fifo("onsig", cpu, fifo))
		return 1;
	if (kpoff)
		fd = open(KPROBES_ENABLED, O_WRONLY);
	if (kpoff && fd < 0) {
		fprintf(stderr, "onsig: %s: %s\n", KPROBES_ENABLED, strerror(errno));
		return 1;
	}
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "onsig: cannot write %s\n", pidfile);
			return 1;
		}
	}
	ts.tv_sec = timeout;
	if (sigtimedwait(&set, NULL, &ts) != SIGUSR1) {
		fprintf(stderr, "onsig: no SIGUSR1 in %ld s\n", timeout);
		return 3;
	}
	if (spin) {
		time_t end = time(NULL) + spin;

		while (time(NULL) < end)
			;
		printf("onsig: spun %ld s at SIGUSR1\n", spin);
		return 0;
	}
	if (write(fd, "0\n", 2) != 2) {
		fprintf(stderr, "onsig: write 0 to %s: %s\n", KPROBES_ENABLED, strerror(errno));
		return 1;
	}
	close(fd);
	printf("onsig: kprobes turned off at SIGUSR1\n");
	return 0;
}
