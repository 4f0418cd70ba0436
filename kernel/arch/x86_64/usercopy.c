/*
 * User copy wrappers (see usercopy.h): range check, SMAP bracket, and the
 * fault-recovery hook used by the page-fault handler.
 */
#include "usercopy.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"

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

bool usercopy_fixup_fault(struct trap_frame *f)
{
    if (f->rip == (uint64_t)(uintptr_t)usercopy_insn_q)
        f->rip = (uint64_t)(uintptr_t)usercopy_fixup_q;
    else if (f->rip == (uint64_t)(uintptr_t)usercopy_insn_b)
        f->rip = (uint64_t)(uintptr_t)usercopy_fixup_b;
    else
        return false;
    return true;
}
