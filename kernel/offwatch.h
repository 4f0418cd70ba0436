/*
 * The interrupts-off watch: how long each CPU runs kernel code with
 * interrupts off before it lets them in again, compiled only into the test
 * kernel (CAPOS_KTEST), for the bounded-work smoke (docs/capabilities.md,
 * "Bounded work").
 *
 * A stretch begins where kernel work starts with interrupts off: a system
 * call or an interrupt entered from user mode or from an interrupt window,
 * and the cli that closes a window (a preemption point, the idle loop, a
 * console wait).  It ends where interrupts come on again: the return to
 * user mode, and the sti that opens a window.  A stretch is per CPU, not
 * per thread: one that blocks a thread and switches to another ends when
 * the other returns to user mode.  Exceptions taken with interrupts off
 * (a user copy's page fault) are part of the stretch they interrupt.
 *
 * Each stretch is recorded under a label, the last one set on the CPU
 * during it: the system call, the ring opcode, the kernel object and
 * method a CALL invoked, the reaper step, the interrupt vector.  Lengths
 * are TSC cycles, which QEMU's `-icount shift=0` makes guest
 * instructions.  At the halt, the kernel prints the longest stretch of
 * each label and checks the longest of all against the bound given as
 * `offbound=N` on the command line.
 *
 * The production kernel has none of this code: every hook is an empty
 * inline function there.
 */
#ifndef CAPOS_KERNEL_OFFWATCH_H
#define CAPOS_KERNEL_OFFWATCH_H

#include "base/compiler.h"

/* Labels: a class in the top byte, then what the class names. */
#define OFFWATCH_SYSCALL       0x01000000u /* a system call, before any op */
#define OFFWATCH_OP(opcode)    (0x02000000u | ((opcode)&0xffu))
#define OFFWATCH_CALL(kind, m) (0x03000000u | (((kind)&0xffu) << 8) | ((m)&0xffu))
#define OFFWATCH_ENDPOINT_CALL 0x04000000u /* a CALL into another process */
#define OFFWATCH_REAP(kind)    (0x05000000u | ((kind)&0xffu))
#define OFFWATCH_IRQ(vector)   (0x06000000u | ((vector)&0xffu))
#define OFFWATCH_IDLE          0x07000000u /* an idle CPU woken */

#ifdef CAPOS_KTEST
/* Interrupts are off from here, at the start of kernel work labelled l. */
void offwatch_begin(uint32_t label);
/* Interrupts are off again after a window: the stretch keeps its label. */
void offwatch_resume(void);
/* Interrupts come on (or the CPU returns to user mode): the stretch ends. */
void offwatch_end(void);
/* The stretch is now doing what l names. */
void offwatch_label(uint32_t label);
/* Prints the longest stretch of each label and checks the bound. */
void offwatch_report(void);
#else
static inline void offwatch_begin(uint32_t label)
{
    (void)label;
}
static inline void offwatch_resume(void)
{
}
static inline void offwatch_end(void)
{
}
static inline void offwatch_label(uint32_t label)
{
    (void)label;
}
static inline void offwatch_report(void)
{
}
#endif

#endif
