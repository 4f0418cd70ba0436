/*
 * Kernel stack allocator.  The kernel virtual area is cut into fixed slots
 * of KSTACK_PAGES + 1 pages; the lowest page of each slot is never mapped
 * (the guard).  A freed stack first goes to a cache of stacks that stay
 * mapped (linked through their own memory), because unmapping a kernel page
 * means a TLB shootdown on every CPU; beyond KSTACK_CACHE_MAX it is unmapped
 * and its slot goes on a free list of address ranges.  New slots are taken
 * from a bump pointer.  Frames are looked up in the page tables when a stack
 * is unmapped, so nothing else needs to remember them.
 *
 * Charges: a stack in use is charged to its thread's ledger (KSTACK_PAGES
 * frames); a cached stack, the page tables that map the area and the
 * free-slot records belong to the kernel's ledger.  Taking a stack from the
 * cache moves its charge from the kernel to the thread's ledger, and
 * caching one moves it back, so every frame stays charged to exactly one
 * ledger.  The cache is bounded (KSTACK_CACHE_MAX), and so are the page
 * tables: the area holds at most KVA_SIZE / KSTACK_SLOT stacks, and slots
 * are reused before new ones are taken.
 */
#include "mm/kstack.h"

#include "arch.h"
#include "arch/x86_64/paging.h"
#include "abi/errors.h"
#include "kerr.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "spinlock.h"

#define KSTACK_SLOT ((KSTACK_PAGES + 1) * PAGE_SIZE)

struct kstack_free_slot {
    struct kstack_free_slot *next;
    uint64_t base;
};

struct kstack_cached {
    struct kstack_cached *next;
};

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t kstack_next = KVA_BASE;
static struct kstack_free_slot *kstack_free_list;
static struct kstack_cached *kstack_cache;
static unsigned kstack_cached_count;

static uint64_t kstack_take_slot(void)
{
    uint64_t base = 0;
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    if (kstack_free_list) {
        struct kstack_free_slot *s = kstack_free_list;
        kstack_free_list = s->next;
        base = s->base;
        spin_unlock_irqrestore(&kstack_lock, flags);
        kfree(s);
        return base;
    }
    if (kstack_next + KSTACK_SLOT <= KVA_BASE + KVA_SIZE) {
        base = kstack_next;
        kstack_next += KSTACK_SLOT;
    }
    spin_unlock_irqrestore(&kstack_lock, flags);
    return base;
}

static void kstack_put_slot(uint64_t base)
{
    struct kstack_free_slot *s = kmalloc(&kernel_ledger, sizeof(*s));
    if (!s)
        return; /* the slot's address range is lost, its frames are not */
    s->base = base;
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    s->next = kstack_free_list;
    kstack_free_list = s;
    spin_unlock_irqrestore(&kstack_lock, flags);
}

/* Unmaps the stack's first `pages` pages and frees their frames; the
 * caller uncharges them. */
static void kstack_unmap(uint64_t base, unsigned pages)
{
    uint64_t frames[KSTACK_PAGES];
    unsigned n = 0;
    for (unsigned i = 0; i < pages; i++) {
        if (paging_unmap(paging_kernel_root(), base + (i + 1) * PAGE_SIZE, &frames[n]))
            n++;
    }
    if (n == 0)
        return;
    /* No CPU may reach the frames through a stale entry once they are free. */
    arch_tlb_flush_kernel(base + PAGE_SIZE, pages);
    for (unsigned i = 0; i < n; i++)
        pmm_free_frame(frames[i]);
}

uint64_t kstack_alloc(struct ledger *l, int *err)
{
    if (!ledger_charge(l, KSTACK_PAGES)) {
        if (err)
            *err = CAPOS_ERR_QUOTA_EXCEEDED;
        return 0;
    }
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    struct kstack_cached *c = kstack_cache;
    if (c) {
        kstack_cache = c->next;
        kstack_cached_count--;
    }
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (c) {
        ledger_uncharge(&kernel_ledger, KSTACK_PAGES); /* now l's */
        return (uint64_t)(uintptr_t)c + KSTACK_SIZE;
    }

    uint64_t base = kstack_take_slot();
    for (unsigned i = 0; base && i < KSTACK_PAGES; i++) {
        uint64_t pa;
        bool ok = pmm_alloc_frame(&pa);
        if (ok && paging_map(paging_kernel_root(), base + (i + 1) * PAGE_SIZE, pa,
                             MAP_WRITE | MAP_GLOBAL, &kernel_ledger) != KERR_OK) {
            pmm_free_frame(pa);
            ok = false;
        }
        if (!ok) {
            kstack_unmap(base, i);
            kstack_put_slot(base);
            base = 0;
        }
    }
    if (!base) {
        ledger_uncharge(l, KSTACK_PAGES);
        if (err)
            *err = CAPOS_ERR_NO_MEMORY;
        return 0;
    }
    return base + KSTACK_SLOT;
}

void kstack_free(uint64_t top, struct ledger *l)
{
    struct kstack_cached *c = (struct kstack_cached *)(uintptr_t)(top - KSTACK_SIZE);
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    if (kstack_cached_count < KSTACK_CACHE_MAX) {
        c->next = kstack_cache;
        kstack_cache = c;
        kstack_cached_count++;
        spin_unlock_irqrestore(&kstack_lock, flags);
        /* The kernel's ledger has no limit: this cannot fail. */
        (void)ledger_charge(&kernel_ledger, KSTACK_PAGES);
        ledger_uncharge(l, KSTACK_PAGES);
        return;
    }
    spin_unlock_irqrestore(&kstack_lock, flags);
    uint64_t base = top - KSTACK_SLOT;
    kstack_unmap(base, KSTACK_PAGES);
    kstack_put_slot(base);
    ledger_uncharge(l, KSTACK_PAGES);
}

unsigned kstack_cached(void)
{
    return __atomic_load_n(&kstack_cached_count, __ATOMIC_RELAXED);
}
