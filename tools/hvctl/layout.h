/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-physical map of a partition, decided once here and read by the
 * loaders, the ACPI builder and the worker:
 *
 *   0x00000000-0x0009efff  RAM; hvctl's boot structures at the fixed
 *                          addresses below (the guest may reuse them)
 *   0x0009f000-0x000dffff  reserved (RAM behind it, as on a PC)
 *   0x000e0000-0x000fffff  ACPI tables; RSDP at 0xe0000, so that a kernel
 *                          that scans the BIOS area finds it too
 *   0x00100000-low_end     RAM; kernels load here
 *   low_end   -0xffffffff  MMIO hole: I/O APIC 0xfec00000, local APIC
 *                          0xfee00000, room for VMBus MMIO (the VMOD _CRS)
 *   4 GiB     -...         RAM beyond low_end, if any
 *
 * low_end = min(memory, 3 GiB). Memory comes from one host mapping: the
 * low part at GPA 0, the rest at 4 GiB. Everything below low_end is one
 * HVPART_MAP_GPA range, everything above another.
 */
#ifndef HVPART_TOOLS_HVCTL_LAYOUT_H
#define HVPART_TOOLS_HVCTL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define SZ_1K			0x400ULL
#define SZ_4K			0x1000ULL
#define SZ_1M			0x100000ULL
#define SZ_2M			0x200000ULL
#define SZ_1G			0x40000000ULL
#define SZ_4G			0x100000000ULL

#define GPA_LOW_MAX		0xc0000000ULL	/* 3 GiB: start of the MMIO hole */
#define GPA_HIGH_BASE		SZ_4G

/* Fixed boot structures below 640 KiB. */
#define GPA_GDT			0x1000ULL	/* boot GDT, one page */
#define GPA_MB_INFO		0x2000ULL	/* multiboot info, map, modules, one page */
#define GPA_BOOT_STACK		0x7000ULL	/* initial RSP/ESP, grows down to 0x3000 */
#define GPA_BOOT_PARAMS		0x7000ULL	/* Linux zero page */
#define GPA_PML4		0x9000ULL	/* identity map of the first 4 GiB: */
#define GPA_PDPT		0xa000ULL	/*   PML4, PDPT and */
#define GPA_PD			0xb000ULL	/*   4 page directories of 2 MiB pages */
#define GPA_CMDLINE		0x20000ULL	/* kernel command line (both loaders) */
#define CMDLINE_MAX		0x10000ULL	/* ... at most 64 KiB */
#define GPA_LOW_RAM_END		0x9f000ULL
#define GPA_ACPI		0xe0000ULL	/* ACPI tables, RSDP first */
#define GPA_ACPI_END		0x100000ULL
#define GPA_KERNEL_MIN		SZ_1M		/* kernels load at or above */

#define GPA_IOAPIC		0xfec00000ULL
#define GPA_LAPIC		0xfee00000ULL

/* Boot GDT selectors (Linux's 64-bit boot protocol wants 0x10 and 0x18). */
#define SEL_CODE32		0x08
#define SEL_CODE64		0x10
#define SEL_DATA		0x18

/* e820 types (the boot protocol's, also the multiboot memory map's). */
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2
#define E820_TYPE_ACPI		3

struct e820_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Guest memory as one host mapping seen through the map above. */
struct guest_mem {
	uint8_t *host;		/* host address of guest byte 0 */
	uint64_t size;		/* total RAM */
	uint64_t low_size;	/* RAM at [0, low_size) */
	uint64_t high_size;	/* RAM at [4 GiB, 4 GiB + high_size) */
};

/* Fill low_size/high_size from size (host may be NULL: planning only). */
void guest_mem_layout(struct guest_mem *mem, uint64_t size);

/*
 * Host pointer for guest range [gpa, gpa + len), or NULL unless the whole
 * range is RAM in one of the two parts.
 */
void *gpa_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* True if [gpa, gpa + len) is RAM (with or without a host mapping). */
int gpa_is_ram(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/*
 * The e820 map of this layout, sorted, at most @max entries. Returns the
 * number of entries.
 */
size_t guest_e820(const struct guest_mem *mem, struct e820_range *map, size_t max);

#endif /* HVPART_TOOLS_HVCTL_LAYOUT_H */
