/*
 * SYSCALL entry and return.
 *
 * On SYSCALL the CPU loads RIP from LSTAR, saves the user RIP in RCX and
 * RFLAGS in R11, and clears every RFLAGS bit (SFMASK, syscall.c), so the
 * kernel runs with interrupts off, DF and AC clear and nothing of the
 * caller's flags.  The stack is still the user's: swapgs first, stash the
 * user RSP in this CPU's struct cpu, switch to the thread's kernel stack, and
 * build the same struct trap_frame an interrupt would (vector SYSCALL_VECTOR),
 * so that blocking, switching and process exit treat both kinds of entry
 * alike.  The first instruction (swapgs) runs on the user's GS; see the GS
 * rule in trap_entry.S for why only NMI and #MC can arrive there.
 *
 * Return uses SYSRET when the saved RIP is canonical and the checked IRETQ
 * path (trap_return_user) otherwise: SYSRET with a non-canonical RCX faults
 * in ring 0 on Intel, after the swapgs and on the user's stack.  SYSRET
 * loads RFLAGS from R11, IOPL included, so R11 keeps only the bits ring 3
 * may hold (RFLAGS_USER) plus IF.  Nothing between the swapgs and sysretq
 * can fault.
 */
#include "arch/x86_64/boot_defs.h"
#include "arch/x86_64/trap_frame.inc"

#define SYSCALL_VECTOR 256

    .section .text
    .code64
    .global syscall_entry
syscall_entry:
    swapgs
    movq %rsp, %gs:16
    movq %gs:8, %rsp
    pushq $(GDT_UDATA | 3)
    pushq %gs:16
    pushq %r11
    pushq $(GDT_UCODE | 3)
    pushq %rcx
    pushq $0
    pushq $SYSCALL_VECTOR
    PUSH_REGS
    xorl %ebp, %ebp
    movq %rsp, %rdi
    call syscall_dispatch

    /* Return to the thread whose frame is on this stack. */
    movq TF_RIP(%rsp), %rcx
    movq %rcx, %rax
    shlq $16, %rax
    sarq $16, %rax
    cmpq %rax, %rcx
    jne trap_return_user             /* non-canonical: it stops the process */
    POP_REGS
    addq $16, %rsp                   /* vector, error code */
    popq %rcx                        /* user RIP */
    addq $8, %rsp                    /* CS */
    popq %r11                        /* user RFLAGS */
    andl $RFLAGS_USER, %r11d
    orl $(RFLAGS_IF | RFLAGS_FIXED), %r11d
    popq %rsp                        /* user RSP (SS is implied by SYSRET) */
    swapgs
    sysretq
