/*
 * Kernel heap: per-ledger caches of slab frames for small blocks, and runs
 * of frames for anything larger (see kheap.h).
 *
 * Every frame the heap holds starts with a struct kheap_slab that names the
 * cache (and so the ledger) it belongs to.  A slab frame is cut into blocks
 * of one size class after that descriptor; a large block is a run of frames
 * whose first frame starts with the descriptor.  Every block is preceded by
 * a 16-byte header holding a magic value and the requested size, so kfree
 * needs no size and detects double frees and wild pointers (a broken kernel
 * invariant, so it panics): the header must be live, the frame below it
 * must carry the slab magic, and the block must sit on a block boundary of
 * that slab.
 *
 * A slab with free blocks sits on its cache's list for its class; a full
 * one is on no list.  When a slab's last block is freed its frame goes back
 * to the frame pool and is uncharged, except that each cache keeps one empty
 * frame as a spare (still charged) so that a block allocated and freed over
 * and over does not take a frame from the pool each time.  So once the blocks
 * of a flood are freed, so are their frames, and a ledger that goes away
 * takes its spare with it.
 *
 * Each cache has its own lock (a leaf, under which only the frame allocator
 * is taken), so processes do not contend for the heap.  While a cache has a
 * live block it holds a reference on its ledger, which therefore outlives
 * every block it paid for.
 */
#include "mm/kheap.h"

#include "abi/errors.h"
#include "base/checked.h"
#include "base/mem.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "panic.h"

#define KHEAP_MAGIC_LIVE 0x6b686561u /* "khea" */
#define KHEAP_MAGIC_FREE 0x66726565u /* "free" */
#define KHEAP_MAGIC_SLAB 0x736c6162u /* "slab" */
#define KHEAP_LARGE      0xffffu

struct kheap_slab {
    uint32_t magic;     /* KHEAP_MAGIC_SLAB while the frame belongs to a cache's blocks */
    uint16_t class_idx; /* KHEAP_LARGE for a run holding one large block */
    uint16_t live;      /* live blocks in it */
    uint32_t frames;    /* frames in the run (1 for a slab) */
    uint32_t reserved;
    struct kheap_free *free;        /* its free blocks */
    struct kheap_slab *next, *prev; /* its cache's list for the class */
    struct kheap_cache *cache;
};

struct kheap_header {
    uint32_t magic;
    uint32_t size; /* requested bytes (saturated for huge blocks) */
    uint64_t reserved;
};

struct kheap_free {
    struct kheap_free *next;
};

#define KHEAP_SLAB_BYTES ((uint64_t)sizeof(struct kheap_slab))
#define KHEAP_SLAB_ROOM  (PAGE_SIZE - KHEAP_SLAB_BYTES)

_Static_assert(sizeof(struct kheap_slab) == 48, "descriptor keeps blocks 16-byte aligned");
_Static_assert(sizeof(struct kheap_header) == 16, "header keeps 16-byte alignment");

/* Block sizes, header included: multiples of 16 chosen so that little of a
 * frame is left over after the descriptor (2016 fits twice, 1344 three
 * times, 1008 four times). */
static const uint16_t kheap_class_size[KHEAP_CLASSES] = {32, 64, 128, 256, 512, 1008, 1344, 2016};

_Static_assert(2 * 2016 <= PAGE_SIZE - 48, "the largest class fits a frame twice");

/* The largest request a slab block holds. */
#define KHEAP_SMALL_MAX (2016 - sizeof(struct kheap_header))

static struct kheap_stats kheap_st; /* updated atomically */

static void stat_add(uint64_t *v, int64_t d)
{
    __atomic_fetch_add(v, (uint64_t)d, __ATOMIC_RELAXED);
}

/* The smallest class that holds `total` bytes, header included (at most
 * the largest class: larger blocks are frame runs). */
static int kheap_class(size_t total)
{
    int c = 0;
    while (total > kheap_class_size[c])
        c++;
    return c;
}

static unsigned kheap_class_blocks(int c)
{
    return (unsigned)(KHEAP_SLAB_ROOM / kheap_class_size[c]);
}

void kheap_cache_init(struct kheap_cache *c, struct ledger *owner)
{
    memset(c, 0, sizeof(*c));
    c->lock = (struct spinlock)SPINLOCK_INIT("kheap");
    c->owner = owner;
}

/* ---- partial lists (cache lock held) ---- */

static void slab_link(struct kheap_cache *c, struct kheap_slab *s)
{
    s->prev = NULL;
    s->next = c->partial[s->class_idx];
    if (s->next)
        s->next->prev = s;
    c->partial[s->class_idx] = s;
}

static void slab_unlink(struct kheap_cache *c, struct kheap_slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        c->partial[s->class_idx] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

/* Cuts an empty frame into blocks of class ci and lists it. */
static void slab_carve(struct kheap_cache *c, struct kheap_slab *s, int ci)
{
    unsigned size = kheap_class_size[ci], n = kheap_class_blocks(ci);
    uint8_t *base = (uint8_t *)s + KHEAP_SLAB_BYTES;
    s->magic = KHEAP_MAGIC_SLAB;
    s->class_idx = (uint16_t)ci;
    s->live = 0;
    s->frames = 1;
    s->cache = c;
    s->free = NULL;
    for (unsigned i = n; i-- > 0;) {
        struct kheap_header *h = (struct kheap_header *)(base + (size_t)i * size);
        h->magic = KHEAP_MAGIC_FREE;
        struct kheap_free *f = (struct kheap_free *)(h + 1);
        f->next = s->free;
        s->free = f;
    }
    slab_link(c, s);
}

/* ---- allocation ---- */

static void *kheap_fail(int *err, int why)
{
    stat_add(&kheap_st.failures, 1);
    if (err)
        *err = why;
    return NULL;
}

/* A cache got its first live block: it holds its ledger from now on. */
static void cache_first_block(struct kheap_cache *c)
{
    if (c->live++ == 0)
        ledger_get(c->owner);
}

static void *kheap_alloc_large(struct ledger *l, size_t size, int *err)
{
    struct kheap_cache *c = &l->heap;
    uint64_t bytes, pa;
    if (!checked_add_u64(size, KHEAP_SLAB_BYTES + sizeof(struct kheap_header), &bytes) ||
        bytes > (uint64_t)UINT32_MAX * PAGE_SIZE)
        return kheap_fail(err, CAPOS_ERR_NO_MEMORY);
    uint64_t frames = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    if (!ledger_charge(l, frames))
        return kheap_fail(err, CAPOS_ERR_QUOTA_EXCEEDED);
    if (!pmm_alloc_frames(frames, 1, &pa)) {
        ledger_uncharge(l, frames);
        return kheap_fail(err, CAPOS_ERR_NO_MEMORY);
    }
    /* Fresh frames come zeroed. */
    struct kheap_slab *s = phys_to_virt(pa);
    s->magic = KHEAP_MAGIC_SLAB;
    s->class_idx = KHEAP_LARGE;
    s->live = 1;
    s->frames = (uint32_t)frames;
    s->cache = c;
    struct kheap_header *h = (struct kheap_header *)(s + 1);
    h->magic = KHEAP_MAGIC_LIVE;
    h->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    uint64_t flags = spin_lock_irqsave(&c->lock);
    cache_first_block(c);
    c->frames += frames;
    spin_unlock_irqrestore(&c->lock, flags);
    stat_add(&kheap_st.pages, (int64_t)frames);
    stat_add(&kheap_st.bytes_in_use, (int64_t)size);
    stat_add(&kheap_st.blocks_in_use, 1);
    return h + 1;
}

void *kheap_alloc(struct ledger *l, size_t size, bool zero, int *err)
{
    struct kheap_cache *c = &l->heap;
    if (size == 0)
        return kheap_fail(err, CAPOS_ERR_NO_MEMORY);
    if (size > KHEAP_SMALL_MAX)
        return kheap_alloc_large(l, size, err);
    int ci = kheap_class(size + sizeof(struct kheap_header));

    uint64_t flags = spin_lock_irqsave(&c->lock);
    struct kheap_slab *s = c->partial[ci];
    if (!s) {
        s = c->spare;
        c->spare = NULL;
        if (!s) {
            /* A new frame for this ledger: charge it first. */
            uint64_t pa;
            if (!ledger_charge(l, 1)) {
                spin_unlock_irqrestore(&c->lock, flags);
                return kheap_fail(err, CAPOS_ERR_QUOTA_EXCEEDED);
            }
            if (!pmm_alloc_frame(&pa)) {
                spin_unlock_irqrestore(&c->lock, flags);
                ledger_uncharge(l, 1);
                return kheap_fail(err, CAPOS_ERR_NO_MEMORY);
            }
            s = phys_to_virt(pa);
            c->frames++;
            stat_add(&kheap_st.pages, 1);
        }
        slab_carve(c, s, ci);
    }
    struct kheap_free *f = s->free;
    struct kheap_header *h = (struct kheap_header *)f - 1;
    if (h->magic != KHEAP_MAGIC_FREE)
        panic("kheap: free list corrupted at %p", (void *)h);
    s->free = f->next;
    s->live++;
    if (!s->free)
        slab_unlink(c, s); /* full */
    cache_first_block(c);
    h->magic = KHEAP_MAGIC_LIVE;
    h->size = (uint32_t)size;
    h->reserved = 0;
    spin_unlock_irqrestore(&c->lock, flags);
    stat_add(&kheap_st.bytes_in_use, (int64_t)size);
    stat_add(&kheap_st.blocks_in_use, 1);
    if (zero)
        memset(h + 1, 0, size);
    return h + 1;
}

/* ---- freeing ---- */

/* The slab a block header lies in, checked: panics on anything that is not
 * a live block of a live slab. */
static struct kheap_slab *kheap_slab_of(void *p, struct kheap_header *h)
{
    if (((uintptr_t)p & 15) != 0 || h->magic != KHEAP_MAGIC_LIVE)
        panic("kheap: kfree of %p which is not a live heap block", p);
    struct kheap_slab *s = (struct kheap_slab *)ALIGN_DOWN((uintptr_t)h, PAGE_SIZE);
    if (s->magic != KHEAP_MAGIC_SLAB)
        panic("kheap: kfree of %p outside any heap frame", p);
    uint64_t off = (uint64_t)((uint8_t *)h - (uint8_t *)s) - KHEAP_SLAB_BYTES;
    if (s->class_idx == KHEAP_LARGE) {
        if (off != 0)
            panic("kheap: kfree of %p inside a large block", p);
    } else if (s->class_idx >= KHEAP_CLASSES || off % kheap_class_size[s->class_idx] != 0) {
        panic("kheap: kfree of %p off a block boundary", p);
    }
    return s;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct kheap_header *h = (struct kheap_header *)p - 1;
    struct kheap_slab *s = kheap_slab_of(p, h);
    struct kheap_cache *c = s->cache;
    struct ledger *l = c->owner;
    uint64_t release = 0; /* frames going back to the pool */
    uint64_t pa = virt_to_phys(s);

    stat_add(&kheap_st.bytes_in_use, -(int64_t)h->size);
    stat_add(&kheap_st.blocks_in_use, -1);
    uint64_t flags = spin_lock_irqsave(&c->lock);
    h->magic = KHEAP_MAGIC_FREE;
    if (s->class_idx == KHEAP_LARGE) {
        release = s->frames;
        s->magic = 0;
    } else {
        struct kheap_free *f = p;
        if (!s->free)
            slab_link(c, s); /* it was full */
        f->next = s->free;
        s->free = f;
        if (--s->live == 0) {
            slab_unlink(c, s);
            s->magic = 0; /* no block of it may be freed again */
            if (!c->spare)
                c->spare = s;
            else
                release = 1;
        }
    }
    c->frames -= release;
    bool last = --c->live == 0;
    spin_unlock_irqrestore(&c->lock, flags);
    if (release) {
        pmm_free_frames(pa, release);
        stat_add(&kheap_st.pages, -(int64_t)release);
        ledger_uncharge(l, release);
    }
    if (last)
        ledger_put(l); /* the cache's reference: may free the ledger itself */
}

void kheap_cache_release(struct kheap_cache *c)
{
    uint64_t flags = spin_lock_irqsave(&c->lock);
    struct kheap_slab *s = c->spare;
    c->spare = NULL;
    if (c->live != 0)
        panic("kheap: releasing a cache with %lu live blocks", (unsigned long)c->live);
    if (s)
        c->frames--;
    spin_unlock_irqrestore(&c->lock, flags);
    if (!s)
        return;
    pmm_free_frame(virt_to_phys(s));
    stat_add(&kheap_st.pages, -1);
    ledger_uncharge(c->owner, 1);
}

void kheap_stats(struct kheap_stats *out)
{
    out->bytes_in_use = __atomic_load_n(&kheap_st.bytes_in_use, __ATOMIC_RELAXED);
    out->blocks_in_use = __atomic_load_n(&kheap_st.blocks_in_use, __ATOMIC_RELAXED);
    out->pages = __atomic_load_n(&kheap_st.pages, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&kheap_st.failures, __ATOMIC_RELAXED);
}

bool kheap_self_test(void)
{
    static const size_t sizes[] = {1, 16, 17, 100, 1000, 1328, 2000, 2001, 4096, 10000, 65536};
    void *blocks[ARRAY_SIZE(sizes)][3];
    struct kheap_stats before, after;
    struct ledger *l = &kernel_ledger;
    uint64_t used = ledger_used(l), free_frames = pmm_free_count();

    kheap_stats(&before);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        for (size_t k = 0; k < 3; k++) {
            blocks[i][k] = kmalloc(l, sizes[i]);
            if (!blocks[i][k] || ((uintptr_t)blocks[i][k] & 15))
                return false;
            memset(blocks[i][k], (int)(i * 3 + k + 1), sizes[i]);
        }
    }
    /* Free out of order, so slabs go from full to partial to empty. */
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
            const uint8_t *b = blocks[i][(k + i) % 3];
            for (size_t n = 0; n < sizes[i]; n++) {
                if (b[n] != (uint8_t)(i * 3 + (k + i) % 3 + 1))
                    return false;
            }
            kfree(blocks[i][(k + i) % 3]);
        }
    }
    kheap_stats(&after);
    /* Every frame is back, except at most one spare kept by the cache. */
    uint64_t spare = kernel_ledger.heap.spare ? 1 : 0;
    return after.blocks_in_use == before.blocks_in_use &&
           after.bytes_in_use == before.bytes_in_use && after.pages <= before.pages + spare &&
           ledger_used(l) <= used + spare && pmm_free_count() + spare >= free_frames &&
           kmalloc(l, 0) == NULL && kmalloc(l, SIZE_MAX) == NULL;
}
