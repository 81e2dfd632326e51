// SPDX-License-Identifier: GPL-2.0
/*
 * --uprobe-offset: print the file offset of fork_once() in this binary, for
 * a uprobe on it in uprobe_events (scripts/guest/uprobe-loop.sh).
 */
#include "forker.h"

int print_uprobe_offset(void)
{
	uintptr_t a = (uintptr_t)fork_once, off;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		uintptr_t s, e;

		if (sscanf(line, "%lx-%lx %*s %lx", &s, &e, &off) == 3 && a >= s && a < e) {
			printf("0x%lx\n", a - s + off);
			return 0;
		}
	}
	return 1;
}
