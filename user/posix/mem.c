/*
 * Memory: mmap, munmap, mprotect, mremap, madvise and brk over the
 * "memory" VirtualMemory capability.
 *
 * The kernel commits frames when it maps (no demand paging) and keeps at
 * most 64 regions per process (docs/virtual-memory.md), and it cannot map a
 * page without access.  So this file keeps its own sorted list of the
 * mappings it made, `areas`, and maps only what may be touched:
 *   - a mapping with some access is a kernel mapping of the same range
 *     (frames zeroed and charged at once);
 *   - a PROT_NONE mapping is address space reserved here and left unmapped
 *     in the kernel: it costs no frame, and any access faults, which is what
 *     a guard page needs;
 *   - mprotect to PROT_NONE unmaps the frames (their contents are gone when
 *     access is given back, unlike Linux), and from PROT_NONE maps fresh
 *     zeroed frames.
 * Addresses are chosen here, first fit from MMAP_BASE, so the reservations
 * are respected; hints are honoured when the range is free; MAP_FIXED
 * replaces what was there.  Only anonymous memory exists (no files), and
 * MAP_SHARED is private memory while a process has no children.
 *
 * brk: a window after the program image whose committed part grows in
 * steps of BRK_STEP (each step is one kernel region); memory given back by
 * lowering the break stays committed and is zeroed when the break rises
 * over it again.
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

#define PAGE      4096ULL
#define MMAP_BASE 0x100000000000ULL /* 16 TiB */
#define MMAP_TOP  0x7f0000000000ULL /* VirtualMemory's upper end */
#define AREA_MAX  256
#define BRK_MAX   (1ULL << 30) /* the brk window */
#define BRK_STEP  (64 * 1024ULL)

struct area {
    uint64_t start, end;
    uint32_t prot; /* PROT_* bits; 0: reserved, not mapped in the kernel */
};

static struct posix_lock mem_lock;
static struct area areas[AREA_MAX];
static unsigned narea;

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

/* ---- the area list (sorted, non-overlapping) ---- */

static bool range_free(uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < narea; i++) {
        if (areas[i].start < end && start < areas[i].end)
            return false;
    }
    return true;
}

/* The lowest free range of len bytes at or above MMAP_BASE, or 0. */
static uint64_t choose(uint64_t len)
{
    uint64_t at = MMAP_BASE;
    for (unsigned i = 0; i < narea; i++) {
        if (areas[i].end <= at)
            continue;
        if (areas[i].start >= at && areas[i].start - at >= len)
            break;
        at = areas[i].end;
    }
    return at <= MMAP_TOP && MMAP_TOP - at >= len ? at : 0;
}

static bool area_insert(uint64_t start, uint64_t end, uint32_t prot)
{
    unsigned i = 0;
    if (narea == AREA_MAX)
        return false;
    while (i < narea && areas[i].start < start)
        i++;
    memmove(&areas[i + 1], &areas[i], (narea - i) * sizeof(areas[0]));
    areas[i] = (struct area){start, end, prot};
    narea++;
    return true;
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

/* Removes [start, end) from the list, unmapping what the kernel has. */
static long area_remove(uint64_t start, uint64_t end)
{
    if (!area_split(start) || !area_split(end))
        return -ENOMEM;
    for (unsigned i = 0; i < narea;) {
        if (areas[i].start >= start && areas[i].end <= end) {
            if (areas[i].prot)
                kunmap(areas[i].start, areas[i].end);
            memmove(&areas[i], &areas[i + 1], (narea - i - 1) * sizeof(areas[0]));
            narea--;
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

/* ---- the system calls ---- */

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    int type = flags & MAP_TYPE;
    if (len <= 0 || n < (uint64_t)len || (off & (PAGE - 1)) || (prot & ~7) ||
        (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return fd < 0 ? -EBADF : -ENODEV; /* no descriptor here names a file */
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return -EPERM; /* the kernel keeps every page W^X */
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed && ((a & (PAGE - 1)) || a < 0x10000 || a > MMAP_TOP || MMAP_TOP - a < n))
        return -EINVAL;
    posix_lock(&mem_lock);
    long r = 0;
    if (fixed) {
        if (!range_free(a, a + n)) {
            r = (flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) ? -EEXIST
                                                                      : area_remove(a, a + n);
        }
    } else {
        a &= ~(PAGE - 1);
        if (!a || a < MMAP_BASE || a > MMAP_TOP || MMAP_TOP - a < n || !range_free(a, a + n))
            a = choose(n);
        if (!a)
            r = -ENOMEM;
    }
    if (r == 0 && narea == AREA_MAX)
        r = -ENOMEM;
    if (r == 0 && prot)
        r = kmap(a, a + n, (uint32_t)prot);
    if (r == 0)
        area_insert(a, a + n, (uint32_t)prot);
    posix_unlock(&mem_lock);
    return r < 0 ? r : (long)a;
}

long sys_munmap(long addr, long len, long a3, long a4, long a5, long a6)
{
    uint64_t a = (uint64_t)addr, n = page_up((uint64_t)len);
    if ((a & (PAGE - 1)) || len <= 0 || n < (uint64_t)len || a > MMAP_TOP || MMAP_TOP - a < n)
        return -EINVAL;
    posix_lock(&mem_lock);
    long r = area_remove(a, a + n);
    posix_unlock(&mem_lock);
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
        if (x->start < a || x->end > a + n || x->prot == (uint32_t)prot)
            continue;
        if (!prot) {
            kunmap(x->start, x->end);
        } else if (!x->prot) {
            r = kmap(x->start, x->end, (uint32_t)prot);
        } else if (kprot(x->prot) != kprot((uint32_t)prot)) {
            int err = capos_vm_protect(posix_caps.memory, x->start, x->end - x->start,
                                       kprot((uint32_t)prot));
            r = err == CAPOS_OK ? 0 : vm_errno(err);
        }
        if (r == 0)
            x->prot = (uint32_t)prot;
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
        uint64_t end = need - brk_committed < BRK_STEP ? brk_committed + BRK_STEP : need;
        bool ok =
            end <= brk_base + BRK_MAX && kmap(brk_committed, end, PROT_READ | PROT_WRITE) == 0;
        if (!ok && end != need) {
            end = need;
            ok = kmap(brk_committed, end, PROT_READ | PROT_WRITE) == 0;
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
