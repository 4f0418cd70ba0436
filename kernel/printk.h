/*
 * Kernel console output.
 *
 * kprintf formats with lib/fmt and sends each message whole, in one turn at
 * the serial line: kernel messages from different CPUs never interleave.
 * It may be called from anywhere, with any lock held and interrupts on or
 * off.  Writers are served in arrival order, so a kernel message waits with
 * interrupts off for at most one turn of each other CPU: another kernel
 * message, or one Console segment (at most PRINTK_SEGMENT_MAX bytes, about
 * 22 ms at 115200 baud).
 *
 * A Console write goes out in segments, one turn each
 * (printk_write_segment).  Every line of the write that is at most
 * PRINTK_SEGMENT_MAX bytes long (its newline included) lies in one segment:
 * it goes out whole, with nothing from another writer inside it.  Longer
 * lines may have other writers' output between their pieces, and other
 * output may come between two lines of one write.  The one exception: a
 * kernel message printed by an interrupt handler on the writer's own CPU
 * while the write waits for the transmitter appears at that point.  A
 * segment keeps interrupts off for at most one burst of the transmitter at
 * a time (16 characters); its waits have interrupt windows.
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

/* The longest segment of a Console write, sent in one turn: lines up to
 * this long are never cut.  At 115200 baud it takes about 22 ms to send. */
#define PRINTK_SEGMENT_MAX 256

/* Sends the next segment of a Console write s[0..n) (the bytes as they are,
 * NULs included), followed by a newline if `newline` and the segment ends
 * the data, and returns the segment's length (0 only when n is 0).  Opens
 * interrupt windows: call with interrupts off and no lock held, from a
 * thread's kernel entry (Console.write); returns with interrupts off. */
size_t printk_write_segment(const char *s, size_t n, bool newline);

/* Switches printk to turn-free mode for the panic path. */
void printk_enter_panic(void);

#endif
