// SPDX-License-Identifier: GPL-2.0
/*
 * knobfuzz: write random byte strings (0-64 bytes: NUL bytes, newlines,
 * huge numbers, names, near-valid values) to the module's writable knobs, one
 * write(2) each, and count the outcomes. Only the errnos a knob may give are
 * accepted. Process-id knobs get, as valid values, only 0 and --pid P (a task
 * that does not fork), so the fuzz never aims the injector or a signal at
 * anything else.
 */
#include <stdint.h>

#include "common.h"

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const words[] = {
	"mt_dup", "account", "vma_alloc", "policy", "uffd", "anon_vma",
	"page_tables", "kill", "ksm", "-", "1", "0", "-1", "0x", "0x10",
	"18446744073709551616", "9223372036854775808", "2147483648",
	"4194304", "4194305", "100", "101", "fuzzname",
};

static const char *const all_knobs[] = {
	"index", "addr", "step", "pid", "comm", "notify", "times",
	"probability", "interval", "verbose", "reset",
};

/* One candidate value in @b; returns its length (0-64). */
static size_t gen(char *b, const char *knob, long pid)
{
	size_t n = 0, len, i;
	const char *w;

	switch (rnd(6)) {
	case 0:		/* raw bytes, any value (still guarded below) */
		len = rnd(60);
		for (i = 0; i < len; i++)
			b[n++] = (char)rnd(256);
		break;
	case 1:		/* digits, maybe signed, maybe huge */
		if (rnd(3) == 0)
			b[n++] = '-';
		len = 1 + rnd(rnd(2) ? 4 : 40);
		for (i = 0; i < len; i++)
			b[n++] = '0' + rnd(10);
		break;
	case 2:		/* a word */
		w = words[rnd(sizeof(words) / sizeof(words[0]))];
		n = strlen(w);
		memcpy(b, w, n);
		break;
	case 3:		/* hex */
		n = snprintf(b, 65, "%s%llx", rnd(2) ? "0x" : "",
			     (unsigned long long)rng >> rnd(64));
		break;
	case 4:		/* printable name */
		len = 1 + rnd(20);
		for (i = 0; i < len; i++)
			b[n++] = '!' + rnd(94);
		break;
	default:	/* empty */
		break;
	}
	/* Process-id knobs: never another live task's number. */
	if ((!strcmp(knob, "pid") || !strcmp(knob, "notify")) && n) {
		char *end;
		long v;

		b[n] = '\0';
		v = strtol(b, &end, 10);
		if (*end == '\0' && v > 0 && v <= 4194304)
			n = snprintf(b, 65, "%ld", rnd(2) ? pid : 0);
	}
	/* A name the test harness runs under would put it in the filter. */
	if (!strcmp(knob, "comm") && n) {
		b[n] = '\0';
		if (!strcmp(b, "sh") || !strcmp(b, "forker") ||
		    !strcmp(b, "knobfuzz") || !strcmp(b, "busybox"))
			n = 0;
	}
	switch (rnd(8)) {	/* a tail: newline(s), NUL, junk */
	case 0:
		b[n++] = '\n';
		break;
	case 1:
		b[n++] = '\n';
		b[n++] = '\n';
		break;
	case 2:
		b[n++] = '\0';
		memcpy(b + n, "junk", 4);
		n += 4;
		break;
	case 3:
		b[n++] = ' ';
		break;
	}
	return n > 64 ? 64 : n;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: knobfuzz -p P [-n WRITES] [-s SEED] [-d DIR] [KNOB...]\n"
"  WRITES random writes (default 10000) across the KNOBs (default: every\n"
"  writable knob of the module) of DIR\n"
"  (default " FDM_DIR "). Prints one line per errno; exits 1 if a write\n"
"  gave an errno no knob documents, or wrote a partial count.\n");
}

int main(int argc, char **argv)
{
	long n = 10000, pid = 0, i, accepted = 0, bad = 0;
	long counts[256] = { 0 };
	const char *dir = FDM_DIR;
	char path[512], b[128];
	int c;

	rng = 88172645463325252ULL;
	while ((c = getopt(argc, argv, "n:s:d:p:h")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 's': rng ^= strtoull(optarg, NULL, 0) * 2654435761ULL; break;
		case 'd': dir = optarg; break;
		case 'p': pid = atol(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	const char *const *knobs = all_knobs;
	int nknobs = sizeof(all_knobs) / sizeof(all_knobs[0]);

	if (optind < argc) {
		knobs = (const char *const *)&argv[optind];
		nknobs = argc - optind;
	}
	if (pid <= 1 || n < 0) {
		usage(stderr);
		return 2;
	}
	if (!rng)
		rng = 1;
	for (i = 0; i < n; i++) {
		const char *k = knobs[rnd(nknobs)];
		size_t len = gen(b, k, pid);
		ssize_t r;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, k);
		fd = open(path, O_WRONLY);
		if (fd < 0) {
			fprintf(stderr, "knobfuzz: open %s: %s\n", path, strerror(errno));
			return 1;
		}
		r = write(fd, b, len);
		if (r == (ssize_t)len) {
			accepted++;
		} else if (r >= 0) {
			fprintf(stderr, "knobfuzz: %s: partial write %zd of %zu\n", k, r, len);
			bad++;
		} else if (errno == EINVAL || errno == ESRCH || errno == EBUSY ||
			   errno == EOPNOTSUPP || errno == EPERM) {
			counts[errno & 255]++;
		} else {
			fprintf(stderr, "knobfuzz: %s: unexpected %s\n", k, strerror(errno));
			bad++;
		}
		close(fd);
	}
	printf("# knobfuzz: %ld writes: %ld accepted, EINVAL %ld, ESRCH %ld, EBUSY %ld, EOPNOTSUPP %ld, EPERM %ld, unexpected %ld\n",
	       n, accepted, counts[EINVAL], counts[ESRCH], counts[EBUSY],
	       counts[EOPNOTSUPP], counts[EPERM], bad);
	return bad ? 1 : 0;
}
