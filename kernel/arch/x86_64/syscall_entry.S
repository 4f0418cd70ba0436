/*
 * SYSCALL entry and return.
 *
 * On SYSCALL the CPU loads RIP from LSTAR, saves the user RIP in RCX and
 * RFLAGS in R11, and clears the RFLAGS bits in SFMASK (IF, DF, TF, AC), so
 * the kernel runs with interrupts off and SMAP enforced.  The stack is still
 * the user's: swapgs first, stash the user RSP in this CPU's struct cpu,
 * switch to the thread's kernel stack, and build the same struct trap_frame
 * an interrupt would (vector SYSCALL_VECTOR), so that blocking, switching
 * and process exit treat both kinds of entry alike.
 *
 * Return uses SYSRET when the saved RIP is canonical (SYSRET with a
 * non-canonical RCX would fault in ring 0) and IRETQ otherwise.
 */
#include "arch/x86_64/boot_defs.h"

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
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    xorl %ebp, %ebp
    movq %rsp, %rdi
    call syscall_dispatch

    /* Return to the thread whose frame is on this stack. */
    movq 17 * 8(%rsp), %rcx         /* frame->rip */
    movq %rcx, %rax
    shlq $16, %rax
    sarq $16, %rax
    cmpq %rax, %rcx
    jne trap_return                  /* non-canonical: let iretq report it */
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                   /* vector, error code */
    popq %rcx                        /* user RIP */
    addq $8, %rsp                    /* CS */
    popq %r11                        /* user RFLAGS */
    popq %rsp                        /* user RSP (SS is implied by SYSRET) */
    swapgs
    sysretq
