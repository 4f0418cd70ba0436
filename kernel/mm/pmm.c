/*
 * Physical memory manager over lib/mm/frame_bitmap.
 *
 * Initialisation: find the highest usable address, size the bitmap, place it
 * in the first usable run that avoids every reserved range, then free the
 * usable regions (rounded inwards to whole frames) and re-reserve the kernel
 * image, the boot module(s), the loader's info and the bitmap.  The first MiB
 * stays reserved: firmware data lives there and SMP start-up code will use it.
 * One spinlock protects the bitmap; allocation is a short bitmap search.
 *
 * Sharing.  Beside the bitmap, placed with it, is one 16-bit counter per
 * frame: the number of *extra* holders of an allocated frame (0: one
 * owner, as every frame starts, so allocation never touches it).  Only
 * user data frames are ever shared (a copy-on-write address-space copy
 * maps one frame in several processes); pmm_frame_share adds a holder,
 * pmm_frame_put drops one and frees the frame with the last, and
 * pmm_free_frame insists on a frame held once.  Counters change with
 * atomic operations, outside the allocator lock: whoever changes a count
 * holds a reference already, so it cannot reach zero under them.
 */
#include "mm/pmm.h"

#include "base/checked.h"
#include "base/mem.h"
#include "boot_info.h"
#include "mm/frame_bitmap.h"
#include "panic.h"
#include "printk.h"
#include "spinlock.h"

extern const char __boot_start[], __kernel_end[];

static struct frame_bitmap pmm_bitmap;
static uint16_t *pmm_shares; /* per frame: holders beyond the first */
static uint64_t pmm_nframes;

#define PMM_SHARES_MAX UINT16_MAX
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static uint64_t pmm_limit_frames; /* allocation ceiling while early; 0 = none */
static uint64_t pmm_dm_limit = 1ULL << 32;

struct pmm_range {
    uint64_t start, end;
};

/* Ranges that must never be allocated, besides non-RAM. */
static unsigned pmm_reserved(const struct boot_info *bi, struct pmm_range *r, unsigned max)
{
    unsigned n = 0;
    r[n++] = (struct pmm_range){0, 0x100000};
    r[n++] = (struct pmm_range){(uint64_t)(uintptr_t)__boot_start,
                                (uint64_t)(uintptr_t)__kernel_end - KERNEL_VMA};
    r[n++] = (struct pmm_range){bi->info_start, bi->info_end};
    for (unsigned i = 0; i < bi->module_count && i < BOOT_MAX_MODULES && n < max; i++)
        r[n++] = (struct pmm_range){bi->modules[i].start, bi->modules[i].end};
    return n;
}

static bool pmm_hits(const struct pmm_range *r, unsigned n, uint64_t start, uint64_t len)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].end > r[i].start && range_overlaps(start, len, r[i].start, r[i].end - r[i].start))
            return true;
    }
    return false;
}

void pmm_init(const struct boot_info *bi)
{
    struct pmm_range res[4 + BOOT_MAX_MODULES];
    unsigned nres = pmm_reserved(bi, res, ARRAY_SIZE(res));
    uint64_t top = 0, bitmap_pa = 0, bitmap_bytes, shares_bytes, nframes;
    bool placed = false;

    for (unsigned i = 0; i < bi->mem_count; i++) {
        const struct boot_mem_region *m = &bi->mem[i];
        uint64_t end;
        if (m->type != BOOT_MEM_USABLE || !checked_add_u64(m->base, m->len, &end))
            continue;
        if (end > top)
            top = end;
    }
    if (top == 0)
        panic("pmm: the boot memory map lists no usable RAM");
    nframes = top / PAGE_SIZE;
    /* The bitmap and, after it, the share counters: one allocation. */
    shares_bytes = ALIGN_UP(nframes * sizeof(uint16_t), PAGE_SIZE);
    bitmap_bytes = ALIGN_UP(frame_bitmap_words(nframes) * 8, PAGE_SIZE) + shares_bytes;

    /* The bitmap must be reachable through boot.S's 4 GiB direct map. */
    for (unsigned i = 0; i < bi->mem_count && !placed; i++) {
        const struct boot_mem_region *m = &bi->mem[i];
        if (m->type != BOOT_MEM_USABLE)
            continue;
        uint64_t start = ALIGN_UP(m->base, PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(m->base + m->len, PAGE_SIZE);
        for (uint64_t p = start; p + bitmap_bytes <= end && p + bitmap_bytes <= (1ULL << 32);
             p += PAGE_SIZE) {
            if (!pmm_hits(res, nres, p, bitmap_bytes)) {
                bitmap_pa = p;
                placed = true;
                break;
            }
        }
    }
    if (!placed)
        panic("pmm: no room below 4 GiB for the %lu-byte frame bitmap",
              (unsigned long)bitmap_bytes);

    frame_bitmap_init(&pmm_bitmap, phys_to_virt(bitmap_pa), nframes);
    pmm_shares = phys_to_virt(bitmap_pa + bitmap_bytes - shares_bytes);
    memset(pmm_shares, 0, shares_bytes);
    pmm_nframes = nframes;
    for (unsigned i = 0; i < bi->mem_count; i++) {
        const struct boot_mem_region *m = &bi->mem[i];
        if (m->type != BOOT_MEM_USABLE)
            continue;
        uint64_t start = ALIGN_UP(m->base, PAGE_SIZE) / PAGE_SIZE;
        uint64_t end = ALIGN_DOWN(m->base + m->len, PAGE_SIZE) / PAGE_SIZE;
        if (end > nframes)
            end = nframes;
        if (end > start)
            frame_bitmap_mark_free(&pmm_bitmap, start, end - start);
    }
    /* Regions listed as non-usable win over usable ones that overlap them. */
    for (unsigned i = 0; i < bi->mem_count; i++) {
        const struct boot_mem_region *m = &bi->mem[i];
        if (m->type == BOOT_MEM_USABLE)
            continue;
        uint64_t start = ALIGN_DOWN(m->base, PAGE_SIZE) / PAGE_SIZE;
        uint64_t end = ALIGN_UP(m->base + m->len, PAGE_SIZE) / PAGE_SIZE;
        if (start < nframes)
            frame_bitmap_mark_used(&pmm_bitmap, start, MIN(end, nframes) - start);
    }
    res[nres++] = (struct pmm_range){bitmap_pa, bitmap_pa + bitmap_bytes};
    for (unsigned i = 0; i < nres; i++) {
        uint64_t start = ALIGN_DOWN(res[i].start, PAGE_SIZE) / PAGE_SIZE;
        uint64_t end = ALIGN_UP(res[i].end, PAGE_SIZE) / PAGE_SIZE;
        if (end > start && start < nframes)
            frame_bitmap_mark_used(&pmm_bitmap, start, MIN(end, nframes) - start);
    }
    pmm_limit_frames = (1ULL << 32) / PAGE_SIZE;
}

void pmm_set_alloc_limit(uint64_t limit_pa)
{
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    pmm_limit_frames = limit_pa / PAGE_SIZE;
    spin_unlock_irqrestore(&pmm_lock, flags);
}

bool pmm_alloc_run(uint64_t count, uint64_t *pa)
{
    uint64_t frame;
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    enum frame_bitmap_err e =
        frame_bitmap_alloc_run(&pmm_bitmap, count, 1, pmm_limit_frames, &frame);
    spin_unlock_irqrestore(&pmm_lock, flags);
    if (e != FRAME_BITMAP_OK)
        return false;
    *pa = frame * PAGE_SIZE;
    return true;
}

bool pmm_alloc_frames(uint64_t count, uint64_t align, uint64_t *pa)
{
    uint64_t frame;
    enum frame_bitmap_err e;
    uint64_t flags = spin_lock_irqsave(&pmm_lock);

    if (count == 1 && align == 1 && pmm_limit_frames == 0)
        e = frame_bitmap_alloc(&pmm_bitmap, &frame);
    else
        e = frame_bitmap_alloc_run(&pmm_bitmap, count, align, pmm_limit_frames, &frame);
    spin_unlock_irqrestore(&pmm_lock, flags);
    if (e != FRAME_BITMAP_OK)
        return false;
    *pa = frame * PAGE_SIZE;
    memset(phys_to_virt(*pa), 0, count * PAGE_SIZE);
    return true;
}

bool pmm_alloc_frame(uint64_t *pa)
{
    return pmm_alloc_frames(1, 1, pa);
}

void pmm_free_frames(uint64_t pa, uint64_t count)
{
    enum frame_bitmap_err e;
    if (count == 1 && pa / PAGE_SIZE < pmm_nframes &&
        __atomic_load_n(&pmm_shares[pa / PAGE_SIZE], __ATOMIC_RELAXED) != 0)
        panic("pmm: freeing the shared frame %#lx", (unsigned long)pa);
    uint64_t flags = spin_lock_irqsave(&pmm_lock);
    e = frame_bitmap_free_run(&pmm_bitmap, pa / PAGE_SIZE, count);
    spin_unlock_irqrestore(&pmm_lock, flags);
    if (e != FRAME_BITMAP_OK || (pa & (PAGE_SIZE - 1)))
        panic("pmm: bad free of %lu frame(s) at %#lx (error %d)", (unsigned long)count,
              (unsigned long)pa, (int)e);
}

void pmm_free_frame(uint64_t pa)
{
    pmm_free_frames(pa, 1);
}

/* The counter of an allocated frame; a frame outside RAM is a kernel bug. */
static uint16_t *pmm_share_count(uint64_t pa)
{
    if ((pa & (PAGE_SIZE - 1)) || pa / PAGE_SIZE >= pmm_nframes)
        panic("pmm: share count of a frame that is not RAM: %#lx", (unsigned long)pa);
    return &pmm_shares[pa / PAGE_SIZE];
}

bool pmm_frame_share(uint64_t pa)
{
    uint16_t *c = pmm_share_count(pa);
    uint16_t old = __atomic_load_n(c, __ATOMIC_RELAXED);
    do {
        if (old == PMM_SHARES_MAX)
            return false;
    } while (!__atomic_compare_exchange_n(c, &old, (uint16_t)(old + 1), true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    return true;
}

bool pmm_frame_shared(uint64_t pa)
{
    return __atomic_load_n(pmm_share_count(pa), __ATOMIC_ACQUIRE) != 0;
}

void pmm_frame_put(uint64_t pa)
{
    uint16_t *c = pmm_share_count(pa);
    uint16_t old = __atomic_load_n(c, __ATOMIC_RELAXED);
    /* Not shared: this holder is the only one. */
    while (old != 0) {
        if (__atomic_compare_exchange_n(c, &old, (uint16_t)(old - 1), true, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
    pmm_free_frames(pa, 1);
}

uint64_t pmm_free_count(void)
{
    return __atomic_load_n(&pmm_bitmap.free_count, __ATOMIC_RELAXED);
}

uint64_t pmm_direct_map_limit(void)
{
    return pmm_dm_limit;
}

void pmm_set_direct_map_limit(uint64_t limit)
{
    pmm_dm_limit = limit;
}
