// SPDX-License-Identifier: GPL-2.0
/*
 * AML writer (aml.h). Opcode values and encodings are facts from the ACPI
 * specification (6.3), chapter 20 "ACPI Machine Language (AML)
 * Specification" and §6.4 "Resource Data Types for ACPI".
 *
 * PkgLength (§20.2.4) counts itself plus what follows. Its encoding length
 * depends on the value, so *_begin() reserves the 4-byte maximum and
 * aml_end() moves the contents down once the real length is known.
 */
#include <string.h>

#include "aml.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_EXT_DEVICE_OP	0x82
#define AML_ROOT_CHAR		0x5c
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f

#define PKGLEN_RESERVE		4

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = cap;
	a->overflow = false;
}

void aml_raw(struct aml *a, const void *data, size_t len)
{
	if (a->overflow || len > a->cap - a->len) {
		a->overflow = true;
		return;
	}
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

void aml_byte(struct aml *a, uint8_t b)
{
	aml_raw(a, &b, 1);
}

static void aml_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

/* One NameSeg: up to four characters, padded with '_'. */
static void aml_nameseg(struct aml *a, const char *seg, size_t n)
{
	size_t i;

	for (i = 0; i < 4; i++)
		aml_byte(a, i < n ? (uint8_t)seg[i] : '_');
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path;
	size_t nsegs = 1, i;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	}
	for (i = 0; p[i]; i++)
		if (p[i] == '.')
			nsegs++;
	if (nsegs == 2)
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	else if (nsegs > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nsegs);
	}
	while (*p) {
		size_t n = strcspn(p, ".");

		aml_nameseg(a, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	aml_raw(a, s, strlen(s) + 1);
}

/*
 * EISA id: three letters in 5 bits each ('A' = 1) and four hex digits,
 * as a big-endian 32-bit value; AML stores those four bytes in order.
 */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < 3; i++)
		v |= (uint32_t)((id[i] - '@') & 0x1f) << (26 - 5 * i);
	for (i = 3; i < 7; i++) {
		char c = id[i];
		uint32_t d = c >= 'A' ? (uint32_t)(c - 'A' + 10) : (uint32_t)(c - '0');

		v |= (d & 0xf) << (4 * (6 - i));
	}
	aml_byte(a, AML_DWORD_PREFIX);
	aml_byte(a, (uint8_t)(v >> 24));
	aml_byte(a, (uint8_t)(v >> 16));
	aml_byte(a, (uint8_t)(v >> 8));
	aml_byte(a, (uint8_t)v);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

/* Reserve room for a PkgLength; the mark is where it starts. */
static size_t aml_pkg_begin(struct aml *a)
{
	size_t mark = a->len;
	unsigned int i;

	for (i = 0; i < PKGLEN_RESERVE; i++)
		aml_byte(a, 0);
	return mark;
}

void aml_end(struct aml *a, size_t mark)
{
	size_t body, total, nbytes;
	uint8_t enc[PKGLEN_RESERVE];
	unsigned int i;

	if (a->overflow)
		return;
	body = a->len - mark - PKGLEN_RESERVE;
	/* One byte holds up to 63; n bytes hold 4 + 8 * (n - 1) bits. */
	if (body + 1 < 0x40)
		nbytes = 1;
	else if (body + 2 < 0x1000)
		nbytes = 2;
	else if (body + 3 < 0x100000)
		nbytes = 3;
	else if (body + 4 < 0x10000000)
		nbytes = 4;
	else {
		a->overflow = true;
		return;
	}
	total = body + nbytes;
	if (nbytes == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((nbytes - 1) << 6) | (total & 0xf));
		for (i = 1; i < nbytes; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	memmove(a->buf + mark + nbytes, a->buf + mark + PKGLEN_RESERVE, body);
	memcpy(a->buf + mark, enc, nbytes);
	a->len = mark + nbytes + body;
}

size_t aml_scope_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = aml_pkg_begin(a);
	aml_namestring(a, name);
	return mark;
}

size_t aml_device_begin(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_PREFIX);
	aml_byte(a, AML_EXT_DEVICE_OP);
	mark = aml_pkg_begin(a);
	aml_namestring(a, name);
	return mark;
}

size_t aml_package_begin(struct aml *a, uint8_t nelems)
{
	size_t mark;

	aml_byte(a, AML_PACKAGE_OP);
	mark = aml_pkg_begin(a);
	aml_byte(a, nelems);
	return mark;
}

/*
 * Buffer: PkgLength, then the size as an integer object, then the bytes.
 * The size is only known at the end, so it is written as a DWord and
 * patched; a DWord size is valid AML whatever the value.
 */
size_t aml_buffer_begin(struct aml *a)
{
	size_t mark;

	aml_byte(a, AML_BUFFER_OP);
	mark = aml_pkg_begin(a);
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, 0, 4);
	return mark;
}

/* Patch a Buffer's size (the DWord after the reserved PkgLength). */
static void aml_buffer_fix(struct aml *a, size_t mark)
{
	size_t size_at = mark + PKGLEN_RESERVE + 1;
	size_t bytes;
	unsigned int i;

	if (a->overflow)
		return;
	bytes = a->len - (size_at + 4);
	for (i = 0; i < 4; i++)
		a->buf[size_at + i] = (uint8_t)(bytes >> (8 * i));
}

/* Small resource descriptors: tag byte = type << 3 | length. */
void aml_res_io(struct aml *a, uint16_t base, uint8_t len)
{
	aml_byte(a, 0x47);		/* I/O port descriptor, 7 bytes */
	aml_byte(a, 0x01);		/* 16-bit decode */
	aml_le(a, base, 2);		/* minimum */
	aml_le(a, base, 2);		/* maximum */
	aml_byte(a, 1);			/* alignment */
	aml_byte(a, len);
}

void aml_res_irq(struct aml *a, uint8_t irq)
{
	aml_byte(a, 0x22);		/* IRQ descriptor, 2 bytes: mask only */
	aml_le(a, 1U << irq, 2);
}

/* Large descriptors: tag byte, 16-bit length of the rest. */
void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max)
{
	aml_byte(a, 0x87);		/* DWord address space descriptor */
	aml_le(a, 23, 2);
	aml_byte(a, 0);			/* resource type: memory */
	aml_byte(a, 0x0c);		/* min and max fixed, producer, positive decode */
	aml_byte(a, 0x01);		/* read-write, non-cacheable */
	aml_le(a, 0, 4);		/* granularity */
	aml_le(a, min, 4);
	aml_le(a, max, 4);
	aml_le(a, 0, 4);		/* translation offset */
	aml_le(a, (uint64_t)max - min + 1, 4);
}

void aml_res_mem64_window(struct aml *a, uint64_t min, uint64_t max)
{
	aml_byte(a, 0x8a);		/* QWord address space descriptor */
	aml_le(a, 43, 2);
	aml_byte(a, 0);
	aml_byte(a, 0x0c);
	aml_byte(a, 0x01);
	aml_le(a, 0, 8);
	aml_le(a, min, 8);
	aml_le(a, max, 8);
	aml_le(a, 0, 8);
	aml_le(a, max - min + 1, 8);
}

void aml_res_end(struct aml *a)
{
	aml_byte(a, 0x79);		/* end tag */
	aml_byte(a, 0);			/* checksum 0: "treat as correct" */
}

/* A Buffer's size must be patched before its PkgLength is settled. */
void aml_buffer_end(struct aml *a, size_t mark)
{
	aml_buffer_fix(a, mark);
	aml_end(a, mark);
}
