/*
 * Kernel stack allocator.  The kernel virtual area is cut into fixed slots
 * of KSTACK_PAGES + 1 pages; the lowest page of each slot is never mapped
 * (the guard).  Freed slots go on a free list and are reused; new slots are
 * taken from a bump pointer.  Frames are looked up in the page tables when a
 * stack is freed, so nothing else needs to remember them.
 */
#include "mm/kstack.h"

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

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t kstack_next = KVA_BASE;
static struct kstack_free_slot *kstack_free_list;

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
    for (unsigned i = 0; i < pages; i++) {
        uint64_t pa;
        uint64_t va = base + (i + 1) * PAGE_SIZE;
        if (paging_unmap(paging_kernel_root(), va, &pa)) {
            paging_flush_page(va);
            pmm_free_frame(pa);
        }
    }
}

uint64_t kstack_alloc(void)
{
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
    uint64_t base = top - KSTACK_SLOT;
    kstack_unmap(base, KSTACK_PAGES);
    kstack_put_slot(base);
}
