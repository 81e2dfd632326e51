// SPDX-License-Identifier: GPL-2.0
/*
 * patstress: forks that fail copying the page tables of a PFN mapping.
 * remap_pfn_range() over a whole VMA reserves the range's memory type and
 * marks the VMA VM_PAT (x86). A fixed kernel (dc84bc2aba85 "x86/mm/pat: Fix
 * VM_PAT handling when fork() fails in copy_page_range()") clears VM_PAT on
 * the child's copy of the VMA in dup_mmap(); track_pfn_copy() sets it again
 * only with a reservation of the child's own. Before the fix the child's
 * VMA kept the parent's VM_PAT: when copy_page_range() fails at that VMA,
 * the failed child's exit_mmap() asks get_pat_info() for a range with no
 * page tables, which warns (WARN_ON_ONCE in arch/x86/mm/pat/memtype.c).
 *
 * Layout: one page of FILE (default /dev/mem at 0xa0000, the legacy VGA
 * window: not RAM, so STRICT_DEVMEM allows it) mapped MAP_SHARED and
 * read-only (a PFN mapping, not COW), and every
 * fork failing at its page_tables step, armed by address. The kernel log
 * is the oracle; this program counts the failed forks.
 */
#include <getopt.h>
#include <signal.h>
#include <sys/mman.h>

#include "../lib/fdm.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: patstress [-t SECONDS] [-f FILE] [-o OFFSET]\n"
"  Maps one page of FILE (default /dev/mem) at OFFSET (default 0xa0000)\n"
"  MAP_SHARED read-only, then forks for SECONDS (default 60) with every\n"
"  fork failing at that VMA's page_tables step. Before dc84bc2aba85 the\n"
"  failed child's exit_mmap() warns in get_pat_info() (kernel log).\n"
"  Needs fail_dup_mmap loaded; arms it for this process and disarms on exit.\n");
}

int main(int argc, char **argv)
{
	long secs = 60, forks = 0, failed = 0, other = 0;
	const char *file = "/dev/mem";
	unsigned long off = 0xa0000;
	char *end_ptr;
	void *area;
	int c, fd, idx;

	while ((c = getopt(argc, argv, "t:f:o:h")) != -1) {
		switch (c) {
		case 't':
			secs = opt_num("patstress", "-t", optarg, 1, 86400);
			break;
		case 'f':
			file = optarg;
			break;
		case 'o':
			errno = 0;
			off = strtoul(optarg, &end_ptr, 0);
			if (errno || *end_ptr || end_ptr == optarg || *optarg == '-' || off % PAGE) {
				fprintf(stderr, "patstress: -o needs a page-aligned offset, got '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return KSFT_PASS;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (access(FDM_DIR "/addr", W_OK)) {
		printf("patstress: fail_dup_mmap not loaded (no %s)\n", FDM_DIR);
		return KSFT_SKIP;
	}
	skip_unavailable("page_tables");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("patstress: open %s: %s\n", file, strerror(errno));
		return KSFT_FAIL;
	}
	area = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (area == MAP_FAILED) {
		printf("patstress: mmap of %s at 0x%lx: %s\n", file, off, strerror(errno));
		return KSFT_FAIL;
	}
	close(fd);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(disarm);
	read_maps();
	idx = maps_index_of((uintptr_t)area);
	by_addr = 1;
	if (idx < 0 || arm("page_tables", idx)) {
		printf("patstress: cannot arm at %p (VMA #%d)\n", area, idx);
		return KSFT_FAIL;
	}
	forks = fail_forks_for(secs, &failed, &other);
	disarm();
	printf("patstress: %ld forks, %ld failed with ENOMEM, %ld other outcomes (%s at 0x%lx)\n",
	       forks, failed, other, file, off);
	printf("@@FDM-STRESS-ACTIVITY failed_forks=%ld\n", failed);
	return other ? KSFT_FAIL : KSFT_PASS;
}
