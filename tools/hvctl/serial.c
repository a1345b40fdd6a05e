// SPDX-License-Identifier: GPL-2.0
/*
 * COM1: a 16550A UART at 0x3f8, IRQ 4. Register facts from the National
 * Semiconductor PC16550D data sheet (and Linux's include/uapi/linux/
 * serial_reg.h, which names the same bits):
 *
 *   off  DLAB=0 read / write      DLAB=1
 *   0    RBR / THR                DLL
 *   1    IER                      DLM
 *   2    IIR / FCR
 *   3    LCR (bit 7 = DLAB)
 *   4    MCR (bit 4 = loopback)
 *   5    LSR: DR 0, OE 1, THRE 5, TEMT 6
 *   6    MSR: CTS 4, DSR 5, RI 6, DCD 7 (deltas in 3:0)
 *   7    SCR
 *
 * Transmission is instant: THR goes straight to the console, so THRE and
 * TEMT are always set. Received bytes wait in a FIFO until the guest reads
 * them. Interrupt sources, highest priority first: receiver line status
 * (overrun), received data, THR empty, modem status; IIR reports the
 * highest and the IRQ line follows "any enabled source pending". The THRE
 * interrupt is the classic one-shot: raised when THR empties (or when it
 * is enabled while empty), cleared by reading IIR while it is the source
 * or by writing THR; Linux's 8250 driver depends on exactly that.
 *
 * Loopback (MCR bit 4) is modelled because Linux's autoconfig checks it:
 * THR comes back in RBR and MSR mirrors MCR (RTS->CTS, DTR->DSR,
 * OUT1->RI, OUT2->DCD).
 */
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "vm.h"

#define UART_RBR	0
#define UART_THR	0
#define UART_DLL	0
#define UART_IER	1
#define UART_DLM	1
#define UART_IIR	2
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* THR empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IER_MSI		0x08	/* modem status */
#define IER_MASK	0x0f

#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_FIFO_ON	0xc0

#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04

#define LCR_DLAB	0x80

#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MCR_MASK	0x1f

#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40

#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/* Host input waiting for the guest; the 16-byte FIFO is its head. */
#define RX_BUF		4096

struct serial {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thr_int;		/* THRE interrupt pending (one-shot) */
	bool overrun;
	bool irq_level;
	uint8_t rx[RX_BUF];
	size_t rx_head, rx_len;
};

static uint8_t serial_msr(const struct serial *s)
{
	uint8_t m = s->mcr;

	if (!(s->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;	/* a cable with someone on it */
	return (uint8_t)(((m & MCR_RTS) ? MSR_CTS : 0) | ((m & MCR_DTR) ? MSR_DSR : 0) |
			 ((m & MCR_OUT1) ? MSR_RI : 0) | ((m & MCR_OUT2) ? MSR_DCD : 0));
}

static uint8_t serial_iir_id(const struct serial *s)
{
	if ((s->ier & IER_RLSI) && s->overrun)
		return IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_len)
		return IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_int)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* The IRQ line follows IIR; the I/O APIC sees the edges. */
static void serial_update_irq(struct vm *vm, struct serial *s)
{
	bool level = serial_iir_id(s) != IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		ioapic_set_irq(vm, IRQ_COM1, level);
	}
}

static void serial_rx_push(struct serial *s, uint8_t b)
{
	if (s->rx_len == RX_BUF) {
		s->overrun = true;
		return;
	}
	s->rx[(s->rx_head + s->rx_len) % RX_BUF] = b;
	s->rx_len++;
}

static uint8_t serial_rx_pop(struct serial *s)
{
	uint8_t b;

	if (!s->rx_len)
		return 0;
	b = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_BUF;
	s->rx_len--;
	return b;
}

static void serial_write(struct vm *vm, struct serial *s, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		if (s->mcr & MCR_LOOP)
			serial_rx_push(s, v);
		else
			console_write(vm, &v, 1);
		/* Sent at once: THR is empty again, which is an interrupt. */
		s->thr_int = true;
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		/* Enabling THRI while THR is empty raises it. */
		if (!(s->ier & IER_THRI) && (v & IER_THRI))
			s->thr_int = true;
		s->ier = v & IER_MASK;
		break;
	case UART_FCR:
		s->fcr = v & FCR_ENABLE;
		if (v & FCR_CLEAR_RX) {
			s->rx_len = 0;
			s->overrun = false;
		}
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & MCR_MASK;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:	/* LSR, MSR: read-only */
		break;
	}
	serial_update_irq(vm, s);
}

static uint8_t serial_read(struct vm *vm, struct serial *s, unsigned int reg)
{
	uint8_t v = 0, id;

	switch (reg) {
	case UART_RBR:
		v = (s->lcr & LCR_DLAB) ? s->dll : serial_rx_pop(s);
		break;
	case UART_IER:
		v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		break;
	case UART_IIR:
		id = serial_iir_id(s);
		v = id | (s->fcr & FCR_ENABLE ? IIR_FIFO_ON : 0);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if (id == IIR_THRI)
			s->thr_int = false;
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | (s->rx_len ? LSR_DR : 0) | (s->overrun ? LSR_OE : 0);
		s->overrun = false;	/* LSR errors clear on read */
		break;
	case UART_MSR:
		v = serial_msr(s);
		break;
	case UART_SCR:
		v = s->scr;
		break;
	}
	serial_update_irq(vm, s);
	return v;
}

static void serial_io(struct vm *vm, void *opaque, uint64_t offset, unsigned int size,
		      bool write, uint64_t *data)
{
	struct serial *s = opaque;
	unsigned int i;
	uint64_t v = 0;

	/* Wider accesses touch consecutive registers, low byte first. */
	for (i = 0; i < size && offset + i < 8; i++) {
		if (write)
			serial_write(vm, s, (unsigned int)offset + i, (uint8_t)(*data >> (8 * i)));
		else
			v |= (uint64_t)serial_read(vm, s, (unsigned int)offset + i) << (8 * i);
	}
	if (!write)
		*data = v;
}

size_t serial_rx_room(struct vm *vm)
{
	size_t room;

	pthread_mutex_lock(&vm->dev_lock);
	room = vm->serial ? RX_BUF - vm->serial->rx_len : 0;
	pthread_mutex_unlock(&vm->dev_lock);
	return room;
}

size_t serial_receive(struct vm *vm, const uint8_t *buf, size_t len)
{
	struct serial *s = vm->serial;
	size_t n = 0;

	pthread_mutex_lock(&vm->dev_lock);
	for (; n < len && s->rx_len < RX_BUF; n++)
		serial_rx_push(s, buf[n]);
	serial_update_irq(vm, s);
	pthread_mutex_unlock(&vm->dev_lock);
	return n;
}

int serial_init(struct vm *vm)
{
	struct serial *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -1;
	s->mcr = MCR_OUT2;
	ret = io_register_port(vm, PORT_COM1, 8, serial_io, s, "com1");
	if (ret) {
		free(s);
		return ret;
	}
	vm->serial = s;
	return 0;
}

void serial_exit(struct vm *vm)
{
	free(vm->serial);
	vm->serial = NULL;
}
