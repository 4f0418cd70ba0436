/*
 * Frame ledger: the memory quota of one process.  Every frame allocated on a
 * process's behalf (its image, stack, ring, CapSet, page tables and
 * VirtualMemory mappings) is charged here first and uncharged when freed, so
 * a process can never hold more than its limit and cannot exhaust the
 * machine.  Charging never allocates; the caller allocates only after the
 * charge succeeded and uncharges if the allocation then fails.
 */
#ifndef CAPOS_KERNEL_MM_LEDGER_H
#define CAPOS_KERNEL_MM_LEDGER_H

#include "base/compiler.h"

struct ledger {
    uint64_t limit; /* frames */
    uint64_t used;  /* frames */
    uint64_t peak;  /* highest `used` seen, for reports */
};

/* Charges and uncharges are atomic: a process's threads allocate on
 * several CPUs at once, not all under the process lock. */
static inline bool ledger_charge(struct ledger *l, uint64_t frames)
{
    uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
    do {
        if (frames > l->limit - used)
            return false;
    } while (!__atomic_compare_exchange_n(&l->used, &used, used + frames, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    uint64_t peak = __atomic_load_n(&l->peak, __ATOMIC_RELAXED);
    while (used + frames > peak &&
           !__atomic_compare_exchange_n(&l->peak, &peak, used + frames, true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
        ;
    return true;
}

/* Frames still chargeable (a snapshot: other threads may charge meanwhile). */
static inline uint64_t ledger_room(const struct ledger *l)
{
    uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
    return used >= l->limit ? 0 : l->limit - used;
}

static inline void ledger_uncharge(struct ledger *l, uint64_t frames)
{
    uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&l->used, &used, frames > used ? 0 : used - frames, true,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

#endif
