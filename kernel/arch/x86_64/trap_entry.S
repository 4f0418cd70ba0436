/*
 * Interrupt and exception entry stubs, and the return from them.
 *
 * Every vector has a stub that makes the stack uniform (a zero error code
 * where the CPU pushes none, then the vector number) and jumps to
 * trap_common (or paranoid_common, below), which saves the general registers
 * into a struct trap_frame, calls trap_dispatch(frame) and returns through
 * trap_return.
 *
 * The CPU-state rule of every kernel entry and exit (docs/ring-abi.md):
 *
 * 1. Kernel C code runs with DF, AC, NT, TF and IF clear, and with the GS
 *    base pointing at this CPU's struct cpu.  SYSCALL gets there through
 *    SFMASK (syscall.c); interrupt gates clear IF, TF, NT and RF but leave
 *    DF and AC as the interrupted code had them, so every stub clears both,
 *    whichever ring it came from (a fault inside a user copy arrives with
 *    AC set).  arch_switch_stacks (switch.S) saves and restores RFLAGS, so
 *    no flag passes from one thread to the next.
 *
 * 2. Besides the first instructions of an entry from ring 3 (up to the
 *    stub's swapgs, which cannot fault), the user's GS base is live in ring
 *    0 at exactly three instructions: the first of syscall_entry (its
 *    swapgs), and the final sysretq and iretq of the two exit paths, each
 *    right after its swapgs.  No ordinary vector can arrive at any of
 *    these: interrupts are off, TF is clear, no debug
 *    register is ever armed, and neither sysretq nor iretq can fault,
 *    because the exit paths check the user frame before the swapgs (a
 *    non-canonical RIP stops the process instead; CS and SS are forced to
 *    the user selectors, RFLAGS to RFLAGS_USER | IF) and clear NT in the
 *    current RFLAGS before iretq.  So trap_common swaps GS exactly when the
 *    interrupted code ran in ring 3.
 *
 * 3. The vectors that can arrive at any instruction -- NMI and #MC -- and,
 *    for robustness, #DB and #DF (the vector a broken rule 2 would end in)
 *    go to paranoid_common instead, which reads MSR_GS_BASE: a kernel
 *    address (sign bit set) means the kernel's GS is live.  Ring 3 cannot
 *    put a kernel address there: CR4.FSGSBASE is off, and every descriptor
 *    it may load has base 0.  paranoid_common swaps back on return only if
 *    it swapped on entry.
 */
#include "arch/x86_64/boot_defs.h"
#include "arch/x86_64/trap_frame.inc"

    .section .text
    .code64

/* DF for C code and string instructions; AC so that SMAP is enforced
 * (clac exists only with SMAP, and without SMAP AC means nothing in ring 0). */
.macro ENTRY_FLAGS
    cld
    cmpb $0, cpu_has_smap(%rip)
    je .Lno_smap\@
    clac
.Lno_smap\@:
.endm

/*
 * 256 stubs of at most 12 bytes, each aligned to 16, so stub v is at
 * trap_stubs + 16 * v (idt.c relies on this).  #DB, NMI, #DF and #MC
 * (vectors 1, 2, 8, 18) are the paranoid ones.
 */
    .align 16
    .global trap_stubs
trap_stubs:
.set vec, 0
.rept 256
    .align 16
    .if !((vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30))
    pushq $0
    .endif
    pushq $vec
    .if (vec == 1) || (vec == 2) || (vec == 8) || (vec == 18)
    jmp paranoid_common
    .else
    jmp trap_common
    .endif
    .set vec, vec + 1
.endr
    .align 16
    .global trap_stubs_end
trap_stubs_end:

trap_common:
    testb $3, 24(%rsp)          /* CS of the interrupted context */
    jz 1f
    swapgs
1:  ENTRY_FLAGS
    PUSH_REGS
    movq %rsp, %rdi
    call trap_dispatch
    .global trap_return
trap_return:
    testb $3, TF_CS(%rsp)
    jnz trap_return_user
    POP_REGS
    addq $16, %rsp               /* vector and error code */
    iretq

/*
 * The return to ring 3 (also taken by a new thread, and by the SYSCALL
 * return when SYSRET cannot be used).  Check, then act: everything iretq
 * could fault on is settled before the swapgs.
 */
    .global trap_return_user
trap_return_user:
    movq TF_RIP(%rsp), %rax
    movq %rax, %rcx
    shlq $16, %rcx
    sarq $16, %rcx
    cmpq %rax, %rcx
    jne 1f
    movq $(GDT_UCODE | 3), TF_CS(%rsp)
    movq $(GDT_UDATA | 3), TF_SS(%rsp)
    andq $RFLAGS_USER, TF_RFLAGS(%rsp)
    orq $(RFLAGS_IF | RFLAGS_FIXED), TF_RFLAGS(%rsp)
    pushq $RFLAGS_FIXED         /* IRETQ with NT set is #GP in long mode */
    popfq
    POP_REGS
    addq $16, %rsp
    swapgs
    iretq
1:  movq %rsp, %rdi             /* a non-canonical RIP: stop the process */
    call trap_user_frame_fault  /* does not return */

/*
 * The paranoid vectors: GS by MSR_GS_BASE, not by the interrupted CS.  %rbx
 * (callee-saved, and saved in the frame) remembers whether to swap back.
 */
paranoid_common:
    ENTRY_FLAGS
    PUSH_REGS
    movl $MSR_GS_BASE, %ecx
    rdmsr
    xorl %ebx, %ebx
    testl %edx, %edx
    js 1f                       /* the kernel's GS is live */
    swapgs
    movl $1, %ebx
1:  movq %rsp, %rdi
    call trap_dispatch
    testl %ebx, %ebx
    jz trap_return              /* kernel code on the kernel's GS */
    testb $3, TF_CS(%rsp)
    jnz trap_return_user        /* ring 3: the ordinary exit swaps back */
    /* Kernel code on the user's GS: one of the three instructions of rule 2. */
    POP_REGS
    addq $16, %rsp
    swapgs
    iretq
