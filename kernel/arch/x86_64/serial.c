/*
 * 16550 UART on COM1 (I/O port 0x3F8): the kernel console.
 *
 * Programmed for 115200 baud, 8N1, FIFOs on, interrupts off.  Output is
 * polled: THRE in the line-status register means the transmit FIFO is
 * empty, so up to a FIFO's worth of characters (16 on a 16550A) can then be
 * written without another look.  At 115200 baud a full FIFO drains in about
 * 1.4 ms, so a caller that waits for THRE between bursts waits at most that
 * long per 16 characters on working hardware.  If the loopback self-test
 * fails (no UART present) output is dropped rather than waited for.
 *
 * Input raises the receive-data interrupt (ISA IRQ 4) once
 * console_input_init has routed it; the handler drains every waiting byte,
 * since the I/O APIC sees only the edge of the line.
 *
 * COM2 (0x2F8) and COM3 (0x3E8) are programmed the same way when their
 * self-test passes, output only, and send bytes unchanged: they carry
 * programs' output to files on the host.
 */
#include "console.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/trap.h"

#define COM1     0x3F8
#define COM1_IRQ 4

static const uint16_t serial_base[CONSOLE_PORTS] = {0x3F8, 0x2F8, 0x3E8};

enum {
    UART_DATA = 0,
    UART_IER = 1,
    UART_FCR = 2, /* written; read, the same port is IIR */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
};

#define LSR_DR         0x01
#define IER_RX         0x01
#define LSR_THRE       0x20
#define IIR_FIFO_MASK  0xC0 /* both set: FIFOs are enabled (a 16550A or later) */
#define UART_FIFO_SIZE 16

static bool serial_present;
/* Characters one burst may queue: the transmit FIFO, or the single holding
 * register of a UART without a working FIFO. */
static unsigned serial_burst = 1;
/* COM2 and COM3 (index 0 unused: COM1 is the above). */
static bool serial_port_present[CONSOLE_PORTS];
static unsigned serial_port_burst[CONSOLE_PORTS];
/* With one-character bursts, a newline's "\r" filled a burst and its "\n"
 * goes first in the next one. */
static bool serial_lf_owed;

/* Programs the UART at `base`; returns whether it passed the loopback
 * self-test, and its burst size in *burst. */
static bool serial_setup(uint16_t base, unsigned *burst)
{
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x80);  /* DLAB on: divisor follows */
    outb(base + UART_DATA, 0x01); /* 115200 / 1 */
    outb(base + UART_IER, 0x00);
    outb(base + UART_LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(base + UART_FCR, 0xC7); /* enable and clear FIFOs, 14-byte threshold */
    outb(base + UART_MCR, 0x1E); /* loopback for the self-test */
    outb(base + UART_DATA, 0xAE);
    bool present = inb(base + UART_DATA) == 0xAE;
    *burst = (inb(base + UART_FCR) & IIR_FIFO_MASK) == IIR_FIFO_MASK ? UART_FIFO_SIZE : 1;
    outb(base + UART_MCR, 0x0F); /* normal operation, OUT1/OUT2, RTS/DTR */
    return present;
}

void console_init(void)
{
    serial_present = serial_setup(COM1, &serial_burst);
    for (unsigned p = CONSOLE_COM2; p < CONSOLE_PORTS; p++)
        serial_port_present[p] = serial_setup(serial_base[p], &serial_port_burst[p]);
}

bool console_port_present(enum console_port port)
{
    return port == CONSOLE_COM1 ? serial_present : serial_port_present[port];
}

bool console_port_tx_ready(enum console_port port)
{
    return !serial_port_present[port] || (inb(serial_base[port] + UART_LSR) & LSR_THRE);
}

size_t console_port_tx_put(enum console_port port, const char *s, size_t n)
{
    if (!serial_port_present[port])
        return n;
    size_t k = MIN(n, serial_port_burst[port]);
    for (size_t i = 0; i < k; i++)
        outb(serial_base[port] + UART_DATA, (uint8_t)s[i]);
    return k;
}

bool console_tx_ready(void)
{
    return !serial_present || (inb(COM1 + UART_LSR) & LSR_THRE);
}

size_t console_tx_put(const char *s, size_t n)
{
    if (!serial_present)
        return n;
    unsigned room = serial_burst;
    if (serial_lf_owed) {
        outb(COM1 + UART_DATA, '\n');
        serial_lf_owed = false;
        room--;
    }
    size_t i = 0;
    for (; i < n && room > 0; i++) {
        if (s[i] == '\n') {
            if (room < 2) {
                if (serial_burst > 1)
                    break; /* the next burst takes it whole */
                outb(COM1 + UART_DATA, '\r');
                serial_lf_owed = true;
                return i + 1;
            }
            outb(COM1 + UART_DATA, '\r');
            room--;
        }
        outb(COM1 + UART_DATA, (uint8_t)s[i]);
        room--;
    }
    return i;
}

bool console_input_init(void)
{
    if (!serial_present || !ioapic_route_isa(COM1_IRQ, VEC_CONSOLE, lapic_id()))
        return false;
    /* Whatever arrived before boot (bounded: a FIFO holds 16 bytes). */
    for (unsigned i = 0; i < 64 && (inb(COM1 + UART_LSR) & LSR_DR); i++)
        (void)inb(COM1 + UART_DATA);
    outb(COM1 + UART_IER, IER_RX);
    return true;
}

int console_getc(void)
{
    if (!serial_present || !(inb(COM1 + UART_LSR) & LSR_DR))
        return -1;
    return inb(COM1 + UART_DATA);
}
