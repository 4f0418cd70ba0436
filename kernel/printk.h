/*
 * Kernel console output.  kprintf formats with lib/fmt and writes whole
 * messages under one lock, so lines from different CPUs never interleave.
 * Once the kernel is panicking the lock is bypassed: the report must get out
 * even if the panic happened with the lock held.
 */
#ifndef CAPOS_KERNEL_PRINTK_H
#define CAPOS_KERNEL_PRINTK_H

#include <stdarg.h>

#include "base/compiler.h"

int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int kvprintf(const char *fmt, va_list ap);
void kputs_raw(const char *s, size_t n);

/* Writes bytes as they are (NULs included), plus a newline if asked, as one
 * message. */
void printk_write(const char *s, size_t n, bool newline);

/* Switches printk to lock-free mode for the panic path. */
void printk_enter_panic(void);

#endif
