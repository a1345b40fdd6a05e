/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small AML writer: just the opcodes a DSDT for hvpart needs (names,
 * scopes, devices, integers, strings, packages, buffers). Encodings are
 * those of the ACPI specification, chapter 20 (ACPI Machine Language).
 *
 * Writing never fails on the spot: running out of room sets @overflow,
 * which the caller checks once at the end.
 */
#ifndef HVPART_TOOLS_HVCTL_AML_H
#define HVPART_TOOLS_HVCTL_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
void aml_raw(struct aml *a, const void *data, size_t len);

/*
 * A NameString: "\\_SB_.VMOD", "_HID", "\\_S5_". Segments shorter than
 * four characters are padded with '_'.
 */
void aml_namestring(struct aml *a, const char *path);
/* ZeroOp, OneOp or the smallest Byte/Word/DWord/QWord constant. */
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
/* An EISA id ("PNP0501") as its compressed 32-bit integer. */
void aml_eisaid(struct aml *a, const char *id);
/* Name(name, <the data object the caller writes next>). */
void aml_name(struct aml *a, const char *name);

/*
 * Objects with a PkgLength: begin returns a mark, end fills in the
 * length once the contents are written.
 */
size_t aml_scope_begin(struct aml *a, const char *name);
size_t aml_device_begin(struct aml *a, const char *name);
size_t aml_package_begin(struct aml *a, uint8_t nelems);
void aml_end(struct aml *a, size_t mark);
/* A Buffer of the bytes written until aml_buffer_end(). */
size_t aml_buffer_begin(struct aml *a);
void aml_buffer_end(struct aml *a, size_t mark);

/* Resource descriptors (ACPI 6.3 §6.4), for _CRS buffers. */
void aml_res_io(struct aml *a, uint16_t base, uint8_t len);
void aml_res_irq(struct aml *a, uint8_t irq);
void aml_res_mem32_window(struct aml *a, uint32_t min, uint32_t max);
void aml_res_mem64_window(struct aml *a, uint64_t min, uint64_t max);
void aml_res_end(struct aml *a);

#endif /* HVPART_TOOLS_HVCTL_AML_H */
