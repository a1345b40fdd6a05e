/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: how guest code talks to its host test.
 *
 * The guest fills a struct ucall (on its own stack) and executes
 * "outl %eax, %dx" with DX = UCALL_PORT and EAX = the struct's
 * guest-physical address (the library's identity mapping keeps every guest
 * address below 4 GiB, so 32 bits suffice). The module hands the OUT to
 * userspace as HVPART_EXIT_IO; get_ucall() recognises it by port, size and
 * direction and copies the struct out of guest memory. The next RUN simply
 * continues after the OUT.
 *
 * Strings in a ucall (assert expression, file) are pointers into the test
 * binary's .rodata, which the guest runs from a copy at the same address;
 * the host reads them from its own image after checking the range.
 */
#ifndef SELFTEST_HVPART_UCALL_H
#define SELFTEST_HVPART_UCALL_H

#include <stdint.h>

#define UCALL_PORT	0x1000
#define UCALL_MAX_ARGS	6

enum {
	UCALL_NONE,		/* the exit was not a ucall */
	UCALL_SYNC,		/* args[0..]: test-defined */
	UCALL_DONE,
	UCALL_ABORT,		/* failed GUEST_ASSERT; see enum guest_assert_arg */
	UCALL_UNHANDLED,	/* exception without handler: vector, rip, error code */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
};

enum guest_assert_arg {
	GUEST_ASSERT_EXPR,	/* const char *: condition text */
	GUEST_ASSERT_FILE,	/* const char * */
	GUEST_ASSERT_LINE,
	GUEST_ASSERT_NVALS,	/* how many of the values below are meaningful */
	GUEST_ASSERT_VAL0,
	GUEST_ASSERT_VAL1,
};

enum guest_unhandled_arg {
	GUEST_UNHANDLED_VECTOR,
	GUEST_UNHANDLED_RIP,
	GUEST_UNHANDLED_ERROR_CODE,
};

/* ---- guest side --------------------------------------------------------- */

void ucall(uint64_t cmd, int nargs, ...);
/* Report a failed assertion and never return (the guest halts forever). */
void ucall_abort(const char *expr, const char *file, uint64_t line,
		 uint64_t nvals, uint64_t v0, uint64_t v1)
	__attribute__((noreturn));

#define GUEST_SYNC(a)		ucall(UCALL_SYNC, 1, (uint64_t)(a))
#define GUEST_SYNC2(a, b)	ucall(UCALL_SYNC, 2, (uint64_t)(a), (uint64_t)(b))
#define GUEST_SYNC3(a, b, c)	ucall(UCALL_SYNC, 3, (uint64_t)(a), (uint64_t)(b), \
				      (uint64_t)(c))
#define GUEST_DONE()		ucall(UCALL_DONE, 0)

#define __GUEST_ASSERT(cond, str, nvals, v0, v1) do {				\
	if (!(cond))								\
		ucall_abort(str, __FILE__, __LINE__, nvals,			\
			    (uint64_t)(v0), (uint64_t)(v1));			\
} while (0)

#define GUEST_ASSERT(cond)	__GUEST_ASSERT(cond, #cond, 0, 0, 0)
#define GUEST_ASSERT_1(cond, v)	__GUEST_ASSERT(cond, #cond, 1, v, 0)
#define GUEST_ASSERT_2(cond, v, w) __GUEST_ASSERT(cond, #cond, 2, v, w)
#define GUEST_FAIL(str)		ucall_abort(str, __FILE__, __LINE__, 0, 0, 0)

#define GUEST_ASSERT_EQ(a, b) do {						\
	__typeof__(a) __ga = (a);						\
	__typeof__(b) __gb = (b);						\
	__GUEST_ASSERT((uint64_t)__ga == (uint64_t)__gb, #a " == " #b, 2,	\
		       __ga, __gb);						\
} while (0)

#define GUEST_ASSERT_NE(a, b) do {						\
	__typeof__(a) __ga = (a);						\
	__typeof__(b) __gb = (b);						\
	__GUEST_ASSERT((uint64_t)__ga != (uint64_t)__gb, #a " != " #b, 2,	\
		       __ga, __gb);						\
} while (0)

/* ---- host side ---------------------------------------------------------- */

struct hvp_vp;

/*
 * If the VP's last exit was a ucall, copy it to *uc (when non-NULL) and
 * return its cmd; otherwise zero *uc and return UCALL_NONE.
 */
uint64_t get_ucall(struct hvp_vp *vp, struct ucall *uc);

void report_guest_assert(const struct ucall *uc, const char *file,
			 unsigned int line) __attribute__((noreturn));
#define REPORT_GUEST_ASSERT(uc)	report_guest_assert(&(uc), __FILE__, __LINE__)

#endif /* SELFTEST_HVPART_UCALL_H */
