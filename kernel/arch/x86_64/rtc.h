/*
 * The CMOS real-time clock, read once at boot for the wall clock.
 */
#ifndef CAPOS_ARCH_X86_64_RTC_H
#define CAPOS_ARCH_X86_64_RTC_H

#include "base/compiler.h"

/* Seconds since 1970-01-01 00:00:00 UTC from the RTC; false if it could
 * not be read (an update that never ends, no two equal readings, or
 * registers that do not make a valid date).  Boot CPU, interrupts off. */
bool rtc_read_epoch(uint64_t *epoch_s);

#endif
