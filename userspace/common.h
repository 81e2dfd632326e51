/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the guest binaries: KTAP output and debugfs knobs. */
#ifndef FDM_COMMON_H
#define FDM_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FDM_DIR "/sys/kernel/debug/fail_dup_mmap"
#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

/*
 * The KTAP counters: a one-file program has its own pair here; a program of
 * several files (lib/fdm.h defines FDM_KTAP_EXTERN) shares the pair defined
 * in lib/check.c.
 */
#ifdef FDM_KTAP_EXTERN
extern int ktap_n, ktap_fail;
#else
static int ktap_n, ktap_fail;
#endif

static inline void ktap_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
}

static inline void ktap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d ", ok ? "ok" : "not ok", ++ktap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		ktap_fail++;
}

/* Same arguments as ktap_result(), printed as a "# " comment line. */
static inline void ktap_comment(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s", ok ? "" : "mismatch: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline void ktap_skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++ktap_n, why);
}

static inline void ktap_skip_all(const char *why)
{
	printf("KTAP version 1\n1..0 # SKIP %s\n", why);
	exit(KSFT_SKIP);
}

/* Write a knob; returns 0 or -errno. */
static inline int knob_write(const char *name, const char *val)
{
	char path[256];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", FDM_DIR, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Read a whole knob into buf (NUL-terminated); returns length or -errno. */
static inline int knob_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", FDM_DIR, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	if (n < 0)
		return -errno;
	buf[got] = '\0';
	return got;
}

/* Value of "name value" line in a knob like stats or last; -1 if absent. */
static inline long knob_field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtol(p + kl + 1, NULL, 0);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static inline const char *knob_str(const char *text, const char *key, char *out,
				   size_t len)
{
	size_t kl = strlen(key);
	const char *p = text;

	out[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			size_t i = 0;

			p += kl + 1;
			while (p[i] && p[i] != '\n' && i + 1 < len) {
				out[i] = p[i];
				i++;
			}
			out[i] = '\0';
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return out;
}

#endif
