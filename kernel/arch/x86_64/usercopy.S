/*
 * Fault-tolerant copies between kernel and user memory.
 *
 * arch_copy_user(dst, src, n) copies the bulk with `rep movsq` and the last
 * n % 8 bytes with `rep movsb`, and returns the number of bytes NOT copied
 * (0 on success).  If the copy faults on a user page (unmapped, or read-only
 * for a write), the page-fault handler sees that the faulting instruction is
 * one of the two copies (usercopy_insn_q, usercopy_insn_b) and resumes at
 * its fixup, which returns the remaining count: RCX quadwords plus the tail
 * (RDX) in the first, RCX bytes in the second.  The caller validates the
 * address range first and brackets the call with SMAP's stac/clac.
 * Quadword moves make a message copy eight times fewer instructions where
 * instructions are what is counted (the benchmark harness).
 */
    .section .text
    .code64

    .global arch_copy_user, usercopy_insn_q, usercopy_insn_b, usercopy_fixup_q, usercopy_fixup_b
arch_copy_user:
    movq %rdx, %rcx
    shrq $3, %rcx
    andl $7, %edx
usercopy_insn_q:
    rep movsq
    movl %edx, %ecx
usercopy_insn_b:
    rep movsb
    xorl %eax, %eax
    ret
usercopy_fixup_q:
    leaq (%rdx,%rcx,8), %rax
    ret
usercopy_fixup_b:
    movq %rcx, %rax
    ret
