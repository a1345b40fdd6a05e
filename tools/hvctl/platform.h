/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The platform a partition sees, in one place: the ports and interrupt
 * lines of the devices the worker emulates. The ACPI tables (acpi.c)
 * describe exactly these, and the device models (serial.c, pm.c, rtc.c,
 * ioapic.c, debugport.c) claim exactly these.
 *
 * It is no more than a Hyper-V generation-2-style guest needs: no PCI, no
 * legacy PIC (ports of absent devices read as all-ones, so Linux concludes
 * "Using NULL legacy PIC"), no i8042 or VGA (the FADT says so), and a PIT
 * only for guests without the Hyper-V interface, which need it to
 * calibrate their TSC.
 */
#ifndef HVPART_TOOLS_HVCTL_PLATFORM_H
#define HVPART_TOOLS_HVCTL_PLATFORM_H

/* COM1: a 16550A. */
#define PORT_COM1		0x3f8
#define IRQ_COM1		4

/* ACPI fixed hardware (pm.c), at the ports the FADT names. */
#define PORT_PM1A_EVT		0x400	/* PM1a_STS (2 bytes), PM1a_EN (2 bytes) */
#define PM1_EVT_LEN		4
#define PORT_PM1A_CNT		0x404
#define PM1_CNT_LEN		2
#define PORT_PM_TMR		0x408
#define PM_TMR_LEN		4
#define PORT_RESET		0xcf9	/* FADT RESET_REG, also what reboot=pci writes */
#define RESET_VALUE		0x06
#define IRQ_SCI			9
#define SLP_TYP_S5		5	/* \_S5 in the DSDT; SLP_TYP|SLP_EN powers off */

/*
 * 8254 PIT and port 0x61 (pit.c), only without the Hyper-V interface; its
 * counter 0 has no interrupt line.
 */
#define PORT_PIT		0x40
#define PORT_SYSTEM_B		0x61

/* Keyboard controller command port: 0xfe pulses reset (Linux reboot=kbd). */
#define PORT_KBD_CMD		0x64

/* CMOS RTC (rtc.c). */
#define PORT_RTC_INDEX		0x70
#define PORT_RTC_DATA		0x71
#define RTC_CENTURY_INDEX	0x32	/* FADT CENTURY */

/* Test and firmware conventions (debugport.c). */
#define PORT_POST		0x80	/* POST codes; Linux's io_delay writes here */
#define PORT_DEBUG_EXIT		0xf4	/* QEMU's isa-debug-exit */

/* The I/O APIC (ioapic.c): one, GSIs 0-23, ISA IRQs identity-mapped. */
#define IOAPIC_PINS		24
#define IOAPIC_ID_DEFAULT	0

/* VMBus's interrupt in its _CRS; Linux on x86 ignores it (vector 0xF3). */
#define IRQ_VMBUS		5

#endif /* HVPART_TOOLS_HVCTL_PLATFORM_H */
