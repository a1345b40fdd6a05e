/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP 13 producer for the unit tests: tap_ok() prints one
 * "ok N - name" or "not ok N - name" line per check, tap_done() prints the
 * plan and returns the exit status. run-tap.sh merges the binaries' streams.
 */
#ifndef HVP_TEST_TAP_H
#define HVP_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap_state {
	unsigned int count;
	unsigned int failed;
};

static struct tap_state tap;

static inline void tap_start(void)
{
	printf("TAP version 13\n");
}

static inline __attribute__((format(printf, 2, 3)))
bool tap_ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	tap.count++;
	if (!pass)
		tap.failed++;
	printf("%sok %u - ", pass ? "" : "not ", tap.count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

/* A "# ..." diagnostic line, usually explaining the failure just above. */
static inline __attribute__((format(printf, 1, 2)))
void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_done(void)
{
	printf("1..%u\n", tap.count);
	fflush(stdout);
	return tap.failed ? 1 : 0;
}

#endif /* HVP_TEST_TAP_H */
