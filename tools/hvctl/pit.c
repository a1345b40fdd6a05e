// SPDX-License-Identifier: GPL-2.0
/*
 * An 8254 PIT at 0x40-0x43 and port 0x61's timer-2 bits, for guests
 * without the Hyper-V interface only (--no-hyperv). Such a guest has no
 * frequency MSRs, and Linux on AMD calibrates its TSC by waiting on PIT
 * counter 2 (gated and read back through port 0x61) while reading the ACPI
 * PM timer; without a PIT that wait ends at once and calibration fails.
 * Hyper-V gives its non-enlightened (generation 1) guests a PIT for the
 * same reason; enlightened guests get the frequency MSRs and no PIT, as on
 * generation 2.
 *
 * Facts from the Intel 82C54 data sheet:
 *   0x40-0x42  counters 0-2; 0x43 control word: counter 7:6 (3 = read-back),
 *              access 5:4 (0 latch, 1 LSB, 2 MSB, 3 LSB then MSB), mode 3:1,
 *              BCD 0 (not supported: counted in binary)
 *   input clock 1.193182 MHz; a count of 0 means 65536
 *   mode 0: OUT low while counting down, high from terminal count on;
 *           GATE low pauses counting. Modes 2 and 3 (rate generator,
 *           square wave) reload and run periodically; 1, 4 and 5 are
 *           counted like 0.
 *   port 0x61: GATE2 bit 0, speaker data bit 1, refresh toggle bit 4,
 *              OUT2 bit 5 (read-only)
 * Counts are derived from the host's monotonic clock on every read; there
 * is no interrupt: counter 0's output (IRQ 0) is not connected, as on a
 * machine whose firmware says there is no legacy PIC.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform.h"
#include "vm.h"

#define PIT_HZ			1193182ULL
#define PIT_CONTROL		3
#define PIT_ACCESS_LATCH	0
#define PIT_ACCESS_LSB		1
#define PIT_ACCESS_MSB		2
#define PIT_ACCESS_WORD		3
#define PIT_READ_BACK		3

#define PORTB_GATE2		0x01
#define PORTB_SPEAKER		0x02
#define PORTB_WRITABLE		0x0f
#define PORTB_REFRESH		0x10
#define PORTB_OUT2		0x20

struct pit_counter {
	unsigned int mode;
	unsigned int access;
	uint32_t count;		/* reload value, 1..65536 */
	bool counting;		/* a count was written */
	bool gate;
	uint64_t start_ns;	/* when counting (re)started */
	uint64_t ticks_before;	/* ticks counted before the last pause */
	bool lsb_next_read;	/* LSB-then-MSB: the next read is the LSB */
	bool latched;
	uint16_t latch;
	bool msb_pending;	/* half of an LSB-then-MSB write done */
	uint8_t lsb;
};

struct pit {
	struct pit_counter c[3];
	uint8_t portb;
	uint8_t refresh;
};

static uint64_t pit_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t pit_ticks(const struct pit_counter *c, uint64_t now)
{
	uint64_t t = c->ticks_before;

	if (c->gate)
		t += (now - c->start_ns) * PIT_HZ / 1000000000ULL;
	return t;
}

/* The counter's current value (0 means 65536 wrapped) and OUT pin. */
static uint16_t pit_value(const struct pit_counter *c, uint64_t now, bool *out)
{
	uint64_t t, n = c->count;

	if (!c->counting) {
		*out = c->mode != 0;
		return (uint16_t)c->count;
	}
	t = pit_ticks(c, now);
	switch (c->mode) {
	case 2:
		*out = (t % n) != n - 1;
		return (uint16_t)(n - t % n);
	case 3:
		*out = (t % n) < n / 2;
		return (uint16_t)(n - (2 * t) % n);
	default:
		*out = t >= n;
		return (uint16_t)((n - t) & 0xffff);
	}
}

static void pit_set_gate(struct pit_counter *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	if (c->gate) {
		c->ticks_before = pit_ticks(c, now);
	} else if (c->mode == 2 || c->mode == 3) {
		c->ticks_before = 0;	/* a rising gate reloads these modes */
	}
	c->start_ns = now;
	c->gate = gate;
}

static void pit_load(struct pit_counter *c, uint32_t count, uint64_t now)
{
	c->count = count ? count : 65536;
	c->counting = true;
	c->ticks_before = 0;
	c->start_ns = now;
}

static void pit_control(struct pit *p, uint8_t v, uint64_t now)
{
	unsigned int sel = v >> 6, access = (v >> 4) & 3, i;
	bool out;

	if (sel == PIT_READ_BACK) {
		/* Read-back: latch the count of each selected counter (bit 5 clear). */
		for (i = 0; i < 3; i++) {
			if (!(v & (2U << i)) || (v & 0x20) || p->c[i].latched)
				continue;
			p->c[i].latch = pit_value(&p->c[i], now, &out);
			p->c[i].latched = true;
		}
		return;
	}
	if (access == PIT_ACCESS_LATCH) {
		if (!p->c[sel].latched) {
			p->c[sel].latch = pit_value(&p->c[sel], now, &out);
			p->c[sel].latched = true;
			p->c[sel].lsb_next_read = true;
		}
		return;
	}
	p->c[sel].mode = ((v >> 1) & 7) > 5 ? ((v >> 1) & 7) - 4 : (v >> 1) & 7;
	p->c[sel].access = access;
	p->c[sel].counting = false;
	p->c[sel].latched = false;
	p->c[sel].msb_pending = false;
	p->c[sel].lsb_next_read = true;
}

static void pit_write_counter(struct pit_counter *c, uint8_t v, uint64_t now)
{
	switch (c->access) {
	case PIT_ACCESS_LSB:
		pit_load(c, v, now);
		break;
	case PIT_ACCESS_MSB:
		pit_load(c, (uint32_t)v << 8, now);
		break;
	default:
		if (!c->msb_pending) {
			c->lsb = v;
			c->msb_pending = true;
		} else {
			c->msb_pending = false;
			pit_load(c, c->lsb | (uint32_t)v << 8, now);
		}
		break;
	}
}

static uint8_t pit_read_counter(struct pit_counter *c, uint64_t now)
{
	uint16_t v;
	bool out, lsb;

	v = c->latched ? c->latch : pit_value(c, now, &out);
	switch (c->access) {
	case PIT_ACCESS_LSB:
		c->latched = false;
		return (uint8_t)v;
	case PIT_ACCESS_MSB:
		c->latched = false;
		return (uint8_t)(v >> 8);
	default:
		lsb = c->lsb_next_read;
		c->lsb_next_read = !lsb;
		if (!lsb)
			c->latched = false;	/* both halves of a latch read */
		return lsb ? (uint8_t)v : (uint8_t)(v >> 8);
	}
}

static void pit_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		   bool write, uint64_t *data)
{
	struct pit *p = opaque;
	uint64_t now = pit_now_ns();

	(void)vm, (void)size;
	if (offset == PIT_CONTROL) {
		if (write)
			pit_control(p, (uint8_t)*data, now);
		else
			*data = 0xff;	/* the control word is write-only */
		return;
	}
	if (write)
		pit_write_counter(&p->c[offset], (uint8_t)*data, now);
	else
		*data = pit_read_counter(&p->c[offset], now);
}

static void portb_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		     bool write, uint64_t *data)
{
	struct pit *p = opaque;
	uint64_t now = pit_now_ns();
	bool out2;

	(void)vm, (void)offset, (void)size;
	if (write) {
		p->portb = (uint8_t)(*data & PORTB_WRITABLE);
		pit_set_gate(&p->c[2], p->portb & PORTB_GATE2, now);
		return;
	}
	pit_value(&p->c[2], now, &out2);
	p->refresh ^= PORTB_REFRESH;
	*data = p->portb | p->refresh | (out2 ? PORTB_OUT2 : 0);
}

int pit_init(struct vm *vm)
{
	struct pit *p;
	int ret;

	if (vm->cfg->hyperv)
		return 0;	/* enlightened guests have the frequency MSRs */
	p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	/* Counters 0 and 1 are always gated on; counter 2 follows port 0x61. */
	p->c[0].gate = p->c[1].gate = true;
	ret = io_register_port(vm, PORT_PIT, 4, pit_io, p, "pit");
	if (!ret)
		ret = io_register_port(vm, PORT_SYSTEM_B, 1, portb_io, p, "port-b");
	if (ret) {
		free(p);
		return ret;
	}
	vm->pit = p;
	return 0;
}

void pit_exit(struct vm *vm)
{
	free(vm->pit);
	vm->pit = NULL;
}
