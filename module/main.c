// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: fail fork()'s dup_mmap() while it copies VMA #N of a chosen
 * task, at a chosen step, on stock kernels (no CONFIG_FAULT_INJECTION).
 * See docs/knobs.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pid.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/security.h>

#include "fdm.h"

struct fdm_state fdm = {
	.mutex = __MUTEX_INITIALIZER(fdm.mutex),
	.lock = __RAW_SPIN_LOCK_UNLOCKED(fdm.lock),
	.index = -1,
	.step = FDM_VMA_ALLOC,
	.times = -1,
	.probability = 100,
	.interval = 1,
};

static int __init fdm_init(void)
{
	int ret;

	/* Under lockdown (e.g. Secure Boot) debugfs knobs cannot be written. */
	ret = security_locked_down(LOCKDOWN_DEBUGFS);
	if (ret) {
		pr_err("kernel lockdown restricts debugfs, so the knobs could not be written: turn Secure Boot off (docs/real-machine.md): %d\n",
		       ret);
		return ret;
	}
	fdm_compat_init();
	ret = fdm_probes_init();
	if (ret)
		return ret;
	ret = fdm_crash_init();
	if (ret)
		goto err_probes;
	prandom_seed_state(&fdm.rnd, get_random_u64());
	ret = fdm_knobs_init();
	if (ret) {
		pr_err("cannot create debugfs files: %d\n", ret);
		goto err_crash;
	}
	pr_info("loaded; disarmed\n");
	return 0;

err_crash:
	fdm_crash_exit();
err_probes:
	fdm_probes_exit();
	return ret;
}

static void __exit fdm_exit(void)
{
	fdm_knobs_exit();
	fdm_crash_exit();
	fdm_probes_exit();
	put_pid(fdm.pid);
	put_pid(fdm.notify);
	pr_info("unloaded\n");
}

module_init(fdm_init);
module_exit(fdm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Fail fork's dup_mmap() at a chosen VMA and step");
