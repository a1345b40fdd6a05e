// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware, at the ports the FADT names (platform.h). Register
 * facts from the ACPI specification 6.3, §4.8 "ACPI Hardware Model":
 *
 *   PM1a_STS (0x400, 16 bits, write 1 to clear): TMR_STS 0, PWRBTN_STS 8,
 *            RTC_STS 10, WAK_STS 15
 *   PM1a_EN  (0x402, 16 bits): TMR_EN 0, GBL_EN 5, PWRBTN_EN 8, RTC_EN 10
 *   PM1a_CNT (0x404, 16 bits): SCI_EN 0 (reads 1: ACPI mode is always on,
 *            since the FADT has no SMI_CMD), SLP_TYP 12:10, SLP_EN 13
 *            (write-only)
 *   PM_TMR   (0x408, 32 bits with TMR_VAL_EXT): free-running at
 *            3.579545 MHz
 *   RESET_REG (0xcf9, 8 bits): the FADT's reset register; RST_CPU (bit 2)
 *            resets, which is also what reboot=pci writes
 *
 * Power off: Linux evaluates \_S5 (SLP_TYP 5 in our DSDT) and writes
 * SLP_TYP|SLP_EN; the run ends with exit status 0.
 * Power button: `hvctl shutdown` sets PWRBTN_STS; with PWRBTN_EN set the
 * SCI (IRQ 9, level) rises until the guest clears the status. A guest that
 * has not enabled the button (Linux: the "button" driver is not loaded)
 * is not told, and the caller hears why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"
#include "platform.h"
#include "vm.h"

#define PM1_TMR			(1U << 0)
#define PM1_GBL			(1U << 5)
#define PM1_PWRBTN		(1U << 8)
#define PM1_RTC			(1U << 10)
#define PM1_WAK			(1U << 15)
#define PM1_STS_MASK		(PM1_TMR | PM1_PWRBTN | PM1_RTC | PM1_WAK)
/* RTC_EN is writable (ACPICA checks that it sticks) but no alarm ever fires. */
#define PM1_EN_MASK		(PM1_TMR | PM1_GBL | PM1_PWRBTN | PM1_RTC)

#define PM1_CNT_SCI_EN		(1U << 0)
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP_MASK	(7U << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		(1U << 13)

#define PM_TIMER_HZ		3579545ULL
#define RESET_RST_CPU		(1U << 2)

/* Offsets inside the block at PORT_PM1A_EVT. */
#define PM_OFF_STS		0
#define PM_OFF_EN		2
#define PM_OFF_CNT		(PORT_PM1A_CNT - PORT_PM1A_EVT)
#define PM_OFF_TMR		(PORT_PM_TMR - PORT_PM1A_EVT)
#define PM_BLOCK_LEN		(PM_OFF_TMR + PM_TMR_LEN)

struct pm {
	uint16_t sts, en, cnt;
	bool sci;
	struct timespec t0;
};

static int pm_update_sci(struct vm *vm, struct pm *pm)
{
	bool level = (pm->sts & pm->en & PM1_EN_MASK) != 0;

	if (level == pm->sci)
		return 0;
	pm->sci = level;
	return ioapic_set_irq(vm, IRQ_SCI, level);
}

static uint32_t pm_timer(const struct pm *pm)
{
	struct timespec now;
	uint64_t sec, nsec;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sec = (uint64_t)(now.tv_sec - pm->t0.tv_sec);
	if (now.tv_nsec >= pm->t0.tv_nsec) {
		nsec = (uint64_t)(now.tv_nsec - pm->t0.tv_nsec);
	} else {
		sec--;
		nsec = (uint64_t)(now.tv_nsec + 1000000000L - pm->t0.tv_nsec);
	}
	return (uint32_t)(sec * PM_TIMER_HZ + nsec * PM_TIMER_HZ / 1000000000ULL);
}

static void pm_write_cnt(struct vm *vm, struct pm *pm, uint16_t v)
{
	unsigned int typ = (v & PM1_CNT_SLP_TYP_MASK) >> PM1_CNT_SLP_TYP_SHIFT;

	pm->cnt = (uint16_t)(v & ~PM1_CNT_SLP_EN);
	if (!(v & PM1_CNT_SLP_EN))
		return;
	if (typ == SLP_TYP_S5)
		vm_finish(vm, HVCTL_EXIT_POWEROFF, "guest powered off (ACPI S5)");
	else
		hvctl_info("%s: guest asked for sleep type %u, which is not offered; ignored",
			   vm->cfg->name, typ);
}

/* One byte of the PM block; 16-bit registers are handled a byte at a time. */
static uint8_t pm_read8(struct pm *pm, unsigned int off)
{
	uint16_t reg;

	switch (off & ~1U) {
	case PM_OFF_STS:
		reg = pm->sts;
		break;
	case PM_OFF_EN:
		reg = pm->en;
		break;
	case PM_OFF_CNT:
		reg = (uint16_t)(pm->cnt | PM1_CNT_SCI_EN);
		break;
	default:
		return 0xff;
	}
	return (uint8_t)(reg >> (8 * (off & 1)));
}

/* One byte of a write; SLP_EN lives in PM1a_CNT's high byte. */
static void pm_write8(struct vm *vm, struct pm *pm, unsigned int off, uint8_t b)
{
	unsigned int shift = 8 * (off & 1);

	switch (off & ~1U) {
	case PM_OFF_STS:
		pm->sts &= (uint16_t)~((b << shift) & PM1_STS_MASK);
		break;
	case PM_OFF_EN:
		pm->en = (uint16_t)(((pm->en & ~(0xffU << shift)) | (unsigned int)b << shift) &
				    PM1_EN_MASK);
		break;
	case PM_OFF_CNT:
		if (off & 1)
			pm_write_cnt(vm, pm, (uint16_t)((pm->cnt & 0xff) | b << 8));
		else
			pm->cnt = (uint16_t)((pm->cnt & 0xff00) | b);
		break;
	}
}

static void pm_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		  bool write, uint64_t *data)
{
	struct pm *pm = opaque;
	unsigned int off = (unsigned int)offset, i;
	uint64_t v = 0;

	if (off >= PM_OFF_TMR) {
		if (!write)
			*data = (uint64_t)pm_timer(pm) >> (8 * (off - PM_OFF_TMR));
		return;
	}
	for (i = 0; i < size && off + i < PM_OFF_TMR; i++) {
		if (write)
			pm_write8(vm, pm, off + i, (uint8_t)(*data >> (8 * i)));
		else
			v |= (uint64_t)pm_read8(pm, off + i) << (8 * i);
	}
	if (!write)
		*data = v;
	else
		pm_update_sci(vm, pm);
}

static void reset_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		     bool write, uint64_t *data)
{
	(void)opaque, (void)offset, (void)size;
	if (!write) {
		*data = 0;
		return;
	}
	if (*data & RESET_RST_CPU)
		vm_finish(vm, HVCTL_EXIT_RESET, "guest reset the machine (ACPI reset register)");
}

int pm_power_button(struct vm *vm, char *err, size_t errlen)
{
	struct pm *pm = vm->pm;
	int ret;

	pthread_mutex_lock(&vm->dev_lock);
	if (!(pm->en & PM1_PWRBTN)) {
		pthread_mutex_unlock(&vm->dev_lock);
		snprintf(err, errlen, "the guest has not enabled the ACPI power button (Linux: load the 'button' driver and run acpid or systemd-logind); use 'hvctl stop' to force it off");
		return -EAGAIN;
	}
	pm->sts |= PM1_PWRBTN;
	ret = pm_update_sci(vm, pm);
	if (ret) {
		/* Not delivered: leave the button as if it was never pressed. */
		pm->sts &= (uint16_t)~PM1_PWRBTN;
		pm->sci = false;
		ioapic_set_irq(vm, IRQ_SCI, false);
	}
	pthread_mutex_unlock(&vm->dev_lock);
	if (ret)
		snprintf(err, errlen, "cannot raise the SCI: %s (the module has no interrupt delivery yet?)",
			 strerror(-ret));
	return ret;
}

int pm_init(struct vm *vm)
{
	struct pm *pm = calloc(1, sizeof(*pm));
	int ret;

	if (!pm)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &pm->t0);
	ret = io_register_port(vm, PORT_PM1A_EVT, PM_BLOCK_LEN, pm_io, pm, "acpi-pm");
	if (!ret)
		ret = io_register_port(vm, PORT_RESET, 1, reset_io, pm, "acpi-reset");
	if (ret) {
		free(pm);
		return ret;
	}
	vm->pm = pm;
	return 0;
}

void pm_exit(struct vm *vm)
{
	free(vm->pm);
	vm->pm = NULL;
}
