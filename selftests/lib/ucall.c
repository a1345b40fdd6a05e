// SPDX-License-Identifier: GPL-2.0
/*
 * ucall transport (see ucall.h): guest side writes a struct ucall and
 * executes "outl %eax, %dx"; host side recognises the port I/O exit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hvp_util.h"

void ucall(uint64_t cmd, int nargs, ...)
{
	struct ucall uc = { .cmd = cmd };
	va_list va;
	int i;

	if (nargs > UCALL_MAX_ARGS)
		nargs = UCALL_MAX_ARGS;
	va_start(va, nargs);
	for (i = 0; i < nargs; i++)
		uc.args[i] = va_arg(va, uint64_t);
	va_end(va);

	/* The "memory" clobber orders the stores to uc before the OUT. */
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)&uc), "d"(UCALL_PORT) : "memory");
}

void ucall_abort(const char *expr, const char *file, uint64_t line,
		 uint64_t nvals, uint64_t v0, uint64_t v1)
{
	for (;;) {
		ucall(UCALL_ABORT, 6, (uint64_t)expr, (uint64_t)file, line,
		      nvals, v0, v1);
		hlt();
	}
}

uint64_t get_ucall(struct hvp_vp *vp, struct ucall *uc)
{
	struct hvpart_run *run = vp->run;
	struct ucall tmp = { .cmd = UCALL_NONE };
	uint64_t gpa;

	if (run->exit_reason == HVPART_EXIT_IO && run->io.port == UCALL_PORT &&
	    run->io.direction == HVPART_IO_OUT && run->io.size == 4) {
		gpa = (uint32_t)run->io.data;
		addr_gpa2hva(vp->vm, gpa + sizeof(tmp) - 1);	/* asserts the end is mapped */
		memcpy(&tmp, addr_gpa2hva(vp->vm, gpa), sizeof(tmp));
		if (tmp.cmd == UCALL_NONE)
			tmp.cmd = ~0ULL;	/* keep "not a ucall" unambiguous */
	}
	if (uc)
		*uc = tmp;
	return tmp.cmd;
}

/* A guest string pointer, if it lies in the binary image (else a marker). */
static const char *guest_str(uint64_t p)
{
	const char *s = (const char *)(uintptr_t)p;
	size_t n;

	for (n = 0; n < 4096; n++) {
		if (!host_image_contains(s + n, 1))
			return "<bad pointer>";
		if (!s[n])
			return s;
	}
	return "<unterminated>";
}

void report_guest_assert(const struct ucall *uc, const char *file,
			 unsigned int line)
{
	char vals[128] = "";

	if (uc->args[GUEST_ASSERT_NVALS] == 1)
		snprintf(vals, sizeof(vals), "\n  value: %#lx",
			 (unsigned long)uc->args[GUEST_ASSERT_VAL0]);
	else if (uc->args[GUEST_ASSERT_NVALS] >= 2)
		snprintf(vals, sizeof(vals), "\n  values: %#lx, %#lx",
			 (unsigned long)uc->args[GUEST_ASSERT_VAL0],
			 (unsigned long)uc->args[GUEST_ASSERT_VAL1]);
	test_fail(file, line, "Failed guest assert: %s at %s:%lu%s",
		  guest_str(uc->args[GUEST_ASSERT_EXPR]),
		  guest_str(uc->args[GUEST_ASSERT_FILE]),
		  (unsigned long)uc->args[GUEST_ASSERT_LINE], vals);
}
