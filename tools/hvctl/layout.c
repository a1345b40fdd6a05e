// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-physical map (layout.h): which guest ranges are RAM, where
 * they live in the host mapping, and the e820 map that describes them to
 * the guest.
 */
#include "layout.h"

void guest_mem_layout(struct guest_mem *mem, uint64_t size)
{
	mem->size = size;
	mem->low_size = size < GPA_LOW_MAX ? size : GPA_LOW_MAX;
	mem->high_size = size - mem->low_size;
}

static int range_in(uint64_t gpa, uint64_t len, uint64_t base, uint64_t size)
{
	return gpa >= base && len <= size && gpa - base <= size - len;
}

int gpa_is_ram(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	return range_in(gpa, len, 0, mem->low_size) ||
	       (mem->high_size && range_in(gpa, len, GPA_HIGH_BASE, mem->high_size));
}

void *gpa_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (!mem->host)
		return NULL;
	if (range_in(gpa, len, 0, mem->low_size))
		return mem->host + gpa;
	if (mem->high_size && range_in(gpa, len, GPA_HIGH_BASE, mem->high_size))
		return mem->host + mem->low_size + (gpa - GPA_HIGH_BASE);
	return NULL;
}

static size_t e820_add(struct e820_range *map, size_t n, size_t max, uint64_t addr,
		       uint64_t size, uint32_t type)
{
	if (n < max && size) {
		map[n].addr = addr;
		map[n].size = size;
		map[n].type = type;
		n++;
	}
	return n;
}

size_t guest_e820(const struct guest_mem *mem, struct e820_range *map, size_t max)
{
	size_t n = 0;

	n = e820_add(map, n, max, 0, GPA_LOW_RAM_END, E820_TYPE_RAM);
	n = e820_add(map, n, max, GPA_LOW_RAM_END, GPA_ACPI - GPA_LOW_RAM_END, E820_TYPE_RESERVED);
	n = e820_add(map, n, max, GPA_ACPI, GPA_ACPI_END - GPA_ACPI, E820_TYPE_ACPI);
	if (mem->low_size > GPA_KERNEL_MIN)
		n = e820_add(map, n, max, GPA_KERNEL_MIN, mem->low_size - GPA_KERNEL_MIN,
			     E820_TYPE_RAM);
	/* Firmware reports the APICs' pages; Linux reserves them either way. */
	n = e820_add(map, n, max, GPA_IOAPIC, SZ_4K, E820_TYPE_RESERVED);
	n = e820_add(map, n, max, GPA_LAPIC, SZ_4K, E820_TYPE_RESERVED);
	n = e820_add(map, n, max, GPA_HIGH_BASE, mem->high_size, E820_TYPE_RAM);
	return n;
}
