// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the one place where kernel versions differ.
 *
 * Symbols are resolved at load time by registering a disabled kprobe on each
 * (probes.c); a step whose symbol is missing (or not probe-able) is marked
 * unavailable, with the reason shown in steps.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "fdm.h"

struct fdm_step_desc fdm_steps[FDM_NR_STEPS] = {
	/* v6.8 "fork: use __mt_dup() to duplicate maple tree in dup_mmap()" */
	[FDM_MT_DUP] = { "mt_dup", "__mt_dup", FDM_ARG_NONE, FDM_RET_ENOMEM },
	[FDM_ACCOUNT] = { "account", "security_vm_enough_memory_mm",
			  FDM_ARG_ORDINAL, FDM_RET_ENOMEM },
	[FDM_VMA_ALLOC] = { "vma_alloc", "vm_area_dup", FDM_ARG0, FDM_RET_NULL },
	[FDM_POLICY] = { "policy", "vma_dup_policy", FDM_ARG0, FDM_RET_ENOMEM },
	[FDM_UFFD] = { "uffd", "dup_userfaultfd", FDM_ARG0, FDM_RET_ENOMEM },
	[FDM_ANON_VMA] = { "anon_vma", "anon_vma_fork", FDM_ARG1, FDM_RET_ENOMEM },
	[FDM_PAGE_TABLES] = { "page_tables", "copy_page_range", FDM_ARG1,
			      FDM_RET_ENOMEM },
	[FDM_KILL] = { "kill", "vm_area_dup", FDM_ARG0, FDM_RET_KILL },
	/* x86: arch_dup_mmap() -> ldt_dup_context(), after the last VMA */
	[FDM_ARCH] = { "arch", "ldt_dup_context", FDM_ARG_CHILD,
		       FDM_RET_ENOMEM },
	/* vma_iter_clear_gfp() is inline: its mas_store_gfp() of the range */
	[FDM_DONTCOPY] = { "dontcopy", "mas_store_gfp", FDM_ARG_MAS,
			   FDM_RET_MAS_ENOMEM },
	/* vma_start_write_killable() is inline: its __vma_start_write() */
	[FDM_LOCK] = { "lock", "__vma_start_write", FDM_ARG0_KILLABLE,
		       FDM_RET_EINTR },
	/*
	 * ksm_fork() is inline: its __ksm_enter(child), before any VMA, only
	 * for a MMF_VM_MERGEABLE parent. 985da552a98e "fork: only invoke
	 * khugepaged, ksm hooks if no error" (6.12.y, 7.x) made it void and
	 * moved it after a successful copy: no error exit there.
	 */
	[FDM_KSM] = { "ksm", "__ksm_enter", FDM_ARG0_CHILD, FDM_RET_ENOMEM },
};

/*
 * Can __vma_start_write() fail? 7.x "mm: use vma_start_write_killable() in
 * dup_mmap()": it returns -EINTR and dup_mmap() checks it. Before, it did
 * not exist (6.12) or could not fail, and a skipped call would leave the VMA
 * unlocked. The kernel's headers say which (Kbuild).
 */
static bool fdm_vma_lock_can_fail(void)
{
#ifdef FDM_HAVE_VMA_START_WRITE_KILLABLE
	return IS_ENABLED(CONFIG_PER_VMA_LOCK);
#else
	return false;
#endif
}

/*
 * Leave @mas as a failed node allocation leaves it. v6.8 "maple_tree:
 * separate ma_state node from status" moved the error flag into ->status
 * and removed the node-encoded states (MAS_START and the like). Runs in
 * place of mas_store_gfp(), so not traced or probed either.
 */
notrace void fdm_mas_set_enomem(struct ma_state *mas)
{
	mas->node = MA_ERROR(-ENOMEM);
#ifndef MAS_START
	mas->status = ma_error;
#endif
}
NOKPROBE_SYMBOL(fdm_mas_set_enomem);

/*
 * Does fdm_mas_set_enomem() leave a state the kernel's own mas_is_err()
 * sees? If not, the dontcopy step would let dup_mmap() go on with the
 * parent's VMA in the child's tree: refuse the step instead.
 */
static bool fdm_mas_error_works(void)
{
#ifndef MAS_START
	MA_STATE(mas, NULL, 0, 0);

	fdm_mas_set_enomem(&mas);
	return mas_is_err(&mas);
#else
	return true;	/* the node is the error; mas_is_err() is not exported */
#endif
}

/*
 * Does dup_mmap() fail when ksm_fork() does? Up to 985da552a98e ksm_fork()
 * returns __ksm_enter()'s error and dup_mmap() goes to out; since, it is
 * void, called after the copy. The kernel's ksm.h says which (Kbuild).
 */
static bool fdm_ksm_fork_can_fail(void)
{
#ifdef FDM_HAVE_INT_KSM_FORK
	return IS_ENABLED(CONFIG_KSM);
#else
	return false;
#endif
}

/* Called once at load, before the probes are registered. */
void fdm_compat_init(void)
{
	if (!fdm_can_signal()) {
		fdm_steps[FDM_KILL].available = false;
		fdm_steps[FDM_KILL].why = "PREEMPT_RT:no-signal-from-kprobe";
	}
	if (!fdm_mas_error_works()) {
		fdm_steps[FDM_DONTCOPY].available = false;
		fdm_steps[FDM_DONTCOPY].why = "no-ma_state-error-to-leave";
	}
	if (!fdm_vma_lock_can_fail()) {
		fdm_steps[FDM_LOCK].available = false;
		fdm_steps[FDM_LOCK].why = "no-killable-vma_start_write-before-7.x";
	}
	if (!fdm_ksm_fork_can_fail()) {
		fdm_steps[FDM_KSM].available = false;
		fdm_steps[FDM_KSM].why = IS_ENABLED(CONFIG_KSM) ?
			"ksm_fork-void-after-copy:985da552a98e" : "no-CONFIG_KSM";
	}
}

/*
 * @kp is registered (disabled) on @d's function; is it usable, and how?
 * Handlers that take locks, print or signal must run as ftrace callbacks
 * (KPROBE_FLAG_FTRACE: task context, preemption disabled). An int3-based
 * kprobe runs its handler in the breakpoint exception, an NMI-like context
 * where that is not allowed (lockdep reports it). __mt_dup() and
 * mas_store_gfp() are such functions: lib/Makefile builds all of lib/
 * without ftrace flags. A step there (the whole tree, or the tree store of
 * one VMA's range) is decided early, at uprobe_dup_mmap(), and its int3
 * handler only compares and diverts (fdm_step_pre()); any other step whose
 * probe is not ftrace-based is unavailable.
 */
int fdm_compat_placement(struct fdm_step_desc *d, struct kprobe *kp)
{
	/*
	 * v6.8 "fork: use __mt_dup() to duplicate maple tree in dup_mmap()":
	 * since then dup_mmap() clears a VM_DONTCOPY VMA from the copied tree
	 * (vma_iter_clear_gfp(), which can fail); before, it skipped the VMA.
	 * __mt_dup() (resolved first) tells which.
	 */
	if (d == &fdm_steps[FDM_DONTCOPY] && !fdm_steps[FDM_MT_DUP].addr) {
		d->available = false;
		d->why = "no-__mt_dup:VM_DONTCOPY-VMAs-are-skipped";
		return -EOPNOTSUPP;
	}
	if (kprobe_ftrace(kp))
		return 0;
	if (d->vma_arg == FDM_ARG_NONE || d->vma_arg == FDM_ARG_MAS) {
		d->early = true;
		return 0;
	}
	d->available = false;
	d->why = "probe-not-ftrace-based";
	return -EOPNOTSUPP;
}


/*
 * PREEMPT_RT (mainline since v6.12, Debian's -rt flavours): spinlock_t is a sleeping
 * lock, the siglock included, so kill_pid()/send_sig() cannot run in a kprobe
 * handler (preemption disabled). The module is built for one kernel, so its
 * config is the running kernel's. Steps and knobs that send a signal (kill,
 * notify) are refused there.
 */
notrace bool fdm_can_signal(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT);
}
NOKPROBE_SYMBOL(fdm_can_signal);

/*
 * The current task's name, without get_task_comm(): up to v6.12 its
 * __get_task_comm() takes task_lock(), a spinlock_t, which sleeps on RT.
 * A task reading its own comm races only with a rename, which the kernel's
 * own printk("%s", current->comm) users accept too.
 */
notrace void fdm_current_comm(char comm[TASK_COMM_LEN])
{
	memcpy(comm, current->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
}
NOKPROBE_SYMBOL(fdm_current_comm);

/*
 * dup_mmap() calls security_vm_enough_memory_mm() only for copied VM_ACCOUNT
 * VMAs. v7.0 turned vm_flags into a read-only view of vma_flags; reading it
 * still works on every supported line.
 */
notrace bool fdm_vma_accountable(struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_ACCOUNT | VM_DONTCOPY)) == VM_ACCOUNT;
}
NOKPROBE_SYMBOL(fdm_vma_accountable);
