/*
 * The stall detector and the wait report (stall.c, docs/stall.md).
 *
 * When no thread can ever run again, the kernel reports who waits on what
 * and halts with a failure status instead of idling forever; the same report
 * is printed on demand when the debug key (Ctrl-T) arrives on the console.
 */
#ifndef CAPOS_KERNEL_STALL_H
#define CAPOS_KERNEL_STALL_H

#include "base/compiler.h"

struct cpu;

/* The debug key: Ctrl-T, as in BSD's status request. */
#define STALL_DEBUG_KEY 0x14

/* The boot CPU's timer tick while it runs its idle thread: one step of the
 * decision (interrupts off). */
void stall_tick(void);

/* Called by every CPU's idle loop with interrupts off, just before it
 * halts with nothing to run: acknowledges the detector's latest request.
 * Inline: one load and, rarely, one store. */
extern uint32_t stall_epoch;
extern uint32_t stall_acks[];
static inline void stall_idle_ack(unsigned cpu)
{
    uint32_t e = __atomic_load_n(&stall_epoch, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&stall_acks[cpu], __ATOMIC_RELAXED) != e)
        __atomic_store_n(&stall_acks[cpu], e, __ATOMIC_RELEASE);
}

/* The debug key arrived on the console (object/serialin.c takes it out
 * of the input): prints the wait report and the kernel's memory. */
void stall_debug_report(void);

#endif
