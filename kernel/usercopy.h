/*
 * The only way the kernel touches user memory.
 *
 * A user address is a claim, typed `uptr` so it cannot be dereferenced by
 * accident.  Each helper checks that the whole range lies in the user half
 * (overflow-safe), then copies once with fault recovery: a VirtualMemory
 * page not touched yet is filled (charged to the process) as a user access
 * would fill it, and an unmapped or read-only page makes the copy fail with
 * false instead of faulting the kernel.  Callers copy untrusted data in once and validate the
 * kernel copy.
 */
#ifndef CAPOS_KERNEL_USERCOPY_H
#define CAPOS_KERNEL_USERCOPY_H

#include "abi/layout.h"
#include "base/checked.h"
#include "base/compiler.h"

typedef uint64_t uptr;

/* True iff [addr, addr+len) lies inside the user address range. */
static inline bool user_range_ok(uptr addr, uint64_t len)
{
    return addr >= CAPOS_USER_MIN &&
           range_within(addr - CAPOS_USER_MIN, len, CAPOS_USER_MAX - CAPOS_USER_MIN);
}

/* Copy in / out of the current address space; false on a bad range or fault. */
bool copy_from_user(void *dst, uptr src, uint64_t len) WARN_UNUSED;
bool copy_to_user(uptr dst, const void *src, uint64_t len) WARN_UNUSED;

/*
 * For the page-fault handler: if the fault at `addr` (for `access`, a
 * VM_PROT_* bit) is inside a user copy, returns true, having either filled
 * the page (a VirtualMemory page not touched yet: the copy resumes where it
 * stopped) or redirected the frame to the copy's recovery path (it reports
 * failure).  False: not a user copy, a kernel bug.
 */
struct trap_frame;
bool usercopy_fault(struct trap_frame *f, uint64_t addr, uint32_t access);

#endif
