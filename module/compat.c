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
};

/* Called once at load, before the probes are registered. */
void fdm_compat_init(void)
{
	if (!fdm_can_signal()) {
		fdm_steps[FDM_KILL].available = false;
		fdm_steps[FDM_KILL].why = "PREEMPT_RT:no-signal-from-kprobe";
	}
}

/*
 * @kp is registered (disabled) on @d's function; is it usable, and how?
 * Handlers that take locks, print or signal must run as ftrace callbacks
 * (KPROBE_FLAG_FTRACE: task context, preemption disabled). An int3-based
 * kprobe runs its handler in the breakpoint exception, an NMI-like context
 * where that is not allowed (lockdep reports it). __mt_dup() is such a
 * function: lib/Makefile builds all of lib/ without ftrace flags. A
 * whole-tree step there is decided early, at uprobe_dup_mmap(), and its int3
 * handler only diverts (fdm_step_pre()); any other step whose probe is not
 * ftrace-based is unavailable.
 */
int fdm_compat_placement(struct fdm_step_desc *d, struct kprobe *kp)
{
	if (kprobe_ftrace(kp))
		return 0;
	if (d->vma_arg == FDM_ARG_NONE) {
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
bool fdm_can_signal(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT);
}

/*
 * The current task's name, without get_task_comm(): up to v6.12 its
 * __get_task_comm() takes task_lock(), a spinlock_t, which sleeps on RT.
 * A task reading its own comm races only with a rename, which the kernel's
 * own printk("%s", current->comm) users accept too.
 */
void fdm_current_comm(char comm[TASK_COMM_LEN])
{
	memcpy(comm, current->comm, TASK_COMM_LEN);
	comm[TASK_COMM_LEN - 1] = '\0';
}

/*
 * dup_mmap() calls security_vm_enough_memory_mm() only for copied VM_ACCOUNT
 * VMAs. v7.0 turned vm_flags into a read-only view of vma_flags; reading it
 * still works on every supported line.
 */
bool fdm_vma_accountable(struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_ACCOUNT | VM_DONTCOPY)) == VM_ACCOUNT;
}
