/*
 * Kernel stack allocator.  The kernel virtual area is cut into fixed slots
 * of KSTACK_PAGES + 1 pages; the lowest page of each slot is never mapped
 * (the guard).  A freed stack first goes to a cache of stacks that stay
 * mapped (linked through their own memory), because unmapping a kernel page
 * means a TLB shootdown on every CPU; beyond KSTACK_CACHE_MAX it is unmapped
 * and its slot goes on a free list of address ranges.  New slots are taken
 * from a bump pointer.  Frames are looked up in the page tables when a stack
 * is unmapped, so nothing else needs to remember them.
 */
#include "mm/kstack.h"

#include "arch.h"
#include "arch/x86_64/paging.h"
#include "kerr.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "spinlock.h"

#define KSTACK_SLOT ((KSTACK_PAGES + 1) * PAGE_SIZE)

struct kstack_free_slot {
    struct kstack_free_slot *next;
    uint64_t base;
};

/* Mapped stacks kept for reuse; enough for a burst of thread churn. */
#define KSTACK_CACHE_MAX 64

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
    struct kstack_free_slot *s = kmalloc(sizeof(*s));
    if (!s)
        return; /* the slot's address range is lost, its frames are not */
    s->base = base;
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    s->next = kstack_free_list;
    kstack_free_list = s;
    spin_unlock_irqrestore(&kstack_lock, flags);
}

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

uint64_t kstack_alloc(void)
{
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    struct kstack_cached *c = kstack_cache;
    if (c) {
        kstack_cache = c->next;
        kstack_cached_count--;
    }
    spin_unlock_irqrestore(&kstack_lock, flags);
    if (c)
        return (uint64_t)(uintptr_t)c + KSTACK_SIZE;

    uint64_t base = kstack_take_slot();
    if (!base)
        return 0;
    for (unsigned i = 0; i < KSTACK_PAGES; i++) {
        uint64_t pa;
        bool ok = pmm_alloc_frame(&pa);
        if (ok && paging_map(paging_kernel_root(), base + (i + 1) * PAGE_SIZE, pa,
                             MAP_WRITE | MAP_GLOBAL, NULL) != KERR_OK) {
            pmm_free_frame(pa);
            ok = false;
        }
        if (!ok) {
            kstack_unmap(base, i);
            kstack_put_slot(base);
            return 0;
        }
    }
    return base + KSTACK_SLOT;
}

void kstack_free(uint64_t top)
{
    struct kstack_cached *c = (struct kstack_cached *)(uintptr_t)(top - KSTACK_SIZE);
    uint64_t flags = spin_lock_irqsave(&kstack_lock);
    if (kstack_cached_count < KSTACK_CACHE_MAX) {
        c->next = kstack_cache;
        kstack_cache = c;
        kstack_cached_count++;
        spin_unlock_irqrestore(&kstack_lock, flags);
        return;
    }
    spin_unlock_irqrestore(&kstack_lock, flags);
    uint64_t base = top - KSTACK_SLOT;
    kstack_unmap(base, KSTACK_PAGES);
    kstack_put_slot(base);
}
