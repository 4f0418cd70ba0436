/*
 * Fault-tolerant copies between kernel and user memory.
 *
 * arch_copy_user(dst, src, n) copies with `rep movsb` and returns the number
 * of bytes NOT copied (0 on success).  If the copy faults on a user page
 * (unmapped, or read-only for a write), the page-fault handler sees that the
 * faulting instruction is usercopy_insn and resumes at usercopy_fixup, which
 * returns the remaining count from RCX.  The caller validates the address
 * range first and brackets the call with SMAP's stac/clac.
 */
    .section .text
    .code64

    .global arch_copy_user, usercopy_insn, usercopy_fixup
arch_copy_user:
    movq %rdx, %rcx
usercopy_insn:
    rep movsb
    xorl %eax, %eax
    ret
usercopy_fixup:
    movq %rcx, %rax
    ret
