// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: say what was injected last when the kernel oopses or
 * panics while the module is loaded, so every crash report carries it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>

#include "fdm.h"

static atomic_t fdm_crash_told = ATOMIC_INIT(0);

/* A step's name from a value read without the lock: never out of bounds. */
static const char *fdm_crash_step(unsigned int step)
{
	return step < FDM_NR_STEPS ? fdm_steps[step].name : "?";
}
NOKPROBE_SYMBOL(fdm_crash_step);

/*
 * Once per boot of the module: an oops that then panics is told once. The
 * crashing CPU may hold fdm.lock, so it is only tried; a torn copy of last
 * is better than none in a crash report.
 */
static void fdm_crash_tell(const char *what)
{
	struct fdm_last l;
	bool locked;

	if (atomic_xchg(&fdm_crash_told, 1))
		return;
	locked = raw_spin_trylock(&fdm.lock);
	l = fdm.last;
	if (locked)
		raw_spin_unlock(&fdm.lock);
	l.comm[TASK_COMM_LEN - 1] = '\0';
	if (!l.valid) {
		pr_emerg("%s: no injection since the last reset (%s, step %s, index %ld)\n",
			 what, READ_ONCE(fdm.armed) ? "armed" : "disarmed",
			 fdm_crash_step(READ_ONCE(fdm.step)),
			 READ_ONCE(fdm.index));
		return;
	}
	pr_emerg("%s: last injection: step %s at VMA #%ld %lx-%lx in %s[%d], error %d (%s)\n",
		 what, fdm_crash_step(l.step), l.index, l.start, l.end, l.comm,
		 l.pid, l.error, READ_ONCE(fdm.armed) ? "armed" : "disarmed");
}
NOKPROBE_SYMBOL(fdm_crash_tell);

static int fdm_die_fn(struct notifier_block *nb, unsigned long val, void *data)
{
	/* Not DIE_INT3 and friends: uprobes and debuggers raise those. */
	if (val == DIE_OOPS)
		fdm_crash_tell("oops");
	return NOTIFY_DONE;
}
NOKPROBE_SYMBOL(fdm_die_fn);

static int fdm_panic_fn(struct notifier_block *nb, unsigned long val,
			void *data)
{
	fdm_crash_tell("panic");
	return NOTIFY_DONE;
}
NOKPROBE_SYMBOL(fdm_panic_fn);

static struct notifier_block fdm_die_nb = { .notifier_call = fdm_die_fn };
static struct notifier_block fdm_panic_nb = { .notifier_call = fdm_panic_fn };

int fdm_crash_init(void)
{
	int ret;

	ret = register_die_notifier(&fdm_die_nb);
	if (ret) {
		pr_err("register_die_notifier failed: %d\n", ret);
		return ret;
	}
	atomic_notifier_chain_register(&panic_notifier_list, &fdm_panic_nb);
	return 0;
}

void fdm_crash_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &fdm_panic_nb);
	unregister_die_notifier(&fdm_die_nb);
}
