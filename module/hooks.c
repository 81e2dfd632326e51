// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the kprobes. They are registered only while armed.
 *
 * uprobe_start_dup_mmap()/uprobe_end_dup_mmap() bracket dup_mmap() on every
 * supported kernel (dup_mmap() itself is inlined on some), so the filter runs
 * once per fork there and a per-task slot carries the fork's state to the
 * per-VMA probe of the armed step. The slot lives exactly as long as the
 * bracket: it is taken at the start and given back at the end, which every
 * fork that started reaches (success, error or fatal signal), so slots cannot
 * leak. uprobe_dup_mmap(oldmm, mm) names the child mm; exit_mmap() of an
 * injected child is counted wherever it runs. A kretprobe on kernel_clone(),
 * whose entry handler keeps an instance only for tasks in the filter, counts
 * the forks' verdicts.
 * (mmput() is no use: it is inlined into dup_mm() on 6.12.)
 *
 * Handlers run with preemption disabled: fdm.lock is a raw spinlock, held
 * only for copies; trace events, printing, signals and tree walks happen
 * outside it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/ratelimit.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "fdm.h"
#include "fdm_trace.h"

static void fdm_stat_inc(enum fdm_stat s)
{
	atomic_long_inc(&fdm.stats[s]);
}

/* Called with fdm.mutex held (knob writers). */
bool fdm_filter_set(void)
{
	return fdm.pid || fdm.comm[0];
}

/*
 * Lockless first look, without fdm.lock: false if the pid filter is set and
 * names another process. The pointer is only compared, never followed; a
 * writer changing it meanwhile is caught by the check under the lock.
 */
static bool fdm_maybe_in_filter(void)
{
	struct pid *pid = READ_ONCE(fdm.pid);

	return !pid || task_tgid(current) == pid;
}

/* Is the current task in the filter? Called with fdm.lock held. */
static bool fdm_current_in_filter(void)
{
	char comm[TASK_COMM_LEN];

	lockdep_assert_held(&fdm.lock);
	if (current->flags & PF_KTHREAD || is_global_init(current))
		return false;
	if (!fdm.pid && !fdm.comm[0])
		return false;
	/* A struct pid, not a number: a recycled tgid is another struct pid. */
	if (fdm.pid && task_tgid(current) != fdm.pid)
		return false;
	if (fdm.comm[0]) {
		fdm_current_comm(comm);
		if (strncmp(comm, fdm.comm, TASK_COMM_LEN))
			return false;
	}
	return true;
}

/* The slot of the current task, or NULL; only the owner matches itself. */
static struct fdm_slot *fdm_my_slot(void)
{
	int i;

	if (!atomic_read(&fdm.active))
		return NULL;
	for (i = 0; i < FDM_SLOTS; i++)
		if (READ_ONCE(fdm.slots[i].task) == current)
			return &fdm.slots[i];
	return NULL;
}

static int fdm_start_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = NULL;
	unsigned long flags;
	int i;

	fdm_stat_inc(FDM_STAT_FORKS_SEEN);
	if (!fdm_maybe_in_filter())
		return 0;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	if (!fdm_current_in_filter())
		goto out;
	fdm_stat_inc(FDM_STAT_FORKS_FILTERED);
	/* A slot still held by this task would be a missed end probe. */
	s = fdm_my_slot();
	for (i = 0; !s && i < FDM_SLOTS; i++) {
		if (!fdm.slots[i].task) {
			s = &fdm.slots[i];
			atomic_inc(&fdm.active);
		}
	}
	if (!s) {
		fdm_stat_inc(FDM_STAT_SLOTS_FULL);
		goto out;
	}
	memset(s, 0, sizeof(*s));
	s->state = FDM_SLOT_COPYING;
	s->index = fdm.index;
	s->addr = fdm.addr;
	s->step = fdm.step;
	s->early = fdm.step_early;
	s->account_ord = -1;
	WRITE_ONCE(s->task, current);
out:
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(fdm_start_pre);

/* The end of the bracket: the slot goes back, whatever the fork's outcome. */
static int fdm_end_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = fdm_my_slot();
	unsigned long flags;

	if (!s)
		return 0;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	WRITE_ONCE(s->task, NULL);
	s->state = FDM_SLOT_FREE;
	atomic_dec(&fdm.active);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(fdm_end_pre);

/* Remember a child that will be torn down, to audit its exit_mmap(). */
static void fdm_pending_add(struct fdm_slot *s)
{
	struct fdm_pending *p;
	int i;

	lockdep_assert_held(&fdm.lock);
	for (i = 0; i < FDM_PENDING; i++) {
		p = &fdm.pending[i];
		if (p->mm)
			continue;
		p->mm = s->child;
		p->forker = task_pid_nr(current);
		p->tgid = task_tgid_nr(current);
		p->index = s->target_index;
		p->step = s->step;
		p->start = s->start;
		p->end = s->end;
		atomic_inc(&fdm.npending);
		return;
	}
	fdm_stat_inc(FDM_STAT_PENDING_FULL);
}

/*
 * kernel_clone() entry: keep the instance only for a task in the filter (the
 * kretprobe takes one from its pool before this runs, and gives it back
 * when this returns non-zero).
 */
static int fdm_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long flags;
	bool in;

	if (!fdm_maybe_in_filter())
		return 1;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	in = fdm_current_in_filter();
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return in ? 0 : 1;
}
NOKPROBE_SYMBOL(fdm_clone_entry);

/* kernel_clone() returned in a filtered task: the fork's verdict. */
static int fdm_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if ((int)regs_return_value(regs) < 0)	/* pid_t */
		fdm_stat_inc(FDM_STAT_FORKS_FAILED);
	return 0;
}
NOKPROBE_SYMBOL(fdm_clone_ret);

static int fdm_exit_mmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct mm_struct *mm = (struct mm_struct *)regs_get_kernel_argument(regs, 0);
	struct fdm_audit a = { };
	unsigned long flags;
	int i;

	if (!atomic_read(&fdm.npending))
		return 0;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	for (i = 0; i < FDM_PENDING; i++) {
		if (fdm.pending[i].mm != mm)
			continue;
		a.fork = fdm.pending[i];
		fdm.pending[i].mm = NULL;
		atomic_dec(&fdm.npending);
		break;
	}
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	if (!a.fork.mm)
		return 0;

	a.other_task = a.fork.forker != task_pid_nr(current);
	fdm_current_comm(a.comm);
	/* Outside fdm.lock: a walk of the child's tree, see audit.c. */
	a.valid = fdm_audit_mm(mm, &a);
	trace_fdm_audit(a.fork.tgid, a.fork.index, a.valid, a.entries, a.fresh,
			a.stale, a.markers, a.marker_start, a.marker_end,
			a.other_task);

	fdm_stat_inc(FDM_STAT_EXIT_MMAP);
	if (a.other_task)
		fdm_stat_inc(FDM_STAT_EXIT_MMAP_DEFERRED);
	if (!a.valid) {
		fdm_stat_inc(FDM_STAT_AUDIT_BUSY);
		return 0;
	}
	fdm_stat_inc(FDM_STAT_AUDITS);
	atomic_long_add(a.markers, &fdm.stats[FDM_STAT_AUDIT_MARKERS]);
	atomic_long_add(a.stale, &fdm.stats[FDM_STAT_AUDIT_STALE]);
	if (!a.entries)
		fdm_stat_inc(FDM_STAT_AUDIT_EMPTY);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	if (a.other_task)
		memcpy(fdm.last_deferred_comm, a.comm, TASK_COMM_LEN);
	fdm.audit = a;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(fdm_exit_mmap_pre);

/*
 * Find the target VMA in the parent, once per fork, at the first probe hit.
 * The forking task holds the parent's mmap write lock here; no sleeping. The
 * walk stops at the target, so it costs at most what dup_mmap()'s own loop
 * over the same tree costs, under the same lock.
 */
static void fdm_resolve(struct fdm_slot *s)
{
	VMA_ITERATOR(vmi, current->mm, 0);
	struct vm_area_struct *vma;
	long i = 0, acct = 0;

	s->resolved = true;
	for_each_vma(vmi, vma) {
		if (s->addr ? (s->addr >= vma->vm_start && s->addr < vma->vm_end)
			    : i == s->index) {
			s->hit = true;
			s->target_index = i;
			s->start = vma->vm_start;
			s->end = vma->vm_end;
			if (fdm_vma_accountable(vma))
				s->account_ord = acct;
			return;
		}
		if (s->addr && vma->vm_start > s->addr)
			return;
		if (fdm_vma_accountable(vma))
			acct++;
		i++;
	}
}

/*
 * Where a skipped function "returns" from: the probe points regs->ip here.
 * Not traceable and not probe-able, like the kernel's just_return_func.
 */
static notrace long fdm_ret_enomem(void)
{
	return -ENOMEM;
}
NOKPROBE_SYMBOL(fdm_ret_enomem);

static notrace void *fdm_ret_null(void)
{
	return NULL;
}
NOKPROBE_SYMBOL(fdm_ret_null);

/* Describe the injection at @s into @l. */
static void fdm_record(struct fdm_slot *s, int error, struct fdm_last *l)
{
	l->pid = task_tgid_nr(current);
	fdm_current_comm(l->comm);
	l->index = s->target_index;
	l->step = s->step;
	l->start = s->start;
	l->end = s->end;
	l->error = error;
	l->valid = true;
}

/* The trace event and the verbose log line (rate-limited), outside fdm.lock. */
static void fdm_log(const struct fdm_last *l)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);
	int verbose = fdm_fault_verbose();

	trace_fdm_inject(l->pid, l->index, l->step, l->start, l->end, l->error);
	if (!verbose || !__ratelimit(&rs))
		return;
	pr_info("injected %s at VMA #%ld %lx-%lx in %s[%d]: %d\n",
		fdm_steps[l->step].name, l->index, l->start, l->end, l->comm,
		l->pid, l->error);
	if (verbose > 1)
		dump_stack();
}

/*
 * Wake a helper (e.g. a swapoff loop) while dup_mmap() still holds the mmap
 * locks: it runs as soon as this task can be preempted. No reference is
 * taken: the handler runs with preemption disabled, an RCU read-side
 * section, and a writer replacing notify waits for RCU before put_pid().
 */
static void fdm_notify(void)
{
	struct pid *pid = READ_ONCE(fdm.notify);

	if (pid)
		kill_pid(pid, SIGUSR1, 1);
}

/* Does this call of the step's function copy the target VMA? */
static bool fdm_at_target(struct fdm_slot *s, struct pt_regs *regs)
{
	const struct fdm_step_desc *d = &fdm_steps[s->step];
	struct vm_area_struct *vma;

	switch (d->vma_arg) {
	case FDM_ARG_NONE:
		return true;
	case FDM_ARG_ORDINAL:
		if (regs_get_kernel_argument(regs, 0) != (unsigned long)current->mm)
			return false;
		return s->account_seen++ == s->account_ord;
	case FDM_ARG0:
		vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 0);
		break;
	case FDM_ARG1:
		vma = (struct vm_area_struct *)regs_get_kernel_argument(regs, 1);
		break;
	default:
		return false;
	}
	return vma->vm_start == s->start;
}

/* Send the step's function to its stub (or SIGKILL the forking task). */
static int fdm_divert(const struct fdm_step_desc *d, struct pt_regs *regs)
{
	switch (d->ret) {
	case FDM_RET_KILL:
		send_sig(SIGKILL, current, 1);
		return 0;
	case FDM_RET_NULL:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_null);
		return 1;
	case FDM_RET_ENOMEM:
	default:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_enomem);
		return 1;
	}
}

/*
 * Is this the target, and does fault_attr say fail? If so, record the
 * injection (last, pending audit, trace, log, notify). @regs: the step
 * function's, or NULL for a whole-tree step decided early.
 */
static bool fdm_decide(struct fdm_slot *s, struct pt_regs *regs)
{
	const struct fdm_step_desc *d = &fdm_steps[s->step];
	struct fdm_last l;
	unsigned long flags;

	atomic_long_inc(&fdm.visits[s->step]);
	if (!s->resolved)
		fdm_resolve(s);
	if (!s->hit || (regs && !fdm_at_target(s, regs)))
		return false;
	if (!fdm_fault_should_fail())
		return false;

	s->injected = true;
	atomic_long_inc(&fdm.injections[s->step]);
	fdm_record(s, d->ret == FDM_RET_KILL ? 0 : -ENOMEM, &l);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	fdm.last = l;
	if (s->child)
		fdm_pending_add(s);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	fdm_log(&l);
	fdm_notify();
	return true;
}

/*
 * uprobe_dup_mmap(oldmm, mm): the child's mm. dup_mmap() calls it with the
 * parent's mmap lock held, before __mt_dup(): a whole-tree step whose probe
 * is int3-based (see fdm_check_probes()) is decided here, in ftrace context.
 */
static int fdm_dup_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = fdm_my_slot();

	if (!s || s->state != FDM_SLOT_COPYING)
		return 0;
	s->child = (struct mm_struct *)regs_get_kernel_argument(regs, 1);
	if (s->early)
		fdm_decide(s, NULL);
	return 0;
}
NOKPROBE_SYMBOL(fdm_dup_pre);

static int fdm_step_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = fdm_my_slot();
	const struct fdm_step_desc *d;

	if (!s || s->state != FDM_SLOT_COPYING)
		return 0;
	d = &fdm_steps[s->step];
	if (s->early) {
		/* int3 (NMI-like) context: no lock, no print, only the jump. */
		if (!s->injected || s->diverted)
			return 0;
		s->diverted = true;
		return fdm_divert(d, regs);
	}
	if (s->injected || !fdm_decide(s, regs))
		return 0;
	return fdm_divert(d, regs);
}
NOKPROBE_SYMBOL(fdm_step_pre);

/* A post handler makes an ftrace-based kprobe IPMODIFY, as fail_function's. */
static void fdm_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
}
NOKPROBE_SYMBOL(fdm_post);

enum { FDM_KP_START, FDM_KP_DUP, FDM_KP_END, FDM_KP_EXIT, FDM_KP_STEP,
	FDM_NR_KP };

static struct kprobe fdm_kps[FDM_NR_KP];
static struct kretprobe fdm_krp = {
	.kp.symbol_name = "kernel_clone",
	.entry_handler = fdm_clone_entry,
	.handler = fdm_clone_ret,
};
static struct kprobe *fdm_kp_ptrs[FDM_NR_KP];
static bool fdm_kps_live, fdm_krp_live;	/* under fdm.mutex */

static void fdm_kp_set(int i, const char *sym, kprobe_pre_handler_t pre)
{
	memset(&fdm_kps[i], 0, sizeof(fdm_kps[i]));
	fdm_kps[i].symbol_name = sym;
	fdm_kps[i].pre_handler = pre;
	/* Enabled once fdm_check_probes() has seen how each was placed. */
	fdm_kps[i].flags = KPROBE_FLAG_DISABLED;
	fdm_kp_ptrs[i] = &fdm_kps[i];
}

/* Called with fdm.mutex held. */
unsigned long fdm_nmissed(void)
{
	unsigned long n = fdm.nmissed_done;
	int i;

	if (fdm_kps_live)
		for (i = 0; i < FDM_NR_KP; i++)
			n += fdm_kps[i].nmissed;
	if (fdm_krp_live)
		n += fdm_krp.kp.nmissed + fdm_krp.nmissed;
	return n;
}

/*
 * The one teardown, for disarm and for a failed arm. unregister_k*probe()
 * returns once no handler runs any more; a task that a handler sent to
 * fdm_ret_*() may still be on its way out of them, which only matters when
 * the module text goes away: fdm_hooks_exit() waits for it. Called with
 * fdm.mutex held.
 */
static void fdm_unregister(void)
{
	unsigned long flags;
	int i;

	if (fdm_krp_live) {
		unregister_kretprobe(&fdm_krp);
		fdm.nmissed_done += fdm_krp.kp.nmissed + fdm_krp.nmissed;
		fdm_krp_live = false;
	}
	if (fdm_kps_live) {
		unregister_kprobes(fdm_kp_ptrs, FDM_NR_KP);
		for (i = 0; i < FDM_NR_KP; i++)
			fdm.nmissed_done += fdm_kps[i].nmissed;
		fdm_kps_live = false;
	}
	raw_spin_lock_irqsave(&fdm.lock, flags);
	memset(fdm.slots, 0, sizeof(fdm.slots));
	memset(fdm.pending, 0, sizeof(fdm.pending));
	atomic_set(&fdm.active, 0);
	atomic_set(&fdm.npending, 0);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	fdm.armed = false;
}

/*
 * Handlers that take locks, print or signal must run as ftrace callbacks
 * (KPROBE_FLAG_FTRACE: task context, preemption disabled). An int3-based
 * kprobe runs its handler in the breakpoint exception, an NMI-like context
 * where that is not allowed (lockdep reports it). __mt_dup() is such a
 * function: lib/Makefile builds all of lib/ without ftrace flags. A
 * whole-tree step there is decided early, at uprobe_dup_mmap(), and its
 * int3 handler only diverts (fdm_step_pre()); any other probe that is not
 * ftrace-based makes arming fail. Called with fdm.mutex held.
 */
static int fdm_check_probes(const struct fdm_step_desc *d)
{
	int i;

	fdm.step_early = false;
	for (i = 0; i < FDM_NR_KP; i++) {
		if (kprobe_ftrace(&fdm_kps[i]))
			continue;
		if (i == FDM_KP_STEP && d->vma_arg == FDM_ARG_NONE) {
			fdm.step_early = true;
			continue;
		}
		pr_err("%s is not an ftrace-based kprobe on this kernel: refusing to arm step %s\n",
		       fdm_kps[i].symbol_name, d->name);
		return -EOPNOTSUPP;
	}
	if (!kprobe_ftrace(&fdm_krp.kp)) {
		pr_err("kernel_clone is not an ftrace-based kprobe on this kernel: refusing to arm\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Called with fdm.mutex held. */
int fdm_arm(void)
{
	const struct fdm_step_desc *d = &fdm_steps[fdm.step];
	int i, ret;

	if (fdm.armed)
		return 0;
	fdm_kp_set(FDM_KP_START, "uprobe_start_dup_mmap", fdm_start_pre);
	fdm_kp_set(FDM_KP_DUP, "uprobe_dup_mmap", fdm_dup_pre);
	fdm_kp_set(FDM_KP_END, "uprobe_end_dup_mmap", fdm_end_pre);
	fdm_kp_set(FDM_KP_EXIT, "exit_mmap", fdm_exit_mmap_pre);
	fdm_kp_set(FDM_KP_STEP, d->symbol, fdm_step_pre);
	if (d->ret != FDM_RET_KILL)
		fdm_kps[FDM_KP_STEP].post_handler = fdm_post;

	ret = register_kprobes(fdm_kp_ptrs, FDM_NR_KP);
	if (ret) {
		pr_err("register_kprobes for step %s failed: %d\n", d->name, ret);
		return ret;
	}
	fdm_kps_live = true;
	fdm_krp.kp.addr = NULL;
	fdm_krp.kp.flags = KPROBE_FLAG_DISABLED;
	fdm_krp.nmissed = 0;
	fdm_krp.kp.nmissed = 0;
	/* The pool is shared by every clone() in flight, filtered or not. */
	fdm_krp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
	ret = register_kretprobe(&fdm_krp);
	if (ret) {
		pr_err("register_kretprobe(kernel_clone) failed: %d\n", ret);
		goto err_unregister;
	}
	fdm_krp_live = true;
	ret = fdm_check_probes(d);
	if (ret)
		goto err_unregister;
	for (i = 0; i < FDM_NR_KP; i++) {
		ret = enable_kprobe(&fdm_kps[i]);
		if (ret)
			goto err_enable;
	}
	ret = enable_kretprobe(&fdm_krp);
	if (ret)
		goto err_enable;
	fdm.armed = true;
	return 0;

err_enable:
	pr_err("enabling the probes failed: %d\n", ret);
err_unregister:
	fdm_unregister();
	return ret;
}

/* Called with fdm.mutex held. */
void fdm_disarm(void)
{
	fdm_unregister();
}

/* Module exit: disarmed, and no task left in fdm_ret_*(). */
void fdm_hooks_exit(void)
{
	mutex_lock(&fdm.mutex);
	fdm_unregister();
	mutex_unlock(&fdm.mutex);
	synchronize_rcu_tasks();
}
