/* SPDX-License-Identifier: GPL-2.0 */
/*
 * upstress: failed forks racing uprobe registration (patches/control-notes.md,
 * "uprobes, dup_mmap_sem"). main.c is the forking parent, reg.c the
 * registering helper process.
 */
#ifndef UPSTRESS_H
#define UPSTRESS_H

#include "../lib/fdm.h"

/* The probed file mapping at UP_ADDR, the failing anon page right after it. */
#define UP_ADDR 0x60000000UL
#define UP_GROUP "fdm_up"
#define UP_EVENT "u"

/*
 * What the helper tells the parent, in a MAP_SHARED page: the parent forks
 * until "registered", then reads one byte from the result pipe (the helper
 * writes it once the event is disabled and removed) and looks at err.
 */
struct up_shared {
	int registered;	/* set (release) once the enable write returned */
	int err;	/* 0, or the errno of the first failing tracefs write */
	int stage;	/* which write failed (enum up_stage) */
};

enum up_stage { UP_CREATE = 1, UP_ENABLE, UP_DISABLE, UP_REMOVE };

/* The parent's order for one cycle (one write on the command pipe). */
struct up_cmd {
	unsigned int cycle;
	unsigned int delay_us;	/* sleep before the enable write */
};

extern const char *up_tracefs;

void up_path(char *buf, size_t len, pid_t parent, unsigned int cycle);
const char *up_stage_name(int stage);
int up_find_tracefs(void);
int reg_main(int cmd_fd, int res_fd, struct up_shared *sh, pid_t parent, int cpu,
	     int prio);

#endif
