/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fail_dup_mmap trace events: one per injection, one per audit.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fail_dup_mmap

#if !defined(FDM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define FDM_TRACE_H

#include <linux/tracepoint.h>

#include "fdm.h"

TRACE_DEFINE_ENUM(FDM_MT_DUP);
TRACE_DEFINE_ENUM(FDM_ACCOUNT);
TRACE_DEFINE_ENUM(FDM_VMA_ALLOC);
TRACE_DEFINE_ENUM(FDM_POLICY);
TRACE_DEFINE_ENUM(FDM_UFFD);
TRACE_DEFINE_ENUM(FDM_ANON_VMA);
TRACE_DEFINE_ENUM(FDM_PAGE_TABLES);
TRACE_DEFINE_ENUM(FDM_KILL);
TRACE_DEFINE_ENUM(FDM_ARCH);
TRACE_DEFINE_ENUM(FDM_DONTCOPY);
TRACE_DEFINE_ENUM(FDM_LOCK);
TRACE_DEFINE_ENUM(FDM_KSM);

TRACE_EVENT(fdm_inject,
	TP_PROTO(pid_t pid, long index, int step, unsigned long start,
		 unsigned long end, int error),
	TP_ARGS(pid, index, step, start, end, error),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(long, index)
		__field(int, step)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(int, error)
	),
	TP_fast_assign(
		__entry->pid = pid;
		__entry->index = index;
		__entry->step = step;
		__entry->start = start;
		__entry->end = end;
		__entry->error = error;
	),
	TP_printk("pid=%d index=%ld step=%s vma=%lx-%lx error=%d",
		  __entry->pid, __entry->index,
		  /* enum fdm_step; strings here avoid __assign_str() */
		  __print_symbolic(__entry->step, { FDM_MT_DUP, "mt_dup" },
				   { FDM_ACCOUNT, "account" },
				   { FDM_VMA_ALLOC, "vma_alloc" },
				   { FDM_POLICY, "policy" },
				   { FDM_UFFD, "uffd" },
				   { FDM_ANON_VMA, "anon_vma" },
				   { FDM_PAGE_TABLES, "page_tables" },
				   { FDM_KILL, "kill" },
				   { FDM_ARCH, "arch" },
				   { FDM_DONTCOPY, "dontcopy" },
				   { FDM_LOCK, "lock" },
				   { FDM_KSM, "ksm" }),
		  __entry->start, __entry->end, __entry->error)
);

/* audited=0: the mm was busy (mmap lock not taken), nothing was counted. */
TRACE_EVENT(fdm_audit,
	TP_PROTO(pid_t forker, long index, bool audited, long entries,
		 long fresh, long stale, long markers, unsigned long mstart,
		 unsigned long mend, bool other_task),
	TP_ARGS(forker, index, audited, entries, fresh, stale, markers, mstart,
		mend, other_task),
	TP_STRUCT__entry(
		__field(pid_t, forker)
		__field(long, index)
		__field(bool, audited)
		__field(long, entries)
		__field(long, fresh)
		__field(long, stale)
		__field(long, markers)
		__field(unsigned long, mstart)
		__field(unsigned long, mend)
		__field(bool, other_task)
	),
	TP_fast_assign(
		__entry->forker = forker;
		__entry->index = index;
		__entry->audited = audited;
		__entry->entries = entries;
		__entry->fresh = fresh;
		__entry->stale = stale;
		__entry->markers = markers;
		__entry->mstart = mstart;
		__entry->mend = mend;
		__entry->other_task = other_task;
	),
	TP_printk("forker=%d index=%ld audited=%d entries=%ld fresh=%ld stale=%ld markers=%ld marker=%lx-%lx other_task=%d",
		  __entry->forker, __entry->index, __entry->audited,
		  __entry->entries,
		  __entry->fresh, __entry->stale, __entry->markers,
		  __entry->mstart, __entry->mend, __entry->other_task)
);

#endif /* FDM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE fdm_trace
#include <trace/define_trace.h>
