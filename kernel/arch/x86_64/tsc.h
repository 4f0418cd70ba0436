/*
 * Time-stamp counter: calibrated once against the PIT and used as the
 * kernel's monotonic clock source.  Requires an invariant (constant-rate) TSC
 * for accurate time across idle periods; the boot report says whether the CPU
 * claims one.
 */
#ifndef CAPOS_ARCH_X86_64_TSC_H
#define CAPOS_ARCH_X86_64_TSC_H

#include "base/compiler.h"

/* Measures the TSC rate with PIT channel 2; call once on the boot CPU.
 * Sets the base and multiplier of arch_clock_ns; its rate is
 * arch_clock_hz. */
void tsc_calibrate(void);
bool tsc_invariant(void);

/* The conversion tsc_ns uses, for the clock page. */
struct tsc_params {
    uint64_t base, mult;
    uint32_t shift;
};
struct tsc_params tsc_params(void);

#endif
