// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the fail-or-not decision and its knobs (times, probability,
 * interval, verbose). The one place that decides whose they are:
 * - the kernel's fault_attr where it has CONFIG_FAULT_INJECTION_DEBUG_FS
 *   (should_fail(), fault_create_debugfs_attr(): also space, task-filter with
 *   /proc/PID/make-it-fail, require/reject ranges, the kernel's own parsing);
 * - otherwise (every Debian kernel) the module's own, same names and meaning.
 *
 * Both are called from a kprobe handler, preemption disabled. On PREEMPT_RT
 * should_fail() cannot be: it calls get_random_u32_below(), whose batched
 * entropy takes a local_lock (a sleeping lock on RT), so RT kernels always get
 * the module's own, which draws from a prandom state under fdm.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/prandom.h>
#include <linux/random.h>

#include "fdm.h"

#if defined(CONFIG_FAULT_INJECTION_DEBUG_FS) && !defined(CONFIG_PREEMPT_RT)
/* v2.6.20 "fault-injection capability infrastructure" (fault_attr). */
static DECLARE_FAULT_ATTR(fdm_fa);

bool fdm_fault_is_kernels(void)
{
	return true;
}

struct dentry *fdm_fault_dir(void)
{
	/* The module's defaults, not fault_attr's (times 1, probability 0). */
	fdm_fa.probability = 100;
	atomic_set(&fdm_fa.times, -1);
	fdm_fa.verbose = 0;
	return fault_create_debugfs_attr(KBUILD_MODNAME, NULL, &fdm_fa);
}

notrace bool fdm_fault_should_fail(void)
{
	return should_fail(&fdm_fa, 1);
}
NOKPROBE_SYMBOL(fdm_fault_should_fail);

notrace int fdm_fault_verbose(void)
{
	return READ_ONCE(fdm_fa.verbose);
}
NOKPROBE_SYMBOL(fdm_fault_verbose);

#else

bool fdm_fault_is_kernels(void)
{
	return false;
}

struct dentry *fdm_fault_dir(void)
{
	return debugfs_create_dir(KBUILD_MODNAME, NULL);
}

/* fault_attr semantics: times, interval, probability. */
notrace bool fdm_fault_should_fail(void)
{
	unsigned long flags;
	bool fail = false;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	if (fdm.times == 0)
		goto out;
	fdm.calls++;
	if (fdm.interval > 1 && fdm.calls % fdm.interval)
		goto out;
	if (fdm.probability < 100 &&
	    prandom_u32_state(&fdm.rnd) % 100 >= fdm.probability)
		goto out;
	if (fdm.times > 0)
		fdm.times--;
	fail = true;
out:
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return fail;
}
NOKPROBE_SYMBOL(fdm_fault_should_fail);

notrace int fdm_fault_verbose(void)
{
	return READ_ONCE(fdm.verbose);
}
NOKPROBE_SYMBOL(fdm_fault_verbose);

#endif
