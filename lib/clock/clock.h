/*
 * Reading the clock page (lib/abi/clock.h) in user mode.
 *
 * Pure and header-only, so that the POSIX layer's clock_gettime inlines it:
 * a sequence-count read of the page and one 64x64->128-bit multiply.  The
 * TSC comes from a function the caller passes (rdtsc in a program, a fake
 * counter in the host tests), so nothing here is x86-specific.
 *
 * capos_clock_read gives up (returns false) when the page says it cannot be
 * read in user mode (mode other than CAPOS_CLOCK_MODE_TSC, an unknown
 * version, a shift the formula cannot use) or when it finds the page being
 * updated CAPOS_CLOCK_RETRIES times in a row; the caller then asks the
 * kernel (Timer.now, Timer.wallClock).  It never loops without bound.
 */
#ifndef CAPOS_LIB_CLOCK_CLOCK_H
#define CAPOS_LIB_CLOCK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/clock.h"

/* Consecutive torn reads before the reader gives up. */
#define CAPOS_CLOCK_RETRIES 64

/* ((tsc - base) * mult) >> shift with a 128-bit product; shift < 64. */
static inline uint64_t capos_clock_scale(uint64_t tsc, uint64_t base, uint64_t mult, uint32_t shift)
{
    return (uint64_t)(((unsigned __int128)(tsc - base) * mult) >> shift);
}

/*
 * Reads the monotonic time and, if real_ns is not NULL, the wall-clock time
 * (both in nanoseconds) from page `pg`, using tsc(ctx) for the counter.
 * Returns false, writing nothing, if the page cannot serve (see above).
 */
static inline bool capos_clock_read(const struct capos_clock_page *pg, uint64_t (*tsc)(void *),
                                    void *ctx, uint64_t *mono_ns, uint64_t *real_ns)
{
    for (unsigned i = 0; i < CAPOS_CLOCK_RETRIES; i++) {
        uint32_t s = __atomic_load_n(&pg->seq, __ATOMIC_ACQUIRE);
        if (s & 1)
            continue;
        uint32_t version = __atomic_load_n(&pg->version, __ATOMIC_RELAXED);
        uint32_t mode = __atomic_load_n(&pg->mode, __ATOMIC_RELAXED);
        uint32_t shift = __atomic_load_n(&pg->tsc_shift, __ATOMIC_RELAXED);
        uint64_t base = __atomic_load_n(&pg->tsc_base, __ATOMIC_RELAXED);
        uint64_t mult = __atomic_load_n(&pg->tsc_mult, __ATOMIC_RELAXED);
        uint64_t off = __atomic_load_n(&pg->realtime_offset, __ATOMIC_RELAXED);
        uint64_t t = tsc(ctx);
        /* The fields above, then seq: they were not changed in between if
         * seq is still s (the kernel makes it odd before any change). */
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&pg->seq, __ATOMIC_RELAXED) != s)
            continue;
        if (version != CAPOS_CLOCK_VERSION || mode != CAPOS_CLOCK_MODE_TSC || shift >= 64)
            return false;
        uint64_t mono = capos_clock_scale(t, base, mult, shift);
        *mono_ns = mono;
        if (real_ns)
            *real_ns = mono + off;
        return true;
    }
    return false;
}

#endif
