// SPDX-License-Identifier: GPL-2.0
/*
 * The module's steps: which ones this kernel offers (the steps knob) and
 * whether dup_mmap() would reach a step's function for a given VMA.
 */
#include "fdm.h"

/* Would dup_mmap() call the step's function for VMA #idx? */
int step_applies(const char *step, int idx)
{
	struct mapent *m;
	int o, dc;

	if (!strcmp(step, "arch"))	/* once, after the last VMA */
		return idx == nmaps;
	if (idx < 0 || idx >= nmaps)
		return 0;
	m = &maps[idx];
	o = own_of(m->start);
	dc = m->dontcopy || (o >= 0 && own[o].dontfork);
	/*
	 * Whole tree (mt_dup) or ksm_fork() (ksm: a MMF_VM_MERGEABLE parent,
	 * forker --mergeable) before any VMA: any VMA names the fork; each
	 * VMA's lock before its DONTCOPY test.
	 */
	if (!strcmp(step, "mt_dup") || !strcmp(step, "ksm") || !strcmp(step, "lock"))
		return 1;
	if (!strcmp(step, "dontcopy"))	/* only a VM_DONTCOPY VMA is cleared */
		return dc;
	if (dc)
		return 0;
	if (o >= 0 && own[o].wipeonfork &&
	    (!strcmp(step, "anon_vma") || !strcmp(step, "page_tables")))
		return 0;
	if (!strcmp(step, "account")) {
		if (o >= 0)
			return own[o].kind == K_ANON || own[o].kind == K_FILE_PRIV;
		if (m->account >= 0)
			return m->account;
		return m->perms[1] == 'w' && m->perms[3] == 'p';
	}
	return 1;
}

/* What `last` says the step's function returned: lock's -EINTR, else -ENOMEM. */
int step_errno(const char *step)
{
	return !strcmp(step, "lock") ? -EINTR : -ENOMEM;
}

/* A step this kernel does not offer (steps: "NAME SYM unavailable WHY"): skip. */
void skip_unavailable(const char *step)
{
	char line[256], name[64], sym[128], avail[32], why[128], msg[300];
	FILE *f = fopen(FDM_DIR "/steps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		why[0] = '\0';
		if (sscanf(line, "%63s %127s %31s %127s", name, sym, avail, why) < 3 ||
		    strcmp(name, step) || !strcmp(avail, "available"))
			continue;
		fclose(f);
		snprintf(msg, sizeof(msg), "step %s unavailable on this kernel: %s",
			 step, why[0] ? why : "?");
		ktap_skip_all(msg);
	}
	fclose(f);
}

/*
 * One line of the steps file at *p ("NAME SYMBOL available" or "NAME SYMBOL
 * unavailable REASON"); advances *p past it. False at the end.
 */
int next_step(const char **p, char *name, char *sym, char *avail)
{
	const char *nl;

	while (**p) {
		nl = strchr(*p, '\n');
		if (sscanf(*p, "%31s %63s %31s", name, sym, avail) == 3) {
			*p = nl ? nl + 1 : *p + strlen(*p);
			return 1;
		}
		*p = nl ? nl + 1 : *p + strlen(*p);
	}
	return 0;
}
