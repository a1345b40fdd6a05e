// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side failure and skip reporting. Every line goes to stdout as a TAP
 * diagnostic ("# ...") so the lab's TAP capture shows it next to the
 * "not ok" it explains; the exit code (KSFT_FAIL / KSFT_SKIP) is what the
 * harness in tap.c turns into the verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test_util.h"

/* Set by tap.c in a subtest's child: where a skip reason is handed back. */
extern char *tap_skip_reason;
extern size_t tap_skip_reason_len;

/* Print @buf as TAP diagnostics, one "# " per line. */
static void diag_lines(const char *indent, const char *buf)
{
	const char *p = buf, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		printf("#%s%.*s\n", indent, (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

void tap_diag(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag_lines(" ", buf);
	fflush(stdout);
}

static void __attribute__((noreturn))
report_failure(const char *exp_str, const char *file, unsigned int line,
	       int saved_errno, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("# ==== Test Assertion Failure ====\n");
	printf("#   %s:%u: %s\n", file, line, exp_str);
	printf("#   pid=%d tid=%ld errno=%d - %s\n", (int)getpid(),
	       (long)syscall(SYS_gettid), saved_errno, strerror(saved_errno));
	diag_lines("   ", buf);
	fflush(stdout);
	exit(KSFT_FAIL);
}

void test_assert(bool exp, const char *exp_str, const char *file,
		 unsigned int line, const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	if (exp)
		return;
	va_start(ap, fmt);
	report_failure(exp_str, file, line, saved_errno, fmt, ap);
}

void test_fail(const char *file, unsigned int line, const char *fmt, ...)
{
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	report_failure("TEST_FAIL", file, line, saved_errno, fmt, ap);
}

void test_skip(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (tap_skip_reason) {
		snprintf(tap_skip_reason, tap_skip_reason_len, "%s", buf);
	} else {
		printf("# SKIP %s\n", buf);
	}
	fflush(stdout);
	exit(KSFT_SKIP);
}
