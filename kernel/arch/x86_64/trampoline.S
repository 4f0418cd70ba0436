/*
 * Application processor start-up code.
 *
 * smp.c copies this blob to a page below 1 MiB (TRAMPOLINE_PA) and points
 * each AP at it with a startup IPI, which starts the AP in 16-bit real mode
 * at CS:IP = (TRAMPOLINE_PA >> 4):0.  The code is written for that address:
 * every absolute reference is TRAMPOLINE_PA + (label - trampoline_start).
 * It switches to 32-bit protected mode, enables PAE, long mode and paging
 * with a temporary page table (the kernel's top half plus an identity map of
 * the low 2 MiB, which the instructions right after enabling paging need),
 * jumps to 64-bit code, and calls the kernel's ap_entry on the stack smp.c
 * prepared.  The parameter block at the end is filled in by smp.c for each
 * AP before it is started.
 */
#include "arch/x86_64/boot_defs.h"

#define TRAMPOLINE_PA 0x8000
#define ABS(x) (TRAMPOLINE_PA + ((x) - trampoline_start))

    .section .rodata
    .global trampoline_start, trampoline_end
    .global trampoline_cr3, trampoline_stack, trampoline_entry, trampoline_arg, trampoline_efer
    .align 16
trampoline_start:
    .code16
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl ABS(tr_gdt_ptr)
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl $0x08, $ABS(tr_prot)

    .code32
tr_prot:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $(CR4_PAE | CR4_PGE), %eax
    movl %eax, %cr4
    movl ABS(trampoline_cr3), %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl ABS(trampoline_efer), %eax
    wrmsr
    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP), %eax
    movl %eax, %cr0
    ljmpl $0x18, $ABS(tr_long)

    .code64
tr_long:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movq ABS(trampoline_stack), %rsp
    movq ABS(trampoline_arg), %rdi
    xorl %ebp, %ebp
    movq ABS(trampoline_entry), %rax
    call *%rax
1:  cli
    hlt
    jmp 1b

    .align 16
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff            /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
    .quad 0x00af9a000000ffff            /* 0x18: 64-bit code */
tr_gdt_end:
tr_gdt_ptr:
    .short tr_gdt_end - tr_gdt - 1
    .long ABS(tr_gdt)

    /* Parameters, written by smp.c before each start. */
    .align 8
trampoline_cr3:   .quad 0
trampoline_stack: .quad 0
trampoline_entry: .quad 0
trampoline_arg:   .quad 0
trampoline_efer:  .quad 0
trampoline_end:
