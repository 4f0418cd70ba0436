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

static inline bool ledger_charge(struct ledger *l, uint64_t frames)
{
    if (frames > l->limit - l->used)
        return false;
    l->used += frames;
    if (l->used > l->peak)
        l->peak = l->used;
    return true;
}

static inline void ledger_uncharge(struct ledger *l, uint64_t frames)
{
    l->used = frames > l->used ? 0 : l->used - frames;
}

#endif
