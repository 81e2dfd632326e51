// SPDX-License-Identifier: GPL-2.0
/*
 * uffdstress: forks that fail after the userfaultfd step, with a monitor
 * that asked for UFFD_EVENT_FORK. A fixed kernel (f64e67e5d3a4 "fork: do
 * not invoke uffd on fork if error occurs") sends no fork event for a child
 * whose copy failed; before the fix the monitor gets one, with a
 * userfaultfd for the dead child's mm, which it closes at once.
 *
 * Layout: a page registered with userfaultfd (MISSING mode), then, right
 * after it, a read-only page where every fork fails (vma_alloc, armed by
 * address): the registered VMA is copied, and dup_userfaultfd() queued its
 * event, before the failure.
 */
#include <getopt.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../lib/fdm.h"

static int uffd;
static volatile int stop;
static long events, bad_reads;

static void usage(FILE *f)
{
	fprintf(f,
"usage: uffdstress [-t SECONDS]\n"
"  Forks for SECONDS (default 60) with every fork failing at the VMA after a\n"
"  userfaultfd-registered one, a monitor thread reading the uffd's events.\n"
"  Prints the failed forks and the UFFD_EVENT_FORK events; any fork event\n"
"  for a failed fork is the bug of f64e67e5d3a4 (exit 1).\n"
"  Needs fail_dup_mmap loaded; arms it for this process and disarms on exit.\n");
}

/* Read events until told to stop; a fork event's new uffd is closed at once. */
static void *monitor(void *arg)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	(void)arg;
	while (!stop) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
			if (errno != EAGAIN)
				bad_reads++;
			continue;
		}
		if (msg.event == UFFD_EVENT_FORK) {
			__atomic_add_fetch(&events, 1, __ATOMIC_RELAXED);
			close((int)msg.arg.fork.ufd);
		}
	}
	return NULL;
}

static int setup_uffd(void *area)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_EVENT_FORK };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)area, .len = PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		printf("# userfaultfd: %s\n", strerror(errno));
		return -1;
	}
	if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("# UFFDIO_API/REGISTER: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long secs = 60, forks = 0, failed = 0, other = 0;
	char *area, *target;
	pthread_t mon;
	int c, idx;

	while ((c = getopt(argc, argv, "t:h")) != -1) {
		switch (c) {
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout);
			return KSFT_PASS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || secs <= 0) {
		usage(stderr);
		return 2;
	}
	if (access(FDM_DIR "/addr", W_OK)) {
		printf("uffdstress: fail_dup_mmap not loaded (no %s)\n", FDM_DIR);
		return KSFT_SKIP;
	}
	/* Two pages; the second becomes read-only: two VMAs, no merge. */
	area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || mprotect(area + PAGE, PAGE, PROT_READ))
		return KSFT_FAIL;
	target = area + PAGE;
	if (setup_uffd(area))
		return KSFT_FAIL;
	if (pthread_create(&mon, NULL, monitor, NULL))
		return KSFT_FAIL;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(disarm);
	read_maps();
	idx = maps_index_of((uintptr_t)target);
	by_addr = 1;
	if (idx < 0 || arm("vma_alloc", idx)) {
		printf("uffdstress: cannot arm at %p (VMA #%d)\n", (void *)target, idx);
		return KSFT_FAIL;
	}
	forks = fail_forks_for(secs, &failed, &other);
	disarm();
	stop = 1;
	pthread_join(mon, NULL);
	printf("uffdstress: %ld forks, %ld failed with ENOMEM, %ld other outcomes, %ld UFFD_EVENT_FORK events, %ld bad reads\n",
	       forks, failed, other, events, bad_reads);
	printf("@@FDM-STRESS-ACTIVITY failed_forks=%ld fork_events=%ld\n", failed, events);
	if (events) {
		printf("uffdstress: BUG: UFFD_EVENT_FORK for %ld forks that failed (f64e67e5d3a4 missing)\n",
		       events);
		return KSFT_FAIL;
	}
	return other || bad_reads ? KSFT_FAIL : KSFT_PASS;
}
