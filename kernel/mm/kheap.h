/*
 * Kernel heap for kernel objects, charged to ledgers.
 *
 * Every allocation names the ledger that pays for it (mm/ledger.h): the
 * process on whose behalf it is made, or &kernel_ledger for what the kernel
 * holds for itself.  Each ledger has its own cache of slab frames, charged
 * to it whole, so blocks of different ledgers never share a frame: what a
 * ledger is charged is exactly the memory its blocks keep from the frame
 * pool, and no process can pin frames that another one pays for.  kfree
 * needs no ledger: it finds the one that paid from the block.
 *
 * kmalloc returns NULL when the ledger refuses the charge or memory is
 * exhausted; every caller handles that as an ordinary error (there are no
 * allocation asserts), and kheap_alloc says which it was.  Blocks are
 * 16-byte aligned.  For page-aligned memory (page tables, stacks) use the
 * PMM directly, after a ledger_charge.
 */
#ifndef CAPOS_KERNEL_MM_KHEAP_H
#define CAPOS_KERNEL_MM_KHEAP_H

#include "base/compiler.h"
#include "spinlock.h"

struct ledger;
struct kheap_slab;

#define KHEAP_CLASSES 8

/* A ledger's heap (embedded in struct ledger; kheap.c owns the fields). */
struct kheap_cache {
    struct spinlock lock;
    struct ledger *owner;
    struct kheap_slab *partial[KHEAP_CLASSES]; /* slabs with live and free blocks */
    struct kheap_slab *spare;                  /* one empty frame kept for reuse */
    uint64_t live;                             /* live blocks */
    uint64_t frames;                           /* frames held, spare included */
};

#define KHEAP_CACHE_INIT(ledger_ptr)                                                               \
    {                                                                                              \
        .lock = SPINLOCK_INIT("kheap"), .owner = (ledger_ptr)                                      \
    }

void kheap_cache_init(struct kheap_cache *c, struct ledger *owner);

/* Frees the spare frame of a cache that has no live block left (its
 * ledger is going away) and uncharges it. */
void kheap_cache_release(struct kheap_cache *c);

/*
 * `size` bytes charged to ledger l (zeroed if `zero`).  NULL on failure,
 * with *err (if given) set to CAPOS_ERR_QUOTA_EXCEEDED when l or an
 * ancestor refused the charge, CAPOS_ERR_NO_MEMORY when the frames were
 * not there.
 */
void *kheap_alloc(struct ledger *l, size_t size, bool zero, int *err) WARN_UNUSED;

static inline WARN_UNUSED void *kmalloc(struct ledger *l, size_t size)
{
    return kheap_alloc(l, size, false, NULL);
}

static inline WARN_UNUSED void *kzalloc(struct ledger *l, size_t size)
{
    return kheap_alloc(l, size, true, NULL);
}

/* Frees a block and uncharges what it held from the ledger that paid. */
void kfree(void *p);

struct kheap_stats {
    uint64_t bytes_in_use; /* requested bytes of live blocks */
    uint64_t blocks_in_use;
    uint64_t pages;    /* frames owned by the heap (slabs, spares, large blocks) */
    uint64_t failures; /* allocations refused for lack of quota or memory */
};

void kheap_stats(struct kheap_stats *out);

/* Allocates, checks and frees blocks of many sizes and checks that every
 * frame went back; false on any mismatch. */
bool kheap_self_test(void);

#endif
