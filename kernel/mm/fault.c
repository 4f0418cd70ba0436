/*
 * Demand-zero faults (see fault.h).
 *
 * Memory mapped through VirtualMemory is a region first and frames later:
 * map records the region, and the first touch of each page lands here
 * (so do the first thread's stack below the part committed when the
 * process was made and the image's .bss: process.h, stack_lo, bss_lo),
 * from the CPU's page-fault handler (a user access, or a kernel copy from
 * or to the current process) or from a copy into another process
 * (uspace.c).  Everything happens under the process lock, the lock map,
 * unmap, protect and teardown change the address space under, so:
 *   - the region looked up cannot be unmapped or re-protected meanwhile; a
 *     region such a call has claimed (busy) is not filled at all, since the
 *     call may already have passed the page (VMF_BUSY: the caller retries
 *     once it is done, or fails);
 *   - two threads faulting on one page are serialised: the second finds
 *     the page present and maps nothing, so one frame and one charge;
 *   - a released address space (teardown has begun) is never filled.
 * The frame is charged to the process's ledger before it is allocated, and
 * page tables made for it are charged as they are made (paging_map), so a
 * fault at the quota changes nothing and reports VMF_QUOTA.  Unmap and
 * teardown free and uncharge exactly the present pages, so the charge
 * always equals the pages touched (plus tables).  Allocating and zeroing
 * one frame with the process lock held is the bounded cost of a fault.
 *
 * Copy-on-write.  A frame may be mapped read-only in several address
 * spaces at once (pmm_frame_share; an address-space copy makes such
 * sharing).  Every mapping of it is charged to its own process's ledger,
 * as if it were private: the charge a copy needs is paid when the sharing
 * is made, so breaking the sharing never needs quota and never fails on
 * it, and unmap and teardown uncharge one frame per mapping, shared or not
 * (a ledger may thus pay for more frames than exist, never fewer).  A
 * write to a present read-only page of a region that grants writing is
 * such a break: if no other holder is left the page is made writable in
 * place; otherwise the contents go to a new frame, the mapping is pointed
 * at it, every CPU drops the old translation, and only then is this
 * process's hold on the old frame dropped, so no CPU can still read it
 * through this process when another holder, now alone, starts writing to
 * it.  Another process can add a holder to one of this process's frames
 * only by copying its mappings, under this process's lock, which the
 * check of "no other holder" holds.
 */
#include "mm/fault.h"

#include "abi/layout.h"
#include "base/mem.h"
#include "kerr.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "process.h"
#include "spinlock.h"

/* Whether va lies in one of the demand-zero ranges the kernel itself gave
 * p (process.h): the first stack below its committed top, the image's
 * .bss tail.  Both are read-write. */
static bool vm_fault_kernel_range(const struct process *p, uint64_t va)
{
    return (p->stack_lo && va >= p->stack_lo && va < CAPOS_USER_STACK_TOP) ||
           (va >= p->bss_lo && va < p->bss_hi);
}

/* A write to the present read-only page va that may be written with
 * `flags` (its region's, or its own marked MAP_COW): the page was shared
 * (see above).  Process lock held. */
static enum vm_fault_result vm_fault_cow(struct process *p, uint64_t va, unsigned flags)
{
    uint64_t old, copy;
    if (!paging_user_page(p->root, va, false, &old))
        return VMF_DENIED;
    if (!pmm_frame_shared(old)) {
        /* The last holder: an upgrade, which needs no shootdown (a CPU
         * with the old entry cached faults and finds it writable). */
        paging_protect_pages(p->root, va, 1, flags);
        return VMF_OK;
    }
    if (!pmm_alloc_frame(&copy))
        return VMF_NOMEM;
    memcpy(phys_to_virt(copy), phys_to_virt(old), PAGE_SIZE);
    paging_remap(p->root, va, copy, flags);
    arch_tlb_flush_user(p, va, 1);
    pmm_frame_put(old);
    return VMF_OK;
}

enum vm_fault_result vm_fault_locked(struct process *p, uint64_t va, uint32_t access)
{
    unsigned have;
    int idx;
    va &= ~(PAGE_SIZE - 1);
    if (!p->root || p->state != PROCESS_ALIVE)
        return VMF_DENIED;
    if (paging_user_entry(p->root, va, &have)) {
        /* Present: filled by another thread first, a shared page written,
         * or a real violation (a write to a read-only page, a fetch from a
         * no-exec one). */
        if ((access != VM_PROT_WRITE || (have & MAP_WRITE)) &&
            (access != VM_PROT_EXEC || (have & MAP_EXEC)))
            return VMF_OK;
        /* Made read-only by a fork (MAP_COW): a write breaks the sharing,
         * wherever the page is (a region, the image's data, a stack). */
        if (access == VM_PROT_WRITE && (have & MAP_COW))
            return vm_fault_cow(p, va, (have & MAP_EXEC) | MAP_WRITE | MAP_USER);
        switch (vm_fault_classify(p->vm, p->vm_count, va, access, &idx)) {
        case VM_FAULT_DENIED: return VMF_DENIED;
        case VM_FAULT_BUSY: return VMF_BUSY; /* a protect may be granting it */
        case VM_FAULT_FILL:
            /* The region grants the access the page lacks: only a write
             * to a page that was shared gets here. */
            return access == VM_PROT_WRITE ? vm_fault_cow(p, va, vm_map_flags(p->vm[idx].prot))
                                           : VMF_DENIED;
        }
        return VMF_DENIED;
    }
    uint32_t prot = VM_PROT_READ | VM_PROT_WRITE; /* the stack's and the .bss's */
    switch (vm_fault_classify(p->vm, p->vm_count, va, access, &idx)) {
    case VM_FAULT_DENIED:
        /* No region: the kernel's own demand-zero ranges are looked for
         * here (a region mapped over the .bss takes its place). */
        if (!vm_fault_kernel_range(p, va) || !(prot & access))
            return VMF_DENIED;
        break;
    case VM_FAULT_BUSY: return VMF_BUSY;
    case VM_FAULT_FILL: prot = p->vm[idx].prot; break;
    }
    uint64_t pa;
    if (!ledger_charge(p->ledger, 1))
        return VMF_QUOTA;
    if (!pmm_alloc_frame(&pa)) {
        ledger_uncharge(p->ledger, 1);
        return VMF_NOMEM;
    }
    if (paging_map(p->root, va, pa, vm_map_flags(prot), p->ledger) != KERR_OK) {
        /* A page table could not be made or charged (the page itself was
         * absent, checked above under the same lock). */
        pmm_free_frame(pa);
        ledger_uncharge(p->ledger, 1);
        return ledger_room(p->ledger) ? VMF_NOMEM : VMF_QUOTA;
    }
    return VMF_OK;
}

enum vm_fault_result vm_fault(struct process *p, uint64_t va, uint32_t access)
{
    spin_lock(&p->lock);
    enum vm_fault_result r = vm_fault_locked(p, va, access);
    spin_unlock(&p->lock);
    return r;
}

bool vm_user_frame_locked(struct process *p, uint64_t va, bool write, uint64_t *pa)
{
    if (paging_user_page(p->root, va, write, pa))
        return true;
    return vm_fault_locked(p, va, write ? VM_PROT_WRITE : VM_PROT_READ) == VMF_OK &&
           paging_user_page(p->root, va, write, pa);
}
