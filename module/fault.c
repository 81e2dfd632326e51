// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the fail-or-not decision and its knobs (times, probability,
 * interval, verbose). The one place that decides whose they are:
 * - the kernel's fault_attr where it has CONFIG_FAULT_INJECTION_DEBUG_FS
 *   (should_fail(), fault_create_debugfs_attr(): also space, task-filter with
 *   /proc/PID/make-it-fail, require/reject ranges, the kernel's own parsing);
 * - otherwise (every Debian kernel) the module's own, same names and meaning.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/random.h>

#include "fdm.h"

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
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

bool fdm_fault_should_fail(void)
{
	return should_fail(&fdm_fa, 1);
}

int fdm_fault_verbose(void)
{
	return READ_ONCE(fdm_fa.verbose);
}

#else

bool fdm_fault_is_kernels(void)
{
	return false;
}

struct dentry *fdm_fault_dir(void)
{
	return debugfs_create_dir(KBUILD_MODNAME, NULL);
}

/* fault_attr semantics: times, interval, probability. Under fdm.lock. */
bool fdm_fault_should_fail(void)
{
	if (fdm.times == 0)
		return false;
	fdm.calls++;
	if (fdm.interval > 1 && fdm.calls % fdm.interval)
		return false;
	if (fdm.probability < 100 &&
	    get_random_u32() % 100 >= fdm.probability)
		return false;
	if (fdm.times > 0)
		fdm.times--;
	return true;
}

int fdm_fault_verbose(void)
{
	return READ_ONCE(fdm.verbose);
}

#endif
