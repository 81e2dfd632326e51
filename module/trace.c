// SPDX-License-Identifier: GPL-2.0
/*
 * fail_dup_mmap: instantiate the trace events of fdm_trace.h.
 */
#define CREATE_TRACE_POINTS
#include "fdm_trace.h"
