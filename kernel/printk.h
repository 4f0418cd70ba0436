/*
 * Kernel console output.
 *
 * kprintf formats with lib/fmt and sends each message whole, in one turn at
 * the serial line: kernel messages from different CPUs never interleave.
 * It may be called from anywhere, with any lock held and interrupts on or
 * off.  Writers are served in arrival order, so a kernel message waits with
 * interrupts off for at most one turn of each other CPU: another kernel
 * message, or one Console segment (at most 256 bytes, about 22 ms at
 * 115200 baud).
 *
 * printk_write sends a Console write.  Every line of it that is at most 256
 * bytes long (its newline included) goes out whole, with nothing from
 * another writer inside it; longer lines may have other writers' output
 * between 256-byte pieces.  Bytes of one write keep their order.  The one
 * exception: a kernel message printed by an interrupt handler on the
 * writer's own CPU, while the write waits for the transmitter, appears at
 * that point.  The write keeps interrupts off for at most one burst of the
 * transmitter at a time (16 characters), and waits with interrupt windows
 * open.
 *
 * Once the kernel is panicking, turns are ignored: the report must get out
 * even if a stopped CPU held one.
 */
#ifndef CAPOS_KERNEL_PRINTK_H
#define CAPOS_KERNEL_PRINTK_H

#include <stdarg.h>

#include "base/compiler.h"

int kprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
int kvprintf(const char *fmt, va_list ap);

/* Writes bytes as they are (NULs included), plus a newline if asked.  Opens
 * interrupt windows: call with interrupts off and no lock held, from a
 * thread's kernel entry (Console.write); returns with interrupts off. */
void printk_write(const char *s, size_t n, bool newline);

/* Switches printk to turn-free mode for the panic path. */
void printk_enter_panic(void);

#endif
