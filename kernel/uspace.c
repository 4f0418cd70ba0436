/*
 * Writes into another address space (see uspace.h).  For the current
 * process the ordinary fault-tolerant user copy is used; for another
 * process the copy goes page by page through its page tables, so it never
 * faults.
 */
#include "uspace.h"

#include "arch.h"
#include "base/mem.h"
#include "mm/pmm.h"
#include "process.h"
#include "sched.h"

bool uspace_write(struct process *p, uptr dst, const void *src, uint64_t len)
{
    if (len == 0)
        return true;
    if (!user_range_ok(dst, len))
        return false;
    if (sched_current()->proc == p)
        return copy_to_user(dst, src, len);
    /* Another process's tables: hold its lock so no mapping changes under
     * the walk (mapping changes take the same lock). */
    const uint8_t *s = src;
    spin_lock(&p->lock);
    while (len > 0 && p->root) {
        uint64_t pa;
        unsigned flags;
        uint64_t off = dst & (PAGE_SIZE - 1);
        uint64_t n = MIN(len, PAGE_SIZE - off);
        if (!paging_lookup(p->root, dst - off, &pa, &flags) ||
            (flags & (MAP_USER | MAP_WRITE)) != (MAP_USER | MAP_WRITE))
            break;
        memcpy((uint8_t *)phys_to_virt(pa) + off, s, n);
        dst += n;
        s += n;
        len -= n;
    }
    spin_unlock(&p->lock);
    return len == 0;
}

bool uspace_write_locked(struct process *p, uptr dst, const void *src, uint64_t len)
{
    void *kva[USPACE_LOCKED_PAGES];
    if (len == 0)
        return true;
    if (!user_range_ok(dst, len) || !p->root)
        return false;
    uint64_t first = dst & ~(uint64_t)(PAGE_SIZE - 1);
    uint64_t npages = (dst + len - 1 - first) / PAGE_SIZE + 1;
    if (npages > USPACE_LOCKED_PAGES)
        return false;
    /* Every page first: nothing is written unless all of it can be. */
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa;
        unsigned flags;
        if (!paging_lookup(p->root, first + i * PAGE_SIZE, &pa, &flags) ||
            (flags & (MAP_USER | MAP_WRITE)) != (MAP_USER | MAP_WRITE))
            return false;
        kva[i] = phys_to_virt(pa);
    }
    uint64_t off = dst - first;
    const uint8_t *s = src;
    for (uint64_t i = 0; len > 0; i++) {
        uint64_t n = MIN(len, PAGE_SIZE - off);
        memcpy((uint8_t *)kva[i] + off, s, n);
        s += n;
        len -= n;
        off = 0;
    }
    return true;
}
