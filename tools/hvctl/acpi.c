// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables a partition boots with (acpi.h). Layouts and field
 * offsets are facts from the ACPI specification 6.3 (§5.2: RSDP 5.2.5,
 * table header 5.2.6, XSDT 5.2.8, FADT 5.2.9, FACS 5.2.10, MADT 5.2.12),
 * cross-checked against Linux's include/acpi/actbl*.h. Tables are written
 * byte by byte at named offsets rather than through packed structs.
 *
 * What the guest gets, and why:
 *   - A full (not hardware-reduced) FADT. Linux powers off through ACPI by
 *     evaluating \_S5 and writing SLP_TYP|SLP_EN to PM1a_CNT, an I/O port
 *     the worker traps (pm.c); a hardware-reduced FADT would need a sleep
 *     control register instead. The fixed-feature power button (PM1a
 *     PWRBTN) is how `hvctl shutdown` asks the guest to power off. The PM
 *     timer gives Linux a clocksource and a TSC calibration reference when
 *     the Hyper-V interface is off. SMI_CMD is 0: ACPI is always enabled.
 *   - A MADT with one local APIC per VP (ACPI UID = APIC ID = VP index;
 *     x2APIC entries from 255 on), the I/O APIC, the SCI as level/high,
 *     and no PCAT_COMPAT: there is no 8259A.
 *   - A DSDT with the VMBus device (_HID "VMBUS", with the _CRS Linux
 *     insists on) under a VMOD module device whose _CRS gives the MMIO
 *     window, COM1 as PNP0501, and the \_S0/\_S5 sleep objects.
 */
#include <stdio.h>
#include <string.h>

#include "acpi.h"
#include "aml.h"
#include "hvctl.h"
#include "platform.h"

#define ACPI_OEM_ID		"HVPART"
#define ACPI_OEM_TABLE_ID	"HVCTL   "
#define ACPI_CREATOR_ID		"HVCT"

/* Table header (§5.2.6), 36 bytes. */
#define HDR_SIGNATURE		0
#define HDR_LENGTH		4
#define HDR_REVISION		8
#define HDR_CHECKSUM		9
#define HDR_OEM_ID		10
#define HDR_OEM_TABLE_ID	16
#define HDR_OEM_REVISION	24
#define HDR_CREATOR_ID		28
#define HDR_CREATOR_REVISION	32
#define HDR_SIZE		36

/* RSDP (§5.2.5.3), 36 bytes for revision 2. */
#define RSDP_CHECKSUM		8
#define RSDP_OEM_ID		9
#define RSDP_REVISION		15
#define RSDP_RSDT		16
#define RSDP_LENGTH		20
#define RSDP_XSDT		24
#define RSDP_EXT_CHECKSUM	32
#define RSDP_SIZE		36

/* FADT (§5.2.9, Table 5-33), revision 6: 276 bytes. */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_PM_PROFILE		45
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116	/* Generic Address Structure, 12 bytes */
#define FADT_RESET_VALUE	128
#define FADT_MINOR_REVISION	131
#define FADT_X_DSDT		140
#define FADT_SIZE		276
#define FADT_REVISION		6

/* FADT flags (Table 5-34). */
#define FADT_F_WBINVD		(1U << 0)
#define FADT_F_PROC_C1		(1U << 2)
#define FADT_F_SLP_BUTTON	(1U << 5)	/* set: no fixed-feature sleep button */
#define FADT_F_TMR_VAL_EXT	(1U << 8)	/* 32-bit PM timer */
#define FADT_F_RESET_REG_SUP	(1U << 10)
/*
 * PWR_BUTTON (bit 4) stays clear: the power button is a fixed feature.
 * FIX_RTC (bit 6) too: RTC_STS/RTC_EN are in PM1 (Linux's rtc_cmos enables
 * the RTC event and complains if the bit does not stick).
 */

/* IA-PC boot architecture flags (Table 5-35). */
#define IAPC_NO_VGA		(1U << 2)
/* LEGACY_DEVICES and 8042 clear: no ISA/LPC devices to probe, no i8042. */

/* Generic Address Structure (§5.2.3.2). */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1

/* FACS (§5.2.10), 64 bytes, 64-byte aligned. */
#define FACS_LENGTH		4
#define FACS_VERSION		32
#define FACS_SIZE		64

/* MADT (§5.2.12). */
#define MADT_LAPIC_ADDR		36
#define MADT_FLAGS		40
#define MADT_ENTRIES		44
#define MADT_REVISION		5
#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_NMI		4
#define MADT_X2APIC		9
#define MADT_LAPIC_ENABLED	1
/* ISO flags (Table 5-50): polarity 1:0, trigger 3:2; 01 = high / edge, 11 = low / level. */
#define MPS_INTI_HIGH_LEVEL	0x000d

/* Where the tables go inside [GPA_ACPI, GPA_ACPI_END). */
#define OFF_RSDP		0x0000
#define OFF_FACS		0x0040
#define OFF_XSDT		0x0080
#define OFF_FADT		0x0100
#define OFF_MADT		0x0300
#define OFF_DSDT		0x4000	/* MADT: up to 256 x2APIC entries before it */
#define ACPI_AREA		(GPA_ACPI_END - GPA_ACPI)

static void put8(uint8_t *p, size_t off, uint8_t v)
{
	p[off] = v;
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static void putstr(uint8_t *p, size_t off, const char *s, size_t n)
{
	memcpy(p + off, s, n);
}

uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

static void table_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	putstr(t, HDR_SIGNATURE, sig, 4);
	put32(t, HDR_LENGTH, len);
	put8(t, HDR_REVISION, rev);
	putstr(t, HDR_OEM_ID, ACPI_OEM_ID, 6);
	putstr(t, HDR_OEM_TABLE_ID, ACPI_OEM_TABLE_ID, 8);
	put32(t, HDR_OEM_REVISION, 1);
	putstr(t, HDR_CREATOR_ID, ACPI_CREATOR_ID, 4);
	put32(t, HDR_CREATOR_REVISION, 1);
}

/* Set the checksum byte so that the table sums to zero. */
static void table_checksum(uint8_t *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (uint8_t)(0x100 - acpi_sum(t, len));
}

static void build_gas_io(uint8_t *p, size_t off, uint16_t port, uint8_t bits)
{
	put8(p, off, GAS_SYSTEM_IO);
	put8(p, off + 1, bits);
	put8(p, off + 2, 0);
	put8(p, off + 3, GAS_ACCESS_BYTE);
	put64(p, off + 4, port);
}

static uint32_t build_fadt(uint8_t *t, uint64_t facs, uint64_t dsdt)
{
	memset(t, 0, FADT_SIZE);
	table_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	put32(t, FADT_FIRMWARE_CTRL, (uint32_t)facs);
	put32(t, FADT_DSDT, (uint32_t)dsdt);
	put8(t, FADT_PM_PROFILE, 0);			/* unspecified */
	put16(t, FADT_SCI_INT, IRQ_SCI);
	put32(t, FADT_SMI_CMD, 0);			/* no SMM: ACPI mode always on */
	put32(t, FADT_PM1A_EVT_BLK, PORT_PM1A_EVT);
	put32(t, FADT_PM1A_CNT_BLK, PORT_PM1A_CNT);
	put32(t, FADT_PM_TMR_BLK, PORT_PM_TMR);
	put8(t, FADT_PM1_EVT_LEN, PM1_EVT_LEN);
	put8(t, FADT_PM1_CNT_LEN, PM1_CNT_LEN);
	put8(t, FADT_PM_TMR_LEN, PM_TMR_LEN);
	put8(t, FADT_CENTURY, RTC_CENTURY_INDEX);
	put16(t, FADT_IAPC_BOOT_ARCH, IAPC_NO_VGA);
	put32(t, FADT_FLAGS, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_SLP_BUTTON |
			     FADT_F_TMR_VAL_EXT | FADT_F_RESET_REG_SUP);
	build_gas_io(t, FADT_RESET_REG, PORT_RESET, 8);
	put8(t, FADT_RESET_VALUE, RESET_VALUE);
	put8(t, FADT_MINOR_REVISION, 3);
	/*
	 * The X_ PM block fields stay zero: ACPICA then builds them from the
	 * 32-bit ones, with the widths it expects. X_DSDT equals DSDT.
	 */
	put64(t, FADT_X_DSDT, dsdt);
	table_checksum(t, FADT_SIZE, HDR_CHECKSUM);
	return FADT_SIZE;
}

static uint32_t build_facs(uint8_t *t)
{
	memset(t, 0, FACS_SIZE);
	putstr(t, 0, "FACS", 4);
	put32(t, FACS_LENGTH, FACS_SIZE);
	put8(t, FACS_VERSION, 2);
	return FACS_SIZE;
}

/* Returns the MADT's length, or 0 if it would not fit in @room. */
static uint32_t build_madt(uint8_t *t, size_t room, unsigned int nr_vps)
{
	size_t off = MADT_ENTRIES;
	unsigned int i;

	if (MADT_ENTRIES + 16ULL * nr_vps + 12 + 10 + 6 > room)
		return 0;
	memset(t, 0, room);
	put32(t, MADT_LAPIC_ADDR, (uint32_t)GPA_LAPIC);
	put32(t, MADT_FLAGS, 0);	/* no PCAT_COMPAT: no 8259A */
	for (i = 0; i < nr_vps; i++) {
		if (i < 255) {
			put8(t, off, MADT_LAPIC);
			put8(t, off + 1, 8);
			put8(t, off + 2, (uint8_t)i);		/* ACPI processor UID */
			put8(t, off + 3, (uint8_t)i);		/* APIC ID */
			put32(t, off + 4, MADT_LAPIC_ENABLED);
			off += 8;
		} else {
			/* 255 is the xAPIC broadcast ID: x2APIC entries from here. */
			put8(t, off, MADT_X2APIC);
			put8(t, off + 1, 16);
			put32(t, off + 4, i);			/* x2APIC ID */
			put32(t, off + 8, MADT_LAPIC_ENABLED);
			put32(t, off + 12, i);			/* ACPI processor UID */
			off += 16;
		}
	}
	put8(t, off, MADT_IOAPIC);
	put8(t, off + 1, 12);
	put8(t, off + 2, IOAPIC_ID_DEFAULT);
	put32(t, off + 4, (uint32_t)GPA_IOAPIC);
	put32(t, off + 8, 0);					/* GSI base */
	off += 12;
	/* SCI: level-triggered, active high, GSI = IRQ. */
	put8(t, off, MADT_ISO);
	put8(t, off + 1, 10);
	put8(t, off + 2, 0);					/* ISA bus */
	put8(t, off + 3, IRQ_SCI);
	put32(t, off + 4, IRQ_SCI);
	put16(t, off + 8, MPS_INTI_HIGH_LEVEL);
	off += 10;
	/* LINT1 of every processor is NMI, as on any PC. */
	put8(t, off, MADT_LAPIC_NMI);
	put8(t, off + 1, 6);
	put8(t, off + 2, 0xff);					/* all processors */
	put16(t, off + 3, 0);
	put8(t, off + 5, 1);					/* LINT1 */
	off += 6;
	table_header(t, "APIC", (uint32_t)off, MADT_REVISION);
	table_checksum(t, off, HDR_CHECKSUM);
	return (uint32_t)off;
}

static void dsdt_sleep_state(struct aml *a, const char *name, uint8_t slp_typ)
{
	size_t pkg;

	aml_name(a, name);
	pkg = aml_package_begin(a, 4);
	aml_integer(a, slp_typ);	/* PM1a_CNT.SLP_TYP */
	aml_integer(a, slp_typ);	/* PM1b_CNT.SLP_TYP (no PM1b) */
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a, pkg);
}

/* Returns the DSDT's length, or 0 if it would not fit in @room. */
static uint32_t build_dsdt(uint8_t *t, size_t room, const struct acpi_config *cfg)
{
	struct aml a;
	size_t sb, dev, vmbs, buf;

	if (room <= HDR_SIZE)
		return 0;
	memset(t, 0, room);
	aml_init(&a, t + HDR_SIZE, room - HDR_SIZE);

	sb = aml_scope_begin(&a, "\\_SB_");

	if (cfg->vmbus) {
		/*
		 * VMOD holds the MMIO window that VMBus devices (synthetic
		 * video, vPCI) allocate from; Linux walks VMBUS's ancestors'
		 * _CRS for it. The window is the 32-bit hole below the APICs.
		 */
		dev = aml_device_begin(&a, "VMOD");
		aml_name(&a, "_HID");
		aml_string(&a, "ACPI0004");
		aml_name(&a, "_UID");
		aml_integer(&a, 0);
		aml_name(&a, "_CRS");
		buf = aml_buffer_begin(&a);
		aml_res_mem32_window(&a, (uint32_t)GPA_LOW_MAX, (uint32_t)GPA_IOAPIC - 1);
		aml_res_end(&a);
		aml_buffer_end(&a, buf);

		/* hyperv-facts §0.3: _HID "VMBUS", and a _CRS, or no VMBus. */
		vmbs = aml_device_begin(&a, "VMBS");
		aml_name(&a, "_STA");
		aml_integer(&a, 0x0f);
		aml_name(&a, "_HID");
		aml_string(&a, "VMBUS");
		aml_name(&a, "_UID");
		aml_integer(&a, 0);
		aml_name(&a, "_DDN");
		aml_string(&a, "VMBUS");
		aml_name(&a, "_CRS");
		buf = aml_buffer_begin(&a);
		aml_res_irq(&a, IRQ_VMBUS);
		aml_res_end(&a);
		aml_buffer_end(&a, buf);
		aml_end(&a, vmbs);

		aml_end(&a, dev);
	}

	dev = aml_device_begin(&a, "UAR1");
	aml_name(&a, "_HID");
	aml_eisaid(&a, "PNP0501");
	aml_name(&a, "_UID");
	aml_integer(&a, 1);
	aml_name(&a, "_DDN");
	aml_string(&a, "COM1");
	aml_name(&a, "_CRS");
	buf = aml_buffer_begin(&a);
	aml_res_io(&a, PORT_COM1, 8);
	aml_res_irq(&a, IRQ_COM1);
	aml_res_end(&a);
	aml_buffer_end(&a, buf);
	aml_end(&a, dev);

	aml_end(&a, sb);

	dsdt_sleep_state(&a, "\\_S0_", 0);
	dsdt_sleep_state(&a, "\\_S5_", SLP_TYP_S5);

	if (a.overflow)
		return 0;
	/* Revision 2: integers are 64 bits wide. */
	table_header(t, "DSDT", (uint32_t)(HDR_SIZE + a.len), 2);
	table_checksum(t, HDR_SIZE + a.len, HDR_CHECKSUM);
	return (uint32_t)(HDR_SIZE + a.len);
}

static uint32_t build_xsdt(uint8_t *t, const uint64_t *tables, size_t n)
{
	uint32_t len = (uint32_t)(HDR_SIZE + 8 * n);
	size_t i;

	memset(t, 0, len);
	table_header(t, "XSDT", len, 1);
	for (i = 0; i < n; i++)
		put64(t, HDR_SIZE + 8 * i, tables[i]);
	table_checksum(t, len, HDR_CHECKSUM);
	return len;
}

static void build_rsdp(uint8_t *t, uint64_t xsdt)
{
	memset(t, 0, RSDP_SIZE);
	putstr(t, 0, "RSD PTR ", 8);
	putstr(t, RSDP_OEM_ID, ACPI_OEM_ID, 6);
	put8(t, RSDP_REVISION, 2);
	put32(t, RSDP_RSDT, 0);		/* XSDT only */
	put32(t, RSDP_LENGTH, RSDP_SIZE);
	put64(t, RSDP_XSDT, xsdt);
	/* The first checksum covers the ACPI 1.0 part (20 bytes). */
	table_checksum(t, 20, RSDP_CHECKSUM);
	table_checksum(t, RSDP_SIZE, RSDP_EXT_CHECKSUM);
}

int acpi_build(const struct guest_mem *mem, const struct acpi_config *cfg, char *err,
	       size_t errlen)
{
	uint8_t *area = gpa_ptr(mem, GPA_ACPI, ACPI_AREA);
	uint64_t tables[2];
	uint32_t len;

	if (!area) {
		snprintf(err, errlen, "ACPI: guest memory does not cover %#llx-%#llx",
			 GPA_ACPI, GPA_ACPI_END - 1);
		return -1;
	}
	memset(area, 0, ACPI_AREA);

	build_facs(area + OFF_FACS);
	len = build_dsdt(area + OFF_DSDT, ACPI_AREA - OFF_DSDT, cfg);
	if (!len) {
		snprintf(err, errlen, "ACPI: the DSDT does not fit");
		return -1;
	}
	build_fadt(area + OFF_FADT, GPA_ACPI + OFF_FACS, GPA_ACPI + OFF_DSDT);
	len = build_madt(area + OFF_MADT, OFF_DSDT - OFF_MADT, cfg->nr_vps);
	if (!len) {
		snprintf(err, errlen, "ACPI: the MADT for %u VPs does not fit", cfg->nr_vps);
		return -1;
	}
	tables[0] = GPA_ACPI + OFF_FADT;
	tables[1] = GPA_ACPI + OFF_MADT;
	build_xsdt(area + OFF_XSDT, tables, ARRAY_SIZE(tables));
	build_rsdp(area + OFF_RSDP, GPA_ACPI + OFF_XSDT);
	return 0;
}
