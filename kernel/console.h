/*
 * The kernel console: where printk's bytes go.  On x86_64 this is the COM1
 * 16550 UART; "\n" is sent as "\r\n".  console_write does no locking of its
 * own (printk serialises callers).
 */
#ifndef CAPOS_KERNEL_CONSOLE_H
#define CAPOS_KERNEL_CONSOLE_H

#include "base/compiler.h"

void console_init(void);
void console_write(const char *s, size_t n);

#endif
