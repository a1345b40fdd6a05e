// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC at 0xfec00000: 24 pins, ISA IRQs identity-mapped (the MADT
 * overrides only the SCI's trigger mode). Register facts from the Intel
 * 82093AA data sheet:
 *
 *   MMIO 0x00 IOREGSEL, 0x10 IOWIN (32-bit accesses)
 *   reg 0x00 ID (27:24), 0x01 version (0x11) and last entry (23:16),
 *   0x02 arbitration ID, 0x10 + 2n / 0x11 + 2n redirection entry n:
 *     vector 7:0, delivery mode 10:8, logical 11, delivery status 12 (ro),
 *     polarity 13, remote IRR 14 (ro), level 15, mask 16, destination 63:56
 *
 * The guest reaches it as unmapped MMIO, which the module decodes and
 * passes to userspace. Interrupts leave as HVPART_INTERRUPT (an MSI-style
 * message to the local APICs). Edge-triggered pins deliver on a rising
 * input; level-triggered pins deliver while the input is high and remote
 * IRR is clear, set remote IRR, and deliver again after the guest's EOI
 * (HVPART_EXIT_EOI) if the input is still high. Version 0x11 has no EOI
 * register, so Linux never writes one.
 */
#include <errno.h>
#include <stdlib.h>

#include "hvctl.h"
#include "platform.h"
#include "vm.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_MMIO_SIZE	0x1000

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_RTE		0x10
#define IOAPIC_VERSION		0x11

#define RTE_VECTOR		0xffULL
#define RTE_DELIVERY_SHIFT	8
#define RTE_DELIVERY_MASK	(7ULL << RTE_DELIVERY_SHIFT)
#define RTE_LOGICAL		(1ULL << 11)
#define RTE_POLARITY_LOW	(1ULL << 13)
#define RTE_REMOTE_IRR		(1ULL << 14)
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_DEST_SHIFT		56
/* What the guest may write: everything but delivery status and remote IRR. */
#define RTE_WRITABLE		(~((1ULL << 12) | RTE_REMOTE_IRR))

#define DELIVERY_FIXED		0
#define DELIVERY_LOWEST		1
#define DELIVERY_NMI		4

struct ioapic {
	uint32_t regsel;
	uint8_t id;
	uint64_t rte[IOAPIC_PINS];
	bool input[IOAPIC_PINS];
	bool mode_warned;
};

/* Send entry @pin's interrupt: 0, or -errno if it could not be delivered. */
static int ioapic_deliver(struct vm *vm, struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	unsigned int mode = (unsigned int)((e & RTE_DELIVERY_MASK) >> RTE_DELIVERY_SHIFT);
	struct hvpart_interrupt irq = { 0 };
	uint32_t dest = (uint32_t)(e >> RTE_DEST_SHIFT);

	if (mode != DELIVERY_FIXED && mode != DELIVERY_LOWEST && mode != DELIVERY_NMI) {
		if (!io->mode_warned)
			hvctl_warn("%s: I/O APIC pin %u: delivery mode %u is not supported, dropped",
				   vm->cfg->name, pin, mode);
		io->mode_warned = true;
		return -EOPNOTSUPP;
	}
	/* Physical destination 0xff is the xAPIC broadcast. */
	irq.dest = (!(e & RTE_LOGICAL) && dest == 0xff) ? 0xffffffffU : dest;
	irq.vector = (uint8_t)(e & RTE_VECTOR);
	irq.delivery = (uint8_t)mode;
	irq.flags = ((e & RTE_LOGICAL) ? HVPART_INTERRUPT_F_LOGICAL : 0) |
		    ((e & RTE_LEVEL) ? HVPART_INTERRUPT_F_LEVEL : 0);
	return vm_interrupt(vm, &irq);
}

/* Level-triggered: deliver if the input is high and nothing is in service. */
static int ioapic_service(struct vm *vm, struct ioapic *io, unsigned int pin)
{
	uint64_t *e = &io->rte[pin];
	int ret;

	if (!io->input[pin] || (*e & RTE_MASKED) || !(*e & RTE_LEVEL) || (*e & RTE_REMOTE_IRR))
		return 0;
	ret = ioapic_deliver(vm, io, pin);
	if (!ret)
		*e |= RTE_REMOTE_IRR;
	return ret;
}

int ioapic_set_irq(struct vm *vm, unsigned int gsi, bool level)
{
	struct ioapic *io = vm->ioapic;
	bool was;

	if (!io || gsi >= IOAPIC_PINS)
		return -EINVAL;
	was = io->input[gsi];
	io->input[gsi] = level;
	if (io->rte[gsi] & RTE_LEVEL)
		return ioapic_service(vm, io, gsi);
	if (level && !was && !(io->rte[gsi] & RTE_MASKED))
		return ioapic_deliver(vm, io, gsi);
	return 0;
}

void ioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct ioapic *io = vm->ioapic;
	unsigned int pin;

	if (!io)
		return;
	pthread_mutex_lock(&vm->dev_lock);
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *e = &io->rte[pin];

		if ((*e & RTE_VECTOR) != vector || !(*e & RTE_LEVEL) || !(*e & RTE_REMOTE_IRR))
			continue;
		*e &= ~RTE_REMOTE_IRR;
		ioapic_service(vm, io, pin);
	}
	pthread_mutex_unlock(&vm->dev_lock);
}

static uint32_t ioapic_read_reg(const struct ioapic *io, uint32_t reg)
{
	unsigned int pin;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return (uint32_t)io->id << 24;
	case IOAPIC_REG_VER:
		return (uint32_t)(IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	}
	if (reg >= IOAPIC_REG_RTE && reg < IOAPIC_REG_RTE + 2 * IOAPIC_PINS) {
		pin = (reg - IOAPIC_REG_RTE) / 2;
		return (uint32_t)(reg & 1 ? io->rte[pin] >> 32 : io->rte[pin]);
	}
	return 0;
}

static void ioapic_write_reg(struct vm *vm, struct ioapic *io, uint32_t reg, uint32_t v)
{
	unsigned int pin;
	uint64_t old, e;

	if (reg == IOAPIC_REG_ID) {
		io->id = (uint8_t)((v >> 24) & 0xf);
		return;
	}
	if (reg < IOAPIC_REG_RTE || reg >= IOAPIC_REG_RTE + 2 * IOAPIC_PINS)
		return;
	pin = (reg - IOAPIC_REG_RTE) / 2;
	old = io->rte[pin];
	if (reg & 1)
		e = (old & 0xffffffffULL) | (uint64_t)v << 32;
	else
		e = (old & ~0xffffffffULL) | v;
	io->rte[pin] = (e & RTE_WRITABLE) | (old & RTE_REMOTE_IRR);
	/* Switching to edge clears remote IRR; unmasking a high level input fires. */
	if (!(io->rte[pin] & RTE_LEVEL))
		io->rte[pin] &= ~RTE_REMOTE_IRR;
	ioapic_service(vm, io, pin);
}

static void ioapic_mmio(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
			bool write, uint64_t *data)
{
	struct ioapic *io = opaque;

	(void)size;
	switch (offset) {
	case IOAPIC_REGSEL:
		if (write)
			io->regsel = (uint32_t)*data & 0xff;
		else
			*data = io->regsel;
		break;
	case IOAPIC_WINDOW:
		if (write)
			ioapic_write_reg(vm, io, io->regsel, (uint32_t)*data);
		else
			*data = ioapic_read_reg(io, io->regsel);
		break;
	default:
		if (!write)
			*data = 0;
		break;
	}
}

int ioapic_init(struct vm *vm)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	unsigned int pin;
	int ret;

	if (!io)
		return -1;
	io->id = IOAPIC_ID_DEFAULT;
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = RTE_MASKED;
	ret = io_register_mmio(vm, GPA_IOAPIC, IOAPIC_MMIO_SIZE, ioapic_mmio, io, "ioapic");
	if (ret) {
		free(io);
		return ret;
	}
	vm->ioapic = io;
	return 0;
}

void ioapic_exit(struct vm *vm)
{
	free(vm->ioapic);
	vm->ioapic = NULL;
}
