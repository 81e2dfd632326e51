// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: the per-VMA steps' hooks, bare ftrace_ops.
 *
 * A step's function is called once per copied VMA of every fork in the
 * system, so it is hooked by an ftrace_ops of its own rather than a kprobe:
 * the callback (fdm_step_ftrace()) is called straight from the ftrace
 * trampoline, without the kprobe lookup and bookkeeping. Each ops is
 * registered from load to unload, and an ops needs a function in its filter
 * (an empty filter means every function): while its step is not armed, the
 * filter holds only a parking function, which nobody calls. Arming points the
 * step's ops at its function (one text update, two call sites); parking the
 * previous step's ops is left to the idle work (probes.c). Steps on one function share the
 * first one's ops. Called with fdm.mutex held, except at load and unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>

#include "fdm.h"

struct fdm_hook {
	struct ftrace_ops ops;
	unsigned long func;	/* the step's function */
	unsigned long park;	/* its parking function */
	unsigned long at;	/* what the filter holds: func or park */
	bool registered;
};

static struct fdm_hook fdm_hooks[FDM_NR_STEPS];

/*
 * Where a hook points while its step is not armed: never called. One per
 * hook, since a function takes only one IPMODIFY ops; the bodies differ, so
 * the compiler cannot fold them into one.
 */
static int fdm_parked[FDM_NR_STEPS];

#define FDM_PARKING(n)						\
static noinline void fdm_parking##n(void)			\
{								\
	WRITE_ONCE(fdm_parked[n], 1);				\
}
FDM_PARKING(0)
FDM_PARKING(1)
FDM_PARKING(2)
FDM_PARKING(3)
FDM_PARKING(4)
FDM_PARKING(5)
FDM_PARKING(6)
FDM_PARKING(7)
FDM_PARKING(8)
FDM_PARKING(9)
FDM_PARKING(10)
FDM_PARKING(11)

static void (* const fdm_parking[])(void) = {
	fdm_parking0, fdm_parking1, fdm_parking2, fdm_parking3,
	fdm_parking4, fdm_parking5, fdm_parking6, fdm_parking7,
	fdm_parking8, fdm_parking9, fdm_parking10, fdm_parking11,
};
static_assert(ARRAY_SIZE(fdm_parking) == FDM_NR_STEPS);

static int fdm_hook_set(struct fdm_hook *h, unsigned long ip)
{
	unsigned long old = h->at;
	int ret;

	if (old == ip)
		return 0;
	/* Callbacks still on their way in see neither place: they return. */
	WRITE_ONCE(h->at, 0);
	ret = ftrace_set_filter_ip(&h->ops, ip, 0, 1);
	WRITE_ONCE(h->at, ret ? old : ip);
	return ret;
}

/* Register step @i's hook on @func, parked. */
int fdm_hook_register(int i, unsigned long func)
{
	struct fdm_hook *h = &fdm_hooks[i];
	int ret;

	h->ops.func = fdm_step_ftrace;
	/* IPMODIFY: the callback diverts a call by changing regs->ip. */
	h->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY;
	h->func = func;
	h->park = (unsigned long)fdm_parking[i];
	ret = fdm_hook_set(h, h->park);
	if (ret)
		goto err_filter;
	ret = register_ftrace_function(&h->ops);
	if (ret)
		goto err_filter;
	h->registered = true;
	return 0;

err_filter:
	pr_warn("cannot hook %s with ftrace: %d\n", fdm_steps[i].symbol, ret);
	ftrace_free_filter(&h->ops);
	WRITE_ONCE(h->at, 0);
	return ret;
}

/*
 * Unregister every hook. unregister_ftrace_function() fails when ftrace
 * itself is broken (ftrace_disabled after an ftrace bug) or the ops was never
 * enabled (-EBUSY): said loudly, since ftrace may then still call into this
 * module's text after it is gone.
 */
void fdm_hooks_unregister(void)
{
	int i, ret;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (!fdm_hooks[i].registered)
			continue;
		ret = unregister_ftrace_function(&fdm_hooks[i].ops);
		if (ret)	/* an empty filter would trace every function */
			pr_err("cannot unregister the ftrace hook of step %s: %d\n",
			       fdm_steps[i].name, ret);
		else
			ftrace_free_filter(&fdm_hooks[i].ops);
		fdm_hooks[i].registered = false;
	}
}

/* Point step @i's hook at its function. */
int fdm_hook_point(int i)
{
	return fdm_hook_set(&fdm_hooks[i], fdm_hooks[i].func);
}

/*
 * Is @op's hook pointed at @ip? Its callback asks, with preemption disabled:
 * a callback preempted on its way in before its hook was parked returns,
 * so synchronize_rcu() after parking covers every callback that acts.
 */
notrace bool fdm_hook_at(struct ftrace_ops *op, unsigned long ip)
{
	return READ_ONCE(container_of(op, struct fdm_hook, ops)->at) == ip;
}
NOKPROBE_SYMBOL(fdm_hook_at);

static bool fdm_hook_pointed(int i, int keep)
{
	const struct fdm_hook *h = &fdm_hooks[i];

	return h->registered && i != keep && h->at != h->park;
}

/* Is a hook other than step @keep's (-1: none) pointed at its function? */
bool fdm_hooks_pointed(int keep)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_hook_pointed(i, keep))
			return true;
	return false;
}

/* Park every hook but step @keep's (-1: all); -EBUSY if one would not. */
int fdm_hooks_park(int keep)
{
	int i, ret = 0;

	for (i = 0; i < FDM_NR_STEPS; i++) {
		if (!fdm_hook_pointed(i, keep) ||
		    !fdm_hook_set(&fdm_hooks[i], fdm_hooks[i].park))
			continue;
		pr_warn("cannot park the hook of step %s\n", fdm_steps[i].name);
		ret = -EBUSY;
	}
	return ret;
}
