/*
 * Kernel heap: power-of-two size classes from 32 to 2048 bytes carved from
 * whole frames, and runs of frames for anything larger.
 *
 * Every block is preceded by a 16-byte header holding a magic value, its
 * class (or frame count) and the requested size, so kfree needs no size and
 * detects double frees and wild pointers (a broken kernel invariant, so it
 * panics).  Free small blocks sit on per-class free lists; slab frames are
 * not returned to the PMM (the working set of kernel objects is bounded by
 * quotas).  One spinlock guards the lists.
 */
#include "mm/kheap.h"

#include "base/checked.h"
#include "base/mem.h"
#include "mm/pmm.h"
#include "panic.h"
#include "spinlock.h"

#define KHEAP_MAGIC_LIVE 0x6b686561u /* "khea" */
#define KHEAP_MAGIC_FREE 0x66726565u /* "free" */
#define KHEAP_MIN_SHIFT  5
#define KHEAP_MAX_SHIFT  11
#define KHEAP_CLASSES    (KHEAP_MAX_SHIFT - KHEAP_MIN_SHIFT + 1)
#define KHEAP_LARGE      0xffffu

struct kheap_header {
    uint32_t magic;
    uint16_t class_idx; /* KHEAP_LARGE for frame runs */
    uint16_t reserved;
    uint32_t size;   /* requested bytes (saturated for huge blocks) */
    uint32_t frames; /* frame count of a large block */
};

_Static_assert(sizeof(struct kheap_header) == 16, "header keeps 16-byte alignment");

struct kheap_free {
    struct kheap_free *next;
};

static struct spinlock kheap_lock = SPINLOCK_INIT("kheap");
static struct kheap_free *kheap_lists[KHEAP_CLASSES];
static struct kheap_stats kheap_st;

static int kheap_class(size_t total)
{
    for (int c = 0; c < KHEAP_CLASSES; c++) {
        if (total <= (1u << (c + KHEAP_MIN_SHIFT)))
            return c;
    }
    return -1;
}

/* Carves a fresh frame into blocks of class c; called with the lock held. */
static bool kheap_refill(int c)
{
    uint64_t pa;
    size_t bsize = 1u << (c + KHEAP_MIN_SHIFT);
    if (!pmm_alloc_frame(&pa))
        return false;
    uint8_t *page = phys_to_virt(pa);
    for (size_t off = 0; off + bsize <= PAGE_SIZE; off += bsize) {
        struct kheap_header *h = (struct kheap_header *)(page + off);
        h->magic = KHEAP_MAGIC_FREE;
        struct kheap_free *f = (struct kheap_free *)(h + 1);
        f->next = kheap_lists[c];
        kheap_lists[c] = f;
    }
    kheap_st.pages++;
    return true;
}

void *kmalloc(size_t size)
{
    size_t total;
    uint64_t flags;
    struct kheap_header *h;

    if (size == 0 || !checked_add_size(size, sizeof(struct kheap_header), &total))
        return NULL;
    int c = kheap_class(total);

    if (c < 0) {
        uint64_t frames = (total + PAGE_SIZE - 1) / PAGE_SIZE, pa;
        if (frames > UINT32_MAX || !pmm_alloc_frames(frames, 1, &pa)) {
            __atomic_fetch_add(&kheap_st.failures, 1, __ATOMIC_RELAXED);
            return NULL;
        }
        h = phys_to_virt(pa);
        h->class_idx = KHEAP_LARGE;
        h->frames = (uint32_t)frames;
        flags = spin_lock_irqsave(&kheap_lock);
        kheap_st.pages += frames;
    } else {
        flags = spin_lock_irqsave(&kheap_lock);
        if (!kheap_lists[c] && !kheap_refill(c)) {
            kheap_st.failures++;
            spin_unlock_irqrestore(&kheap_lock, flags);
            return NULL;
        }
        struct kheap_free *f = kheap_lists[c];
        kheap_lists[c] = f->next;
        h = (struct kheap_header *)f - 1;
        if (h->magic != KHEAP_MAGIC_FREE)
            panic("kheap: free list corrupted at %p", (void *)h);
        h->class_idx = (uint16_t)c;
        h->frames = 0;
    }
    h->magic = KHEAP_MAGIC_LIVE;
    h->reserved = 0;
    h->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    kheap_st.bytes_in_use += size;
    kheap_st.blocks_in_use++;
    spin_unlock_irqrestore(&kheap_lock, flags);
    return h + 1;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    /* Large blocks are fresh frames, which the frame allocator zeroed. */
    if (p && ((struct kheap_header *)p - 1)->class_idx != KHEAP_LARGE)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    struct kheap_header *h;
    uint64_t flags;

    if (!p)
        return;
    h = (struct kheap_header *)p - 1;
    if (((uintptr_t)p & 15) != 0 || h->magic != KHEAP_MAGIC_LIVE)
        panic("kheap: kfree of %p which is not a live heap block", p);
    flags = spin_lock_irqsave(&kheap_lock);
    kheap_st.bytes_in_use -= h->size;
    kheap_st.blocks_in_use--;
    if (h->class_idx == KHEAP_LARGE) {
        uint32_t frames = h->frames;
        h->magic = KHEAP_MAGIC_FREE;
        kheap_st.pages -= frames;
        spin_unlock_irqrestore(&kheap_lock, flags);
        pmm_free_frames(virt_to_phys(h), frames);
        return;
    }
    if (h->class_idx >= KHEAP_CLASSES)
        panic("kheap: block %p has a corrupt header", p);
    h->magic = KHEAP_MAGIC_FREE;
    struct kheap_free *f = p;
    f->next = kheap_lists[h->class_idx];
    kheap_lists[h->class_idx] = f;
    spin_unlock_irqrestore(&kheap_lock, flags);
}

void kheap_stats(struct kheap_stats *out)
{
    uint64_t flags = spin_lock_irqsave(&kheap_lock);
    *out = kheap_st;
    spin_unlock_irqrestore(&kheap_lock, flags);
}

bool kheap_self_test(void)
{
    static const size_t sizes[] = {1, 16, 17, 100, 1000, 2032, 2033, 4096, 10000, 65536};
    void *blocks[ARRAY_SIZE(sizes)];
    struct kheap_stats before, after;

    kheap_stats(&before);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        blocks[i] = kmalloc(sizes[i]);
        if (!blocks[i] || ((uintptr_t)blocks[i] & 15))
            return false;
        memset(blocks[i], (int)i + 1, sizes[i]);
    }
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        const uint8_t *b = blocks[i];
        for (size_t k = 0; k < sizes[i]; k++) {
            if (b[k] != (uint8_t)(i + 1))
                return false;
        }
        kfree(blocks[i]);
    }
    kheap_stats(&after);
    return after.blocks_in_use == before.blocks_in_use &&
           after.bytes_in_use == before.bytes_in_use && kmalloc(0) == NULL;
}
