/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmstress: failed forks of a KSM-registered (or, --khugepaged,
 * khugepaged-registered) parent while ksmd (khugepaged) scans
 * (patches/control-notes.md, "ksm, covering khugepaged too"). main.c is the
 * forking parent, hold.c the SCHED_FIFO helper that holds the forker's CPU
 * between dup_mmap()'s unlock and the forker's mmput() of the failed child.
 */
#ifndef KSMSTRESS_H
#define KSMSTRESS_H

#include "../lib/fdm.h"

/* The failing anon page, after the fillers; the mergeable pages after it. */
#define KS_TARGET 0x60000000UL
#define KS_MERGE 0x60100000UL
/* --khugepaged: PMD-aligned MADV_HUGEPAGE memory there instead. */
#define KS_THP 0x60200000UL
#define KS_THP_SIZE (4UL << 20)
#define KS_KHUGEPAGED "/sys/kernel/mm/transparent_hugepage/khugepaged"

/* The parent's order for one fork (one write on the command pipe). */
struct ks_cmd {
	unsigned int delay_us;	/* sleep before the blocking read */
	unsigned int spin_ms;	/* hold the CPU this long after it */
};

/* The helper's answer once it is done with that fork. */
struct ks_res {
	unsigned int wait_us;	/* how long the read of the parent's cmdline took */
	int held;		/* it waited for the parent's mmap lock and spun */
};

int hold_main(int cmd_fd, int res_fd, pid_t parent, int cpu, int prio);

#endif
