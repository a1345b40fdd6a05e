/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side test plumbing shared by every hvpart selftest: assertions that
 * fail or skip the current test, and the TAP harness that runs each subtest
 * of a binary in its own child process.
 *
 * Nothing here may be called from guest code: it all ends in libc.
 */
#ifndef SELFTEST_HVPART_TEST_UTIL_H
#define SELFTEST_HVPART_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* kselftest exit codes */
#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

#define __unused	__attribute__((unused))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __stringify_1(x) #x
#define __stringify(x)	__stringify_1(x)

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define SZ_4K		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

void test_assert(bool exp, const char *exp_str, const char *file,
		 unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * TEST_ASSERT(cond, fmt, ...): on failure print file:line, the condition,
 * errno and the message as TAP diagnostics, then exit with KSFT_FAIL.
 */
#define TEST_ASSERT(e, fmt, ...) \
	test_assert((e), #e, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

void test_fail(const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

#define TEST_FAIL(fmt, ...) test_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define TEST_ASSERT_EQ(a, b) do {						\
	__typeof__(a) __a = (a);						\
	__typeof__(b) __b = (b);						\
	test_assert((unsigned long long)__a == (unsigned long long)__b,	\
		    #a " == " #b, __FILE__, __LINE__,				\
		    "%#llx != %#llx", (unsigned long long)__a,			\
		    (unsigned long long)__b);					\
} while (0)

void test_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Skip the current (sub)test unless a requirement holds. */
#define TEST_REQUIRE(cond) do {							\
	if (!(cond))								\
		test_skip("Requirement not met: %s", #cond);			\
} while (0)

#define __TEST_REQUIRE(cond, fmt, ...) do {					\
	if (!(cond))								\
		test_skip(fmt, ##__VA_ARGS__);					\
} while (0)

/* Print a TAP diagnostic line ("# ..."), safe between ok/not ok lines. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * TAP harness. A binary lists its subtests and hands them to tap_main(),
 * which prints "TAP version 13" and the plan, forks one child per subtest
 * (so an assert, crash or hang in one cannot take the others down), kills a
 * child that outlives its timeout, and prints ok / not ok / # SKIP.
 * It returns the binary's exit code: 0 when nothing failed and at least one
 * subtest passed, 4 when all were skipped, 1 when any failed.
 */
struct hvp_test {
	const char *name;
	void (*fn)(const void *arg);
	const void *arg;
	unsigned int timeout_s;		/* 0: default (HVP_TEST_TIMEOUT_S) */
};

#define HVP_TEST_TIMEOUT_S	60	/* below the lab's per-binary 120 s (settings) */

/* A subtest named after its function, without argument. */
#define HVP_TEST(f)		{ .name = #f, .fn = f }
#define HVP_TEST_ARG(n, f, a)	{ .name = n, .fn = f, .arg = a }

int tap_main(const struct hvp_test *tests, size_t n);

/*
 * Incremental form for table-driven binaries whose subtest names are built
 * at run time: tap_plan(), then tap_run() per subtest, then tap_done().
 */
void tap_plan(size_t n);
void tap_run(const char *name, void (*fn)(const void *arg), const void *arg,
	     unsigned int timeout_s);
int tap_done(void);

/* Small host helpers for sysfs, debugfs and tracefs files. */
int read_file(const char *path, char *buf, size_t len);	/* bytes or -errno */
int write_file(const char *path, const char *s);		/* 0 or -errno */
int read_file_u64(const char *path, uint64_t *val);		/* 0 or -errno */

uint64_t time_now_ns(void);

#endif /* SELFTEST_HVPART_TEST_UTIL_H */
