// SPDX-License-Identifier: GPL-2.0
/*
 * ksmstress: failed forks of a parent that KSM knows, ksmd scanning flat out
 * (or, with --khugepaged, that khugepaged knows, khugepaged scanning).
 *
 * The parent (comm "ksmstress") maps -n filler VMAs, then an anon page at
 * KS_TARGET where every fork fails (module armed once, by address, step
 * vma_alloc), then -p identical pages at KS_MERGE with MADV_MERGEABLE: the
 * mm has MMF_VM_MERGEABLE, and a failed child's tree has no mergeable page
 * before the XA_ZERO_ENTRY that marks the failure. With --khugepaged the
 * pages after it are KS_THP_SIZE of untouched MADV_HUGEPAGE memory at
 * KS_THP instead: the mm has MMF_VM_HUGEPAGE, khugepaged_fork() registers
 * the child, and khugepaged_scan_mm_slot() walks the child's tree from
 * address 0 into the marker (the vma->vm_flags of XA_ZERO_ENTRY). It forks back to back;
 * per fork, the helper (hold.c, SCHED_FIFO on the same CPU) waits for the
 * parent's mmap lock inside the fork and then holds the CPU, so the forker
 * sits between dup_mmap()'s unlock and its mmput() of the failed child.
 *
 * Without 985da552a98e (the control's fdm_control=ksm) dup_mmap() calls
 * ksm_fork() before the copy: the failed child is in ksmd's list, right
 * behind the scan cursor, and ksmd, once past the parent, walks the child's
 * tree into the XA_ZERO_ENTRY (scan_get_next_rmap_item()); the same fix moved
 * khugepaged_fork(). Fixed kernels register only a child whose copy
 * succeeded. Exit: 0 clean, 1 an unexpected
 * error, 2 usage, 4 skip.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ksmstress.h"

/* A fork and the helper's hold take seconds on a KASAN kernel under TCG. */
#define KS_FORK_LIMIT_S 60

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
	disarm();	/* open/write/close only: async-signal-safe */
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: ksmstress [-t SECONDS] [-n VMAS] [-p PAGES] [--cpu C] [--prio P]\n"
"                 [--spin-ms MS] [--delay-us US] [--no-hold] [--kmsg]\n"
"                 [--khugepaged]\n"
"  Fork back to back, every fork failed by fail_dup_mmap at an anon page that\n"
"  comes after -n filler VMAs and before -p identical MADV_MERGEABLE pages,\n"
"  while ksmd scans (the caller sets /sys/kernel/mm/ksm). A SCHED_FIFO helper\n"
"  on the forker's CPU waits for the parent's mmap lock during each fork and\n"
"  then holds the CPU, keeping the failed child alive for ksmd. Arms the\n"
"  module itself (pid filter, addr, step vma_alloc) and disarms it on exit,\n"
"  SIGINT and SIGTERM.\n"
"  -t SECONDS    duration (default 60)\n"
"  -n VMAS       filler VMAs before the failing one (default 100)\n"
"  -p PAGES      identical mergeable pages after it (default 4)\n"
"  --cpu C       CPU for the parent and the helper (default 0)\n"
"  --prio P      the helper's SCHED_FIFO priority (default 50)\n"
"  --spin-ms MS  how long the helper holds the CPU (default 100)\n"
"  --delay-us US the helper's sleep before its read (default: a tenth of the\n"
"                fastest of three failed forks without it)\n"
"  --no-hold     no helper: failed forks and ksmd only\n"
"  --khugepaged  4 MiB of MADV_HUGEPAGE memory after the failing page instead\n"
"                of the mergeable pages, for khugepaged (the caller sets\n"
"                /sys/kernel/mm/transparent_hugepage/khugepaged); an error\n"
"                unless smaps shows that VMA THPeligible; not with -p\n"
"  --kmsg        log the first 20 forks and every 100th to /dev/kmsg\n"
"prints: ksmstress: N failed forks, H held, E errors\n"
"exit: 0 only ENOMEM and no error, 1 otherwise, 2 usage, 4 skip\n");
}

/* The failing page; 0 or -1. */
static int map_target(void)
{
	unsigned char *t;

	t = mmap((void *)KS_TARGET, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (t != (void *)KS_TARGET)
		return -1;
	t[0] = 1;
	return 0;
}

/* After the failing page, -p identical pages KSM may merge; 0 or -1. */
static int map_mergeable(long pages)
{
	unsigned char *m;
	long i;

	m = mmap((void *)KS_MERGE, pages * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != (void *)KS_MERGE)
		return -1;
	for (i = 0; i < pages; i++)
		memset(m + i * PAGE, 0x5a, PAGE);
	return madvise(m, pages * PAGE, MADV_MERGEABLE);
}

/*
 * After the failing page, PMD-aligned MADV_HUGEPAGE memory, never touched:
 * khugepaged_enter_vma() sets MMF_VM_HUGEPAGE, and khugepaged finds nothing
 * to collapse in the parent, so it moves on to the next mm quickly.
 */
static int map_hugepage(void)
{
	void *h;

	h = mmap((void *)KS_THP, KS_THP_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (h != (void *)KS_THP)
		return -1;
	return madvise(h, KS_THP_SIZE, MADV_HUGEPAGE);
}

/*
 * Would khugepaged take this parent? MADV_HUGEPAGE succeeds even where PMD
 * THPs are off (e.g. hugepages-2048kB/enabled=never on 6.8+); smaps says.
 * 1 eligible, 0 not, -1 no THPeligible line.
 */
static int hugepage_eligible(void)
{
	char line[256];
	unsigned long start;
	int in = 0, r = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-", &start) == 1 && strchr(line, '-') &&
		    strchr(line, ' ') > strchr(line, '-'))
			in = start == KS_THP;
		else if (in && !strncmp(line, "THPeligible:", 12)) {
			r = atoi(line + 12) == 1;
			break;
		}
	}
	fclose(f);
	return r;
}

struct counts {
	long failed, ok, other, held, errors;
	unsigned long long wait_us;
};

/* One fork, which must fail with ENOMEM; its time in ns, 0 if it did not. */
static unsigned long long fork_once_timed(struct counts *c)
{
	unsigned long long t = now_ns();
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		c->ok++;
		waitpid(pid, &status, 0);
		if (!stop)	/* else disarmed by the signal handler */
			fprintf(stderr, "ksmstress: a fork succeeded (module not armed?)\n");
		return 0;
	}
	if (errno != ENOMEM) {
		c->other++;
		fprintf(stderr, "ksmstress: fork: %s (want ENOMEM)\n", strerror(errno));
		return 0;
	}
	c->failed++;
	t = now_ns() - t;
	return t ? t : 1;
}

/* The helper's answer for one fork; -1 if it is gone or stuck. */
static int hold_result(int res_fd, struct counts *c)
{
	struct pollfd pfd = { .fd = res_fd, .events = POLLIN };
	struct ks_res r;
	int n;

	/* Not restarted after a signal (SA_RESTART does not cover poll). */
	do
		n = poll(&pfd, 1, KS_FORK_LIMIT_S * 1000);
	while (n < 0 && errno == EINTR);
	if (n != 1 || read(res_fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
		fprintf(stderr, "ksmstress: the helper did not answer in %d s\n", KS_FORK_LIMIT_S);
		return -1;
	}
	c->held += r.held;
	c->wait_us += r.wait_us;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", 1, 0, 'c' }, { "prio", 1, 0, 'P' }, { "spin-ms", 1, 0, 's' },
		{ "delay-us", 1, 0, 'd' }, { "no-hold", 0, 0, 'N' }, { "kmsg", 0, 0, 'k' },
		{ "khugepaged", 0, 0, 'K' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	long secs = 60, nvmas = 100, pages = 4, cpu = 0, prio = 50, spin_ms = 100;
	long delay_us = -1, hold = 1, kmsg = 0, thp = 0, pages_set = 0;
	unsigned long after;
	struct counts c = { 0 };
	int cmd[2] = { -1, -1 }, res[2] = { -1, -1 }, idx, midx, o, status, rc, i;
	unsigned long long end, t, fastest = 0;
	pid_t me = getpid(), helper = -1;

	while ((o = getopt_long(argc, argv, "t:n:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			secs = opt_num("ksmstress", "-t", optarg, 1, 86400);
			break;
		case 'n':
			nvmas = opt_num("ksmstress", "-n", optarg, 0, MAX_VMAS);
			break;
		case 'p':
			pages = opt_num("ksmstress", "-p", optarg, 1, 65536);
			pages_set = 1;
			break;
		case 'c':
			cpu = opt_num("ksmstress", "--cpu", optarg, 0, 1023);
			break;
		case 'P':
			prio = opt_num("ksmstress", "--prio", optarg, 1, 99);
			break;
		case 's':
			spin_ms = opt_num("ksmstress", "--spin-ms", optarg, 0, 10000);
			break;
		case 'd':
			delay_us = opt_num("ksmstress", "--delay-us", optarg, 0, 10000000);
			break;
		case 'N':
			hold = 0;
			break;
		case 'k':
			kmsg = 1;
			break;
		case 'K':
			thp = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (thp && pages_set) {
		fprintf(stderr, "ksmstress: -p is for the mergeable pages, not --khugepaged\n");
		return 2;
	}
	if (geteuid())
		ktap_skip_all("must be root");
	if (access(FDM_DIR "/addr", W_OK))
		ktap_skip_all("fail_dup_mmap is not loaded (no " FDM_DIR "/addr)");
	if (!thp && access("/sys/kernel/mm/ksm/run", R_OK))
		ktap_skip_all("no /sys/kernel/mm/ksm (CONFIG_KSM)");
	if (thp && access(KS_KHUGEPAGED, R_OK))
		ktap_skip_all("no " KS_KHUGEPAGED " (CONFIG_TRANSPARENT_HUGEPAGE)");
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (pin_cpu(cpu)) {
		fprintf(stderr, "ksmstress: sched_setaffinity(%ld): %s\n", cpu, strerror(errno));
		return 1;
	}
	/*
	 * The helper before anything mergeable or MADV_HUGEPAGE: it stays out
	 * of ksmd's and khugepaged's lists.
	 */
	if (hold) {
		if (pipe(cmd) || pipe(res))
			return 1;
		helper = fork();
		if (helper < 0)
			return 1;
		if (!helper) {
			close(cmd[1]);
			close(res[0]);
			_exit(hold_main(cmd[0], res[1], me, (int)cpu, (int)prio));
		}
		close(cmd[0]);
		close(res[1]);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	atexit(disarm);

	after = thp ? KS_THP : KS_MERGE;
	if (build_vmas((int)nvmas, 0, -1, -1) || map_target() ||
	    (thp ? map_hugepage() : map_mergeable(pages))) {
		fprintf(stderr, "ksmstress: building %ld VMAs and the layout: %s\n", nvmas,
			strerror(errno));
		c.errors++;
		goto out;
	}
	idx = read_maps() > 0 ? maps_index_of(KS_TARGET) : -1;
	if (thp && hugepage_eligible() != 1) {
		fprintf(stderr, "ksmstress: the MADV_HUGEPAGE VMA at 0x%lx is not THPeligible in /proc/self/smaps: khugepaged would not scan this parent (PMD THPs off?)\n",
			KS_THP);
		c.errors++;
		goto out;
	}
	midx = maps_index_of(after);
	if (idx < 0 || midx <= idx) {
		fprintf(stderr, "ksmstress: the failing page (VMA #%d) must come before the %s one (#%d)\n",
			idx, thp ? "MADV_HUGEPAGE" : "mergeable", midx);
		c.errors++;
		goto out;
	}
	by_addr = 1;
	rc = arm("vma_alloc", idx);
	if (rc) {
		fprintf(stderr, "ksmstress: arming at VMA #%d: %s\n", idx, strerror(-rc));
		c.errors++;
		goto out;
	}
	printf("# ksmstress: pid %d, %ld filler VMAs, failing VMA #%d at 0x%lx, %ld %s VMA #%d, CPU %ld, %s\n",
	       (int)me, nvmas, idx, KS_TARGET, thp ? 4 : pages,
	       thp ? "MiB MADV_HUGEPAGE (THPeligible)" : "mergeable pages", midx, cpu,
	       hold ? "SCHED_FIFO helper" : "no helper");
	/* Three forks alone: the fastest sets the helper's delay. */
	for (i = 0; i < 3 && !stop; i++) {
		t = fork_once_timed(&c);
		if (!t) {
			c.errors++;
			goto out;
		}
		if (!fastest || t < fastest)
			fastest = t;
	}
	if (delay_us < 0)
		delay_us = (long)(fastest / 1000 / 10);
	printf("# ksmstress: fastest failed fork %llu us, helper delay %ld us, spin %ld ms\n",
	       fastest / 1000, delay_us, spin_ms);
	end = now_ns() + secs * 1000000000ULL;
	while (!stop && now_ns() < end) {
		struct ks_cmd cm = { .delay_us = (unsigned int)delay_us,
				     .spin_ms = (unsigned int)spin_ms };

		if (kmsg && (c.failed < 20 || !(c.failed % 100)))
			log_kmsg("ksmstress: fork %ld, %ld held so far\n", c.failed, c.held);
		if (hold && write(cmd[1], &cm, sizeof(cm)) != (ssize_t)sizeof(cm)) {
			fprintf(stderr, "ksmstress: the helper is gone\n");
			c.errors++;
			break;
		}
		if (!fork_once_timed(&c) && !stop)
			c.errors++;
		if (hold && hold_result(res[0], &c)) {
			c.errors++;
			break;
		}
		if (c.errors)
			break;
	}
out:
	disarm();
	if (hold) {
		close(cmd[1]);	/* EOF: the helper exits */
		close(res[0]);
		if (waitpid(helper, &status, 0) != helper || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "ksmstress: the helper failed\n");
			c.errors++;
		}
	}
	if (c.failed > 3 && hold)
		printf("# ksmstress: the helper's read waited %llu us on average\n",
		       c.wait_us / (c.failed - 3));
	if (c.ok || c.other)
		printf("# ksmstress: %ld forks succeeded, %ld failed with another errno\n", c.ok, c.other);
	printf("ksmstress: %ld failed forks, %ld held, %ld errors\n", c.failed, c.held, c.errors);
	return c.errors ? 1 : 0;
}
