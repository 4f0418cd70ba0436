/*
 * Interrupt and exception entry stubs.
 *
 * Every vector has a stub that makes the stack uniform (a zero error code
 * where the CPU pushes none, then the vector number) and jumps to trap_common,
 * which saves the general registers into a struct trap_frame, calls
 * trap_dispatch(frame) and returns with iretq.  swapgs runs only when the trap
 * came from user mode, so the GS base always points at this CPU's struct cpu
 * while in the kernel.
 */
#include "arch/x86_64/boot_defs.h"

    .section .text
    .code64

/*
 * 256 stubs of at most 12 bytes, each aligned to 16, so stub v is at
 * trap_stubs + 16 * v (idt.c relies on this).
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
    jmp trap_common
    .set vec, vec + 1
.endr
    .align 16
    .global trap_stubs_end
trap_stubs_end:

trap_common:
    cld
    testb $3, 24(%rsp)          /* CS of the interrupted context */
    jz 1f
    swapgs
    /* A process may have set RFLAGS.AC, which would switch SMAP off for the
     * kernel; interrupt delivery does not clear it, so do it here. */
    cmpb $0, cpu_has_smap(%rip)
    je 1f
    clac
1:  pushq %rax
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
    movq %rsp, %rdi
    call trap_dispatch
    .global trap_return
trap_return:
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
    testb $3, 24(%rsp)
    jz 2f
    swapgs
2:  addq $16, %rsp               /* vector and error code */
    iretq

