/*
 * The kernel console: where printk's bytes go.  On x86_64 this is the COM1
 * 16550 UART; "\n" is sent as "\r\n".  The driver never waits: printk polls
 * console_tx_ready (bounding and interrupting the wait as its caller
 * allows) and then hands over what the transmitter takes at once.  It does
 * no locking of its own (printk serialises callers).  Input is taken by
 * the receive interrupt (object/serialin.c): the debug key, and bytes for
 * SerialInput.
 *
 * Two more lines, COM2 and COM3, carry programs' output byte for byte
 * (Console capabilities with port com2 or com3; outport.c takes turns at
 * them): the same driver with nothing added to the bytes.
 */
#ifndef CAPOS_KERNEL_CONSOLE_H
#define CAPOS_KERNEL_CONSOLE_H

#include "base/compiler.h"

/* Programs COM1, and COM2 and COM3 where they exist. */
void console_init(void);

/* The serial lines, numbered as the schema's ConsolePort. */
enum console_port {
    CONSOLE_COM1,
    CONSOLE_COM2,
    CONSOLE_COM3,
    CONSOLE_PORTS,
};

/* True if the UART of `port` passed its self-test at boot. */
bool console_port_present(enum console_port port);

/* For COM2 and COM3: as console_tx_ready and console_tx_put, except that
 * every byte goes out as it is (no CR before LF). */
bool console_port_tx_ready(enum console_port port);
size_t console_port_tx_put(enum console_port port, const char *s, size_t n);

/* True when the transmitter can take a burst now (its FIFO is empty), or
 * when there is no UART (output is then dropped).  One register read. */
bool console_tx_ready(void);

/* After console_tx_ready: queues what one burst of the transmitter holds
 * (its FIFO's worth of characters, a newline being two) from the start of
 * s[0..n) and returns how many bytes of s it took.  That is at least one
 * whenever n > 0, except on a UART without a FIFO, whose one-character
 * burst may go to the second half of an earlier newline. */
size_t console_tx_put(const char *s, size_t n);

/* Input, for SerialInput and the debug key: makes each received
 * byte raise an interrupt on the calling CPU (trap vector VEC_CONSOLE);
 * false if that cannot be arranged (no UART, no I/O APIC route). */
bool console_input_init(void);
/* The next received byte, or -1 if none is waiting. */
int console_getc(void);

#endif
