/*
 * Quota trees: the counting core of the kernel's ledgers (kernel/mm/ledger.h),
 * kept pure so that it is tested on the host, threads included.
 *
 * A quota has a limit and a count (in whatever unit the user picks; the
 * kernel counts 4 KiB frames) and may have a parent.  A quota's count
 * includes everything charged to the quotas below it, and a charge must fit
 * the limit of the charged quota and of every ancestor.
 *
 * Charges and uncharges need no lock: each level is changed by a
 * compare-and-swap, a charge from the charged quota up to the root, each
 * step refusing to pass that level's limit.  When a level refuses, the
 * levels below it that were already charged are uncharged again, so a
 * failed charge leaves every count as it was.  Since counts only grow by
 * checked additions, no quota is ever over its limit, whatever other
 * threads do meanwhile; a charge racing others near a limit may be refused
 * where it would have fitted a moment later.  The work of a charge is the
 * depth of the tree, which the user bounds.
 */
#ifndef CAPOS_LIB_MM_QUOTA_H
#define CAPOS_LIB_MM_QUOTA_H

#include "base/compiler.h"

struct quota {
    struct quota *parent; /* NULL for a root */
    uint64_t limit;
    uint64_t used; /* changed atomically */
};

void quota_init(struct quota *q, struct quota *parent, uint64_t limit);

/* Adds n to q and its ancestors; false (and nothing changed) if any of them
 * would pass its limit. */
bool quota_charge(struct quota *q, uint64_t n) WARN_UNUSED;

/* Takes back n charged to q earlier.  False if some level holds less than n
 * (a broken invariant of the user's): that level and those above it are
 * left unchanged. */
bool quota_uncharge(struct quota *q, uint64_t n) WARN_UNUSED;

/* What q could still be charged: the least room of q and its ancestors (a
 * snapshot: other threads may charge meanwhile). */
uint64_t quota_room(const struct quota *q);

static inline uint64_t quota_used(const struct quota *q)
{
    return __atomic_load_n(&q->used, __ATOMIC_RELAXED);
}

#endif
