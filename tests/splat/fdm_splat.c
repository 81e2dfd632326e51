// SPDX-License-Identifier: GPL-2.0
/*
 * fdm_splat: a test-only module for tests/splat-proof. It is never installed
 * and is not part of the project's Kbuild. Writing a class name to
 * /sys/kernel/debug/fdm_splat/trigger makes the kernel print the report of
 * that class, so that the test can check that scripts/vm-run calls it a
 * splat. Reading the file lists the classes and whether this kernel can
 * provoke each. A class this kernel cannot provoke fails with -EOPNOTSUPP.
 *
 *   warn         WARN_ON(1)
 *   bug          BUG(): "kernel BUG at ...", then an oops
 *   list         list_add() with a corrupted next->prev (DEBUG_LIST or
 *                LIST_HARDENED)
 *   rcu-stall    a kthread spins with preemption off for spin_secs
 *   soft-lockup  the same spin: a kernel reports both, whichever comes first
 *   hung-task    a kthread sleeps in TASK_UNINTERRUPTIBLE for hang_secs
 *   ubsan        an out-of-bounds shift (UBSAN_SHIFT)
 *   lockdep      mutexes A, B taken in the order A, B, then B, A
 *                (PROVE_LOCKING)
 *   kasan        a read of a kmalloc'd buffer after kfree() (KASAN)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

static unsigned int spin_secs = 30;
module_param(spin_secs, uint, 0644);
MODULE_PARM_DESC(spin_secs, "seconds the rcu-stall and soft-lockup kthread spins with preemption off (default 30)");

static unsigned int hang_secs = 120;
module_param(hang_secs, uint, 0644);
MODULE_PARM_DESC(hang_secs, "seconds the hung-task kthread sleeps uninterruptibly (default 120)");

/* Read at run time, so that the compiler cannot fold the shift. */
static int fdm_shift = 40;

static DEFINE_MUTEX(fdm_lock_a);
static DEFINE_MUTEX(fdm_lock_b);

static struct dentry *fdm_dir;

static int fdm_warn(void)
{
	WARN_ON(1);
	return 0;
}

static int fdm_bug(void)
{
	BUG();
	return 0;
}

static int fdm_list(void)
{
	struct list_head *nodes, *head, *other, *new;

	nodes = kcalloc(3, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	head = &nodes[0];
	other = &nodes[1];
	new = &nodes[2];
	INIT_LIST_HEAD(head);
	INIT_LIST_HEAD(other);
	/* head->next is other, but other->prev is not head. */
	WRITE_ONCE(head->next, other);
	list_add(new, head);
	/* Only reached when the check warns instead of BUG()ing. */
	kfree(nodes);
	return 0;
}

static int fdm_spin_fn(void *arg)
{
	unsigned long end = jiffies + spin_secs * HZ;

	pr_info("spinning with preemption off for %u s on CPU %d\n",
		spin_secs, raw_smp_processor_id());
	preempt_disable();
	while (time_before(jiffies, end))
		cpu_relax();
	preempt_enable();
	pr_info("spin done\n");
	module_put_and_kthread_exit(0);
	return 0;
}

static int fdm_hang_fn(void *arg)
{
	pr_info("sleeping uninterruptibly for %u s\n", hang_secs);
	schedule_timeout_uninterruptible((long)hang_secs * HZ);
	pr_info("sleep done\n");
	module_put_and_kthread_exit(0);
	return 0;
}

static int fdm_start(int (*fn)(void *), const char *name)
{
	struct task_struct *t;

	__module_get(THIS_MODULE);
	t = kthread_run(fn, NULL, "%s", name);
	if (IS_ERR(t)) {
		module_put(THIS_MODULE);
		return PTR_ERR(t);
	}
	return 0;
}

static int fdm_spin(void)
{
	return fdm_start(fdm_spin_fn, "fdm_splat_spin");
}

static int fdm_hang(void)
{
	return fdm_start(fdm_hang_fn, "fdm_splat_hung");
}

static int fdm_ubsan(void)
{
	int shift = READ_ONCE(fdm_shift);

	pr_info("1 << %d = %d\n", shift, 1 << shift);
	return 0;
}

static int fdm_lockdep(void)
{
	mutex_lock(&fdm_lock_a);
	mutex_lock(&fdm_lock_b);
	mutex_unlock(&fdm_lock_b);
	mutex_unlock(&fdm_lock_a);

	mutex_lock(&fdm_lock_b);
	mutex_lock(&fdm_lock_a);
	mutex_unlock(&fdm_lock_a);
	mutex_unlock(&fdm_lock_b);
	return 0;
}

static int fdm_kasan(void)
{
	char *p;

	p = kmalloc(32, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("read after free: %d\n", READ_ONCE(p[8]));
	return 0;
}

struct fdm_class {
	const char *name;
	int (*fn)(void);
	bool supported;
	const char *needs;
};

static const struct fdm_class fdm_classes[] = {
	{ "warn", fdm_warn, true, "" },
	{ "bug", fdm_bug, true, "" },
	{ "list", fdm_list,
	  IS_ENABLED(CONFIG_DEBUG_LIST) || IS_ENABLED(CONFIG_LIST_HARDENED),
	  "CONFIG_DEBUG_LIST or CONFIG_LIST_HARDENED" },
	{ "rcu-stall", fdm_spin, IS_ENABLED(CONFIG_RCU_STALL_COMMON),
	  "CONFIG_RCU_STALL_COMMON" },
	{ "soft-lockup", fdm_spin, IS_ENABLED(CONFIG_SOFTLOCKUP_DETECTOR),
	  "CONFIG_SOFTLOCKUP_DETECTOR" },
	{ "hung-task", fdm_hang, IS_ENABLED(CONFIG_DETECT_HUNG_TASK),
	  "CONFIG_DETECT_HUNG_TASK" },
	{ "ubsan", fdm_ubsan, IS_ENABLED(CONFIG_UBSAN_SHIFT),
	  "CONFIG_UBSAN_SHIFT" },
	{ "lockdep", fdm_lockdep, IS_ENABLED(CONFIG_PROVE_LOCKING),
	  "CONFIG_PROVE_LOCKING" },
	{ "kasan", fdm_kasan, IS_ENABLED(CONFIG_KASAN), "CONFIG_KASAN" },
};

static ssize_t fdm_trigger_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[32];
	size_t n = min(count, sizeof(buf) - 1);
	unsigned int i;
	int ret;

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';
	for (i = 0; i < ARRAY_SIZE(fdm_classes); i++) {
		const struct fdm_class *c = &fdm_classes[i];

		if (!sysfs_streq(buf, c->name))
			continue;
		if (!c->supported) {
			/* No option names here: "KASAN" is a splat line. */
			pr_info("%s: not supported on this kernel\n", c->name);
			return -EOPNOTSUPP;
		}
		pr_info("triggering %s\n", c->name);
		ret = c->fn();
		return ret ? ret : count;
	}
	return -EINVAL;
}

static ssize_t fdm_trigger_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char *buf;
	size_t len = 0, size = PAGE_SIZE;
	ssize_t ret;
	unsigned int i;

	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(fdm_classes); i++) {
		const struct fdm_class *c = &fdm_classes[i];

		if (c->supported)
			len += scnprintf(buf + len, size - len, "%s yes\n", c->name);
		else
			len += scnprintf(buf + len, size - len, "%s no: needs %s\n",
					 c->name, c->needs);
	}
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, len);
	kfree(buf);
	return ret;
}

static const struct file_operations fdm_trigger_fops = {
	.owner = THIS_MODULE,
	.write = fdm_trigger_write,
	.read = fdm_trigger_read,
	.llseek = default_llseek,
};

static int __init fdm_splat_init(void)
{
	fdm_dir = debugfs_create_dir("fdm_splat", NULL);
	if (IS_ERR(fdm_dir))
		return PTR_ERR(fdm_dir);
	debugfs_create_file("trigger", 0600, fdm_dir, NULL, &fdm_trigger_fops);
	pr_info("loaded: write a class name to /sys/kernel/debug/fdm_splat/trigger\n");
	return 0;
}

static void __exit fdm_splat_exit(void)
{
	debugfs_remove_recursive(fdm_dir);
}

module_init(fdm_splat_init);
module_exit(fdm_splat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("fail_dup_mmap test module: provokes kernel splats on demand");
