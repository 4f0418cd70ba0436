/*
 * Ledgers: the memory quotas that bound what processes can make the kernel
 * hold.  Every frame the kernel allocates after boot is charged to exactly
 * one ledger before it is allocated and uncharged when it is freed: a
 * process's image (its private pages: the read-only ones are shared and
 * the kernel's, imagepages.h), stack, ring, CapSet, page tables and
 * VirtualMemory mappings, its threads' kernel stacks, and every kernel heap block made on
 * its behalf (kernel objects, queued messages, thread and process
 * structures, capability tables), because each ledger has a kernel heap
 * cache of its own (kheap.h) whose slab frames it pays for.
 *
 * Ledgers form a tree.  The root is the kernel's own ledger (no limit),
 * which pays for what the kernel holds for itself; init's ledger is its
 * child, limited to the memory the kernel gives to processes; a process
 * started through a ProcessSpawner gets a ledger whose parent is the
 * spawning process's.  `used` counts a ledger's own charges and all of its
 * descendants', and a charge must fit the limit of the ledger and of every
 * ancestor, so a process can never make the kernel hold more for it and
 * everything it started than its own limit.  Depth is at most
 * LEDGER_MAX_DEPTH, which bounds the work of a charge.
 *
 * Units are frames (4 KiB): every charge is a whole number of frames, heap
 * blocks included (the heap charges the slab frames a ledger's blocks live
 * in, not the blocks).
 *
 * Charging never allocates and never blocks; the caller allocates only
 * after the charge succeeded and uncharges if the allocation then fails.
 * Charges are atomic per ledger (threads of a process charge on several
 * CPUs at once; lib/mm/quota.h, tested on the host): a charge adds to each
 * ledger from the charged one up to the root, each addition checked against
 * that ledger's limit, and one that does not fit undoes the additions below
 * it.  So no ledger ever exceeds its limit; a charge racing another one near
 * a limit may fail where it would have fitted a moment later.
 *
 * Lifetime: a ledger is reference counted.  References are held by the
 * process it belongs to, by each child ledger, and by its heap cache while
 * any block in it is live; a kernel object therefore keeps the ledger that
 * paid for it alive for as long as the object lives, even after the process
 * that made it is gone, and its memory is uncharged from that ledger when it
 * is freed (kfree finds the ledger from the block).  The last reference
 * frees the ledger, which must then have nothing charged.
 */
#ifndef CAPOS_KERNEL_MM_LEDGER_H
#define CAPOS_KERNEL_MM_LEDGER_H

#include "base/compiler.h"
#include "mm/kheap.h"
#include "mm/quota.h"

/* The kernel's ledger is at depth 0, init's at 1, a service's at 2. */
#define LEDGER_MAX_DEPTH 8

struct ledger {
    struct quota q;        /* frames: limit and count (lib/mm/quota.h) */
    uint32_t refs;         /* atomic */
    uint32_t depth;        /* 0 for the kernel's */
    struct ledger *parent; /* NULL for the kernel's; a reference is held */
    struct kheap_cache heap;
};

/* The root: what the kernel holds for itself (its heap, cached kernel
 * stacks, the page tables under them), and every other ledger below it. */
extern struct ledger kernel_ledger;

/*
 * A new ledger of `limit` frames below `parent`, with one reference for the
 * caller.  The struct itself is charged to the parent.  NULL on failure,
 * with *err (if given) set to quotaExceeded (the parent's quota, or the
 * tree would be deeper than LEDGER_MAX_DEPTH) or noMemory.
 */
struct ledger *ledger_create(struct ledger *parent, uint64_t limit, int *err);

void ledger_get(struct ledger *l);
void ledger_put(struct ledger *l);

/* Charges `frames` to l and its ancestors; false (and nothing charged) if
 * any of them would exceed its limit. */
static inline bool ledger_charge(struct ledger *l, uint64_t frames)
{
    return quota_charge(&l->q, frames);
}

/* Gives back frames charged to l earlier (more than it holds: panic). */
void ledger_uncharge(struct ledger *l, uint64_t frames);

/* Frames l could still be charged: the least room of l and its ancestors
 * (a snapshot: other threads may charge meanwhile). */
static inline uint64_t ledger_room(const struct ledger *l)
{
    return quota_room(&l->q);
}

/* Frames charged to l and the ledgers below it. */
static inline uint64_t ledger_used(const struct ledger *l)
{
    return quota_used(&l->q);
}

static inline uint64_t ledger_limit(const struct ledger *l)
{
    return l->q.limit;
}

#endif
