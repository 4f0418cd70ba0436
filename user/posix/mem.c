/*
 * Memory: mmap, munmap, mprotect, mremap, madvise and brk over the
 * "memory" VirtualMemory capability.
 *
 * The kernel gives a mapped page its frame on first touch (demand-zero, so
 * an arena or a brk step costs only the pages used), keeps at most 64
 * regions per process (docs/virtual-memory.md), and cannot map a page
 * without access.  A C library maps and unmaps far more often than 64
 * regions allow (musl's malloc keeps its groups in mmaps), so this file
 * keeps the mappings the program sees, `areas`, apart from the kernel
 * regions behind them:
 *   - small read-write mappings (at most SMALL_MAX bytes, and any mapping
 *     that falls inside one) live in arenas: kernel regions of 256 KiB or
 *     1 MiB, each page of which is free or used.  munmap marks pages free
 *     (they stay resident once touched, and are zeroed when used again); an arena whose
 *     every page is free goes back to the kernel;
 *   - any other mapping with some access is a kernel region of exactly its
 *     range (each page zeroed and charged when first touched);
 *   - a PROT_NONE mapping, or page, is address space reserved here and
 *     left unmapped in the kernel: it costs no frame, and any access
 *     faults, which is what a guard page needs;
 *   - mprotect to PROT_NONE unmaps the frames (their contents are gone when
 *     access is given back, unlike Linux), and from PROT_NONE maps fresh
 *     zeroed frames.  Inside an arena each page remembers whether the
 *     kernel maps it and with which protection.
 * Addresses are chosen here, first fit from MMAP_BASE, so the reservations
 * are respected; hints are honoured when the range is free; MAP_FIXED
 * replaces what was there.  Only anonymous memory exists (no files), and
 * MAP_SHARED is private memory while a process has no children.
 * Differences a program can see: a page of an arena stays readable after
 * munmap until the arena goes (Linux faults), and PROT_NONE loses contents.
 *
 * brk: a window after the program image whose committed part grows in
 * steps that double (each step is one kernel region); memory given back by
 * lowering the break stays committed and is zeroed when the break rises
 * over it again.
 *
 * Stacks of detached threads (posix_stack_defer) are unmapped by the next
 * mmap or munmap after the kernel cleared the thread's clear-tid word.
 *
 * All of it runs under mem_lock; the kernel calls are made with it held
 * (they do not block on anything but the kernel's own bounded work).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "abi/errors.h"
#include "capos.h"
#include "posix.h"

#define PAGE              4096ULL
#define MMAP_BASE         0x100000000000ULL /* 16 TiB */
#define MMAP_TOP          0x7f0000000000ULL /* VirtualMemory's upper end */
#define AREA_MAX          1024
#define BRK_MAX           (1ULL << 30) /* the brk window */
#define BRK_STEP          (64 * 1024ULL)
#define BRK_STEP_MAX      (16ULL << 20)

#define ARENA_MAX         32
#define ARENA_PAGES_FIRST 64  /* 256 KiB: the first arena */
#define ARENA_PAGES_MAX   256 /* 1 MiB: the others */
#define SMALL_MAX         (128 * 1024ULL)
#define RW                (PROT_READ | PROT_WRITE)

#define DEFER_MAX         64

struct area {
    uint64_t start, end;
    uint32_t prot; /* PROT_* bits; 0: reserved, not mapped in the kernel */
    bool arena;    /* backed by arena pages (their state is the arena's) */
};

/* An arena page: used by an area or free; mapped in the kernel or not,
 * and with which kernel protection; dirty if it may hold old data. */
enum {
    PG_USED = 1,
    PG_MAPPED = 2,
    PG_DIRTY = 4,
    PG_KPROT_SHIFT = 4, /* CAPOS_PROT_* bits above this */
};

struct arena {
    uint64_t base; /* 0: the slot is free */
    uint32_t pages, used;
    uint8_t pg[ARENA_PAGES_MAX];
};

struct defer {
    uint64_t base, size;
    int *word;
    int val;
};

static struct posix_lock mem_lock;

void posix_mem_forked(void)
{
    mem_lock.state = 0;
}
static struct area areas[AREA_MAX];
static unsigned narea;
static struct arena arenas[ARENA_MAX];
static struct defer defers[DEFER_MAX];
static unsigned ndefer;

extern char _end[]; /* the end of the program image (the linker's) */
static uint64_t brk_base, brk_cur, brk_committed, brk_high;

static uint64_t page_up(uint64_t x)
{
    return (x + PAGE - 1) & ~(PAGE - 1);
}

/* The kernel's protection bits: readable always; never writable and
 * executable together. */
static uint32_t kprot(uint32_t prot)
{
    return CAPOS_PROT_READ | ((prot & PROT_WRITE) ? CAPOS_PROT_WRITE : 0) |
           ((prot & PROT_EXEC) ? CAPOS_PROT_EXEC : 0);
}

static long vm_errno(int err)
{
    switch (err) {
    case CAPOS_ERR_INVALID_ARGUMENT: return -EINVAL;
    default: return -ENOMEM;
    }
}

static long kmap(uint64_t start, uint64_t end, uint32_t prot)
{
    uint64_t got;
    if (!posix_caps.memory)
        return -ENOMEM;
    int err = capos_vm_map(posix_caps.memory, start, end - start, kprot(prot), &got);
    return err == CAPOS_OK ? 0 : vm_errno(err);
}

static void kunmap(uint64_t start, uint64_t end)
{
    capos_vm_unmap(posix_caps.memory, start, end - start);
}

static long kprotect(uint64_t start, uint64_t end, uint32_t prot)
{
    int err = capos_vm_protect(posix_caps.memory, start, end - start, kprot(prot));
    return err == CAPOS_OK ? 0 : vm_errno(err);
}

/* ---- arenas ---- */

static uint64_t arena_end(const struct arena *ar)
{
    return ar->base + ar->pages * PAGE;
}

static struct arena *arena_of(uint64_t addr)
{
    for (unsigned i = 0; i < ARENA_MAX; i++) {
        struct arena *ar = &arenas[i];
        if (ar->base && ar->base <= addr && addr < arena_end(ar))
            return ar;
    }
    return NULL;
}

/* The lowest arena start above addr, or MMAP_TOP. */
static uint64_t arena_next(uint64_t addr)
{
    uint64_t next = MMAP_TOP;
    for (unsigned i = 0; i < ARENA_MAX; i++) {
        if (arenas[i].base > addr && arenas[i].base < next)
            next = arenas[i].base;
    }
    return next;
}

static uint8_t pg_state(uint8_t pg)
{
    return pg & (PG_MAPPED | (7 << PG_KPROT_SHIFT));
}

/* Gives pages [i, j) of ar the kernel mapping `prot` asks for: none for
 * PROT_NONE, else mapped with kprot(prot).  Works in runs of pages whose
 * state is the same, so each run is one kernel call. */
static long arena_set_prot(struct arena *ar, uint32_t i, uint32_t j, uint32_t prot)
{
    uint8_t want = prot ? (uint8_t)(PG_MAPPED | kprot(prot) << PG_KPROT_SHIFT) : 0;
    while (i < j) {
        uint32_t k = i + 1;
        uint8_t st = pg_state(ar->pg[i]);
        while (k < j && pg_state(ar->pg[k]) == st)
            k++;
        uint64_t s = ar->base + i * PAGE, e = ar->base + k * PAGE;
        long r = 0;
        if (st != want) {
            if (!want)
                kunmap(s, e);
            else if (!(st & PG_MAPPED))
                r = kmap(s, e, prot);
            else
                r = kprotect(s, e, prot);
        }
        if (r < 0)
            return r;
        for (uint32_t x = i; x < k; x++) {
            uint8_t keep = ar->pg[x] & PG_USED;
            /* Fresh frames are zero; unmapped pages come back fresh. */
            uint8_t dirty = (st & PG_MAPPED) && want ? ar->pg[x] & PG_DIRTY : 0;
            ar->pg[x] = keep | dirty | want;
        }
        i = k;
    }
    return 0;
}

/* Pages [i, j) become used with `prot`, zero-filled. */
static long arena_take(struct arena *ar, uint32_t i, uint32_t j, uint32_t prot)
{
    long r = 0;
    if (prot) {
        /* Pages that held data are cleared through a writable mapping. */
        for (uint32_t k = i; k < j && r == 0; k++) {
            if ((ar->pg[k] & (PG_MAPPED | PG_DIRTY)) != (PG_MAPPED | PG_DIRTY))
                continue;
            r = arena_set_prot(ar, k, k + 1, RW);
            if (r == 0) {
                memset((void *)(uintptr_t)(ar->base + k * PAGE), 0, PAGE);
                ar->pg[k] &= (uint8_t)~PG_DIRTY;
            }
        }
    }
    if (r == 0)
        r = arena_set_prot(ar, i, j, prot);
    if (r < 0)
        return r;
    for (uint32_t k = i; k < j; k++)
        ar->pg[k] |= PG_USED;
    ar->used += j - i;
    return 0;
}

/* Pages [i, j) become free; an arena with no page used goes back. */
static void arena_release(struct arena *ar, uint32_t i, uint32_t j)
{
    for (uint32_t k = i; k < j; k++) {
        ar->pg[k] &= (uint8_t)~PG_USED;
        if (ar->pg[k] & PG_MAPPED)
            ar->pg[k] |= PG_DIRTY;
    }
    ar->used -= j - i;
    if (ar->used == 0) {
        arena_set_prot(ar, 0, ar->pages, 0);
        ar->base = 0;
    }
}

/* First fit of n free pages in ar, or -1. */
static long arena_fit(const struct arena *ar, uint32_t n)
{
    uint32_t run = 0;
    for (uint32_t k = 0; k < ar->pages; k++) {
        run = (ar->pg[k] & PG_USED) ? 0 : run + 1;
        if (run == n)
            return (long)(k + 1 - n);
    }
    return -1;
}

static uint64_t choose(uint64_t len);

/* A new arena, mapped read-write in full; NULL if out of slots or memory. */
static struct arena *arena_new(void)
{
    struct arena *ar = NULL;
    unsigned live = 0;
    for (unsigned i = 0; i < ARENA_MAX; i++) {
        if (arenas[i].base)
            live++;
        else if (!ar)
            ar = &arenas[i];
    }
    if (!ar)
        return NULL;
    uint32_t pages = live ? ARENA_PAGES_MAX : ARENA_PAGES_FIRST;
    uint64_t at = choose(pages * PAGE);
    if (!at || kmap(at, at + pages * PAGE, RW) < 0)
        return NULL;
    ar->base = at;
    ar->pages = pages;
    ar->used = 0;
    memset(ar->pg, PG_MAPPED | kprot(RW) << PG_KPROT_SHIFT, sizeof(ar->pg));
    return ar;
}

/* ---- the area list (sorted, non-overlapping) ---- */

static bool range_free(uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < narea; i++) {
        if (areas[i].start < end && start < areas[i].end)
            return false;
    }
    return true;
}

/* The lowest range of len bytes at or above MMAP_BASE free of areas and
 * arenas, or 0. */
static uint64_t choose(uint64_t len)
{
    uint64_t at = MMAP_BASE;
    for (;;) {
        if (at > MMAP_TOP || MMAP_TOP - at < len)
            return 0;
        uint64_t end = at + len, past = 0;
        for (unsigned i = 0; i < narea && !past; i++) {
            if (areas[i].start < end && at < areas[i].end)
                past = areas[i].end;
        }
        for (unsigned i = 0; i < ARENA_MAX && !past; i++) {
            const struct arena *ar = &arenas[i];
            if (ar->base && ar->base < end && at < arena_end(ar))
                past = arena_end(ar);
        }
        if (!past)
            return at;
        at = past;
    }
}

static void area_insert(uint64_t start, uint64_t end, uint32_t prot, bool arena)
{
    unsigned i = 0;
    while (i < narea && areas[i].start < start)
        i++;
    memmove(&areas[i + 1], &areas[i], (narea - i) * sizeof(areas[0]));
    areas[i] = (struct area){start, end, prot, arena};
    narea++;
}

/* Splits areas so that none straddles `at`; false if the list is full. */
static bool area_split(uint64_t at)
{
    for (unsigned i = 0; i < narea; i++) {
        if (areas[i].start < at && at < areas[i].end) {
            if (narea == AREA_MAX)
                return false;
            memmove(&areas[i + 1], &areas[i], (narea - i) * sizeof(areas[0]));
            narea++;
            areas[i].end = at;
            areas[i + 1].start = at;
            return true;
        }
    }
    return true;
}

/* Gives back what is behind one area. */
static void area_drop(const struct area *x)
{
    if (x->arena) {
        struct arena *ar = arena_of(x->start);
        arena_release(ar, (uint32_t)((x->start - ar->base) / PAGE),
                      (uint32_t)((x->end - ar->base) / PAGE));
    } else if (x->prot) {
        kunmap(x->start, x->end);
    }
}

/* Removes [start, end) from the list, giving back what is behind it. */
static long area_remove(uint64_t start, uint64_t end)
{
    if (!area_split(start) || !area_split(end))
        return -ENOMEM;
    for (unsigned i = 0; i < narea;) {
        if (areas[i].start >= start && areas[i].end <= end) {
            struct area x = areas[i];
            memmove(&areas[i], &areas[i + 1], (narea - i - 1) * sizeof(areas[0]));
            narea--;
            area_drop(&x);
        } else {
            i++;
        }
    }
    return 0;
}

/* True if the list covers every page of [start, end). */
static bool covered(uint64_t start, uint64_t end)
{
    uint64_t at = start;
    for (unsigned i = 0; i < narea && at < end; i++) {
        if (areas[i].end <= at)
            continue;
        if (areas[i].start > at)
            return false;
        at = areas[i].end;
    }
    return at >= end;
}

/* The end of the piece of [at, end) that is all in one arena or all
 * outside arenas. */
static uint64_t piece_end(uint64_t at, uint64_t end)
{
    const struct arena *ar = arena_of(at);
    uint64_t e = ar ? arena_end(ar) : arena_next(at);
    return e < end ? e : end;
}

/*
 * Backs [start, end), free of areas, with `prot`, and records it: the
 * parts inside arenas with arena pages, the rest with kernel regions.
 * On failure nothing is left behind.
 */
static long back(uint64_t start, uint64_t end, uint32_t prot)
{
    unsigned pieces = 0;
    for (uint64_t at = start; at < end; at = piece_end(at, end))
        pieces++;
    if (narea + pieces > AREA_MAX)
        return -ENOMEM;
    for (uint64_t at = start; at < end;) {
        uint64_t e = piece_end(at, end);
        struct arena *ar = arena_of(at);
        long r = 0;
        if (ar)
            r = arena_take(ar, (uint32_t)((at - ar->base) / PAGE),
                           (uint32_t)((e - ar->base) / PAGE), prot);
        else if (prot)
            r = kmap(at, e, prot);
        if (r < 0) {
            area_remove(start, at);
            return r;
        }
        area_insert(at, e, prot, ar != NULL);
        at = e;
    }
    return 0;
}

/* A small read-write mapping in an arena; its address, or 0. */
static uint64_t arena_alloc(uint64_t n)
{
    uint32_t pages = (uint32_t)(n / PAGE);
    struct arena *ar = NULL;
    long at = -1;
    for (unsigned i = 0; i < ARENA_MAX && at < 0; i++) {
        if (arenas[i].base && (at = arena_fit(&arenas[i], pages)) >= 0)
            ar = &arenas[i];
    }
    if (at < 0) {
        ar = arena_new();
        if (!ar)
            return 0;
        at = 0;
    }
    uint64_t a = ar->base + (uint64_t)at * PAGE;
    if (back(a, a + n, RW) < 0) {
        if (ar->used == 0) {
            arena_set_prot(ar, 0, ar->pages, 0);
            ar->base = 0;
        }
        return 0;
    }
    return a;
}

/* Unmaps the stacks of detached threads that have ended. */
static void reap(void)
{
    for (unsigned i = 0; i < ndefer;) {
        struct defer *d = &defers[i];
        if (__atomic_load_n(d->word, __ATOMIC_ACQUIRE) != d->val) {
            area_remove(d->base, d->base + d->size);
            defers[i] = defers[--ndefer];
        } else {
            i++;
        }
    }
}

void posix_stack_defer(void *base, size_t size, int *word)
{
    posix_lock(&mem_lock);
    if (ndefer < DEFER_MAX)
        defers[ndefer++] = (struct defer){(uint64_t)(uintptr_t)base, page_up(size), word,
                                          __atomic_load_n(word, __ATOMIC_RELAXED)};
    posix_unlock(&mem_lock);
}

/* ---- the system calls ---- */

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    int type = flags & MAP_TYPE;
    if (len <= 0 || n < (uint64_t)len || (off & (PAGE - 1)) || (prot & ~7) ||
        (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return posix_fd_mappable((int)fd); /* nothing a descriptor names can be mapped */
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return -EPERM; /* the kernel keeps every page W^X */
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed && ((a & (PAGE - 1)) || a < 0x10000 || a > MMAP_TOP || MMAP_TOP - a < n))
        return -EINVAL;
    posix_lock(&mem_lock);
    reap();
    long r = 0;
    if (fixed) {
        if (!range_free(a, a + n)) {
            r = (flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) ? -EEXIST
                                                                      : area_remove(a, a + n);
        }
        if (r == 0)
            r = back(a, a + n, (uint32_t)prot);
    } else {
        /* A hint is taken when its range is free and lies in one arena or
         * outside all of them. */
        a &= ~(PAGE - 1);
        bool hint = a >= MMAP_BASE && a <= MMAP_TOP && MMAP_TOP - a >= n && range_free(a, a + n) &&
                    piece_end(a, a + n) == a + n;
        if (!hint && n <= SMALL_MAX && prot == RW) {
            a = arena_alloc(n);
            r = a ? 0 : -ENOMEM;
        } else {
            if (!hint)
                a = choose(n);
            r = a ? back(a, a + n, (uint32_t)prot) : -ENOMEM;
        }
    }
    posix_unlock(&mem_lock);
    return r < 0 ? r : (long)a;
}

long sys_munmap(long addr, long len, long a3, long a4, long a5, long a6)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    if ((a & (PAGE - 1)) || len <= 0 || n < (uint64_t)len || a > MMAP_TOP || MMAP_TOP - a < n)
        return -EINVAL;
    posix_lock(&mem_lock);
    reap();
    long r = area_remove(a, a + n);
    posix_unlock(&mem_lock);
    return r;
}

/* One area's pages get `prot`. */
static long area_protect(struct area *x, uint32_t prot)
{
    long r = 0;
    if (x->arena) {
        struct arena *ar = arena_of(x->start);
        r = arena_set_prot(ar, (uint32_t)((x->start - ar->base) / PAGE),
                           (uint32_t)((x->end - ar->base) / PAGE), prot);
    } else if (!prot) {
        kunmap(x->start, x->end);
    } else if (!x->prot) {
        r = kmap(x->start, x->end, prot);
    } else if (kprot(x->prot) != kprot(prot)) {
        r = kprotect(x->start, x->end, prot);
    }
    if (r == 0)
        x->prot = prot;
    return r;
}

long sys_mprotect(long addr, long len, long prot, long a4, long a5, long a6)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    if ((a & (PAGE - 1)) || len < 0 || n < (uint64_t)len || (prot & ~7))
        return -EINVAL;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return -EPERM;
    if (n == 0)
        return 0;
    posix_lock(&mem_lock);
    long r = covered(a, a + n) ? 0 : -ENOMEM;
    if (r == 0 && (!area_split(a) || !area_split(a + n)))
        r = -ENOMEM;
    for (unsigned i = 0; i < narea && r == 0; i++) {
        struct area *x = &areas[i];
        if (x->start >= a && x->end <= a + n && x->prot != (uint32_t)prot)
            r = area_protect(x, (uint32_t)prot);
    }
    posix_unlock(&mem_lock);
    return r;
}

/* Growing in place is not possible in general (the kernel maps eagerly and
 * separately); shrinking is. musl's realloc falls back to copying on
 * ENOMEM. */
long sys_mremap(long old, long old_len, long new_len, long flags, long a5, long a6)
{
    uint64_t a = (uint64_t)old, on = page_up((uint64_t)old_len), nn = page_up((uint64_t)new_len);
    if ((a & (PAGE - 1)) || new_len <= 0 || nn < (uint64_t)new_len ||
        (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
        return -EINVAL;
    if (nn > on)
        return -ENOMEM;
    if (nn < on) {
        long r = sys_munmap((long)(a + nn), (long)(on - nn), 0, 0, 0, 0);
        if (r < 0)
            return r;
    }
    return (long)a;
}

long sys_madvise(long addr, long len, long advice, long a4, long a5, long a6)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    if ((a & (PAGE - 1)) || len < 0 || n < (uint64_t)len)
        return -EINVAL;
    posix_lock(&mem_lock);
    long r = covered(a, a + n) ? 0 : -ENOMEM;
    /* MADV_DONTNEED on private anonymous memory: zero-filled from now on. */
    if (r == 0 && advice == MADV_DONTNEED) {
        for (unsigned i = 0; i < narea; i++) {
            uint64_t s = areas[i].start > a ? areas[i].start : a;
            uint64_t e = areas[i].end < a + n ? areas[i].end : a + n;
            if (s < e && (areas[i].prot & PROT_WRITE))
                memset((void *)(uintptr_t)s, 0, e - s);
        }
    }
    posix_unlock(&mem_lock);
    return r;
}

long sys_brk(long addr, long a2, long a3, long a4, long a5, long a6)
{
    uint64_t want = (uint64_t)addr;
    posix_lock(&mem_lock);
    if (!brk_base)
        brk_base = brk_cur = brk_committed = brk_high = page_up((uint64_t)(uintptr_t)_end);
    if (want > brk_base + BRK_MAX || want < brk_base)
        want = brk_cur; /* a query, or a request outside the window */
    uint64_t need = page_up(want);
    if (need > brk_committed) {
        /* Steps double with the size already committed, so that a growing
         * break takes few of the kernel's regions. */
        uint64_t step = brk_committed - brk_base;
        step = step < BRK_STEP ? BRK_STEP : step > BRK_STEP_MAX ? BRK_STEP_MAX : step;
        uint64_t end = need - brk_committed < step ? brk_committed + step : need;
        if (end > brk_base + BRK_MAX)
            end = need;
        bool ok = kmap(brk_committed, end, RW) == 0;
        if (!ok && end != need) {
            end = need;
            ok = kmap(brk_committed, end, RW) == 0;
        }
        if (ok)
            brk_committed = end;
        else
            want = brk_cur; /* out of memory: the break stays */
    }
    if (want > brk_cur && brk_cur < brk_high) {
        uint64_t z = want < brk_high ? want : brk_high;
        memset((void *)(uintptr_t)brk_cur, 0, z - brk_cur);
    }
    brk_cur = want;
    if (brk_cur > brk_high)
        brk_high = brk_cur;
    posix_unlock(&mem_lock);
    return (long)brk_cur;
}

/* Everything is committed and resident already. */
long sys_mlock(long addr, long len, long a3, long a4, long a5, long a6)
{
    return 0;
}
