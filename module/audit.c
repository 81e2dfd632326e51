// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: audit a failed child's maple tree when its exit_mmap() starts.
 *
 * Read only and without sleeping: the mmap lock is only tried, the tree is
 * walked under RCU, and the VMAs it points to are read with
 * copy_from_kernel_nofault(): entries past a failure point may point to the
 * parent's VMAs, which the parent may have freed since.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "fdm.h"

/* Fill in the tree part of @a for @mm; false if the mm is busy. */
notrace bool fdm_audit_mm(struct mm_struct *mm, struct fdm_audit *a)
{
	MA_STATE(mas, &mm->mm_mt, 0, 0);
	struct mm_struct *owner;
	void *entry;

	if (!mmap_read_trylock(mm))
		return false;
	rcu_read_lock();
	mas_for_each(&mas, entry, ULONG_MAX) {
		a->entries++;
		if (xa_is_zero(entry)) {
			if (!a->markers++) {
				a->marker_start = mas.index;
				a->marker_end = mas.last + 1;
				a->marker_pos = a->entries - 1;
			}
			continue;
		}
		if (copy_from_kernel_nofault(&owner,
				&((struct vm_area_struct *)entry)->vm_mm,
				sizeof(owner)) || owner != mm)
			a->stale++;
		else
			a->fresh++;
	}
	rcu_read_unlock();
	mmap_read_unlock(mm);
	return true;
}
NOKPROBE_SYMBOL(fdm_audit_mm);
