// SPDX-License-Identifier: GPL-2.0
/*
 * upstress: failed forks racing uprobe registration on a fresh file mapping.
 *
 * Per cycle the parent (comm "upstress") maps a new tmpfs file of nop code
 * PROT_READ|PROT_EXEC at UP_ADDR, after -n filler VMAs, and an anon page
 * right after it; the module (armed once, by address, step vma_alloc) fails
 * every fork at that anon page, so the child's copy of the file VMA ends at
 * the failure point. The parent forks back to back while the helper
 * (reg.c, SCHED_FIFO on the same CPU) registers a uprobe on the file at
 * offset 0 through tracefs, its enable write a tenth of a fork after the
 * parent's first fork started: percpu_down_write(&dup_mmap_sem) then waits
 * for that fork, inside dup_mmap(). Once the enable returned the parent
 * stops forking, waits for the helper to remove the event, unmaps both,
 * removes the file and starts again: the probed VMA of each cycle never had
 * an anon_vma.
 *
 * On a kernel without 64c37e134b12 and 8ac662f5da19 the registration reaches
 * the failed child and oopses in find_mergeable_anon_vma(); fixed kernels
 * skip the child. Exit: 0 clean, 1 an unexpected error, 2 usage, 4 skip.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "upstress.h"

/* A cycle's registration (one fork or two, a few tracefs writes) takes longer only if stuck. */
#define UP_CYCLE_LIMIT_S 60

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
"usage: upstress [-t SECONDS] [-n VMAS] [--cpu C] [--prio P] [--delay-us US] [--kmsg]\n"
"  Fork back to back, every fork failed by fail_dup_mmap at an anon page\n"
"  placed right after a fresh PROT_EXEC tmpfs file mapping, while a SCHED_FIFO\n"
"  helper on the same CPU registers a uprobe on that file (tracefs); a new\n"
"  file and mapping every cycle. Arms the module itself (pid filter, addr,\n"
"  step vma_alloc) and disarms it on exit, SIGINT and SIGTERM.\n"
"  -t SECONDS    duration (default 60)\n"
"  -n VMAS       filler VMAs before the probed one (default 500)\n"
"  --cpu C       CPU for the parent and the helper (default 0)\n"
"  --prio P      the helper's SCHED_FIFO priority (default 50)\n"
"  --kmsg       log the first 20 cycles and every 100th to /dev/kmsg\n"
"  --delay-us US the helper sleeps US between creating and enabling the\n"
"                event, the parent forking (default: a tenth of the mean\n"
"                failed fork so far; one fork alone before the first cycle)\n"
"prints: upstress: N cycles, M failed forks, E errors\n"
"exit: 0 only ENOMEM and no tracefs error, 1 otherwise, 2 usage, 4 skip\n");
}

/* The cycle's file: a few nop bytes in the page cache (tmpfs). */
static int make_file(const char *path)
{
	unsigned char code[64];
	int fd;

	memset(code, 0x90, sizeof(code));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0755);
	if (fd < 0)
		return -1;
	if (write(fd, code, sizeof(code)) != (ssize_t)sizeof(code)) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* Map the file at UP_ADDR and the anon page after it; 0 or -1. */
static int map_pair(int fd)
{
	void *f, *a;

	f = mmap((void *)UP_ADDR, PAGE, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_FIXED_NOREPLACE, fd, 0);
	if (f != (void *)UP_ADDR)
		return -1;
	a = mmap((void *)(UP_ADDR + PAGE), PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (a != (void *)(UP_ADDR + PAGE)) {
		munmap(f, PAGE);
		return -1;
	}
	/* Read it: the page stays cached, no anon_vma (a read fault). */
	(void)*(volatile unsigned char *)f;
	return 0;
}

/* The two must be neighbours in the tree, the file VMA first. */
static int check_layout(int *anon_idx)
{
	int fi, ai;

	if (read_maps() <= 0)
		return -1;
	fi = maps_index_of(UP_ADDR);
	ai = maps_index_of(UP_ADDR + PAGE);
	if (fi < 0 || ai != fi + 1 || maps[fi].end != UP_ADDR + PAGE)
		return -1;
	*anon_idx = ai;
	return 0;
}

struct counts {
	long cycles, failed, ok, other, errors;
	unsigned long long fork_ns, forks;
};

/* One fork, which must fail with ENOMEM; timed. 0, or -1 if it did not. */
static int fork_once_timed(struct counts *c)
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
		if (stop)	/* disarmed by the signal handler */
			return 0;
		fprintf(stderr, "upstress: a fork succeeded (module not armed?)\n");
		return -1;
	}
	if (errno != ENOMEM) {
		c->other++;
		fprintf(stderr, "upstress: fork: %s (want ENOMEM)\n", strerror(errno));
		return -1;
	}
	c->failed++;
	c->forks++;
	c->fork_ns += now_ns() - t;
	return 0;
}

/*
 * Fork until the helper's enable write returned, then wait for the end of
 * its cycle (result pipe). Counts; -1 on an unexpected fork result.
 */
static int fork_until_registered(struct up_shared *sh, int res_fd, struct counts *c)
{
	struct pollfd pfd = { .fd = res_fd, .events = POLLIN };
	unsigned long long t0 = now_ns();
	char b;

	while (!__atomic_load_n(&sh->registered, __ATOMIC_ACQUIRE)) {
		if (fork_once_timed(c))
			return -1;
		if (now_ns() - t0 > UP_CYCLE_LIMIT_S * 1000000000ULL)
			break;
	}
	if (poll(&pfd, 1, UP_CYCLE_LIMIT_S * 1000) != 1 || read(res_fd, &b, 1) != 1) {
		fprintf(stderr, "upstress: the helper did not finish a cycle in %d s\n",
			UP_CYCLE_LIMIT_S);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", 1, 0, 'c' }, { "prio", 1, 0, 'p' }, { "delay-us", 1, 0, 'd' },
		{ "kmsg", 0, 0, 'k' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	long secs = 60, nvmas = 500, cpu = 0, prio = 50, delay_us = -1, kmsg = 0;
	struct counts c = { 0 };
	struct up_shared *sh;
	int cmd[2], res[2], idx = -1, armed = 0, o, status, rc;
	unsigned long long end;
	char path[128];
	pid_t me = getpid(), helper;

	while ((o = getopt_long(argc, argv, "t:n:h", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			secs = opt_num("upstress", "-t", optarg, 1, 86400);
			break;
		case 'n':
			nvmas = opt_num("upstress", "-n", optarg, 0, MAX_VMAS);
			break;
		case 'c':
			cpu = opt_num("upstress", "--cpu", optarg, 0, 1023);
			break;
		case 'p':
			prio = opt_num("upstress", "--prio", optarg, 1, 99);
			break;
		case 'd':
			delay_us = opt_num("upstress", "--delay-us", optarg, 0, 10000000);
			break;
		case 'k':
			kmsg = 1;
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
	if (geteuid())
		ktap_skip_all("must be root");
	if (access(FDM_DIR "/addr", W_OK))
		ktap_skip_all("fail_dup_mmap is not loaded (no " FDM_DIR "/addr)");
	if (up_find_tracefs())
		ktap_skip_all("no uprobe_events in tracefs (CONFIG_UPROBE_EVENTS)");
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (pin_cpu(cpu)) {
		fprintf(stderr, "upstress: sched_setaffinity(%ld): %s\n", cpu, strerror(errno));
		return 1;
	}
	/* Shared page and helper before the fillers: nothing armed yet. */
	sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || pipe(cmd) || pipe(res))
		return 1;
	helper = fork();
	if (helper < 0)
		return 1;
	if (!helper) {
		close(cmd[1]);
		close(res[0]);
		_exit(reg_main(cmd[0], res[1], sh, me, (int)cpu, (int)prio));
	}
	close(cmd[0]);
	close(res[1]);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	atexit(disarm);

	if (build_vmas((int)nvmas, 0, -1, -1)) {
		fprintf(stderr, "upstress: building %ld VMAs: %s\n", nvmas, strerror(errno));
		c.errors++;
		stop = 1;
	}
	end = now_ns() + secs * 1000000000ULL;
	while (!stop && now_ns() < end) {
		struct up_cmd cm = { .cycle = (unsigned int)c.cycles };
		int fd;

		up_path(path, sizeof(path), me, cm.cycle);
		fd = make_file(path);
		if (fd < 0 || map_pair(fd)) {
			fprintf(stderr, "upstress: %s: file or mapping: %s\n", path, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(path);
			}
			c.errors++;
			break;
		}
		close(fd);
		if (idx < 0 && check_layout(&idx)) {
			fprintf(stderr, "upstress: the file VMA at 0x%lx and the anon page after it are not neighbours\n",
				UP_ADDR);
			c.errors++;
		} else if (!armed) {
			by_addr = 1;
			rc = arm("vma_alloc", idx);
			if (rc) {
				fprintf(stderr, "upstress: arming at VMA #%d: %s\n", idx, strerror(-rc));
				c.errors++;
			} else {
				armed = 1;
				printf("# upstress: pid %d, %ld filler VMAs, file VMA #%d at 0x%lx, failing VMA #%d, CPU %ld\n",
				       (int)me, nvmas, idx - 1, UP_ADDR, idx, cpu);
				/* One fork alone: its time sets the first delay. */
				if (fork_once_timed(&c))
					c.errors++;
			}
		}
		if (c.errors) {
			munmap((void *)UP_ADDR, 2 * PAGE);
			unlink(path);
			break;
		}
		if (kmsg && (c.cycles < 20 || !(c.cycles % 100)))
			log_kmsg("upstress: cycle %ld, %ld failed forks so far\n", c.cycles, c.failed);
		/* Let the first fork get into dup_mmap() before the enable. */
		if (delay_us >= 0)
			cm.delay_us = delay_us;
		else if (c.forks)
			cm.delay_us = c.fork_ns / c.forks / 1000 / 10;
		else
			cm.delay_us = 1000;
		__atomic_store_n(&sh->registered, 0, __ATOMIC_RELEASE);
		if (write(cmd[1], &cm, sizeof(cm)) != (ssize_t)sizeof(cm)) {
			fprintf(stderr, "upstress: the helper is gone\n");
			c.errors++;
		} else if (fork_until_registered(sh, res[0], &c)) {
			c.errors++;
		} else if (sh->err) {
			fprintf(stderr, "upstress: cycle %ld: tracefs %s on %s: %s\n", c.cycles,
				up_stage_name(sh->stage), path, strerror(sh->err));
			c.errors++;
		}
		munmap((void *)UP_ADDR, 2 * PAGE);
		unlink(path);
		c.cycles++;
		if (c.errors)
			break;
	}
	disarm();
	close(cmd[1]);		/* EOF: the helper removes its event and exits */
	close(res[0]);
	if (waitpid(helper, &status, 0) != helper || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "upstress: the helper failed\n");
		c.errors++;
	}
	if (c.forks)
		printf("# upstress: %.1f failed forks per cycle, %llu us per failed fork\n",
		       (double)c.failed / (c.cycles ? c.cycles : 1), c.fork_ns / c.forks / 1000);
	if (c.ok || c.other)
		printf("# upstress: %ld forks succeeded, %ld failed with another errno\n", c.ok, c.other);
	printf("upstress: %ld cycles, %ld failed forks, %ld errors\n", c.cycles, c.failed, c.errors);
	return c.errors ? 1 : 0;
}
