// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART: enough of the register model for Linux's 8250 driver
 * (FIFO detection, the THRE interrupt test, loopback), output to the sink
 * vmm/ gives it, input queued by serial_receive, interrupts through the
 * in-kernel irqchip. Transmission is instantaneous, so THR is always empty
 * again at once (the sink buffers or drops, it never blocks).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/legacy.h"

#define UART_RX		0	/* RBR / THR, DLL when DLAB */
#define UART_IER	1	/* DLM when DLAB */
#define UART_IIR	2	/* FCR on write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

#define RX_SIZE		4096

struct serial {
	struct legacy_env env;
	pthread_mutex_t lock;
	uint16_t base;
	uint32_t irq;
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	bool thri_pending;	/* THR empty, not yet acknowledged via IIR */
	int line;		/* level last driven on the irq */
	uint8_t rx[RX_SIZE];
	size_t rx_head, rx_len;
};

static uint8_t serial_iir(struct serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((s->ier & IER_RDI) && s->rx_len)
		return fifo | IIR_RDI;
	if ((s->ier & IER_THRI) && s->thri_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NO_INT;
}

/* Recomputes the interrupt line; OUT2 gates it as on a PC. */
static void serial_update_irq(struct serial *s)
{
	int level = !(serial_iir(s) & IIR_NO_INT) && (s->mcr & MCR_OUT2);

	if (level == s->line)
		return;
	s->line = level;
	irq_line(s->env.irq, s->irq, level);
}

static void serial_rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_len == RX_SIZE)
		return;
	s->rx[(s->rx_head + s->rx_len) % RX_SIZE] = c;
	s->rx_len++;
}

static uint8_t serial_rx_pop(struct serial *s)
{
	uint8_t c;

	if (!s->rx_len)
		return 0;
	c = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_SIZE;
	s->rx_len--;
	return c;
}

static void serial_write(struct serial *s, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_RX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
		} else if (s->mcr & MCR_LOOP) {
			serial_rx_push(s, v);
			s->thri_pending = true;
		} else {
			s->env.output(s->env.ctx, &v, 1);
			s->thri_pending = true;
		}
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thri_pending = true;
		s->ier = v & 0x0f;
		break;
	case UART_IIR:
		if (v & FCR_CLEAR_RX)
			s->rx_len = 0;
		s->fcr = v & 0xc9;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
}

static uint8_t serial_msr(struct serial *s)
{
	uint8_t m = s->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return (uint8_t)(((m & MCR_RTS) ? MSR_CTS : 0) | ((m & MCR_DTR) ? MSR_DSR : 0) |
			 ((m & MCR_OUT1) ? MSR_RI : 0) | ((m & MCR_OUT2) ? MSR_DCD : 0));
}

static uint8_t serial_read(struct serial *s, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RX:
		return (s->lcr & LCR_DLAB) ? s->dll : serial_rx_pop(s);
	case UART_IER:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case UART_IIR:
		v = serial_iir(s);
		if ((v & 0x0f) == IIR_THRI)
			s->thri_pending = false;	/* reading IIR acknowledges THRE */
		return v;
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT | (s->rx_len ? LSR_DR : 0);
	case UART_MSR:
		return serial_msr(s);
	default:
		return s->scr;
	}
}

static void serial_io(void *dev, uint64_t off, uint8_t *data, uint32_t len,
		      bool is_write)
{
	struct serial *s = dev;
	uint32_t i;

	pthread_mutex_lock(&s->lock);
	/* Byte registers; a wider access touches consecutive ones. */
	for (i = 0; i < len && off + i < 8; i++) {
		if (is_write)
			serial_write(s, (unsigned int)(off + i), data[i]);
		else
			data[i] = serial_read(s, (unsigned int)(off + i));
	}
	for (; !is_write && i < len; i++)
		data[i] = 0xff;
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial_rx_room(struct serial *s)
{
	size_t room;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	room = RX_SIZE - s->rx_len;
	pthread_mutex_unlock(&s->lock);
	return room;
}

size_t serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < len && s->rx_len < RX_SIZE; i++)
		serial_rx_push(s, buf[i]);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return i;
}

int serial_create(struct serial **out, const struct legacy_env *env, uint16_t base,
		  uint32_t irq)
{
	struct serial *s;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->env = *env;
	s->base = base;
	s->irq = irq;
	s->thri_pending = true;
	r = -pthread_mutex_init(&s->lock, NULL);
	if (r < 0) {
		free(s);
		return r;
	}
	r = io_bus_register(env->pio, base, 8, serial_io, s);
	if (r < 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	io_bus_unregister(s->env.pio, s->base);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
