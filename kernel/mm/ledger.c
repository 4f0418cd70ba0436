/*
 * Ledgers (see ledger.h): creation, teardown, and the kernel's own ledger.
 * The counting is lib/mm/quota's.
 */
#include "mm/ledger.h"

#include "abi/errors.h"
#include "panic.h"

struct ledger kernel_ledger = {
    .q = {.parent = NULL, .limit = UINT64_MAX, .used = 0},
    .refs = 1, /* never dropped */
    .depth = 0,
    .parent = NULL,
    .heap = KHEAP_CACHE_INIT(&kernel_ledger),
};

void ledger_uncharge(struct ledger *l, uint64_t frames)
{
    if (!quota_uncharge(&l->q, frames))
        panic("ledger: uncharging %lu frames that were never charged", (unsigned long)frames);
}

struct ledger *ledger_create(struct ledger *parent, uint64_t limit, int *err)
{
    if (parent->depth >= LEDGER_MAX_DEPTH) {
        if (err)
            *err = CAPOS_ERR_QUOTA_EXCEEDED;
        return NULL;
    }
    struct ledger *l = kheap_alloc(parent, sizeof(*l), true, err);
    if (!l)
        return NULL;
    quota_init(&l->q, &parent->q, limit);
    l->refs = 1;
    l->depth = parent->depth + 1;
    l->parent = parent;
    kheap_cache_init(&l->heap, l);
    ledger_get(parent);
    return l;
}

void ledger_get(struct ledger *l)
{
    __atomic_fetch_add(&l->refs, 1, __ATOMIC_RELAXED);
}

void ledger_put(struct ledger *l)
{
    while (l && __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        /* No holder is left and no heap block is live (the cache holds a
         * reference while one is): only an empty spare frame may remain. */
        kheap_cache_release(&l->heap);
        uint64_t used = ledger_used(l);
        if (used != 0)
            panic("ledger: %lu frames are still charged to a ledger that is going away",
                  (unsigned long)used);
        struct ledger *parent = l->parent;
        kfree(l);
        l = parent; /* drop the child's reference on it */
    }
}
