// SPDX-License-Identifier: GPL-2.0
/*
 * forker: a VMA-rich parent that arms fail_dup_mmap for itself, forks, and
 * checks what happened (errno, stats, last, the child's view of memory).
 * KTAP output; exit 0 pass, 1 fail, 4 skip.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

#define PAGE 4096UL
#define LOW_BASE 0x100000UL	/* below a static binary's 0x400000 */
#define LOW_END 0x3f0000UL
#define HIGH_BASE 0x40000000UL
#define MAX_VMAS 60000
#define MAX_MAPS 70000

enum kind { K_ANON, K_SHARED, K_FILE_PRIV, K_FILE_SHARED };
static const char *kind_name[] = { "anon", "shared", "file-private", "file-shared" };

struct own { uintptr_t addr; enum kind kind; int dontfork, wipeonfork; };
struct mapent {
	uintptr_t start, end;
	char perms[5];
	char name[64];
	int account;	/* VmFlags "ac" in smaps; -1 unknown */
};

static struct own own[MAX_VMAS];
static int nown;
static struct mapent maps[MAX_MAPS];
static int nmaps;
static char mapbuf[8 << 20];
static int armed_by_us;
static int by_addr;	/* arm through the addr knob instead of index */
static int quick_child;	/* children exit at once (benchmarks) */
static int audit;	/* also check the audit of the failed child */

static void usage(FILE *f)
{
	fprintf(f,
"usage: forker [options]\n"
"  --vmas N        VMAs to create (default 32), one page each, unmergeable\n"
"  --mix           cycle anon, shared anon, file-backed private and shared VMAs\n"
"  --dontfork K    MADV_DONTFORK on own VMA K\n"
"  --wipeonfork K  MADV_WIPEONFORK on own VMA K\n"
"  --index I       target: a number (position in /proc/self/maps) or first,\n"
"                  second, middle, last, past, dontfork, wipeonfork\n"
"  --step S        step to fail (default vma_alloc)\n"
"  --forks N       forks to attempt (default 1)\n"
"  --expect E      auto (default: from the step and the target VMA), fail or ok;\n"
"                  with --step kill a victim process forks and must die\n"
"  --by-addr       arm through the addr knob (an address inside the target)\n"
"  --audit         check the module's audit of the failed child's tree against\n"
"                  what this kernel line does (docs/audit.md)\n"
"  --no-arm        do not touch the module; just fork and check children\n"
"  --loop SECS     fork for SECS seconds (or until SIGUSR1), accepting ENOMEM\n"
"  --sweep         every available step but kill at every index (and one past):\n"
"                  a fork must fail exactly where the step applies\n"
"  --duration S    stress: fork in a loop for S seconds (arm the module\n"
"                  yourself, e.g. comm forker); with --procs P parents,\n"
"                  --cpu C pinned, --swap paging out (MADV_PAGEOUT) the\n"
"                  VMAs before --index before each fork\n"
"  --bench N       time N fork()+wait (median, p10, p90 in us); no checks\n"
"  --rate S        forks per second over S seconds, failed or not\n"
"  --uprobe-offset print the file offset of fork_once() for uprobe_events\n"
"  --fails LO-HI   expect LO to HI of the forks to fail, the rest to succeed\n"
"                  (times, interval, probability tests)\n"
"exit: 0 all passed, 1 a check failed, 4 skipped (not root, no module)\n");
}

static uintptr_t own_addr(int i)
{
	uintptr_t low_slots = (LOW_END - LOW_BASE) / (2 * PAGE);

	if ((uintptr_t)i < low_slots)
		return LOW_BASE + 2 * PAGE * i;
	return HIGH_BASE + 2 * PAGE * (i - low_slots);
}

static unsigned char pattern(int vma, size_t off)
{
	return (unsigned char)(vma * 31 + off * 7 + 1);
}

static int build_vmas(int n, int mix, int dontfork, int wipeonfork)
{
	int memfd = -1, i;

	if (mix) {
		memfd = memfd_create("forker", 0);
		if (memfd < 0 || ftruncate(memfd, (off_t)n * PAGE))
			return -1;
	}
	for (i = 0; i < n; i++) {
		enum kind k = mix ? (enum kind)(i % 4) : K_ANON;
		int flags = MAP_FIXED_NOREPLACE;
		int fd = -1;
		void *p;
		size_t o;

		flags |= (k == K_SHARED || k == K_FILE_SHARED) ? MAP_SHARED : MAP_PRIVATE;
		if (k == K_ANON || k == K_SHARED)
			flags |= MAP_ANONYMOUS;
		else
			fd = memfd;
		p = mmap((void *)own_addr(i), PAGE, PROT_READ | PROT_WRITE, flags, fd,
			 fd < 0 ? 0 : (off_t)i * PAGE);
		if (p == MAP_FAILED)
			return -1;
		for (o = 0; o < PAGE; o++)
			((unsigned char *)p)[o] = pattern(i, o);
		own[i].addr = (uintptr_t)p;
		own[i].kind = k;
		if (i == dontfork) {
			if (madvise(p, PAGE, MADV_DONTFORK))
				return -1;
			own[i].dontfork = 1;
		}
		if (i == wipeonfork) {
			if (madvise(p, PAGE, MADV_WIPEONFORK))
				return -1;
			own[i].wipeonfork = 1;
		}
	}
	nown = n;
	return 0;
}

/* Parse /proc/self/maps without malloc (so reading it changes nothing). */
static int read_maps(void)
{
	ssize_t r, got = 0;
	char *p;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return -1;
	while ((r = read(fd, mapbuf + got, sizeof(mapbuf) - 1 - got)) > 0)
		got += r;
	close(fd);
	mapbuf[got] = '\0';
	nmaps = 0;
	for (p = mapbuf; *p && nmaps < MAX_MAPS; ) {
		struct mapent *m = &maps[nmaps];
		char *nl = strchr(p, '\n');
		int off = 0;

		if (nl)
			*nl = '\0';
		m->name[0] = '\0';
		if (sscanf(p, "%lx-%lx %4s %*s %*s %*s %n", &m->start, &m->end,
			   m->perms, &off) >= 3) {
			if (off)
				snprintf(m->name, sizeof(m->name), "%s", p + off);
			/* The vsyscall gate page is listed but is not in the tree. */
			if (strcmp(m->name, "[vsyscall]"))
				nmaps++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return nmaps;
}

static int maps_index_of(uintptr_t addr)
{
	int i;

	for (i = 0; i < nmaps; i++)
		if (maps[i].start == addr)
			return i;
	return -1;
}

/* VM_ACCOUNT of each VMA, from the "ac" flag of /proc/self/smaps. */
static void read_account_flags(void)
{
	static char buf[16 << 20];
	ssize_t r, got = 0;
	char *p, *line;
	int fd = open("/proc/self/smaps", O_RDONLY), cur = -1, i;
	uintptr_t start;

	for (i = 0; i < nmaps; i++)
		maps[i].account = -1;
	if (fd < 0)
		return;
	while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += r;
	close(fd);
	buf[got] = '\0';
	for (line = buf; line && *line; line = p) {
		p = strchr(line, '\n');
		if (p)
			*p++ = '\0';
		if (sscanf(line, "%lx-", &start) == 1 && strchr(line, '-') &&
		    strchr(line, ' ') > strchr(line, '-')) {
			cur = maps_index_of(start);
		} else if (cur >= 0 && !strncmp(line, "VmFlags:", 8)) {
			maps[cur].account = strstr(line, " ac") != NULL;
		}
	}
}

static int own_of(uintptr_t start)
{
	int i;

	for (i = 0; i < nown; i++)
		if (own[i].addr == start)
			return i;
	return -1;
}

/* Would dup_mmap() call the step's function for VMA #idx? */
static int step_applies(const char *step, int idx)
{
	struct mapent *m;
	int o;

	if (idx < 0 || idx >= nmaps)
		return 0;
	m = &maps[idx];
	o = own_of(m->start);
	if (!strcmp(step, "mt_dup"))	/* whole tree, before any VMA */
		return 1;
	if (o >= 0 && own[o].dontfork)
		return 0;
	if (o >= 0 && own[o].wipeonfork &&
	    (!strcmp(step, "anon_vma") || !strcmp(step, "page_tables")))
		return 0;
	if (!strcmp(step, "account")) {
		if (o >= 0)
			return own[o].kind == K_ANON || own[o].kind == K_FILE_PRIV;
		if (m->account >= 0)
			return m->account;
		return m->perms[1] == 'w' && m->perms[3] == 'p';
	}
	return 1;
}

static int resolve_index(const char *spec)
{
	char *end;
	long v;
	int i;

	if (!strcmp(spec, "first"))
		return 0;
	if (!strcmp(spec, "second"))
		return 1;
	if (!strcmp(spec, "middle"))
		return nmaps / 2;
	if (!strcmp(spec, "last"))
		return nmaps - 1;
	if (!strcmp(spec, "past"))
		return nmaps;
	for (i = 0; i < nown; i++) {
		if ((!strcmp(spec, "dontfork") && own[i].dontfork) ||
		    (!strcmp(spec, "wipeonfork") && own[i].wipeonfork))
			return maps_index_of(own[i].addr);
	}
	errno = 0;
	v = strtol(spec, &end, 10);
	if (errno || *end || end == spec || v < 0)
		return -1;
	return (int)v;
}

/* File offset of fork_once() in this binary, for a uprobe on it. */
static int print_uprobe_offset(void);

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

static int fork_once(void);

static int print_uprobe_offset(void)
{
	uintptr_t a = (uintptr_t)fork_once, off;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		uintptr_t s, e;

		if (sscanf(line, "%lx-%lx %*s %lx", &s, &e, &off) == 3 && a >= s && a < e) {
			printf("0x%lx\n", a - s + off);
			return 0;
		}
	}
	return 1;
}

static int parent_check(void)
{
	int i;
	size_t o;

	for (i = 0; i < nown; i++)
		for (o = 0; o < PAGE; o++)
			if (((unsigned char *)own[i].addr)[o] != pattern(i, o))
				return 1;
	return 0;
}

static void disarm(void)
{
	if (armed_by_us)
		knob_write("index", "-1");
	armed_by_us = 0;
}

static void on_signal(int sig)
{
	disarm();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Arm for this process; retarget only when already armed for the same step. */
static int arm(const char *step, int idx)
{
	static char cur_step[32];
	char v[32];
	int err = 0;

	if (!armed_by_us || strcmp(cur_step, step)) {
		snprintf(v, sizeof(v), "%d", getpid());
		err = knob_write("index", "-1");
		if (!err)
			err = knob_write("step", step);
		if (!err)
			err = knob_write("pid", v);
		snprintf(cur_step, sizeof(cur_step), "%s", step);
	}
	if (by_addr && idx < nmaps)	/* an address inside the VMA, not its start */
		snprintf(v, sizeof(v), "0x%lx", maps[idx].start +
			 (maps[idx].end - maps[idx].start) / 2);
	else
		snprintf(v, sizeof(v), "%d", idx);
	if (!err)
		err = knob_write(by_addr ? "addr" : "index", v);
	if (!err)
		armed_by_us = 1;
	return err;
}

/* A step this kernel does not offer (steps: "NAME SYM unavailable WHY"): skip. */
static void skip_unavailable(const char *step)
{
	char line[256], name[64], sym[128], avail[32], why[128], msg[300];
	FILE *f = fopen(FDM_DIR "/steps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		why[0] = '\0';
		if (sscanf(line, "%63s %127s %31s %127s", name, sym, avail, why) < 3 ||
		    strcmp(name, step) || !strcmp(avail, "available"))
			continue;
		fclose(f);
		snprintf(msg, sizeof(msg), "step %s unavailable on this kernel: %s",
			 step, why[0] ? why : "?");
		ktap_skip_all(msg);
	}
	fclose(f);
}

/* Returns 0 ok (child verified), -errno on fork failure, 1 bad child. */
static int fork_once(void)
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

struct snap { long inj, failed, exit_mmap; };

static int take_snap(const char *step, struct snap *s)
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

static void check_last(const char *step, int idx, pid_t pid, int error)
{
	char buf[1024], got_step[32], vma[64], want_vma[64];

	knob_read("last", buf, sizeof(buf));
	knob_str(buf, "step", got_step, sizeof(got_step));
	knob_str(buf, "vma", vma, sizeof(vma));
	snprintf(want_vma, sizeof(want_vma), "%lx-%lx", maps[idx].start, maps[idx].end);
	ktap_result(knob_field(buf, "pid") == pid && knob_field(buf, "index") == idx &&
		    !strcmp(got_step, step) && !strcmp(vma, want_vma) &&
		    knob_field(buf, "error") == error,
		    "last names pid %d VMA #%d %s (%s) step %s error %d (got pid %ld index %ld vma %s step %s error %ld)",
		    pid, idx, want_vma, maps[idx].name[0] ? maps[idx].name : "anon",
		    step, error, knob_field(buf, "pid"), knob_field(buf, "index"),
		    vma, got_step, knob_field(buf, "error"));
}

#include <sys/utsname.h>

/* How the running kernel leaves a failed child's tree (docs/audit.md). */
enum recovery { R_INCREMENTAL, R_MARKER, R_TEARDOWN };

static enum recovery kernel_recovery(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	if (major == 6 && minor < 8)
		return R_INCREMENTAL;	/* dup_mmap() builds the tree VMA by VMA */
	if (major == 6 && minor <= 18)
		return R_MARKER;	/* v6.8 __mt_dup() + XA_ZERO_ENTRY */
	return R_TEARDOWN;		/* v7.0 "mm: change dup_mmap() recovery" */
}

/*
 * Check the audit of the child that failed at VMA #idx (of total), as the
 * table in docs/audit.md says, from the maps the parent had at fork time.
 */
static int check_audit_quiet(const char *step, int idx, int total, int quiet);

static void check_audit(const char *step, int idx, int total)
{
	check_audit_quiet(step, idx, total, 0);
}

/* Returns 1 if the audit matches; quiet: print only a mismatch, as a comment. */
static int check_audit_quiet(const char *step, int idx, int total, int quiet)
{
	char buf[1024], marker[64], want_marker[64] = "-";
	enum recovery r = kernel_recovery();
	int ok;
	int linked = idx, kill = !strcmp(step, "kill");
	long want_entries, want_fresh, want_stale = 0, want_markers = 0;

	if (!strcmp(step, "page_tables") || kill)
		linked = idx + 1;	/* the VMA is in the child's tree already */
	if (!strcmp(step, "mt_dup"))
		linked = 0;
	if (kill && r == R_TEARDOWN)
		linked = total;		/* measured: the copy completes first */
	if (linked > total)
		linked = total;
	if (r == R_TEARDOWN && !kill) {
		want_entries = want_fresh = 0;	/* torn down whatever the index */
	} else if (r == R_INCREMENTAL || linked == total) {
		want_entries = want_fresh = linked;
	} else if (r == R_MARKER) {
		want_fresh = linked;
		if (!strcmp(step, "mt_dup")) {
			want_entries = 0;
		} else {
			want_entries = total;
			want_markers = 1;
			want_stale = total - linked - 1;
			snprintf(want_marker, sizeof(want_marker), "%lx-%lx",
				 maps[linked].start, maps[linked].end);
		}
	} else {
		want_entries = want_fresh = 0;
	}
	knob_read("audit", buf, sizeof(buf));
	knob_str(buf, "marker", marker, sizeof(marker));
	ok = knob_field(buf, "entries") == want_entries &&
	     knob_field(buf, "fresh") == want_fresh &&
	     knob_field(buf, "stale") == want_stale &&
	     knob_field(buf, "markers") == want_markers &&
	     !strcmp(marker, want_marker) && knob_field(buf, "index") == idx;
	if (quiet && ok)
		return 1;
	if (quiet)
		printf("# %s at #%d: ", step, idx);
	(quiet ? ktap_comment : ktap_result)(ok, "audit (%s): entries %ld fresh %ld stale %ld markers %ld marker %s (want %ld %ld %ld %ld %s)",
		    r == R_INCREMENTAL ? "incremental tree" : r == R_MARKER ? "XA_ZERO marker" : "teardown",
		    knob_field(buf, "entries"), knob_field(buf, "fresh"),
		    knob_field(buf, "stale"), knob_field(buf, "markers"), marker,
		    want_entries, want_fresh, want_stale, want_markers, want_marker);
	return ok;
}

/*
 * The kill step: a victim process builds the VMAs, arms for itself and forks;
 * it must die of SIGKILL where the step applies, and survive elsewhere.
 */
static int run_kill(const char *spec, const char *step, int nvmas, int mix,
		    int dontfork, int wipeonfork)
{
	struct { int idx, applies, total; struct mapent m, next; } info = { -1, 0, 0, { 0 }, { 0 } };
	int pfd[2], status, killed;
	struct snap a, b;
	long want;
	pid_t v;

	ktap_plan(3 + audit);
	if (pipe(pfd) || take_snap(step, &a))
		return KSFT_FAIL;
	v = fork();
	if (v < 0)
		return KSFT_FAIL;
	if (!v) {
		close(pfd[0]);
		if (build_vmas(nvmas, mix, dontfork, wipeonfork))
			_exit(2);
		read_maps();
		read_account_flags();
		info.idx = resolve_index(spec);
		info.applies = step_applies(step, info.idx);
		info.total = nmaps;
		if (info.idx >= 0 && info.idx < nmaps)
			info.m = maps[info.idx];
		if (info.idx >= 0 && info.idx + 1 < nmaps)
			info.next = maps[info.idx + 1];
		if (write(pfd[1], &info, sizeof(info)) != sizeof(info))
			_exit(2);
		if (info.idx < 0 || arm(step, info.idx))
			_exit(3);
		fork_once();
		disarm();
		_exit(4);	/* survived: no injection */
	}
	close(pfd[1]);
	if (read(pfd[0], &info, sizeof(info)) != sizeof(info))
		info.idx = -1;
	waitpid(v, &status, 0);
	knob_write("index", "-1");
	take_snap(step, &b);
	killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	want = info.applies;
	printf("# victim %d: target #%d %s, expect %s\n", v, info.idx,
	       info.m.name[0] ? info.m.name : "anon", want ? "kill" : "survival");
	if (want)
		ktap_result(info.idx >= 0 && killed,
			    "victim forking at VMA #%d was killed by SIGKILL (status 0x%x)",
			    info.idx, status);
	else
		ktap_result(info.idx >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 4,
			    "victim forking at VMA #%d survived (status 0x%x)", info.idx, status);
	ktap_result(b.inj - a.inj == want && b.failed - a.failed == want &&
		    b.exit_mmap - a.exit_mmap == want,
		    "stats: injections %ld forks_failed %ld failed_exit_mmap %ld (want %ld each)",
		    b.inj - a.inj, b.failed - a.failed, b.exit_mmap - a.exit_mmap, want);
	if (want && info.idx >= 0) {
		maps[info.idx] = info.m;
		maps[info.idx + 1] = info.next;
		nmaps = info.idx + 1;
		check_last(step, info.idx, v, 0);
		if (audit)
			check_audit(step, info.idx, info.total);
	} else {
		ktap_result(b.inj == a.inj, "no injection at #%d", info.idx);
		if (audit)
			ktap_skip("audit: no failed child");
	}
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}

/*
 * Every available step but kill, at every index and one past the last: each
 * fork must fail exactly where the step applies. One result per step.
 */
/*
 * One line of the steps file at *p ("NAME SYMBOL available" or "NAME SYMBOL
 * unavailable REASON"); advances *p past it. False at the end.
 */
static int next_step(const char **p, char *name, char *sym, char *avail)
{
	const char *nl;

	while (**p) {
		nl = strchr(*p, '\n');
		if (sscanf(*p, "%31s %63s %31s", name, sym, avail) == 3) {
			*p = nl ? nl + 1 : *p + strlen(*p);
			return 1;
		}
		*p = nl ? nl + 1 : *p + strlen(*p);
	}
	return 0;
}

static int run_sweep(void)
{
	char steps[1024], name[32], sym[64], avail[32];
	struct timespec t0, t1;
	int nsteps = 0, i, off = 0;
	const char *p;

	if (knob_read("steps", steps, sizeof(steps)) < 0)
		return KSFT_FAIL;
	for (p = steps; next_step(&p, name, sym, avail);)
		nsteps += !strcmp(avail, "available") && strcmp(name, "kill");
	if (!nsteps) {
		printf("Bail out! no available step in %s/steps\n", FDM_DIR);
		return KSFT_FAIL;
	}
	read_maps();
	read_account_flags();
	ktap_plan(nsteps + 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = steps; next_step(&p, name, sym, avail);) {
		long forks = 0, fails = 0, bad = 0, audited = 0, bad_audits = 0;
		struct snap a, b;

		if (strcmp(avail, "available") || !strcmp(name, "kill"))
			continue;
		take_snap(name, &a);
		for (i = 0; i <= nmaps; i++) {
			int want = step_applies(name, i), r;

			if (arm(name, i)) {
				bad++;
				continue;
			}
			r = fork_once();
			forks++;
			fails += r == -ENOMEM;
			if (audit && r == -ENOMEM) {
				audited++;
				bad_audits += !check_audit_quiet(name, i, nmaps, 1);
			}
			if ((want && r != -ENOMEM) || (!want && r != 0)) {
				bad++;
				printf("# %s at #%d: got %d, want %s\n", name, i, r,
				       want ? "ENOMEM" : "success");
			}
		}
		disarm();
		take_snap(name, &b);
		ktap_result(!bad && !bad_audits && b.inj - a.inj == fails && b.failed - a.failed == fails,
			    "sweep %s: %ld forks over #0-#%d, %ld failed where the step applies, %ld mismatches, injections %ld, audits %ld checked %ld wrong",
			    name, forks, nmaps, fails, bad, b.inj - a.inj, audited, bad_audits);
		off += fails;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# sweep: %d steps x %d indices, %d injected failures, %.2f s\n", nsteps,
	       nmaps + 1, off, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ktap_result(!parent_check(), "parent memory intact");
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}

/* One stress worker: fork until the deadline, paging out what comes first. */
static int stress_worker(const char *spec, int secs, int swap, int cpu,
			 int nvmas, int mix, long counts[3])
{
	time_t end = time(NULL) + secs;
	int idx = nvmas, i, r;

	if (cpu >= 0) {
		cpu_set_t cs;

		CPU_ZERO(&cs);
		CPU_SET(cpu, &cs);
		if (sched_setaffinity(0, sizeof(cs), &cs))
			return 2;
	}
	if (build_vmas(nvmas, mix, -1, -1))
		return 2;
	read_maps();
	if (spec)
		idx = resolve_index(spec);
	while (time(NULL) < end) {
		if (swap) {	/* the VMAs copied before the failure point */
			for (i = 0; i < nown; i++)
				if (maps_index_of(own[i].addr) < idx)
					madvise((void *)own[i].addr, PAGE, MADV_PAGEOUT);
		}
		r = fork_once();
		counts[r == 0 ? 0 : r == -ENOMEM ? 1 : 2]++;
	}
	return parent_check() ? 3 : 0;
}

/* --duration: P parents fork in a loop; the module is armed by the caller. */
static int run_stress(const char *spec, int secs, int procs, int swap, int cpu,
		      int nvmas, int mix)
{
	long *counts = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long ok = 0, enomem = 0, other = 0;
	int i, status, bad = 0, corrupt = 0;

	if (counts == MAP_FAILED)
		return KSFT_FAIL;
	for (i = 0; i < procs; i++) {
		pid_t w = fork();

		if (w < 0)
			return KSFT_FAIL;
		if (!w)
			_exit(stress_worker(spec, secs, swap, cpu, nvmas, mix, counts + 3 * i));
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			bad++;
			corrupt += WIFEXITED(status) && WEXITSTATUS(status) == 3;
		}
	}
	for (i = 0; i < procs; i++) {
		ok += counts[3 * i];
		enomem += counts[3 * i + 1];
		other += counts[3 * i + 2];
	}
	ktap_plan(2);
	ktap_result(!other && bad == corrupt,
		    "stress: %d parents, %ld forks ok, %ld ENOMEM, %ld other failures, %d %s",
		    procs, ok, enomem, other, bad, "workers failed");
	ktap_result(!corrupt, "parent memory intact in %d of %d parents", procs - corrupt, procs);
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * --bench N: N timed fork()+waitpid() of this parent (the module, if armed,
 * is the caller's business). Prints "bench forks=N median_us=M p10_us=A
 * p90_us=B ok=K enomem=E" and nothing else.
 */
static int run_bench(int n)
{
	static double us[100000];
	struct timespec t0, t1;
	long ok = 0, enomem = 0;
	int i, r;

	if (n > 100000)
		n = 100000;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = fork_once();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
		ok += r == 0;
		enomem += r == -ENOMEM;
	}
	qsort(us, n, sizeof(us[0]), cmp_double);
	printf("bench forks=%d median_us=%.1f p10_us=%.1f p90_us=%.1f ok=%ld enomem=%ld\n",
	       n, us[n / 2], us[n / 10], us[n * 9 / 10], ok, enomem);
	return 0;
}

/* --rate S: forks per second over S seconds (failed or not), one line. */
static int run_rate(int secs)
{
	struct timespec t0, t1;
	long ok = 0, enomem = 0, other = 0;
	double el;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		r = fork_once();
		ok += r == 0;
		enomem += r == -ENOMEM;
		other += r != 0 && r != -ENOMEM;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (el < secs);
	printf("rate seconds=%.2f ok_per_s=%.1f enomem_per_s=%.1f other=%ld\n",
	       el, ok / el, enomem / el, other);
	return other ? KSFT_FAIL : KSFT_PASS;
}

static volatile sig_atomic_t loop_stop;

static void on_usr1(int sig)
{
	(void)sig;
	loop_stop = 1;
}

static int run_loop(int secs)
{
	time_t end = time(NULL) + secs;
	long ok = 0, enomem = 0, bad = 0;
	int r;

	signal(SIGUSR1, on_usr1);
	while (time(NULL) < end && !loop_stop) {
		r = fork_once();
		if (!r)
			ok++;
		else if (r == -ENOMEM)
			enomem++;
		else
			bad++;
	}
	ktap_plan(2);
	ktap_result(!bad, "loop: %ld forks ok, %ld ENOMEM, %ld other failures", ok, enomem, bad);
	ktap_result(!parent_check(), "parent memory intact");
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmas", 1, 0, 'v' }, { "mix", 0, 0, 'm' }, { "dontfork", 1, 0, 'd' },
		{ "wipeonfork", 1, 0, 'w' }, { "index", 1, 0, 'i' }, { "step", 1, 0, 's' },
		{ "forks", 1, 0, 'f' }, { "expect", 1, 0, 'e' }, { "no-arm", 0, 0, 'n' },
		{ "loop", 1, 0, 'l' }, { "help", 0, 0, 'h' }, { "by-addr", 0, 0, 'a' },
		{ "fails", 1, 0, 'F' }, { "audit", 0, 0, 'A' }, { "sweep", 0, 0, 'S' },
		{ "swap", 0, 0, 'W' }, { "duration", 1, 0, 'D' }, { "procs", 1, 0, 'P' },
		{ "cpu", 1, 0, 'C' }, { "uprobe-offset", 0, 0, 'U' },
		{ "bench", 1, 0, 'B' }, { "rate", 1, 0, 'R' },
		{ 0, 0, 0, 0 },
	};
	const char *spec = NULL, *step = "vma_alloc", *expect = "auto";
	int nvmas = 32, mix = 0, dontfork = -1, wipeonfork = -1, forks = 1, noarm = 0;
	int loop = 0, c, idx = -1, i, fails = 0, oks = 0, other = 0, applies, err;
	int fail_lo = -1, fail_hi = -1, sweep = 0, swap = 0, duration = 0, procs = 1, cpu = -1;
	int bench = 0, rate = 0;
	char junk;
	struct snap a, b;
	char *end;

	static char outbuf[1 << 16];

	/* A static buffer: no heap growth once the maps have been read. */
	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long v = 0;

		if (strchr("vdwflDPCBR", c)) {
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > MAX_VMAS) {
				fprintf(stderr, "forker: bad number '%s'\n", optarg);
				return 2;
			}
		}
		switch (c) {
		case 'v': nvmas = v; break;
		case 'm': mix = 1; break;
		case 'd': dontfork = v; break;
		case 'w': wipeonfork = v; break;
		case 'i': spec = optarg; break;
		case 's': step = optarg; break;
		case 'f': forks = v; break;
		case 'e': expect = optarg; break;
		case 'n': noarm = 1; break;
		case 'a': by_addr = 1; break;
		case 'A': audit = 1; break;
		case 'S': sweep = 1; break;
		case 'W': swap = 1; break;
		case 'D': duration = v; break;
		case 'P': procs = v; break;
		case 'C': cpu = v; break;
		case 'U': return print_uprobe_offset();
		case 'B': bench = v; break;
		case 'R': rate = v; break;
		case 'F':
			if (sscanf(optarg, "%d-%d%c", &fail_lo, &fail_hi, &junk) != 2 ||
			    fail_lo < 0 || fail_hi < fail_lo) {
				fprintf(stderr, "forker: bad --fails '%s' (want LO-HI)\n", optarg);
				return 2;
			}
			break;
		case 'l': loop = v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (bench || rate)
		noarm = 1;
	if (optind != argc || nvmas < 2 || (!noarm && !spec && !sweep && !duration) ||
	    (strcmp(expect, "auto") && strcmp(expect, "fail") && strcmp(expect, "ok"))) {
		usage(stderr);
		return 2;
	}
	if (!noarm) {
		if (getuid())
			ktap_skip_all("not root");
		if (access(FDM_DIR "/index", W_OK))
			ktap_skip_all("fail_dup_mmap not loaded (no " FDM_DIR ")");
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(disarm);
	if (bench || rate) {
		quick_child = 1;
		if (build_vmas(nvmas, mix, -1, -1))
			return KSFT_FAIL;
		return bench ? run_bench(bench) : run_rate(rate);
	}
	if (duration)
		return run_stress(spec, duration, procs ? procs : 1, swap, cpu, nvmas, mix);
	if (!noarm && !sweep)
		skip_unavailable(step);
	if (!strcmp(step, "kill") && !noarm)
		return run_kill(spec, step, nvmas, mix, dontfork, wipeonfork);
	if (build_vmas(nvmas, mix, dontfork, wipeonfork)) {
		printf("Bail out! cannot build %d VMAs: %s\n", nvmas, strerror(errno));
		return KSFT_FAIL;
	}
	if (loop)
		return run_loop(loop);
	if (sweep)
		return run_sweep();

	read_maps();
	read_account_flags();
	if (spec) {
		idx = resolve_index(spec);
		if (idx < 0) {
			fprintf(stderr, "forker: bad --index '%s'\n", spec);
			return 2;
		}
	}
	applies = noarm ? 0 : step_applies(step, idx);
	if (!strcmp(expect, "auto"))
		expect = applies ? "fail" : "ok";
	ktap_plan(noarm ? 2 : 4 + audit);
	printf("# %d VMAs in the parent (%d own, %s); target #%d %s step %s; expect %s\n",
	       nmaps, nown, mix ? "mixed" : "anon", idx,
	       idx >= 0 && idx < nmaps ? (maps[idx].name[0] ? maps[idx].name : "anon") : "(none)",
	       step, expect);
	if (!noarm) {
		if (take_snap(step, &a)) {
			printf("Bail out! cannot read stats\n");
			return KSFT_FAIL;
		}
		err = arm(step, idx);
		if (err) {
			printf("Bail out! arming failed: %s\n", strerror(-err));
			return KSFT_FAIL;
		}
	}
	for (i = 0; i < forks; i++) {
		int r = fork_once();

		if (r == -ENOMEM)
			fails++;
		else if (!r)
			oks++;
		else
			other++;
	}
	disarm();
	if (fail_lo >= 0)
		ktap_result(fails >= fail_lo && fails <= fail_hi && fails + oks == forks,
			    "%d of %d forks failed with ENOMEM, want %d to %d; the others succeeded (%d other errors)",
			    fails, forks, fail_lo, fail_hi, other);
	else if (!strcmp(expect, "fail"))
		ktap_result(fails == forks, "%d/%d forks failed with ENOMEM (%d other errors)",
			    fails, forks, other);
	else
		ktap_result(oks == forks, "%d/%d forks succeeded and children saw the parent's bytes (%d ENOMEM, %d other)",
			    oks, forks, fails, other);
	ktap_result(!parent_check(), "parent memory intact");
	if (!noarm) {
		take_snap(step, &b);
		ktap_result(b.inj - a.inj == fails && b.failed - a.failed == fails &&
			    b.exit_mmap - a.exit_mmap == fails,
			    "stats: injections %ld forks_failed %ld failed_exit_mmap %ld (want %d each)",
			    b.inj - a.inj, b.failed - a.failed, b.exit_mmap - a.exit_mmap, fails);
		if (fails) {
			check_last(step, idx, getpid(), -12);
			if (audit)
				check_audit(step, idx, nmaps);
		} else {
			ktap_result(b.inj == a.inj, "no injection at #%d (%s)", idx,
				    idx < nmaps ? kind_name[own_of(maps[idx].start) >= 0 ? own[own_of(maps[idx].start)].kind : 0] : "past the last VMA");
			if (audit)
				ktap_skip("audit: no failed child");
		}
	}
	return ktap_fail ? KSFT_FAIL : KSFT_PASS;
}
