/*
 * Ledgers (see ledger.h): the charge protocol, creation and teardown.
 *
 * A charge walks from the charged ledger to the root, adding to each with a
 * compare-and-swap that refuses to pass the ledger's limit; the walk is at
 * most LEDGER_MAX_DEPTH + 1 steps.  When a level refuses, the levels below
 * it that were already charged are uncharged again, so a failed charge
 * leaves every count as it was.  Counts only grow by checked additions, so
 * no ledger is ever over its limit, whatever other CPUs do meanwhile.
 */
#include "mm/ledger.h"

#include "abi/errors.h"
#include "panic.h"

struct ledger kernel_ledger = {
    .refs = 1, /* never dropped */
    .depth = 0,
    .parent = NULL,
    .limit = UINT64_MAX,
    .heap = KHEAP_CACHE_INIT(&kernel_ledger),
};

/* Adds `frames` to one ledger unless that would pass its limit. */
static bool ledger_add(struct ledger *l, uint64_t frames)
{
    uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
    do {
        if (frames > l->limit - used)
            return false;
    } while (!__atomic_compare_exchange_n(&l->used, &used, used + frames, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return true;
}

static void ledger_sub(struct ledger *l, uint64_t frames)
{
    uint64_t before = __atomic_fetch_sub(&l->used, frames, __ATOMIC_RELAXED);
    if (before < frames)
        panic("ledger: uncharging %lu frames from a ledger that holds %lu", (unsigned long)frames,
              (unsigned long)before);
}

bool ledger_charge(struct ledger *l, uint64_t frames)
{
    struct ledger *refused = NULL;
    for (struct ledger *it = l; it; it = it->parent) {
        if (!ledger_add(it, frames)) {
            refused = it;
            break;
        }
    }
    if (!refused)
        return true;
    for (struct ledger *it = l; it != refused; it = it->parent)
        ledger_sub(it, frames);
    return false;
}

void ledger_uncharge(struct ledger *l, uint64_t frames)
{
    if (frames == 0)
        return;
    for (struct ledger *it = l; it; it = it->parent)
        ledger_sub(it, frames);
}

uint64_t ledger_room(const struct ledger *l)
{
    uint64_t room = UINT64_MAX;
    for (; l; l = l->parent) {
        uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
        room = MIN(room, used >= l->limit ? 0 : l->limit - used);
    }
    return room;
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
    l->refs = 1;
    l->depth = parent->depth + 1;
    l->parent = parent;
    l->limit = limit;
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
        uint64_t used = __atomic_load_n(&l->used, __ATOMIC_RELAXED);
        if (used != 0)
            panic("ledger: %lu frames are still charged to a ledger that is going away",
                  (unsigned long)used);
        struct ledger *parent = l->parent;
        kfree(l);
        l = parent; /* drop the child's reference on it */
    }
}
