/*
 * 16550 UART on COM1 (I/O port 0x3F8): the kernel console.
 *
 * Programmed for 115200 baud, 8N1, FIFOs on; output polls the line-status
 * register.  If the loopback self-test fails (no UART present) output is
 * dropped rather than spinning forever on a missing device.  Input raises
 * the receive-data interrupt (ISA IRQ 4) once console_input_init has routed
 * it; the handler drains every waiting byte, since the I/O APIC sees only
 * the edge of the line.
 */
#include "console.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/trap.h"

#define COM1     0x3F8
#define COM1_IRQ 4

enum {
    UART_DATA = 0,
    UART_IER = 1,
    UART_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
};

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define IER_RX   0x01

static bool serial_present;

void console_init(void)
{
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x80);  /* DLAB on: divisor follows */
    outb(COM1 + UART_DATA, 0x01); /* 115200 / 1 */
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, 0x03); /* 8 bits, no parity, one stop bit */
    outb(COM1 + UART_FCR, 0xC7); /* enable and clear FIFOs, 14-byte threshold */
    outb(COM1 + UART_MCR, 0x1E); /* loopback for the self-test */
    outb(COM1 + UART_DATA, 0xAE);
    serial_present = inb(COM1 + UART_DATA) == 0xAE;
    outb(COM1 + UART_MCR, 0x0F); /* normal operation, OUT1/OUT2, RTS/DTR */
}

static void serial_putc(char c)
{
    unsigned spins = 0;
    while (!(inb(COM1 + UART_LSR) & LSR_THRE)) {
        if (++spins > 1000000)
            return;
        cpu_relax();
    }
    outb(COM1 + UART_DATA, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    if (!serial_present)
        return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
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
