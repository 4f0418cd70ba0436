/*
 * Demand paging: what the kernel does when a process touches a page of a
 * VirtualMemory region that has no frame yet (docs/virtual-memory.md,
 * "Demand-zero memory").  The architecture's fault handler and the
 * cross-process copies call in here; the region arithmetic is lib/vm's.
 */
#ifndef CAPOS_KERNEL_MM_FAULT_H
#define CAPOS_KERNEL_MM_FAULT_H

#include "arch.h"
#include "base/compiler.h"
#include "vm/vm.h"

struct process;

/* The mapping flags for a region's VM_PROT_* bits (user pages). */
static inline unsigned vm_map_flags(uint32_t prot)
{
    return MAP_USER | ((prot & VM_PROT_WRITE) ? MAP_WRITE : 0) |
           ((prot & VM_PROT_EXEC) ? MAP_EXEC : 0);
}

enum vm_fault_result {
    VMF_OK,     /* the page is mapped for the access now (by this call or another) */
    VMF_DENIED, /* no region allows it: the access is the process's error */
    VMF_BUSY,   /* a call is changing the region: retry once it is done */
    VMF_QUOTA,  /* the process's frame quota has no room for the page */
    VMF_NOMEM,  /* no free frame in the machine */
};

/*
 * Resolves a fault of process p at user address va for `access` (one
 * VM_PROT_* bit: read, write or instruction fetch).  A present page that
 * allows the access is VMF_OK (another thread filled it first, so two
 * threads faulting on one page end with one frame and one charge).  An
 * absent page inside a region whose prot allows the access gets a zeroed
 * frame, charged to p's ledger now (with any page table made for it), and
 * is mapped with the region's prot.  Anything else is refused and changes
 * nothing.  vm_fault takes p's lock; vm_fault_locked expects it held.
 * Bounded: O(regions) plus one frame.
 */
enum vm_fault_result vm_fault(struct process *p, uint64_t va, uint32_t access);
enum vm_fault_result vm_fault_locked(struct process *p, uint64_t va, uint32_t access);

/*
 * The frame behind user page va of p for a kernel copy (uspace.c), which
 * holds p's lock: like paging_user_page, but an untouched page of a region
 * is filled first, charged to p.  False if the page is not accessible (or
 * cannot be filled).
 */
bool vm_user_frame_locked(struct process *p, uint64_t va, bool write, uint64_t *pa);

#endif
