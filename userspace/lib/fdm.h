/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The library shared by the multi-file guest programs (forker, stressors):
 * building VMAs (vmas.c), the module's steps (steps.c), arming (arm.c),
 * forking and checking (check.c, audit.c), small helpers (util.c). KTAP and knob helpers come from
 * common.h; here the KTAP counters are one pair for the whole program.
 */
#ifndef FDM_LIB_H
#define FDM_LIB_H

#ifdef FDM_COMMON_H
#error "include lib/fdm.h first: common.h alone gives this file its own KTAP counters"
#endif
#define FDM_KTAP_EXTERN
#include "../common.h"

#include <stdint.h>
#include <sys/types.h>

#define PAGE 4096UL
#define MAX_VMAS 60000
#define MAX_MAPS 70000

/* vmas.c: our own one-page VMAs and the parsed /proc/self/maps. */
enum kind { K_ANON, K_SHARED, K_FILE_PRIV, K_FILE_SHARED };
extern const char *kind_name[];

struct own { uintptr_t addr; enum kind kind; int dontfork, wipeonfork; };
struct mapent {
	uintptr_t start, end;
	char perms[5];
	char name[64];
	int account;	/* VmFlags "ac" in smaps; -1 unknown */
	int dontcopy;	/* VmFlags "dc" in smaps (VM_DONTCOPY) */
};

extern struct own own[MAX_VMAS];
extern int nown;
extern struct mapent maps[MAX_MAPS];
extern int nmaps;

unsigned char pattern(int vma, size_t off);
int build_vmas(int n, int mix, int dontfork, int wipeonfork);
int make_mergeable(void);
int read_maps(void);
int maps_index_of(uintptr_t addr);
void read_account_flags(void);
int own_of(uintptr_t start);
int resolve_index(const char *spec);

/* steps.c: which steps this kernel offers and where they apply. */
int step_applies(const char *step, int idx);
int step_errno(const char *step);
void skip_unavailable(const char *step);
int next_step(const char **p, char *name, char *sym, char *avail);

/* arm.c: arm the module for this process, disarm it on the way out. */
extern int by_addr;	/* arm through the addr knob instead of index */
int arm(const char *step, int idx);
void disarm(void);
void on_signal(int sig);

/* check.c: fork and check the child, the parent, stats and last. */
extern int quick_child;	/* children exit at once (benchmarks) */
struct snap { long inj, failed, exit_mmap; };

int parent_check(void);
int fork_once(void);
int take_snap(const char *step, struct snap *s);
void check_last(const char *step, int idx, pid_t pid, int error);
long fail_forks_for(long secs, long *failed, long *other);

/* util.c: option numbers, clock, kernel log, CPU pinning. */
long opt_num(const char *prog, const char *opt, const char *s, long lo, long hi);
unsigned long long now_ns(void);
void log_kmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int pin_cpu(int cpu);

/* audit.c: the module's audit of a failed child's tree (docs/audit.md). */
void check_audit(const char *step, int idx, int total);
int check_audit_quiet(const char *step, int idx, int total, int quiet);

#endif
