/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables of a partition, built by the worker into guest memory at
 * GPA_ACPI (layout.h): RSDP, XSDT, FADT, FACS, MADT and a DSDT written as
 * AML by aml.c.
 */
#ifndef HVPART_TOOLS_HVCTL_ACPI_H
#define HVPART_TOOLS_HVCTL_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct acpi_config {
	unsigned int nr_vps;	/* one local APIC each, APIC ID = VP index */
	bool vmbus;		/* the VMBus device in the DSDT (Hyper-V on) */
};

/*
 * Writes the tables; the RSDP is at GPA_ACPI. Returns 0, or -1 with a
 * message in @err (tables do not fit).
 */
int acpi_build(const struct guest_mem *mem, const struct acpi_config *cfg, char *err,
	       size_t errlen);

/* The sum of @len bytes is 0 mod 256 when a table's checksum is right. */
uint8_t acpi_sum(const uint8_t *p, size_t len);

#endif /* HVPART_TOOLS_HVCTL_ACPI_H */
