// SPDX-License-Identifier: GPL-2.0
/*
 * Checking the module's audit of a failed child's tree against what the
 * running kernel line leaves behind (the table in docs/audit.md).
 */
#include <sys/utsname.h>

#include "fdm.h"

/* How the running kernel leaves a failed child's tree (docs/audit.md). */
enum recovery { R_INCREMENTAL, R_MARKER, R_TEARDOWN };

static enum recovery kernel_recovery(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	if (major == 6 && minor < 8)
		return R_INCREMENTAL;	/* dup_mmap() builds the tree VMA by VMA */
	if (major == 6 && minor <= 18)
		return R_MARKER;	/* v6.8 __mt_dup() + XA_ZERO_ENTRY */
	return R_TEARDOWN;		/* v7.0 "mm: change dup_mmap() recovery" */
}

/*
 * Check the audit of the child that failed at VMA #idx (of total), as the
 * table in docs/audit.md says, from the maps the parent had at fork time.
 */
void check_audit(const char *step, int idx, int total)
{
	check_audit_quiet(step, idx, total, 0);
}

/* Returns 1 if the audit matches; quiet: print only a mismatch, as a comment. */
int check_audit_quiet(const char *step, int idx, int total, int quiet)
{
	char buf[1024], marker[64], want_marker[64] = "-";
	enum recovery r = kernel_recovery();
	int ok;
	int linked = idx, kill = !strcmp(step, "kill"), j, dc = 0;
	long want_entries, want_fresh, want_stale = 0, want_markers = 0;

	if (!strcmp(step, "page_tables") || kill)
		linked = idx + 1;	/* the VMA is in the child's tree already */
	/* Nothing copied: the whole tree (6.8+), or ksm_fork() (to 6.11) first. */
	if (!strcmp(step, "mt_dup") || !strcmp(step, "ksm"))
		linked = 0;
	/* 6.x notices the signal at the next VMA it copies: a VM_DONTCOPY one
	 * is cleared (6.12) or skipped (6.1) before the check.
	 */
	while (kill && r != R_TEARDOWN && linked < total && maps[linked].dontcopy)
		linked++;
	if (kill && r == R_TEARDOWN)
		linked = total;		/* measured: the copy completes first */
	if (linked > total)
		linked = total;
	/* VM_DONTCOPY VMAs before the failure: never in the child's tree. */
	for (j = 0; j < linked; j++)
		dc += maps[j].dontcopy;
	if (r == R_TEARDOWN && !kill) {
		want_entries = want_fresh = 0;	/* torn down whatever the index */
	} else if (r == R_INCREMENTAL || linked == total) {
		want_entries = want_fresh = linked - dc;
	} else if (r == R_MARKER) {
		want_fresh = linked - dc;
		/* Nothing copied yet: mt_dup, or ksm_fork() before __mt_dup()
		 * (6.8 to 6.11, before 985da552a98e).
		 */
		if (!strcmp(step, "mt_dup") || !strcmp(step, "ksm")) {
			want_entries = 0;
		} else {
			want_entries = total - dc;
			want_markers = 1;
			want_stale = total - linked - 1;
			snprintf(want_marker, sizeof(want_marker), "%lx-%lx",
				 maps[linked].start, maps[linked].end);
		}
	} else {
		want_entries = want_fresh = 0;
	}
	knob_read("audit", buf, sizeof(buf));
	knob_str(buf, "marker", marker, sizeof(marker));
	ok = knob_field(buf, "entries") == want_entries &&
	     knob_field(buf, "fresh") == want_fresh &&
	     knob_field(buf, "stale") == want_stale &&
	     knob_field(buf, "markers") == want_markers &&
	     !strcmp(marker, want_marker) && knob_field(buf, "index") == idx;
	if (quiet && ok)
		return 1;
	if (quiet)
		printf("# %s at #%d: ", step, idx);
	(quiet ? ktap_comment : ktap_result)(ok, "audit (%s): entries %ld fresh %ld stale %ld markers %ld marker %s (want %ld %ld %ld %ld %s)",
		    r == R_INCREMENTAL ? "incremental tree" : r == R_MARKER ? "XA_ZERO marker" : "teardown",
		    knob_field(buf, "entries"), knob_field(buf, "fresh"),
		    knob_field(buf, "stale"), knob_field(buf, "markers"), marker,
		    want_entries, want_fresh, want_stale, want_markers, want_marker);
	return ok;
}
