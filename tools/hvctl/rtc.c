// SPDX-License-Identifier: GPL-2.0
/*
 * CMOS real-time clock (MC146818) at ports 0x70 (index; bit 7 masks NMI)
 * and 0x71 (data). Linux reads it once at boot for the wall clock; without
 * it the read times out after a second and the guest starts in 1970.
 * Register facts from the MC146818A data sheet:
 *
 *   0 seconds, 2 minutes, 4 hours (bit 7 = PM in 12-hour mode),
 *   6 day of week (1 = Sunday), 7 day of month, 8 month, 9 year (00-99),
 *   0x0a A: UIP 7, divider 6:4, rate 3:0
 *   0x0b B: SET 7, PIE 6, AIE 5, UIE 4, SQWE 3, DM 2 (binary), 24/12 1
 *   0x0c C: interrupt flags (none here: no RTC interrupts)
 *   0x0d D: VRT 7 (battery good)
 *   0x32 century (the FADT's CENTURY index)
 *
 * The time is the host's UTC clock, in the format register B asks for;
 * writes to the time registers are kept in CMOS RAM but do not set the
 * clock, and there are no alarm or periodic interrupts. The rest of the
 * 128 bytes is plain RAM.
 */
#include <stdlib.h>
#include <time.h>

#include "platform.h"
#include "vm.h"

#define RTC_SEC			0x00
#define RTC_MIN			0x02
#define RTC_HOUR		0x04
#define RTC_WDAY		0x06
#define RTC_MDAY		0x07
#define RTC_MONTH		0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d

#define RTC_A_DEFAULT		0x26	/* 32.768 kHz divider, 1024 Hz rate, UIP clear */
#define RTC_B_DM_BINARY		0x04
#define RTC_B_24H		0x02
#define RTC_B_WRITABLE		0x7f	/* not SET: the clock never stops */
#define RTC_D_VRT		0x80
#define RTC_HOUR_PM		0x80

#define CMOS_SIZE		128

struct rtc {
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
};

static uint8_t rtc_fmt(const struct rtc *r, unsigned int v)
{
	if (r->ram[RTC_REG_B] & RTC_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static uint8_t rtc_time_reg(const struct rtc *r, unsigned int reg)
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned int hour;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SEC:
		return rtc_fmt(r, (unsigned int)tm.tm_sec);
	case RTC_MIN:
		return rtc_fmt(r, (unsigned int)tm.tm_min);
	case RTC_HOUR:
		if (r->ram[RTC_REG_B] & RTC_B_24H)
			return rtc_fmt(r, (unsigned int)tm.tm_hour);
		hour = (unsigned int)tm.tm_hour % 12;
		return (uint8_t)(rtc_fmt(r, hour ? hour : 12) | (tm.tm_hour >= 12 ? RTC_HOUR_PM : 0));
	case RTC_WDAY:
		return rtc_fmt(r, (unsigned int)tm.tm_wday + 1);
	case RTC_MDAY:
		return rtc_fmt(r, (unsigned int)tm.tm_mday);
	case RTC_MONTH:
		return rtc_fmt(r, (unsigned int)tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_fmt(r, (unsigned int)tm.tm_year % 100);
	case RTC_CENTURY_INDEX:
		return rtc_fmt(r, (unsigned int)(tm.tm_year + 1900) / 100);
	}
	return r->ram[reg];
}

static void rtc_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		   bool write, uint64_t *data)
{
	struct rtc *r = opaque;
	unsigned int reg = r->index;

	(void)vm, (void)size;
	if (offset == 0) {		/* index port */
		if (write)
			r->index = (uint8_t)(*data & 0x7f);
		else
			*data = 0xff;
		return;
	}
	if (!write) {
		switch (reg) {
		case RTC_REG_A:
		case RTC_REG_B:
		case RTC_REG_D:
			*data = r->ram[reg];
			break;
		case RTC_REG_C:
			*data = 0;
			break;
		default:
			*data = rtc_time_reg(r, reg);
			break;
		}
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->ram[reg] = (uint8_t)(*data & 0x7f);	/* UIP is read-only */
		break;
	case RTC_REG_B:
		r->ram[reg] = (uint8_t)(*data & RTC_B_WRITABLE);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;
	default:
		r->ram[reg] = (uint8_t)*data;
		break;
	}
}

int rtc_init(struct vm *vm)
{
	struct rtc *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -1;
	r->ram[RTC_REG_A] = RTC_A_DEFAULT;
	r->ram[RTC_REG_B] = RTC_B_24H;
	r->ram[RTC_REG_D] = RTC_D_VRT;
	ret = io_register_port(vm, PORT_RTC_INDEX, 2, rtc_io, r, "rtc");
	if (ret) {
		free(r);
		return ret;
	}
	vm->rtc = r;
	return 0;
}

void rtc_exit(struct vm *vm)
{
	free(vm->rtc);
	vm->rtc = NULL;
}
