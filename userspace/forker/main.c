// SPDX-License-Identifier: GPL-2.0
/*
 * forker: a VMA-rich parent that arms fail_dup_mmap for itself, forks, and
 * checks what happened (errno, stats, last, the child's view of memory).
 * KTAP output; exit 0 pass, 1 fail, 4 skip.
 *
 * This file: the options and the dispatch to the modes (forker.h).
 */
#include <getopt.h>
#include <signal.h>

#include "forker.h"

int audit;

static void usage(FILE *f)
{
	fprintf(f,
"usage: forker [options]\n"
"  --vmas N        VMAs to create (default 32), one page each, unmergeable\n"
"  --mix           cycle anon, shared anon, file-backed private and shared VMAs\n"
"  --dontfork K    MADV_DONTFORK on own VMA K\n"
"  --wipeonfork K  MADV_WIPEONFORK on own VMA K\n"
"  --mergeable     MADV_MERGEABLE on the first own anon VMA: the parent is\n"
"                  MMF_VM_MERGEABLE, so fork calls __ksm_enter() (step ksm)\n"
"  --index I       target: a number (position in /proc/self/maps) or first,\n"
"                  second, middle, last, past, dontfork, wipeonfork\n"
"  --step S        step to fail (default vma_alloc)\n"
"  --forks N       forks to attempt (default 1)\n"
"  --expect E      auto (default: from the step and the target VMA), fail or ok;\n"
"                  with --step kill a victim process forks and must die\n"
"  --by-addr       arm through the addr knob (an address inside the target)\n"
"  --audit         check the module's audit of the failed child's tree against\n"
"                  what this kernel line does (docs/audit.md)\n"
"  --no-arm        do not touch the module; just fork and check children\n"
"  --loop SECS     fork for SECS seconds (or until SIGUSR1), accepting ENOMEM\n"
"  --sweep         every available step but kill at every index (and one past):\n"
"                  a fork must fail exactly where the step applies\n"
"  --duration S    stress: fork in a loop for S seconds (arm the module\n"
"                  yourself, e.g. comm forker); with --procs P parents,\n"
"                  --cpu C pinned, --swap paging out (MADV_PAGEOUT) the\n"
"                  VMAs before --index before each fork\n"
"  --bench N       time N fork()+wait (median, p10, p90 in us); no checks\n"
"  --rate S        forks per second over S seconds, failed or not\n"
"  --uprobe-offset print the file offset of fork_once() for uprobe_events\n"
"  --fails LO-HI   expect LO to HI of the forks to fail, the rest to succeed\n"
"                  (times, interval, probability tests)\n"
"exit: 0 all passed, 1 a check failed, 4 skipped (not root, no module)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmas", 1, 0, 'v' }, { "mix", 0, 0, 'm' }, { "dontfork", 1, 0, 'd' },
		{ "wipeonfork", 1, 0, 'w' }, { "index", 1, 0, 'i' }, { "step", 1, 0, 's' },
		{ "forks", 1, 0, 'f' }, { "expect", 1, 0, 'e' }, { "no-arm", 0, 0, 'n' },
		{ "loop", 1, 0, 'l' }, { "help", 0, 0, 'h' }, { "by-addr", 0, 0, 'a' },
		{ "fails", 1, 0, 'F' }, { "audit", 0, 0, 'A' }, { "sweep", 0, 0, 'S' },
		{ "swap", 0, 0, 'W' }, { "duration", 1, 0, 'D' }, { "procs", 1, 0, 'P' },
		{ "cpu", 1, 0, 'C' }, { "uprobe-offset", 0, 0, 'U' },
		{ "bench", 1, 0, 'B' }, { "rate", 1, 0, 'R' }, { "mergeable", 0, 0, 'M' },
		{ 0, 0, 0, 0 },
	};
	const char *spec = NULL, *step = "vma_alloc", *expect = "auto";
	int nvmas = 32, mix = 0, dontfork = -1, wipeonfork = -1, forks = 1, noarm = 0;
	int loop = 0, c;
	int fail_lo = -1, fail_hi = -1, sweep = 0, swap = 0, duration = 0, procs = 1, cpu = -1;
	int bench = 0, rate = 0, mergeable = 0;
	struct forker_opts o;
	char junk;
	char *end;

	static char outbuf[1 << 16];

	/* A static buffer: no heap growth once the maps have been read. */
	setvbuf(stdout, outbuf, _IOLBF, sizeof(outbuf));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long v = 0;

		if (strchr("vdwflDPCBR", c)) {
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > MAX_VMAS) {
				fprintf(stderr, "forker: bad number '%s'\n", optarg);
				return 2;
			}
		}
		switch (c) {
		case 'v': nvmas = v; break;
		case 'm': mix = 1; break;
		case 'd': dontfork = v; break;
		case 'w': wipeonfork = v; break;
		case 'i': spec = optarg; break;
		case 's': step = optarg; break;
		case 'f': forks = v; break;
		case 'e': expect = optarg; break;
		case 'n': noarm = 1; break;
		case 'a': by_addr = 1; break;
		case 'A': audit = 1; break;
		case 'S': sweep = 1; break;
		case 'W': swap = 1; break;
		case 'D': duration = v; break;
		case 'P': procs = v; break;
		case 'C': cpu = v; break;
		case 'U': return print_uprobe_offset();
		case 'B': bench = v; break;
		case 'R': rate = v; break;
		case 'M': mergeable = 1; break;
		case 'F':
			if (sscanf(optarg, "%d-%d%c", &fail_lo, &fail_hi, &junk) != 2 ||
			    fail_lo < 0 || fail_hi < fail_lo) {
				fprintf(stderr, "forker: bad --fails '%s' (want LO-HI)\n", optarg);
				return 2;
			}
			break;
		case 'l': loop = v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (bench || rate)
		noarm = 1;
	if (optind != argc || nvmas < 2 || (!noarm && !spec && !sweep && !duration) ||
	    (strcmp(expect, "auto") && strcmp(expect, "fail") && strcmp(expect, "ok"))) {
		usage(stderr);
		return 2;
	}
	/* Without MMF_VM_MERGEABLE ksm_fork() never calls __ksm_enter(). */
	if (!sweep && !strcmp(step, "ksm") && !mergeable) {
		fprintf(stderr, "forker: --step ksm needs --mergeable\n");
		return 2;
	}
	if (!noarm) {
		if (getuid())
			ktap_skip_all("not root");
		if (access(FDM_DIR "/index", W_OK))
			ktap_skip_all("fail_dup_mmap not loaded (no " FDM_DIR ")");
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(disarm);
	if (bench || rate) {
		quick_child = 1;
		if (build_vmas(nvmas, mix, -1, -1))
			return KSFT_FAIL;
		return bench ? run_bench(bench) : run_rate(rate);
	}
	if (duration)
		return run_stress(spec, duration, procs ? procs : 1, swap, cpu, nvmas, mix);
	if (!noarm && !sweep)
		skip_unavailable(step);
	if (!strcmp(step, "kill") && !noarm)
		return run_kill(spec, step, nvmas, mix, dontfork, wipeonfork);
	if (build_vmas(nvmas, mix, dontfork, wipeonfork)) {
		printf("Bail out! cannot build %d VMAs: %s\n", nvmas, strerror(errno));
		return KSFT_FAIL;
	}
	if (mergeable && make_mergeable()) {
		printf("Bail out! MADV_MERGEABLE: %s\n", strerror(errno));
		return KSFT_FAIL;
	}
	if (loop)
		return run_loop(loop);
	if (sweep)
		return run_sweep();
	o = (struct forker_opts){
		.spec = spec, .step = step, .expect = expect, .mix = mix,
		.forks = forks, .noarm = noarm, .fail_lo = fail_lo, .fail_hi = fail_hi,
	};
	return run_once(&o);
}
