/*
 * The kernel console: where printk's bytes go.  On x86_64 this is the COM1
 * 16550 UART; "\n" is sent as "\r\n".  console_write does no locking of its
 * own (printk serialises callers).  Input exists only for the debug key.
 */
#ifndef CAPOS_KERNEL_CONSOLE_H
#define CAPOS_KERNEL_CONSOLE_H

#include "base/compiler.h"

void console_init(void);
void console_write(const char *s, size_t n);

/* Input, for the kernel's debug key (kernel/stall.c): makes each received
 * byte raise an interrupt on the calling CPU (trap vector VEC_CONSOLE);
 * false if that cannot be arranged (no UART, no I/O APIC route). */
bool console_input_init(void);
/* The next received byte, or -1 if none is waiting. */
int console_getc(void);

#endif
