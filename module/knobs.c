// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: debugfs knobs and counters in /sys/kernel/debug/fail_dup_mmap/.
 *
 * Every write is validated whole before anything changes: a rejected write
 * (-EINVAL) leaves every knob and the armed state as they were.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fdm.h"

#define FDM_MAX_WRITE	32

struct fdm_knob {
	const char *name;
	umode_t mode;
	bool fault_attr;	/* the kernel's fault_attr has its own */
	void (*show)(struct seq_file *m);
	int (*store)(const char *val);	/* called with fdm.mutex held */
};

static struct dentry *fdm_dir;

/* Decimal integer in [min, max]; "0x10", "", "1 2", overflow: -EINVAL. */
static int fdm_parse_long(const char *s, long min, long max, long *out)
{
	long v;

	if (kstrtol(s, 10, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int fdm_set_target(long index, unsigned long addr)
{
	if (index < 0 && !addr) {
		fdm_disarm();
		return 0;
	}
	if (!fdm_filter_set()) {
		pr_warn("refusing to arm without a task filter (set pid or comm)\n");
		return -EINVAL;
	}
	return fdm_arm(index, addr);
}

static void fdm_show_index(struct seq_file *m)
{
	seq_printf(m, "%ld\n", fdm.index);
}

static int fdm_store_index(const char *s)
{
	long v;

	if (fdm_parse_long(s, -1, INT_MAX, &v))
		return -EINVAL;
	return fdm_set_target(v, 0);
}

static void fdm_show_addr(struct seq_file *m)
{
	seq_printf(m, "0x%lx\n", fdm.addr);
}

static int fdm_store_addr(const char *s)
{
	unsigned long v;

	if (kstrtoul(s, 16, &v) || v >= TASK_SIZE_MAX)
		return -EINVAL;
	return fdm_set_target(-1, v);
}

static void fdm_show_step(struct seq_file *m)
{
	seq_printf(m, "%s\n", fdm_steps[fdm.step].name);
}

static int fdm_store_step(const char *s)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++)
		if (!strcmp(s, fdm_steps[i].name))
			break;
	if (i == FDM_NR_STEPS)
		return -EINVAL;
	if (!fdm_steps[i].available) {
		pr_warn("step %s unavailable here: %s\n", fdm_steps[i].name,
			fdm_steps[i].why);
		return -EOPNOTSUPP;
	}
	if (fdm.armed && i != fdm.step) {
		pr_warn("disarm before changing the step\n");
		return -EBUSY;
	}
	/* Read locklessly by crash.c. */
	WRITE_ONCE(fdm.step, i);
	return 0;
}

static void fdm_show_steps(struct seq_file *m)
{
	int i;

	for (i = 0; i < FDM_NR_STEPS; i++)
		if (fdm_steps[i].available)
			seq_printf(m, "%s %s available\n", fdm_steps[i].name,
				   fdm_steps[i].symbol);
		else
			seq_printf(m, "%s %s unavailable %s\n",
				   fdm_steps[i].name, fdm_steps[i].symbol,
				   fdm_steps[i].why);
}

/*
 * Parse a process id in the writer's pid namespace into a referenced struct
 * pid (NULL for 0). A number that names no live process: -ESRCH. The global
 * init and kernel threads: -EPERM (the hooks never fail their forks, and a
 * SIGUSR1 halts busybox's init).
 */
static int fdm_parse_tgid(const char *s, struct pid **out, pid_t *nr)
{
	struct task_struct *task;
	struct pid *pid;
	bool refused;
	long v;

	if (fdm_parse_long(s, 0, PID_MAX_LIMIT, &v))
		return -EINVAL;
	*nr = v;
	*out = NULL;
	if (!v)
		return 0;
	pid = find_get_pid(v);
	task = pid ? get_pid_task(pid, PIDTYPE_TGID) : NULL;
	if (!task) {
		put_pid(pid);
		return -ESRCH;
	}
	refused = is_global_init(task) || (task->flags & PF_KTHREAD);
	put_task_struct(task);
	if (refused) {
		pr_warn("pid %ld refused: init and kernel threads are never filtered or signalled\n",
			v);
		put_pid(pid);
		return -EPERM;
	}
	*out = pid;
	return 0;
}

/*
 * Swap a referenced pid knob under fdm.lock; drop the old reference once no
 * handler can still be using it (handlers run with preemption disabled).
 */
static void fdm_swap_pid(struct pid **knob, pid_t *knob_nr, struct pid *pid,
			 pid_t nr)
{
	unsigned long flags;
	struct pid *old;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	old = *knob;
	WRITE_ONCE(*knob, pid);
	*knob_nr = nr;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	if (old) {
		synchronize_rcu();
		put_pid(old);
	}
}

static void fdm_show_pid(struct seq_file *m)
{
	seq_printf(m, "%d\n", fdm.pid_nr);
}

static int fdm_store_pid(const char *s)
{
	struct pid *pid;
	pid_t nr;
	int ret;

	ret = fdm_parse_tgid(s, &pid, &nr);
	if (ret)
		return ret;
	if (!pid && !fdm.comm[0] && fdm.armed) {
		pr_warn("refusing to drop the last task filter while armed\n");
		return -EINVAL;
	}
	fdm_swap_pid(&fdm.pid, &fdm.pid_nr, pid, nr);
	return 0;
}

static void fdm_show_comm(struct seq_file *m)
{
	char comm[TASK_COMM_LEN];
	unsigned long flags;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	memcpy(comm, fdm.comm, sizeof(comm));
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	seq_printf(m, "%s\n", comm[0] ? comm : "-");
}

static int fdm_store_comm(const char *s)
{
	char comm[TASK_COMM_LEN] = "";
	unsigned long flags;

	if (strlen(s) >= TASK_COMM_LEN)
		return -EINVAL;
	if (strcmp(s, "-"))
		strscpy(comm, s, sizeof(comm));
	if (!comm[0] && !fdm.pid && fdm.armed) {
		pr_warn("refusing to drop the last task filter while armed\n");
		return -EINVAL;
	}
	raw_spin_lock_irqsave(&fdm.lock, flags);
	memcpy(fdm.comm, comm, sizeof(comm));
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}

static void fdm_show_notify(struct seq_file *m)
{
	seq_printf(m, "%d\n", fdm.notify_nr);
}

static int fdm_store_notify(const char *s)
{
	struct pid *pid;
	pid_t nr;
	int ret;

	ret = fdm_parse_tgid(s, &pid, &nr);
	if (ret)
		return ret;
	if (pid && !fdm_can_signal()) {
		pr_warn("notify refused: PREEMPT_RT cannot send a signal from a kprobe handler\n");
		put_pid(pid);
		return -EOPNOTSUPP;
	}
	fdm_swap_pid(&fdm.notify, &fdm.notify_nr, pid, nr);
	return 0;
}

static void fdm_show_times(struct seq_file *m)
{
	seq_printf(m, "%ld\n", READ_ONCE(fdm.times));
}

static int fdm_store_times(const char *s)
{
	unsigned long flags;
	long v;

	if (fdm_parse_long(s, -1, LONG_MAX, &v))
		return -EINVAL;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	fdm.times = v;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}

static void fdm_show_probability(struct seq_file *m)
{
	seq_printf(m, "%d\n", fdm.probability);
}

static int fdm_store_probability(const char *s)
{
	unsigned long flags;
	long v;

	if (fdm_parse_long(s, 0, 100, &v))
		return -EINVAL;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	fdm.probability = v;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}

static void fdm_show_interval(struct seq_file *m)
{
	seq_printf(m, "%lu\n", fdm.interval);
}

static int fdm_store_interval(const char *s)
{
	unsigned long flags;
	long v;

	if (fdm_parse_long(s, 1, LONG_MAX, &v))
		return -EINVAL;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	fdm.interval = v;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}

static void fdm_show_verbose(struct seq_file *m)
{
	seq_printf(m, "%d\n", READ_ONCE(fdm.verbose));
}

static int fdm_store_verbose(const char *s)
{
	long v;

	if (fdm_parse_long(s, 0, 2, &v))
		return -EINVAL;
	WRITE_ONCE(fdm.verbose, v);
	return 0;
}

static void fdm_show_armed(struct seq_file *m)
{
	seq_printf(m, "%d\n", fdm.armed);
}

static const char * const fdm_stat_names[FDM_NR_STATS] = {
	[FDM_STAT_FORKS_SEEN] = "forks_seen",
	[FDM_STAT_FORKS_FILTERED] = "forks_filtered",
	[FDM_STAT_FORKS_FAILED] = "forks_failed",
	[FDM_STAT_EXIT_MMAP] = "failed_exit_mmap",
	[FDM_STAT_EXIT_MMAP_DEFERRED] = "failed_exit_mmap_other_task",
	[FDM_STAT_SLOTS_FULL] = "slots_full",
	[FDM_STAT_PENDING_FULL] = "pending_full",
	[FDM_STAT_AUDITS] = "audits",
	[FDM_STAT_AUDIT_MARKERS] = "audit_markers",
	[FDM_STAT_AUDIT_STALE] = "audit_stale_entries",
	[FDM_STAT_AUDIT_EMPTY] = "audit_empty_trees",
	[FDM_STAT_AUDIT_BUSY] = "audit_skipped_busy",
	[FDM_STAT_EARLY_UNDONE] = "early_not_carried_out",
	[FDM_STAT_NOT_REACHED] = "forks_step_not_reached",
	[FDM_STAT_SLOTS_RECLAIMED] = "slots_reclaimed",
};

static void fdm_show_stats(struct seq_file *m)
{
	char comm[TASK_COMM_LEN];
	unsigned long flags;
	int i;

	for (i = 0; i < FDM_NR_STATS; i++)
		seq_printf(m, "%s %ld\n", fdm_stat_names[i],
			   atomic_long_read(&fdm.stats[i]));
	for (i = 0; i < FDM_NR_STEPS; i++)
		seq_printf(m, "visits_%s %ld\ninjections_%s %ld\n",
			   fdm_steps[i].name, atomic_long_read(&fdm.visits[i]),
			   fdm_steps[i].name,
			   atomic_long_read(&fdm.injections[i]));
	seq_printf(m, "nmissed %lu\n", fdm_nmissed_total() - fdm.nmissed_base);
	raw_spin_lock_irqsave(&fdm.lock, flags);
	memcpy(comm, fdm.last_deferred_comm, sizeof(comm));
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	seq_printf(m, "last_other_task_comm %s\n", comm[0] ? comm : "-");
}

static void fdm_show_last(struct seq_file *m)
{
	struct fdm_last l;
	unsigned long flags;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	l = fdm.last;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	if (!l.valid)
		return;
	seq_printf(m, "pid %d\ncomm %s\nindex %ld\nstep %s\nvma %lx-%lx\nerror %d\n",
		   l.pid, l.comm, l.index, fdm_steps[l.step].name, l.start,
		   l.end, l.error);
}

static void fdm_show_audit(struct seq_file *m)
{
	struct fdm_audit a;
	unsigned long flags;

	raw_spin_lock_irqsave(&fdm.lock, flags);
	a = fdm.audit;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	if (!a.valid)
		return;
	seq_printf(m, "pid %d\nindex %ld\nstep %s\nvma %lx-%lx\n", a.fork.tgid,
		   a.fork.index, fdm_steps[a.fork.step].name, a.fork.start,
		   a.fork.end);
	seq_printf(m, "exit_task %s\nother_task %d\n", a.comm, a.other_task);
	seq_printf(m, "entries %ld\nfresh %ld\nstale %ld\nmarkers %ld\n",
		   a.entries, a.fresh, a.stale, a.markers);
	if (a.markers)
		seq_printf(m, "marker %lx-%lx\nmarker_pos %ld\n", a.marker_start,
			   a.marker_end, a.marker_pos);
	else
		seq_puts(m, "marker -\nmarker_pos -1\n");
}

static int fdm_store_reset(const char *s)
{
	unsigned long flags;
	int i;

	if (strcmp(s, "1"))
		return -EINVAL;
	raw_spin_lock_irqsave(&fdm.lock, flags);
	for (i = 0; i < FDM_NR_STATS; i++)
		atomic_long_set(&fdm.stats[i], 0);
	for (i = 0; i < FDM_NR_STEPS; i++) {
		atomic_long_set(&fdm.visits[i], 0);
		atomic_long_set(&fdm.injections[i], 0);
	}
	memset(&fdm.last, 0, sizeof(fdm.last));
	memset(&fdm.audit, 0, sizeof(fdm.audit));
	fdm.last_deferred_comm[0] = '\0';
	fdm.nmissed_base = fdm_nmissed_total();
	fdm.calls = 0;
	raw_spin_unlock_irqrestore(&fdm.lock, flags);
	return 0;
}

static const struct fdm_knob fdm_knobs[] = {
	{ "index", 0600, false, fdm_show_index, fdm_store_index },
	{ "addr", 0600, false, fdm_show_addr, fdm_store_addr },
	{ "step", 0600, false, fdm_show_step, fdm_store_step },
	{ "steps", 0400, false, fdm_show_steps, NULL },
	{ "pid", 0600, false, fdm_show_pid, fdm_store_pid },
	{ "comm", 0600, false, fdm_show_comm, fdm_store_comm },
	{ "notify", 0600, false, fdm_show_notify, fdm_store_notify },
	{ "times", 0600, true, fdm_show_times, fdm_store_times },
	{ "probability", 0600, true, fdm_show_probability, fdm_store_probability },
	{ "interval", 0600, true, fdm_show_interval, fdm_store_interval },
	{ "verbose", 0600, true, fdm_show_verbose, fdm_store_verbose },
	{ "armed", 0400, false, fdm_show_armed, NULL },
	{ "stats", 0400, false, fdm_show_stats, NULL },
	{ "last", 0400, false, fdm_show_last, NULL },
	{ "audit", 0400, false, fdm_show_audit, NULL },
	{ "reset", 0200, false, NULL, fdm_store_reset },
};

static int fdm_knob_show(struct seq_file *m, void *v)
{
	const struct fdm_knob *k = m->private;

	/* Reached for a write-only knob too: lseek() on it runs show. */
	if (!k->show)
		return 0;
	mutex_lock(&fdm.mutex);
	k->show(m);
	mutex_unlock(&fdm.mutex);
	return 0;
}

/*
 * Every open gets a seq_file, so read and llseek always have one. A mode the
 * knob does not have is refused here: root opens a 0200 file for reading (or
 * a 0400 one for writing) whatever its mode bits say.
 */
static int fdm_knob_open(struct inode *inode, struct file *file)
{
	const struct fdm_knob *k = inode->i_private;

	if ((file->f_mode & FMODE_READ) && !k->show)
		return -EACCES;
	if ((file->f_mode & FMODE_WRITE) && !k->store)
		return -EACCES;
	return single_open(file, fdm_knob_show, inode->i_private);
}

/*
 * One whole value per write, at offset 0, of printable ASCII without spaces,
 * with at most one trailing newline: "5", "5\n". NUL bytes, a second newline,
 * spaces, control or non-ASCII bytes, empty and over-long writes: -EINVAL.
 */
static ssize_t fdm_knob_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	const struct fdm_knob *k = file_inode(file)->i_private;
	char buf[FDM_MAX_WRITE];
	size_t n = len, i;
	int ret;

	if (*ppos || !len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[n - 1] == '\n')
		n--;
	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] > '~')
			return -EINVAL;
	buf[n] = '\0';

	mutex_lock(&fdm.mutex);
	ret = k->store(buf);
	mutex_unlock(&fdm.mutex);
	return ret ? ret : len;
}

static const struct file_operations fdm_knob_fops = {
	.owner = THIS_MODULE,
	.open = fdm_knob_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.write = fdm_knob_write,
	.release = single_release,
};

int fdm_knobs_init(void)
{
	int i;

	fdm_dir = fdm_fault_dir();
	if (IS_ERR(fdm_dir))
		return PTR_ERR(fdm_dir);
	for (i = 0; i < ARRAY_SIZE(fdm_knobs); i++)
		if (!fdm_knobs[i].fault_attr || !fdm_fault_is_kernels())
			debugfs_create_file(fdm_knobs[i].name,
					    fdm_knobs[i].mode, fdm_dir,
					    (void *)&fdm_knobs[i],
					    &fdm_knob_fops);
	return 0;
}

void fdm_knobs_exit(void)
{
	debugfs_remove_recursive(fdm_dir);
}
