// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the probes' lifetime.
 *
 * Every probe is registered once, disabled, at load, and unregistered at
 * unload. Arming enables the bracket probes, the kernel_clone() kretprobe and
 * the armed step's hook. A disabled ftrace-based kprobe is not in ftrace's
 * filter, so a loaded, disarmed module costs nothing.
 *
 * The steps' functions are hooked by bare ftrace_ops (stephook.c); their
 * kprobes are registered (disabled) only to resolve each function and see
 * whether ftrace can hook it. The one int3-only step (see
 * fdm_compat_placement()) is hooked by its kprobe instead.
 *
 * Enabling or disabling one ftrace-based kprobe patches kernel text (about
 * 9 ms each under TCG here), so a sweep that disarms, changes the step and
 * arms again would spend most of its time patching. Disarming therefore only
 * clears fdm.armed and waits for the handlers that saw it set; the probes
 * are disabled FDM_IDLE_MS later if the module is still disarmed (and a
 * previous step's probe FDM_IDLE_MS after the step changed). Each arm starts
 * a new generation: a fork that started under an earlier one never injects.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "fdm.h"

#define FDM_IDLE_MS	1000

enum { FDM_KP_START, FDM_KP_DUP, FDM_KP_END, FDM_KP_EXIT, FDM_NR_KP };

static struct kprobe fdm_kps[FDM_NR_KP] = {
	[FDM_KP_START] = { .symbol_name = "uprobe_start_dup_mmap",
			   .pre_handler = fdm_start_pre },
	[FDM_KP_DUP] = { .symbol_name = "uprobe_dup_mmap",
			 .pre_handler = fdm_dup_pre },
	[FDM_KP_END] = { .symbol_name = "uprobe_end_dup_mmap",
			 .pre_handler = fdm_end_pre },
	[FDM_KP_EXIT] = { .symbol_name = "exit_mmap",
			  .pre_handler = fdm_exit_mmap_pre },
};

static struct kretprobe fdm_krp = {
	.kp.symbol_name = "kernel_clone",
	.entry_handler = fdm_clone_entry,
	.handler = fdm_clone_ret,
};

/* One kprobe per step; steps on the same function share the first one's. */
static struct kprobe fdm_step_kps[FDM_NR_STEPS];
static struct kprobe *fdm_step_kp[FDM_NR_STEPS];	/* NULL: unavailable */
static int fdm_step_owner[FDM_NR_STEPS];	/* whose kprobe and hook */

/* The step's probe: another step's on the same function, or a new one. */
static struct kprobe *fdm_step_register(int i)
{
	struct fdm_step_desc *d = &fdm_steps[i];
	struct kprobe *kp = &fdm_step_kps[i];
	int j;

	for (j = 0; j < i; j++) {
		if (fdm_step_kp[j] && !strcmp(fdm_steps[j].symbol, d->symbol)) {
			fdm_step_owner[i] = fdm_step_owner[j];
			return fdm_step_kp[j];
		}
	}
	fdm_step_owner[i] = i;
	kp->symbol_name = d->symbol;
	kp->pre_handler = fdm_step_pre;
	/* A post handler makes an ftrace-based kprobe IPMODIFY. */
	kp->post_handler = fdm_post;
	kp->flags = KPROBE_FLAG_DISABLED;
	if (register_kprobe(kp)) {
		d->why = "symbol-not-probeable";
		return NULL;
	}
	if (fdm_compat_placement(d, kp))
		goto err_unregister;
	if (!d->early && fdm_hook_register(i, (unsigned long)kp->addr)) {
		d->why = "ftrace-ops-refused";
		goto err_unregister;
	}
	return kp;

err_unregister:
	unregister_kprobe(kp);
	return NULL;
}

static void fdm_steps_unregister(void)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (fdm_step_kp[i] == &fdm_step_kps[i])
			unregister_kprobe(&fdm_step_kps[i]);
		fdm_step_kp[i] = NULL;
		fdm_steps[i].kp = NULL;
	}
}

static void fdm_steps_register(void)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (fdm_steps[i].why)	/* refused by compat already */
			continue;
		fdm_step_kp[i] = fdm_step_register(i);
		fdm_steps[i].kp = fdm_step_kp[i];
		fdm_steps[i].available = fdm_step_kp[i];
	}
}

static int fdm_brackets_register(void)
{
	struct kprobe *ptrs[FDM_NR_KP];
	int i, ret;

	for (i = 0; i < FDM_NR_KP; i++) {
		fdm_kps[i].flags = KPROBE_FLAG_DISABLED;
		ptrs[i] = &fdm_kps[i];
	}
	ret = register_kprobes(ptrs, FDM_NR_KP);
	if (ret) {
		pr_err("cannot probe uprobe_*_dup_mmap and exit_mmap here: %d\n",
		       ret);
		return ret;
	}
	for (i = 0; i < FDM_NR_KP; i++) {
		if (kprobe_ftrace(&fdm_kps[i]))
			continue;
		pr_err("%s is not an ftrace-based kprobe on this kernel, its handler could not take locks\n",
		       fdm_kps[i].symbol_name);
		unregister_kprobes(ptrs, FDM_NR_KP);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void fdm_brackets_unregister(void)
{
	struct kprobe *ptrs[FDM_NR_KP];
	int i;

	for (i = 0; i < FDM_NR_KP; i++)
		ptrs[i] = &fdm_kps[i];
	unregister_kprobes(ptrs, FDM_NR_KP);
}

static int fdm_clone_register(void)
{
	int ret;

	fdm_krp.kp.flags = KPROBE_FLAG_DISABLED;
	/* The pool is shared by every clone() in flight, filtered or not. */
	fdm_krp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
	ret = register_kretprobe(&fdm_krp);
	if (ret) {
		pr_err("register_kretprobe(kernel_clone) failed: %d\n", ret);
		return ret;
	}
	if (!kprobe_ftrace(&fdm_krp.kp)) {
		pr_err("kernel_clone is not an ftrace-based kprobe on this kernel\n");
		unregister_kretprobe(&fdm_krp);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Module load: every probe registered, none enabled. */
int fdm_probes_init(void)
{
	int ret;

	ret = fdm_brackets_register();
	if (ret)
		return ret;
	ret = fdm_clone_register();
	if (ret)
		goto err_brackets;
	fdm_steps_register();
	return 0;

err_brackets:
	fdm_brackets_unregister();
	return ret;
}

static bool fdm_live;	/* brackets and kretprobe enabled; under fdm.mutex */

/*
 * Disable every probe, wait until no handler runs (they run with preemption
 * disabled), then forget the forks in flight. Called with fdm.mutex held,
 * disarmed.
 */
static void fdm_disable(void)
{
	unsigned long flags;
	int i;

	for (i = 0; i < FDM_NR_KP; i++)
		disable_kprobe(&fdm_kps[i]);
	disable_kretprobe(&fdm_krp);
	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp[i])
			disable_kprobe(fdm_step_kp[i]);
	fdm_hooks_park(-1);
	synchronize_rcu();
	raw_spin_lock_irqsave(&fdm.lock, flags);
	memset(fdm.slots, 0, sizeof(fdm.slots));
	memset(fdm.pending, 0, sizeof(fdm.pending));
	atomic_set(&fdm.active, 0);
	atomic_set(&fdm.npending, 0);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	fdm_live = false;
}

/* Disarmed for FDM_IDLE_MS: disable everything; armed: other steps' hooks. */
static void fdm_idle_fn(struct work_struct *work)
{
	struct kprobe *armed_kp;
	int i;

	mutex_lock(&fdm.mutex);
	if (!fdm.armed) {
		if (fdm_live)
			fdm_disable();
		goto out;
	}
	armed_kp = fdm_step_kp[fdm.step];
	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp[i] && fdm_step_kp[i] != armed_kp)
			disable_kprobe(fdm_step_kp[i]);
	fdm_hooks_park(fdm_steps[fdm.step].early ? -1 : fdm_step_owner[fdm.step]);
out:
	mutex_unlock(&fdm.mutex);
}

static DECLARE_DELAYED_WORK(fdm_idle_work, fdm_idle_fn);

static void fdm_set_armed(bool armed)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	if (armed)
		fdm.gen++;
	fdm.armed = armed;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
}

/* Called with fdm.mutex held. */
int fdm_arm(void)
{
	struct kprobe *step = fdm_step_kp[fdm.step];
	bool others = false;
	int i, ret;

	if (fdm.armed)
		return 0;
	if (!step)
		return -EOPNOTSUPP;
	/* enable_kprobe() of an enabled probe returns at once. */
	for (i = 0; i < FDM_NR_KP; i++) {
		ret = enable_kprobe(&fdm_kps[i]);
		if (ret)
			goto err_disable;
	}
	ret = enable_kretprobe(&fdm_krp);
	if (ret)
		goto err_disable;
	fdm_live = true;
	if (fdm_steps[fdm.step].early)
		ret = enable_kprobe(step);
	else
		ret = fdm_hook_arm(fdm_step_owner[fdm.step]);
	if (ret)
		goto err_disable;
	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp[i] && fdm_step_kp[i] != step &&
		    !kprobe_disabled(fdm_step_kp[i]))
			others = true;
	if (fdm_hooks_live(fdm_steps[fdm.step].early ? -1 :
			   fdm_step_owner[fdm.step]))
		others = true;
	fdm_set_armed(true);
	if (others)
		mod_delayed_work(system_wq, &fdm_idle_work,
				 msecs_to_jiffies(FDM_IDLE_MS));
	return 0;

err_disable:
	pr_err("enabling the probes for step %s failed: %d\n",
	       fdm_steps[fdm.step].name, ret);
	fdm_disable();
	return ret;
}

/*
 * Called with fdm.mutex held. Once this returns no handler that saw the
 * module armed is still running, so nothing is injected any more.
 */
void fdm_disarm(void)
{
	if (!fdm.armed)
		return;
	fdm_set_armed(false);
	synchronize_rcu();
	mod_delayed_work(system_wq, &fdm_idle_work,
			 msecs_to_jiffies(FDM_IDLE_MS));
}

/* Misses of every probe since load. Called with fdm.mutex held. */
unsigned long fdm_nmissed_total(void)
{
	unsigned long n = fdm_krp.kp.nmissed + fdm_krp.nmissed;
	int i;

	for (i = 0; i < FDM_NR_KP; i++)
		n += fdm_kps[i].nmissed;
	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp[i] == &fdm_step_kps[i])
			n += fdm_step_kps[i].nmissed;
	return n;
}

/* Module unload: disarmed, unregistered, and no task left in fdm_ret_*(). */
void fdm_probes_exit(void)
{
	cancel_delayed_work_sync(&fdm_idle_work);
	mutex_lock(&fdm.mutex);
	fdm_set_armed(false);
	fdm_disable();
	mutex_unlock(&fdm.mutex);
	fdm_steps_unregister();
	fdm_hooks_unregister();
	unregister_kretprobe(&fdm_krp);
	fdm_brackets_unregister();
	/* A task a handler sent to fdm_ret_*() may still be on its way out. */
	synchronize_rcu_tasks();
}
