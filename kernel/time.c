/*
 * Monotonic time and the tick counter.  The clock is the calibrated TSC; the
 * tick comes from each CPU's local APIC timer.
 */
#include "time.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/tsc.h"
#include "clockpage.h"
#include "percpu.h"
#include "sched.h"
#include "timerq.h"

static uint64_t time_tick_count;

void time_init(void)
{
    tsc_calibrate();
    clock_page_init();
    lapic_timer_calibrate();
    lapic_timer_start(TICK_HZ);
}

void time_tick(void)
{
    struct cpu *c = this_cpu();
    /* Every CPU ticks; the global count follows the boot CPU's. */
    if (c->id == 0)
        __atomic_fetch_add(&time_tick_count, 1, __ATOMIC_RELAXED);
    c->ticks++;
    timerq_run(time_now_ns());
    sched_tick();
}

uint64_t time_ticks(void)
{
    return __atomic_load_n(&time_tick_count, __ATOMIC_RELAXED);
}
