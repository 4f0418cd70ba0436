/*
 * Time-stamp counter: calibrated once against the PIT and used as the
 * kernel's monotonic clock source.  Requires an invariant (constant-rate) TSC
 * for accurate time across idle periods; the boot report says whether the CPU
 * claims one.
 */
#ifndef CAPOS_ARCH_X86_64_TSC_H
#define CAPOS_ARCH_X86_64_TSC_H

#include "base/compiler.h"
#include "arch/x86_64/cpu.h"

/* Measures the TSC rate with PIT channel 2; call once on the boot CPU. */
void tsc_calibrate(void);
uint64_t tsc_hz(void);
bool tsc_invariant(void);
/* Nanoseconds since calibration; inline, since the scheduler reads the
 * clock at every switch. */
extern uint64_t tsc_base, tsc_mult; /* set once by tsc_calibrate */
static inline uint64_t tsc_ns(void)
{
    uint64_t d = rdtsc() - tsc_base;
    return (uint64_t)(((unsigned __int128)d * tsc_mult) >> 32);
}

/* The conversion tsc_ns uses, for the clock page. */
struct tsc_params {
    uint64_t base, mult;
    uint32_t shift;
};
struct tsc_params tsc_params(void);

#endif
