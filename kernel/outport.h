/*
 * Output ports: the serial lines COM2 and COM3, which carry programs'
 * output byte for byte (Console capabilities with port com2 or com3).
 */
#ifndef CAPOS_KERNEL_OUTPORT_H
#define CAPOS_KERNEL_OUTPORT_H

#include "base/compiler.h"
#include "console.h"

/* As printk_write_segment, for port COM2 or COM3: sends the next segment
 * of s[0..n) (a newline after it if `newline` and it ends the data) in
 * the port's own turn, every byte unchanged, and returns its length.
 * Call with interrupts off and no lock held, from a thread's kernel
 * entry. */
size_t outport_write_segment(enum console_port port, const char *s, size_t n, bool newline);

#endif
