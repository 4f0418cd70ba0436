/*
 * User copy wrappers (see usercopy.h): range check, SMAP bracket, and the
 * fault-recovery hook used by the page-fault handler.
 */
#include "usercopy.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "mm/fault.h"
#include "process.h"
#include "sched.h"

uint64_t arch_copy_user(void *dst, const void *src, uint64_t n);
extern const char usercopy_insn_q[], usercopy_fixup_q[], usercopy_insn_b[], usercopy_fixup_b[];

static uint64_t usercopy(void *dst, const void *src, uint64_t n)
{
    uint64_t left;
    if (cpu_has_smap)
        user_access_begin();
    left = arch_copy_user(dst, src, n);
    if (cpu_has_smap)
        user_access_end();
    return left;
}

/* A zero-length copy touches nothing, whatever the address. */
bool copy_from_user(void *dst, uptr src, uint64_t len)
{
    if (len == 0)
        return true;
    return user_range_ok(src, len) && usercopy(dst, (const void *)(uintptr_t)src, len) == 0;
}

bool copy_to_user(uptr dst, const void *src, uint64_t len)
{
    if (len == 0)
        return true;
    return user_range_ok(dst, len) && usercopy((void *)(uintptr_t)dst, src, len) == 0;
}

/*
 * The fault is the current process's, from a copy its own call asked for.
 * No copy runs with that process's lock held (the copies of another
 * process's memory hold it and go through uspace.c, which never faults),
 * so the lock can be taken here, as map, unmap and protect take it.  An
 * unmap on another CPU may clear the page right after the fill; it frees
 * the frame only once every CPU has dropped its TLB entry, which this one
 * (interrupts off) does only after the copy, and a retried copy that finds
 * the entry gone faults again and fails, the range being busy or unmapped.
 A busy region is not waited for (interrupts are
 * off, and the call may hold per-CPU buffers): the copy fails, as it
 * would for an unmapped page.
 */
bool usercopy_fault(struct trap_frame *f, uint64_t addr, uint32_t access)
{
    bool q = f->rip == (uint64_t)(uintptr_t)usercopy_insn_q;
    if (!q && f->rip != (uint64_t)(uintptr_t)usercopy_insn_b)
        return false;
    struct thread *t = sched_current();
    if (addr < CAPOS_USER_MAX && t && t->proc && vm_fault(t->proc, addr, access) == VMF_OK)
        return true; /* the instruction runs again and finds the page */
    f->rip = (uint64_t)(uintptr_t)(q ? usercopy_fixup_q : usercopy_fixup_b);
    return true;
}
