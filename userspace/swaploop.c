// SPDX-License-Identifier: GPL-2.0
/*
 * swaploop: swapoff/swapon a swap device in a loop, optionally at a real-time
 * priority and pinned to a CPU (busybox has no chrt). With --on-signal it
 * waits for SIGUSR1 (fail_dup_mmap's notify knob sends it while dup_mmap()
 * still holds the mmap locks) before each swapoff. Prints counts as KTAP.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <sys/swap.h>
#include <time.h>

#include "common.h"
#include "rt.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: swaploop --dev DEV [--fifo PRIO] [--cpu C] [--duration S] [--on-signal]\n"
"               [--sleep-ms MS] [--pidfile FILE]\n"
"  swapoff DEV and swapon DEV again, repeatedly, until --duration or SIGTERM.\n"
"  --on-signal   wait for SIGUSR1 before each swapoff (else sleep --sleep-ms)\n"
"  --fifo PRIO   SCHED_FIFO at PRIO (1-99); --cpu C pins to CPU C\n"
"exit: 0 if every swapoff and swapon succeeded\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", 1, 0, 'd' }, { "fifo", 1, 0, 'f' }, { "cpu", 1, 0, 'c' },
		{ "duration", 1, 0, 't' }, { "on-signal", 0, 0, 's' },
		{ "sleep-ms", 1, 0, 'm' }, { "pidfile", 1, 0, 'p' }, { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *dev = NULL, *pidfile = NULL;
	long fifo = 0, cpu = -1, duration = 60, sleep_ms = 10, cycles = 0, errs = 0, sigs = 0;
	int on_signal = 0, c, sig;
	struct timespec ts;
	sigset_t set;
	time_t end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'f': fifo = rt_num("swaploop", optarg, 1, 99); break;
		case 'c': cpu = rt_num("swaploop", optarg, 0, 1023); break;
		case 't': duration = rt_num("swaploop", optarg, 1, 86400); break;
		case 's': on_signal = 1; break;
		case 'm': sleep_ms = rt_num("swaploop", optarg, 0, 60000); break;
		case 'p': pidfile = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!dev || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (rt_pin_fifo("swaploop", cpu, fifo))
		return 1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "swaploop: cannot write %s\n", pidfile);
			return 1;
		}
	}
	end = time(NULL) + duration;
	while (!stop && time(NULL) < end) {
		if (on_signal) {
			ts.tv_sec = 1;
			ts.tv_nsec = 0;
			sig = sigtimedwait(&set, NULL, &ts);
			if (sig != SIGUSR1)
				continue;
			sigs++;
		} else if (sleep_ms) {
			ts.tv_sec = sleep_ms / 1000;
			ts.tv_nsec = (sleep_ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
		}
		if (swapoff(dev)) {
			errs++;
			fprintf(stderr, "swaploop: swapoff %s: %s\n", dev, strerror(errno));
		}
		if (swapon(dev, 0)) {
			errs++;
			fprintf(stderr, "swaploop: swapon %s: %s\n", dev, strerror(errno));
			break;
		}
		cycles++;
	}
	ktap_plan(1);
	ktap_result(!errs, "swaploop: %ld swapoff/swapon cycles, %ld signals, %ld errors", cycles, sigs, errs);
	return errs ? KSFT_FAIL : KSFT_PASS;
}
