/*
 * The clock page: the kernel's time data, mapped read-only into a process
 * by Timer.mapClock, so that the monotonic and wall clocks can be read in
 * user mode with rdtsc instead of a Timer.now call.  One frame shared by
 * every process; only the kernel writes it.  docs/posix-kernel.md
 * describes it; lib/clock/clock.h is the reader.  Layout pinned by
 * _Static_asserts.
 *
 * Reading (what capos_clock_read does):
 *   1. s = seq (acquire); if s is odd the kernel is changing the page:
 *      start again.
 *   2. Copy mode, tsc_base, tsc_mult, tsc_shift and realtime_offset; read
 *      the TSC.
 *   3. If seq (acquire) still equals s, the copy is consistent; otherwise
 *      start again.
 *   4. mode must be CAPOS_CLOCK_MODE_TSC; otherwise the page cannot be
 *      read in user mode and the caller uses Timer.now / Timer.wallClock.
 *   monotonic ns = ((tsc - tsc_base) * tsc_mult) >> tsc_shift, the product
 *                  taken in 128 bits (exactly the kernel's own clock, so it
 *                  agrees with Timer.now to the nanosecond);
 *   realtime ns  = monotonic ns + realtime_offset (mod 2^64): nanoseconds
 *                  since 1970-01-01 00:00:00 UTC.
 */
#ifndef CAPOS_LIB_ABI_CLOCK_H
#define CAPOS_LIB_ABI_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_CLOCK_VERSION 1

/* How the page's time is read. */
enum capos_clock_mode {
    CAPOS_CLOCK_MODE_NONE = 0, /* not readable in user mode: use the Timer calls */
    CAPOS_CLOCK_MODE_TSC = 1,  /* the formula above, with rdtsc */
};

struct capos_clock_page {
    uint32_t seq;             /* odd while the kernel updates the fields below */
    uint32_t version;         /* CAPOS_CLOCK_VERSION */
    uint32_t mode;            /* enum capos_clock_mode */
    uint32_t tsc_shift;       /* the conversion's fixed-point shift */
    uint64_t tsc_base;        /* TSC value at monotonic time 0 (boot) */
    uint64_t tsc_mult;        /* nanoseconds per TSC tick << tsc_shift */
    uint64_t realtime_offset; /* REALTIME - MONOTONIC, in nanoseconds */
    uint64_t tsc_hz;          /* the calibrated TSC rate, for reference */
    uint64_t realtime_boot_s; /* seconds since 1970 read from the RTC at boot (0: none) */
    uint64_t reserved;
};

_Static_assert(sizeof(struct capos_clock_page) == 64, "clock page header is 64 bytes");
_Static_assert(offsetof(struct capos_clock_page, seq) == 0, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, version) == 4, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, mode) == 8, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, tsc_shift) == 12, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, tsc_base) == 16, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, tsc_mult) == 24, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, realtime_offset) == 32, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, tsc_hz) == 40, "clock page layout");
_Static_assert(offsetof(struct capos_clock_page, realtime_boot_s) == 48, "clock page layout");

/* Where Timer.mapClock maps the page (programs should use the address the
 * call returns).  Between the user stack and the CapSet, in the bootstrap
 * area that VirtualMemory never maps. */
#define CAPOS_USER_CLOCK_VA 0x00007ffffd000000ULL

#endif
