// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the probes' lifetime.
 *
 * Every probe and hook is registered once, disabled, at load, and
 * unregistered at unload. Arming enables the bracket probes and the
 * kernel_clone() kretprobe and points the armed step's hook at its function.
 * A disabled ftrace-based kprobe is not in ftrace's filter, and a parked hook
 * sits on a function nobody calls, so a loaded, disarmed module costs
 * nothing.
 *
 * The steps' functions are hooked by bare ftrace_ops (stephook.c). A kprobe
 * is registered on each only to resolve it and see whether ftrace can hook
 * it, then unregistered (a kprobe with a post handler left on the function
 * would make anyone else's kprobe there IPMODIFY too). The one int3-only
 * step (see fdm_compat_placement()) keeps its kprobe, disabled, and is
 * hooked by it.
 *
 * Enabling or disabling a probe, or moving a hook, patches kernel text
 * (several ms each under TCG here), so a sweep that disarms, changes the
 * step and arms again would spend most of its time patching. Disarming
 * therefore only clears fdm.armed and waits for the handlers that saw it
 * set; FDM_IDLE_MS later, if the module is still disarmed and no fork is
 * still in its bracket, the probes are disabled and the hooks parked (and a
 * previous step's hook is parked FDM_IDLE_MS after the step changed). Each
 * arm starts a new generation: a fork that started under an earlier one
 * never injects. A whole-tree step decided early (int3) before a disarm is
 * not carried out after it: its breakpoint checks armed and the generation,
 * and the slot's release takes the decision back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
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

/* The int3-only steps' kprobes; steps on one function share the first's. */
static struct kprobe fdm_step_kps[FDM_NR_STEPS];
static bool fdm_step_kp_live[FDM_NR_STEPS];	/* registered */
static int fdm_step_owner[FDM_NR_STEPS];	/* whose kprobe or hook */

/* Resolve step @i's function and hook it, or say why not in fdm_steps[i]. */
static int fdm_step_register(int i)
{
	struct fdm_step_desc *d = &fdm_steps[i];
	struct kprobe *kp = &fdm_step_kps[i];
	int j, ret;

	for (j = 0; j < i; j++) {
		if (fdm_steps[j].available &&
		    !strcmp(fdm_steps[j].symbol, d->symbol)) {
			fdm_step_owner[i] = fdm_step_owner[j];
			d->addr = fdm_steps[j].addr;
			d->early = fdm_steps[j].early;
			return 0;
		}
	}
	fdm_step_owner[i] = i;
	kp->symbol_name = d->symbol;
	kp->pre_handler = fdm_step_pre;
	/* Keeps an int3 kprobe from being optimised: the handler moves ip. */
	kp->post_handler = fdm_post;
	kp->flags = KPROBE_FLAG_DISABLED;
	if (register_kprobe(kp)) {
		d->why = "symbol-not-probeable";
		return -ENOENT;
	}
	d->addr = (unsigned long)kp->addr;
	ret = fdm_compat_placement(d, kp);
	if (!ret && d->early) {
		fdm_step_kp_live[i] = true;
		return 0;
	}
	unregister_kprobe(kp);
	if (ret)
		return ret;
	ret = fdm_hook_register(i, d->addr);
	if (ret)
		d->why = "ftrace-ops-refused";
	return ret;
}

static void fdm_steps_unregister(void)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (fdm_step_kp_live[i])
			unregister_kprobe(&fdm_step_kps[i]);
		fdm_step_kp_live[i] = false;
	}
	fdm_hooks_unregister();
}

static void fdm_steps_register(void)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (fdm_steps[i].why)	/* refused by compat already */
			continue;
		fdm_steps[i].available = fdm_step_register(i) == 0;
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

/* Is another step's kprobe enabled, or another hook than @keep's pointed? */
static bool fdm_others_live(int keep)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp_live[i] && i != keep &&
		    !kprobe_disabled(&fdm_step_kps[i]))
			return true;
	return fdm_hooks_pointed(keep);
}

/* Disable the step kprobes and park the hooks but @keep's (-1: all). */
static bool fdm_steps_off(int keep)
{
	bool ok = true;
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp_live[i] && i != keep &&
		    WARN_ON_ONCE(disable_kprobe(&fdm_step_kps[i])))
			ok = false;
	if (fdm_hooks_park(keep))
		ok = false;
	return ok;
}

/*
 * Free the slots of tasks that are exiting (@all: every slot), with their
 * task references. An exiting task is past its fork's bracket, so its slot
 * is one whose end probe was missed. Returns how many slots were freed.
 * Called with fdm.mutex held.
 */
static int fdm_slots_reap(bool all)
{
	static struct task_struct *gone[FDM_SLOTS];	/* under fdm.mutex */
	struct task_struct *t;
	unsigned long flags;
	int i, n = 0;

	lockdep_assert_held(&fdm.mutex);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	for (i = 0; i < FDM_SLOTS; i++) {
		t = fdm.slots[i].task;
		if (!t || (!all && !(READ_ONCE(t->flags) & PF_EXITING)))
			continue;
		fdm_slot_release(&fdm.slots[i]);
		gone[n++] = t;
	}
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	/* The last reference may go here: not under the raw spinlock. */
	for (i = 0; i < n; i++)
		put_task_struct(gone[i]);
	return n;
}

/*
 * Disable every probe and park every hook, wait until no handler runs (they
 * run with preemption disabled), then forget the forks in flight and the
 * children awaiting their audit. Called with fdm.mutex held, disarmed.
 */
static void fdm_disable(void)
{
	unsigned long flags;
	bool ok;
	int i;

	for (i = 0; i < FDM_NR_KP; i++)
		WARN_ON_ONCE(disable_kprobe(&fdm_kps[i]));
	WARN_ON_ONCE(disable_kretprobe(&fdm_krp));
	ok = fdm_steps_off(-1);
	synchronize_rcu();
	fdm_slots_reap(true);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	memset(fdm.pending, 0, sizeof(fdm.pending));
	atomic_set(&fdm.npending, 0);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	/* A hook that could not be parked: the idle work tries again. */
	fdm_live = !ok;
}

static void fdm_idle_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(fdm_idle_work, fdm_idle_fn);

static void fdm_idle_later(void)
{
	mod_delayed_work(system_wq, &fdm_idle_work,
			 msecs_to_jiffies(FDM_IDLE_MS));
}

/*
 * FDM_IDLE_MS after a disarm: disable everything, once no fork is in its
 * bracket any more (a whole-tree step decided early needs its kprobe until
 * the fork's __mt_dup()). Armed: the hooks of other steps.
 */
static void fdm_idle_fn(struct work_struct *work)
{
	int keep;

	mutex_lock(&fdm.mutex);
	/* Slots of exited tasks whose end probe was missed. */
	atomic_long_add(fdm_slots_reap(false),
			&fdm.stats[FDM_STAT_SLOTS_RECLAIMED]);
	if (!fdm.armed) {
		if (!fdm_live)
			goto out;
		if (atomic_read(&fdm.active))
			fdm_idle_later();
		else
			fdm_disable();
		goto out;
	}
	/*
	 * A fork still in its bracket may have been decided early under the
	 * previous step: its kprobe stays until the bracket is empty.
	 */
	keep = fdm_step_owner[fdm.step];
	if (atomic_read(&fdm.active) || !fdm_steps_off(keep))
		fdm_idle_later();
out:
	mutex_unlock(&fdm.mutex);
}

/* Publish the target and the armed state in one go. */
static void fdm_publish(long index, unsigned long addr, bool armed)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	fdm.index = index;
	fdm.addr = addr;
	if (armed && !fdm.armed)
		WRITE_ONCE(fdm.gen, fdm.gen + 1);
	WRITE_ONCE(fdm.armed, armed);
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
}

/*
 * Arm at @index or @addr (or, if armed, retarget the next forks). Called
 * with fdm.mutex held; on error nothing is armed and the target is as it
 * was.
 */
int fdm_arm(long index, unsigned long addr)
{
	const struct fdm_step_desc *d = &fdm_steps[fdm.step];
	int o = fdm_step_owner[fdm.step];
	int i, ret;

	if (fdm.armed) {
		fdm_publish(index, addr, true);
		return 0;
	}
	if (!d->available)
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
	if (d->early)
		ret = enable_kprobe(&fdm_step_kps[o]);
	else
		ret = fdm_hook_point(o);
	if (ret)
		goto err_disable;
	fdm_publish(index, addr, true);
	if (fdm_others_live(o))
		fdm_idle_later();
	return 0;

err_disable:
	pr_err("enabling the probes for step %s failed: %d\n", d->name, ret);
	fdm_disable();
	return ret;
}

/*
 * Called with fdm.mutex held. Once this returns no handler that saw the
 * module armed is still running, so nothing more is decided.
 */
void fdm_disarm(void)
{
	bool was = fdm.armed;

	fdm_publish(-1, 0, false);
	if (!was)
		return;
	synchronize_rcu();
	fdm_idle_later();
}

/* Misses of every probe since load. Called with fdm.mutex held. */
unsigned long fdm_nmissed_total(void)
{
	unsigned long n = fdm_krp.kp.nmissed + fdm_krp.nmissed;
	int i;

	for (i = 0; i < FDM_NR_KP; i++)
		n += fdm_kps[i].nmissed;
	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_step_kp_live[i])
			n += fdm_step_kps[i].nmissed;
	return n;
}

/* Module unload: disarmed, unregistered, and no task left in fdm_ret_*(). */
void fdm_probes_exit(void)
{
	cancel_delayed_work_sync(&fdm_idle_work);
	mutex_lock(&fdm.mutex);
	fdm_publish(-1, 0, false);
	fdm_disable();
	mutex_unlock(&fdm.mutex);
	fdm_steps_unregister();
	unregister_kretprobe(&fdm_krp);
	fdm_brackets_unregister();
	/* A task a handler sent to fdm_ret_*() may still be on its way out. */
	synchronize_rcu_tasks();
}
