/*
 * Kernel time: a monotonic nanosecond clock and the periodic tick.
 * The tick rate is TICK_HZ on every CPU; each tick is counted globally and
 * per CPU, and is where the scheduler will preempt.
 */
#ifndef CAPOS_KERNEL_TIME_H
#define CAPOS_KERNEL_TIME_H

#include "arch/x86_64/tsc.h"
#include "base/compiler.h"

#define TICK_HZ 250

/* Calibrates clocks and starts the tick on the boot CPU. */
void time_init(void);
/* Called from the timer interrupt on every CPU. */
void time_tick(void);
uint64_t time_ticks(void);

/* The monotonic clock in nanoseconds (the calibrated TSC). */
static inline uint64_t time_now_ns(void)
{
    return tsc_ns();
}

#endif
