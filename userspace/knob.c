// SPDX-License-Identifier: GPL-2.0
/*
 * knob: write one value to a fail_dup_mmap debugfs knob with a single write(2)
 * and print the outcome as the errno name (OK, EINVAL, ...), so shell tests
 * can assert it. --size N writes N bytes of '1' instead of a value; --esc
 * VALUE decodes \n, \0 and \\ first (to write NUL bytes and newlines).
 */
#include "common.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: knob NAME VALUE | knob NAME --size N | knob NAME --esc VALUE\n"
		   "  prints OK or the errno name of the write; exit 0 if OK, 1 if not\n");
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "OK";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ERANGE: return "ERANGE";
	case EFAULT: return "EFAULT";
	case ESRCH: return "ESRCH";
	default: return "EOTHER";
	}
}

int main(int argc, char **argv)
{
	static char big[1 << 20];
	char *val;
	size_t len;
	char path[256];
	int fd, err = 0;
	ssize_t n;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[2], "--size")) {
		len = strtoul(argv[3], NULL, 10);
		if (len > sizeof(big)) {
			fprintf(stderr, "knob: --size at most %zu\n", sizeof(big));
			return 2;
		}
		memset(big, '1', len);
		val = big;
	} else if (argc == 4 && !strcmp(argv[2], "--esc")) {
		const char *p = argv[3];

		for (len = 0; *p && len < sizeof(big); p++) {
			if (*p != '\\' || !p[1]) {
				big[len++] = *p;
				continue;
			}
			p++;
			big[len++] = *p == 'n' ? '\n' : *p == '0' ? '\0' : *p;
		}
		val = big;
	} else if (argc == 3) {
		val = argv[2];
		len = strlen(val);
	} else {
		usage(stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%s", FDM_DIR, argv[1]);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "knob: open %s: %s\n", path, strerror(errno));
		return 2;
	}
	n = write(fd, val, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		err = EFAULT;
	close(fd);
	printf("%s\n", errname(err));
	return err ? 1 : 0;
}
