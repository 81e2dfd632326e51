// SPDX-License-Identifier: GPL-2.0
/*
 * Building VMAs: our own unmergeable one-page VMAs with a known pattern, and
 * /proc/self/maps parsed (without malloc) to find them and name targets.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "fdm.h"

#define LOW_BASE 0x100000UL	/* below a static binary's 0x400000 */
#define LOW_END 0x3f0000UL
#define HIGH_BASE 0x40000000UL

const char *kind_name[] = { "anon", "shared", "file-private", "file-shared" };

struct own own[MAX_VMAS];
int nown;
struct mapent maps[MAX_MAPS];
int nmaps;
static char mapbuf[8 << 20];

static uintptr_t own_addr(int i)
{
	uintptr_t low_slots = (LOW_END - LOW_BASE) / (2 * PAGE);

	if ((uintptr_t)i < low_slots)
		return LOW_BASE + 2 * PAGE * i;
	return HIGH_BASE + 2 * PAGE * (i - low_slots);
}

unsigned char pattern(int vma, size_t off)
{
	return (unsigned char)(vma * 31 + off * 7 + 1);
}

int build_vmas(int n, int mix, int dontfork, int wipeonfork)
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

/*
 * MADV_MERGEABLE on the first own private anonymous VMA: the process gets
 * MMF_VM_MERGEABLE, so a fork calls ksm_fork()'s __ksm_enter() (the ksm step).
 * The VMA keeps its range (the advice covers all of it): the maps are the same.
 */
int make_mergeable(void)
{
	int i;

	for (i = 0; i < nown; i++) {
		if (own[i].kind != K_ANON || own[i].dontfork || own[i].wipeonfork)
			continue;
		return madvise((void *)own[i].addr, PAGE, MADV_MERGEABLE);
	}
	errno = ENOENT;
	return -1;
}

/* Parse /proc/self/maps without malloc (so reading it changes nothing). */
int read_maps(void)
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

int maps_index_of(uintptr_t addr)
{
	int i;

	for (i = 0; i < nmaps; i++)
		if (maps[i].start == addr)
			return i;
	return -1;
}

/* VM_ACCOUNT of each VMA, from the "ac" flag of /proc/self/smaps. */
void read_account_flags(void)
{
	static char buf[16 << 20];
	ssize_t r, got = 0;
	char *p, *line;
	int fd = open("/proc/self/smaps", O_RDONLY), cur = -1, i;
	uintptr_t start;

	for (i = 0; i < nmaps; i++) {
		maps[i].account = -1;
		maps[i].dontcopy = 0;
	}
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
			maps[cur].dontcopy = strstr(line, " dc") != NULL;
		}
	}
}

int own_of(uintptr_t start)
{
	int i;

	for (i = 0; i < nown; i++)
		if (own[i].addr == start)
			return i;
	return -1;
}

/*
 * A --index target: a position in the maps, or first, second, middle, last,
 * past, dontfork, wipeonfork. -1 if the spec is bad.
 */
int resolve_index(const char *spec)
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
