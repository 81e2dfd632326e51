/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fail_dup_mmap: shared state of the module.
 */
#ifndef FDM_H
#define FDM_H

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct ftrace_ops;
struct ftrace_regs;
struct pid;

/*
 * Steps of dup_mmap() that can be failed: the per-VMA ones in the order of
 * the copy, then those added later (arch after the last VMA; dontcopy and
 * lock at a VMA, before its copy; ksm before any VMA, like mt_dup).
 */
enum fdm_step {
	FDM_MT_DUP,
	FDM_ACCOUNT,
	FDM_VMA_ALLOC,
	FDM_POLICY,
	FDM_UFFD,
	FDM_ANON_VMA,
	FDM_PAGE_TABLES,
	FDM_KILL,
	FDM_ARCH,
	FDM_DONTCOPY,
	FDM_LOCK,
	FDM_KSM,
	FDM_NR_STEPS,
};

/* How a step's probe finds the parent VMA it is copying. */
enum fdm_vma_arg {
	FDM_ARG_NONE,		/* whole tree: __mt_dup() */
	FDM_ARG_ORDINAL,	/* no VMA argument: count VM_ACCOUNT calls */
	FDM_ARG0,		/* a VMA (parent's or child's copy) in arg 0 */
	FDM_ARG1,		/* a VMA in arg 1 */
	FDM_ARG0_KILLABLE,	/* a VMA in arg 0, arg 1 TASK_KILLABLE */
	FDM_ARG_MAS,		/* a tree store of the VMA's range: arg 0 */
	FDM_ARG_CHILD,		/* no VMA: the child mm in arg 1, after the last */
	FDM_ARG0_CHILD,		/* no VMA: the child mm in arg 0, before any */
};

enum fdm_ret {
	FDM_RET_ENOMEM,		/* skip the function, return -ENOMEM */
	FDM_RET_NULL,		/* skip the function, return NULL */
	FDM_RET_KILL,		/* run the function, SIGKILL the forking task */
	FDM_RET_EINTR,		/* skip the function, return -EINTR */
	FDM_RET_MAS_ENOMEM,	/* skip the store, leave -ENOMEM in the ma_state */
};

struct fdm_step_desc {
	const char *name;
	const char *symbol;
	enum fdm_vma_arg vma_arg;
	enum fdm_ret ret;
	bool available;		/* symbol resolved and probe-able here */
	bool early;		/* int3 probe: decided at uprobe_dup_mmap() */
	unsigned long addr;	/* where its function is hooked */
	const char *why;	/* if not available: the reason, for steps */
};

extern struct fdm_step_desc fdm_steps[FDM_NR_STEPS];

/*
 * Filtered forks tracked at once. Since 8ac662f5da19 (6.12.y, 7.x) the
 * bracket includes the failed child's teardown, and 40 tasks failing forks
 * in a loop on 2 CPUs were seen with over 32 inside it at once.
 */
#define FDM_SLOTS	64
#define FDM_PENDING	32

/* The last injection, as the last knob shows it. */
struct fdm_last {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	long index;
	enum fdm_step step;
	unsigned long start, end;
	int error;
	bool valid;
	unsigned long seq;	/* fdm.last_seq when recorded */
};

enum fdm_slot_state {
	FDM_SLOT_FREE,
	FDM_SLOT_COPYING,	/* between uprobe_start/end_dup_mmap() */
};

/*
 * One filtered fork in flight, owned by the forking task from
 * uprobe_start_dup_mmap() to uprobe_end_dup_mmap(): allocated and freed under
 * fdm.lock, every other field written only by the owner, in its own probes.
 * The slot holds a reference to its task, so no other task can ever have
 * that task_struct's address while the slot is held. A slot whose end probe
 * was missed (kprobes or ftrace turned off mid-fork) is reclaimed at the
 * owner's next fork, or once the owner exits (fdm_slots_reap()).
 */
struct fdm_slot {
	struct task_struct *task;	/* referenced */
	enum fdm_slot_state state;
	struct mm_struct *child;
	unsigned long gen;	/* fdm.gen at fork start */
	long index;		/* snapshot of the target at fork start */
	unsigned long addr;
	enum fdm_step step;
	bool resolved;		/* target looked up in the parent's tree */
	bool hit;		/* target exists in the parent */
	bool injected;
	bool early;		/* decided at uprobe_dup_mmap(), see hooks.c */
	bool diverted;
	bool reached;		/* a call the step could fail came in this fork */
	long target_index;
	unsigned long start, end;
	long account_ord;	/* VM_ACCOUNT calls before the target, or -1 */
	long account_seen;
	/* An early decision's last, and the one it replaced (for an undo). */
	struct fdm_last last, prev_last;
};

/* A failed child whose exit_mmap() has not been seen yet. */
struct fdm_pending {
	struct mm_struct *mm;
	pid_t forker;		/* thread that forked */
	pid_t tgid;
	long index;
	enum fdm_step step;
	unsigned long start, end;
};

/* What exit_mmap() found in a failed child's tree. */
struct fdm_audit {
	struct fdm_pending fork;
	char comm[TASK_COMM_LEN];	/* task running exit_mmap() */
	bool other_task;
	long entries;		/* all entries, markers included */
	long fresh;		/* VMAs of this mm */
	long stale;		/* VMAs of another mm (the parent's) */
	long markers;		/* XA_ZERO_ENTRY */
	long marker_pos;	/* position of the first marker among entries */
	unsigned long marker_start, marker_end;
	bool valid;
};

enum fdm_stat {
	FDM_STAT_FORKS_SEEN,
	FDM_STAT_FORKS_FILTERED,
	FDM_STAT_FORKS_FAILED,
	FDM_STAT_EXIT_MMAP,
	FDM_STAT_EXIT_MMAP_DEFERRED,
	FDM_STAT_SLOTS_FULL,
	FDM_STAT_PENDING_FULL,
	FDM_STAT_AUDITS,
	FDM_STAT_AUDIT_MARKERS,
	FDM_STAT_AUDIT_STALE,
	FDM_STAT_AUDIT_EMPTY,
	FDM_STAT_AUDIT_BUSY,
	FDM_STAT_EARLY_UNDONE,
	FDM_STAT_NOT_REACHED,
	FDM_STAT_SLOTS_RECLAIMED,
	FDM_NR_STATS,
};

/*
 * Everything the module knows; one instance, fdm.
 *
 * Locking:
 * - mutex: every knob write, arm and disarm; readers of the knob files take it
 *   too, so a show sees one consistent configuration.
 * - lock: a raw spinlock, because it is taken in kprobe handlers, which run
 *   with preemption disabled (a spinlock_t sleeps on PREEMPT_RT). It protects
 *   the configuration the probes read (index, addr, pid, comm, notify,
 *   times, probability, interval, calls, rnd), the slot table (allocation and
 *   freeing), pending, last, audit and last_deferred_comm. Held only for
 *   copies and counters: never around trace events, printing, signals, tree
 *   walks or anything that takes another lock.
 * - step: written under mutex only, and only while disarmed (a fork that
 *   started under the previous arm never injects, see probes.c); the probes
 *   read it under lock when a fork starts, crash.c with READ_ONCE.
 * - pid, notify: replaced under lock; the old struct pid is put only after
 *   synchronize_rcu(), so a handler (preemption disabled, an RCU reader) that
 *   read the old pointer may still use it.
 * - armed: written under mutex and lock, read by the probes under lock (or
 *   with READ_ONCE, then synchronize_rcu() in fdm_disarm()).
 * - the probes: registered (disabled) at load, enabled and disabled under
 *   mutex only (probes.c).
 * - verbose: a plain int read with READ_ONCE (a log-level knob).
 * - unreached_gen: the arm whose "not reached" warning was printed; written
 *   only with xchg(), so one fork per arm prints it.
 * - stats, visits, injections, active, npending: atomics.
 */
struct fdm_state {
	struct mutex mutex;
	raw_spinlock_t lock;

	/* knobs */
	long index;		/* -1: disarmed (unless addr is set) */
	unsigned long addr;	/* 0: unset */
	enum fdm_step step;
	struct pid *pid;	/* tgid filter, referenced; NULL: none */
	pid_t pid_nr;		/* the number written to pid, for show */
	char comm[TASK_COMM_LEN]; /* "": no comm filter */
	struct pid *notify;	/* SIGUSR1 at each injection; NULL: off */
	pid_t notify_nr;
	long times;
	int probability;
	unsigned long interval;
	int verbose;

	bool armed;		/* written under mutex and lock */
	unsigned long gen;	/* arms so far; written under lock, READ_ONCE in probes */
	unsigned long calls;	/* candidate injections seen, for interval */
	unsigned long unreached_gen;
	struct rnd_state rnd;	/* for probability: usable in any context */
	atomic_t active;	/* slots not FREE */
	atomic_t npending;
	struct fdm_slot slots[FDM_SLOTS];
	struct fdm_pending pending[FDM_PENDING];
	struct fdm_last last;
	unsigned long last_seq;	/* injections recorded in last; under lock */
	struct fdm_audit audit;
	char last_deferred_comm[TASK_COMM_LEN];

	atomic_long_t stats[FDM_NR_STATS];
	atomic_long_t visits[FDM_NR_STEPS];
	atomic_long_t injections[FDM_NR_STEPS];
	unsigned long nmissed_base;	/* fdm_nmissed_total() at the last reset */
};

extern struct fdm_state fdm;

/* compat.c */
void fdm_compat_init(void);
int fdm_compat_placement(struct fdm_step_desc *d, struct kprobe *kp);
void fdm_mas_set_enomem(struct ma_state *mas);
bool fdm_vma_accountable(struct vm_area_struct *vma);
bool fdm_can_signal(void);
void fdm_current_comm(char comm[TASK_COMM_LEN]);

/* audit.c */
bool fdm_audit_mm(struct mm_struct *mm, struct fdm_audit *a);

/* crash.c */
int fdm_crash_init(void);
void fdm_crash_exit(void);

/* fault.c */
bool fdm_fault_is_kernels(void);
struct dentry *fdm_fault_dir(void);
bool fdm_fault_should_fail(void);
int fdm_fault_verbose(void);

/* hooks.c: the handlers */
bool fdm_filter_set(void);
void fdm_slot_release(struct fdm_slot *s);
int fdm_start_pre(struct kprobe *p, struct pt_regs *regs);
int fdm_dup_pre(struct kprobe *p, struct pt_regs *regs);
int fdm_end_pre(struct kprobe *p, struct pt_regs *regs);
int fdm_exit_mmap_pre(struct kprobe *p, struct pt_regs *regs);
int fdm_step_pre(struct kprobe *p, struct pt_regs *regs);
void fdm_step_ftrace(unsigned long ip, unsigned long parent_ip,
		     struct ftrace_ops *op, struct ftrace_regs *fregs);
void fdm_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags);
int fdm_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int fdm_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs);

/* stephook.c: the per-VMA steps' ftrace_ops */
int fdm_hook_register(int i, unsigned long func);
void fdm_hooks_unregister(void);
int fdm_hook_point(int i);
bool fdm_hook_at(struct ftrace_ops *op, unsigned long ip);
bool fdm_hooks_pointed(int keep);
int fdm_hooks_park(int keep);

/* probes.c: registration, arm, disarm */
int fdm_probes_init(void);
void fdm_probes_exit(void);
int fdm_arm(long index, unsigned long addr);
void fdm_disarm(void);
unsigned long fdm_nmissed_total(void);

/* knobs.c */
int fdm_knobs_init(void);
void fdm_knobs_exit(void);

#endif /* FDM_H */
