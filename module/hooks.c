// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the kprobe handlers (probes.c registers them).
 *
 * uprobe_start_dup_mmap()/uprobe_end_dup_mmap() bracket dup_mmap() on every
 * supported kernel (dup_mmap() itself is inlined on some), so the filter runs
 * once per fork there and a per-task slot carries the fork's state to the
 * per-VMA probe of the armed step. The slot lives as long as the bracket:
 * it is taken at the start and given back at the end, which every fork that
 * started reaches (success, error or fatal signal). An end probe missed
 * (kprobes or ftrace turned off mid-fork) leaves the slot to the task's next
 * fork or its exit (fdm_slots_reap()), which take it back; the slot's task
 * reference keeps another task from ever matching it.
 * uprobe_dup_mmap(oldmm, mm) names the child mm; exit_mmap() of an
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

#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/ratelimit.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/trace_recursion.h>

#include "fdm.h"
#include "fdm_trace.h"

static notrace void fdm_stat_inc(enum fdm_stat s)
{
	atomic_long_inc(&fdm.stats[s]);
}
NOKPROBE_SYMBOL(fdm_stat_inc);

/* Called with fdm.mutex held (knob writers). */
notrace bool fdm_filter_set(void)
{
	return fdm.pid || fdm.comm[0];
}
NOKPROBE_SYMBOL(fdm_filter_set);

/*
 * Lockless first look, without fdm.lock: false if the pid filter is set and
 * names another process. The pointer is only compared, never followed; a
 * writer changing it meanwhile is caught by the check under the lock.
 */
static notrace bool fdm_maybe_in_filter(void)
{
	struct pid *pid = READ_ONCE(fdm.pid);

	return !pid || task_tgid(current) == pid;
}
NOKPROBE_SYMBOL(fdm_maybe_in_filter);

/* Is the current task in the filter? Called with fdm.lock held. */
static notrace bool fdm_current_in_filter(void)
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
NOKPROBE_SYMBOL(fdm_current_in_filter);

/* The slot of the current task, or NULL; only the owner matches itself. */
static notrace struct fdm_slot *fdm_my_slot(void)
{
	int i;

	if (!atomic_read(&fdm.active))
		return NULL;
	for (i = 0; i < FDM_SLOTS; i++)
		if (READ_ONCE(fdm.slots[i].task) == current)
			return &fdm.slots[i];
	return NULL;
}
NOKPROBE_SYMBOL(fdm_my_slot);

static void fdm_pending_drop(struct mm_struct *mm);

/*
 * Give slot @s back, with what its fork decided early and did not carry out
 * (the step's count, the pending audit, last). Called with fdm.lock held;
 * the caller drops the slot's task reference after unlocking.
 */
notrace void fdm_slot_release(struct fdm_slot *s)
{
	lockdep_assert_held(&fdm.lock);
	if (s->early && s->injected && !s->diverted) {
		atomic_long_dec(&fdm.injections[s->step]);
		fdm_stat_inc(FDM_STAT_EARLY_UNDONE);
		if (s->child)
			fdm_pending_drop(s->child);
		/* last names no injection that did not happen, unless a later one. */
		if (fdm.last.seq == s->last.seq)
			fdm.last = s->prev_last;
	}
	WRITE_ONCE(s->task, NULL);
	s->state = FDM_SLOT_FREE;
	atomic_dec(&fdm.active);
}
NOKPROBE_SYMBOL(fdm_slot_release);

/*
 * A slot the current task still holds at its next fork is a missed end
 * probe: taken back, armed or not, in the filter or not.
 */
static notrace void fdm_take_back(void)
{
	struct fdm_slot *s;
	unsigned long flags;

	/*
	 * Every fork comes here while any filtered fork is in flight: look
	 * without the lock first (only the owner matches its slot).
	 */
	if (!fdm_my_slot())
		return;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	s = fdm_my_slot();
	if (s)
		fdm_slot_release(s);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	if (!s)
		return;
	fdm_stat_inc(FDM_STAT_SLOTS_RECLAIMED);
	/* The slot's reference; current holds its own, so never the last. */
	put_task_struct(current);
}
NOKPROBE_SYMBOL(fdm_take_back);

notrace int fdm_start_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = NULL;
	unsigned long flags;
	int i;

	fdm_take_back();
	/* Disarmed, the probes stay enabled for a while: see probes.c. */
	if (!READ_ONCE(fdm.armed))
		return 0;
	fdm_stat_inc(FDM_STAT_FORKS_SEEN);
	if (!fdm_maybe_in_filter())
		return 0;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	if (!fdm.armed || !fdm_current_in_filter())
		goto out;
	fdm_stat_inc(FDM_STAT_FORKS_FILTERED);
	for (i = 0; !s && i < FDM_SLOTS; i++)
		if (!fdm.slots[i].task)
			s = &fdm.slots[i];
	if (!s) {
		fdm_stat_inc(FDM_STAT_SLOTS_FULL);
		goto out;
	}
	atomic_inc(&fdm.active);
	get_task_struct(current);
	memset(s, 0, sizeof(*s));
	s->state = FDM_SLOT_COPYING;
	s->gen = fdm.gen;
	s->index = fdm.index;
	s->addr = fdm.addr;
	s->step = fdm.step;
	s->early = fdm_steps[s->step].early;
	s->account_ord = -1;
	WRITE_ONCE(s->task, current);
out:
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}
NOKPROBE_SYMBOL(fdm_start_pre);

/* Forget the pending audit of @mm (a child that was not failed after all). */
static notrace void fdm_pending_drop(struct mm_struct *mm)
{
	int i;

	lockdep_assert_held(&fdm.lock);
	for (i = 0; i < FDM_PENDING; i++) {
		if (fdm.pending[i].mm != mm)
			continue;
		fdm.pending[i].mm = NULL;
		atomic_dec(&fdm.npending);
		return;
	}
}
NOKPROBE_SYMBOL(fdm_pending_drop);

/*
 * A whole filtered fork under the current arm, not killed, made no call of
 * the armed step's function that the step could fail: nothing could have
 * been injected. Counted, and said once per arm (an arm ends with
 * synchronize_rcu() in fdm_disarm(), so no handler sees two), since
 * "available" in steps only means the symbol is probe-able.
 */
static notrace void fdm_not_reached(struct fdm_slot *s)
{
	const struct fdm_step_desc *d = &fdm_steps[s->step];

	fdm_stat_inc(FDM_STAT_NOT_REACHED);
	if (READ_ONCE(fdm.unreached_gen) == s->gen ||
	    xchg(&fdm.unreached_gen, s->gen) == s->gen)
		return;
	pr_warn_ratelimited("step %s: a fork by %s[%d] made no call of %s, so nothing was injected: no VMA of the parent needs it, the fork failed before it, or %s is not reached from dup_mmap() on this kernel\n",
			    d->name, current->comm, task_tgid_nr(current),
			    d->symbol, d->symbol);
}
NOKPROBE_SYMBOL(fdm_not_reached);

/*
 * The end of the bracket: the slot goes back, whatever the fork's outcome.
 * An early step decided at uprobe_dup_mmap() whose call never came (the
 * loop stopped before the target's store: a real error, a fatal signal)
 * injected nothing: its count and pending audit are taken back.
 */
notrace int fdm_end_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct fdm_slot *s = fdm_my_slot();
	unsigned long flags;
	bool mine;

	if (!s)
		return 0;
	if (!s->reached && !fatal_signal_pending(current) &&
	    READ_ONCE(fdm.armed) && s->gen == READ_ONCE(fdm.gen))
		fdm_not_reached(s);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	/* Still ours: a disable whose kprobe disable failed may have reaped it. */
	mine = READ_ONCE(s->task) == current;
	if (mine)
		fdm_slot_release(s);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	/* The slot's reference; current holds its own, so never the last. */
	if (mine)
		put_task_struct(current);
	return 0;
}
NOKPROBE_SYMBOL(fdm_end_pre);

/* Remember a child that will be torn down, to audit its exit_mmap(). */
static notrace void fdm_pending_add(struct fdm_slot *s)
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
NOKPROBE_SYMBOL(fdm_pending_add);

/*
 * kernel_clone() entry: keep the instance only for a task in the filter (the
 * kretprobe takes one from its pool before this runs, and gives it back
 * when this returns non-zero).
 */
notrace int fdm_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long flags;
	bool in;

	if (!READ_ONCE(fdm.armed) || !fdm_maybe_in_filter())
		return 1;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	in = fdm_current_in_filter();
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return in ? 0 : 1;
}
NOKPROBE_SYMBOL(fdm_clone_entry);

/* kernel_clone() returned in a filtered task: the fork's verdict. */
notrace int fdm_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if ((int)regs_return_value(regs) < 0)	/* pid_t */
		fdm_stat_inc(FDM_STAT_FORKS_FAILED);
	return 0;
}
NOKPROBE_SYMBOL(fdm_clone_ret);

notrace int fdm_exit_mmap_pre(struct kprobe *p, struct pt_regs *regs)
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
 * over the same tree costs, under the same lock; a target that is not there
 * costs no walk.
 */
static notrace void fdm_resolve(struct fdm_slot *s)
{
	VMA_ITERATOR(vmi, current->mm, 0);
	struct vm_area_struct *vma;
	long i = 0, acct = 0;

	s->resolved = true;
	/* After the last VMA: index "one past the last" (map_count), no range. */
	if (fdm_steps[s->step].vma_arg == FDM_ARG_CHILD) {
		if (!s->addr && s->index == current->mm->map_count) {
			s->hit = true;
			s->target_index = s->index;
		}
		return;
	}
	/* No walk for no target, one past the last VMA, or an address in none. */
	if (s->addr ? !vma_lookup(current->mm, s->addr) :
		      s->index < 0 || s->index >= current->mm->map_count)
		return;
	for_each_vma(vmi, vma) {
		if (s->addr ? (s->addr >= vma->vm_start && s->addr < vma->vm_end)
			    : i == s->index) {
			/* Only a VM_DONTCOPY VMA is cleared from the child's tree. */
			if (s->step == FDM_DONTCOPY && !(vma->vm_flags & VM_DONTCOPY))
				return;
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
NOKPROBE_SYMBOL(fdm_resolve);

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

static notrace int fdm_ret_eintr(void)
{
	return -EINTR;
}
NOKPROBE_SYMBOL(fdm_ret_eintr);

/*
 * mas_store_gfp()'s stand-in: its callers test the ma_state, not the return
 * value, so it leaves the state a failed node allocation leaves.
 */
static notrace int fdm_ret_mas_enomem(struct ma_state *mas)
{
	fdm_mas_set_enomem(mas);
	return -ENOMEM;
}
NOKPROBE_SYMBOL(fdm_ret_mas_enomem);

/* The error the forking task sees from the step (0: it gets SIGKILL). */
static notrace int fdm_ret_errno(enum fdm_ret ret)
{
	switch (ret) {
	case FDM_RET_KILL:
		return 0;
	case FDM_RET_EINTR:
		return -EINTR;
	default:
		return -ENOMEM;
	}
}
NOKPROBE_SYMBOL(fdm_ret_errno);

/* Describe the injection at @s into @l. */
static notrace void fdm_record(struct fdm_slot *s, int error, struct fdm_last *l)
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
NOKPROBE_SYMBOL(fdm_record);

/* The trace event and the verbose log line (rate-limited), outside fdm.lock. */
static notrace void fdm_log(const struct fdm_last *l)
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
NOKPROBE_SYMBOL(fdm_log);

/*
 * Wake a helper (e.g. a swapoff loop) while dup_mmap() still holds the mmap
 * locks: it runs as soon as this task can be preempted. No reference is
 * taken: the handler runs with preemption disabled, an RCU read-side
 * section, and a writer replacing notify waits for RCU before put_pid().
 */
static notrace void fdm_notify(void)
{
	struct pid *pid = READ_ONCE(fdm.notify);

	if (pid)
		kill_pid(pid, SIGUSR1, 1);
}
NOKPROBE_SYMBOL(fdm_notify);

/*
 * Is this call of the step's function one the step could fail in this fork,
 * whatever the VMA (what fdm_at_target() checks before the VMA)?
 */
static notrace bool fdm_call_of_fork(struct fdm_slot *s, struct pt_regs *regs)
{
	switch (fdm_steps[s->step].vma_arg) {
	case FDM_ARG_ORDINAL:
		return regs_get_kernel_argument(regs, 0) == (unsigned long)current->mm;
	case FDM_ARG0_KILLABLE:
		return (int)regs_get_kernel_argument(regs, 1) == TASK_KILLABLE;
	case FDM_ARG_MAS:
		return !regs_get_kernel_argument(regs, 1);
	case FDM_ARG_CHILD:
		return regs_get_kernel_argument(regs, 1) == (unsigned long)s->child;
	case FDM_ARG0_CHILD:
		return s->child &&
		       regs_get_kernel_argument(regs, 0) == (unsigned long)s->child;
	default:
		return true;
	}
}
NOKPROBE_SYMBOL(fdm_call_of_fork);

/* Does this call of the step's function copy the target VMA? */
static notrace bool fdm_at_target(struct fdm_slot *s, struct pt_regs *regs)
{
	const struct fdm_step_desc *d = &fdm_steps[s->step];
	struct vm_area_struct *vma;

	/*
	 * The call's kind first: the parent's mm (account), a killable lock
	 * (a vma_start_write() that cannot fail must not be skipped), this
	 * fork's child (not madvise()'s or prctl()'s __ksm_enter()).
	 */
	if (!fdm_call_of_fork(s, regs))
		return false;
	switch (d->vma_arg) {
	case FDM_ARG_NONE:
	case FDM_ARG_CHILD:
	case FDM_ARG0_CHILD:
		return true;
	case FDM_ARG_ORDINAL:
		return s->account_seen++ == s->account_ord;
	case FDM_ARG0:
	case FDM_ARG0_KILLABLE:
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
NOKPROBE_SYMBOL(fdm_at_target);

/*
 * An early step's int3 hit (NMI-like: compare, never follow locks): is it
 * the store the decision was about? __mt_dup() is called once per fork;
 * mas_store_gfp() must be dup_mmap()'s clear of the target's range.
 */
static notrace bool fdm_early_at_target(struct fdm_slot *s, struct pt_regs *regs)
{
	struct ma_state *mas;

	if (fdm_steps[s->step].vma_arg != FDM_ARG_MAS)
		return true;
	mas = (struct ma_state *)regs_get_kernel_argument(regs, 0);
	return fdm_call_of_fork(s, regs) && mas->index == s->start &&
	       mas->last == s->end - 1;
}
NOKPROBE_SYMBOL(fdm_early_at_target);

/* Send the step's function to its stub (or SIGKILL the forking task). */
static notrace int fdm_divert(const struct fdm_step_desc *d, struct pt_regs *regs)
{
	switch (d->ret) {
	case FDM_RET_KILL:
		send_sig(SIGKILL, current, 1);
		return 0;
	case FDM_RET_NULL:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_null);
		return 1;
	case FDM_RET_EINTR:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_eintr);
		return 1;
	case FDM_RET_MAS_ENOMEM:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_mas_enomem);
		return 1;
	case FDM_RET_ENOMEM:
	default:
		instruction_pointer_set(regs, (unsigned long)fdm_ret_enomem);
		return 1;
	}
}
NOKPROBE_SYMBOL(fdm_divert);

/*
 * Is this the target, and does fault_attr say fail? If so, record the
 * injection (last, pending audit, trace, log, notify). @regs: the step
 * function's, or NULL for an int3 step decided early.
 */
static notrace bool fdm_decide(struct fdm_slot *s, struct pt_regs *regs)
{
	const struct fdm_step_desc *d = &fdm_steps[s->step];
	struct fdm_last l;
	unsigned long flags;

	/* Disarmed, or armed again since this fork started. */
	if (!READ_ONCE(fdm.armed) || s->gen != READ_ONCE(fdm.gen))
		return false;
	atomic_long_inc(&fdm.visits[s->step]);
	if (!s->resolved)
		fdm_resolve(s);
	if (!s->hit || (regs && !fdm_at_target(s, regs)))
		return false;
	if (!fdm_fault_should_fail())
		return false;

	s->injected = true;
	atomic_long_inc(&fdm.injections[s->step]);
	fdm_record(s, fdm_ret_errno(d->ret), &l);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	l.seq = ++fdm.last_seq;
	if (s->early) {
		s->prev_last = fdm.last;
		s->last = l;
	}
	fdm.last = l;
	if (s->child)
		fdm_pending_add(s);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	fdm_log(&l);
	fdm_notify();
	return true;
}
NOKPROBE_SYMBOL(fdm_decide);

/*
 * uprobe_dup_mmap(oldmm, mm): the child's mm. dup_mmap() calls it with the
 * parent's mmap lock held, before __mt_dup(): a step whose probe
 * is int3-based (see fdm_compat_placement()) is decided here, in ftrace
 * context.
 */
notrace int fdm_dup_pre(struct kprobe *p, struct pt_regs *regs)
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

/*
 * A call of a step's function, hooked at @addr, by a task with a fork in
 * flight: send it to its stub if it copies the target (1 from kprobes).
 */
static notrace int fdm_step_hit(unsigned long addr, struct pt_regs *regs)
{
	struct fdm_slot *s = fdm_my_slot();
	const struct fdm_step_desc *d;

	if (!s || s->state != FDM_SLOT_COPYING)
		return 0;
	d = &fdm_steps[s->step];
	/* Another step's hook, still pointed for a while after a change. */
	if (addr != d->addr)
		return 0;
	if (!s->reached && fdm_call_of_fork(s, regs))
		s->reached = true;
	if (s->early) {
		/*
		 * int3 (NMI-like) context: no lock, no print, only the jump.
		 * Disarmed (or armed again) since the decision: no jump, the end
		 * probe takes the decision back.
		 */
		if (!s->injected || s->diverted || !READ_ONCE(fdm.armed) ||
		    s->gen != READ_ONCE(fdm.gen) || !fdm_early_at_target(s, regs))
			return 0;
		s->diverted = true;
		return fdm_divert(d, regs);
	}
	if (s->injected || !fdm_decide(s, regs))
		return 0;
	return fdm_divert(d, regs);
}
NOKPROBE_SYMBOL(fdm_step_hit);

/* The int3 kprobe of an early step (see fdm_compat_placement()). */
notrace int fdm_step_pre(struct kprobe *p, struct pt_regs *regs)
{
	return fdm_step_hit((unsigned long)p->addr, regs);
}
NOKPROBE_SYMBOL(fdm_step_pre);

/*
 * The ftrace_ops of the other steps (probes.c): every call of the armed
 * step's function, i.e. every copied VMA of every fork, comes here first, so
 * it returns at once unless a filtered fork is in flight. Its own recursion
 * guard also disables preemption, which the handlers rely on.
 */
notrace void fdm_step_ftrace(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	struct pt_regs *regs;
	int bit;

	if (!atomic_read(&fdm.active))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	if (!fdm_hook_at(op, ip))
		goto out;
	regs = ftrace_get_regs(fregs);
	/* SAVE_REGS is set: no regs would be an ftrace bug, not a call to fail. */
	if (!WARN_ON_ONCE(!regs))
		fdm_step_hit(ip, regs);
out:
	ftrace_test_recursion_unlock(bit);
}
NOKPROBE_SYMBOL(fdm_step_ftrace);

/* A post handler makes an ftrace-based kprobe IPMODIFY, as fail_function's. */
notrace void fdm_post(struct kprobe *p, struct pt_regs *regs, unsigned long flags)
{
}
NOKPROBE_SYMBOL(fdm_post);
