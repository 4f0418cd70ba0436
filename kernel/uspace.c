/*
 * Cross-address-space copies (see uspace.h).  For the current process the
 * ordinary fault-tolerant user copy is used; for another process the copy
 * goes page by page through its page tables, so it never faults.  A page of
 * a VirtualMemory region that was never touched is filled first (charged to
 * p, mm/fault.c), as the process's own access would fill it.
 */
#include "uspace.h"

#include "arch.h"
#include "base/mem.h"
#include "mm/fault.h"
#include "mm/pmm.h"
#include "process.h"
#include "sched.h"

static bool uspace_copy(struct process *p, uptr uaddr, void *kbuf, uint64_t len, bool write)
{
    if (len == 0)
        return true;
    if (!user_range_ok(uaddr, len))
        return false;
    if (sched_current()->proc == p)
        return write ? copy_to_user(uaddr, kbuf, len) : copy_from_user(kbuf, uaddr, len);
    /* Another process's tables: hold its lock so no mapping changes under
     * the walk (mapping changes take the same lock). */
    bool ok = true;
    spin_lock(&p->lock);
    while (len > 0 && p->root) {
        uint64_t pa;
        uint64_t off = uaddr & (PAGE_SIZE - 1);
        uint64_t n = MIN(len, PAGE_SIZE - off);
        if (!vm_user_frame_locked(p, uaddr - off, write, &pa)) {
            ok = false;
            break;
        }
        if (write)
            memcpy((uint8_t *)phys_to_virt(pa) + off, kbuf, n);
        else
            memcpy(kbuf, (uint8_t *)phys_to_virt(pa) + off, n);
        uaddr += n;
        kbuf = (uint8_t *)kbuf + n;
        len -= n;
    }
    ok = ok && len == 0;
    spin_unlock(&p->lock);
    return ok;
}

bool uspace_write_locked(struct process *p, uptr dst, const void *src, uint64_t len)
{
    void *kva[USPACE_LOCKED_PAGES];
    if (len == 0)
        return true;
    if (!user_range_ok(dst, len) || !p->root)
        return false;
    uint64_t first = dst & ~(uint64_t)(PAGE_SIZE - 1);
    if (len <= PAGE_SIZE && dst - first <= PAGE_SIZE - len) {
        /* Within one page, as small messages nearly always are. */
        uint64_t pa;
        if (!vm_user_frame_locked(p, first, true, &pa))
            return false;
        memcpy((uint8_t *)phys_to_virt(pa) + (dst - first), src, len);
        return true;
    }
    uint64_t npages = (dst + len - 1 - first) / PAGE_SIZE + 1;
    if (npages > USPACE_LOCKED_PAGES)
        return false;
    /* Every page first: nothing is written unless all of it can be. */
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t pa;
        if (!vm_user_frame_locked(p, first + i * PAGE_SIZE, true, &pa))
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

bool uspace_write(struct process *p, uptr dst, const void *src, uint64_t len)
{
    return uspace_copy(p, dst, (void *)(uintptr_t)src, len, true);
}

bool uspace_read(struct process *p, void *dst, uptr src, uint64_t len)
{
    return uspace_copy(p, src, dst, len, false);
}
