// SPDX-License-Identifier: GPL-2.0
/*
 * vforkhold: P processes, each named NAME, each blocked in vfork() for S
 * seconds: P kernel_clone() calls in flight at once, each holding a
 * kretprobe instance if a kretprobe is on kernel_clone(). vfork() shares the
 * mm, so none of them runs dup_mmap().
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

/* Read by the vfork children: not locals, which vfork() may clobber. */
static long secs = 10;
static const char *release = "/nonexistent/none";

static void usage(FILE *f)
{
	fprintf(f, "usage: vforkhold [-p PROCS] [-t SECONDS] [-c NAME]\n"
		   "  PROCS processes (default 70) named NAME (default forker) each\n"
		   "  wait in vfork() for SECONDS (default 10), or until FILE exists (-r\n"
		   "  FILE); prints one line when all are parked, exits 0 when all came back.\n");
}

int main(int argc, char **argv)
{
	long procs = 70, i, bad = 0;
	const char *name = "forker";
	int c, st, pfd[2];
	char b;

	while ((c = getopt(argc, argv, "p:t:c:r:h")) != -1) {
		switch (c) {
		case 'p': procs = atol(optarg); break;
		case 't': secs = atol(optarg); break;
		case 'c': name = optarg; break;
		case 'r': release = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (procs < 1 || secs < 1 || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pipe(pfd))
		return 1;
	for (i = 0; i < procs; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("vforkhold: fork");
			return 1;
		}
		if (!p) {
			struct timespec ts = { .tv_nsec = 100000000 };
			long t;

			prctl(PR_SET_NAME, name);
			if (write(pfd[1], "x", 1) != 1)
				_exit(1);
			p = vfork();
			if (!p) {
				/* Only raw syscalls in a vfork child. */
				for (t = 0; t < secs * 10; t++) {
					if (!syscall(SYS_access, release, F_OK))
						break;
					syscall(SYS_nanosleep, &ts, NULL);
				}
				syscall(SYS_exit, 0);
			}
			_exit(p < 0 ? 1 : 0);
		}
	}
	for (i = 0; i < procs; i++)
		if (read(pfd[0], &b, 1) != 1)
			return 1;
	usleep(200000);
	printf("# vforkhold: %ld processes named %s in vfork() for %ld s\n", procs, name, secs);
	fflush(stdout);
	for (i = 0; i < procs; i++)
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	return bad ? 1 : 0;
}
