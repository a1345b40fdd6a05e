// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy/memset/memmove/memcmp for host *and* guest code.
 *
 * Guest code runs from a copy of this binary with no libc set up behind it:
 * glibc's string functions are IFUNCs whose selectors read CPU features and
 * may use AVX, and nothing guarantees they are safe there. The compiler
 * also emits calls to these four on its own (struct copies, zeroing), so
 * the test binary links its own definitions, which both sides then use.
 *
 * Linking: this object is an ordinary member of the link *before* libc.a,
 * so the static linker resolves the four symbols here and never pulls
 * glibc's memcpy/memset objects (checked with glibc 2.36: they sit alone in
 * their archive members, so there is no duplicate-definition clash; glibc's
 * own internal callers then use these too, which is correct, only slower).
 * The file is built with -ffreestanding so GCC does not turn the loops
 * below back into calls to the functions being defined.
 *
 * "rep movsb/stosb" keep them short and fast on any CPU since ERMS, use no
 * SSE state, and need nothing but a valid stack.
 */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *s, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *s, int c, size_t n)
{
	void *d = s;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memmove(void *dst, const void *src, size_t n)
{
	const unsigned char *s;
	unsigned char *d;

	if ((unsigned long)dst - (unsigned long)src >= n)
		return memcpy(dst, src, n);	/* no overlap that forward copy breaks */

	/* Overlapping with dst above src: copy backwards, DF set only here. */
	d = (unsigned char *)dst + n - 1;
	s = (const unsigned char *)src + n - 1;
	asm volatile("std; rep movsb; cld"
		     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}
