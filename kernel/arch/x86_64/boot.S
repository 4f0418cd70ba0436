/*
 * Kernel entry from the bootloader, 32-bit protected mode to 64-bit long mode.
 *
 * Both Multiboot1 (QEMU -kernel, used by the fast smoke tests) and Multiboot2
 * (GRUB, BIOS and UEFI) enter at boot_entry32 with paging off, EAX holding the
 * loader's magic and EBX the physical address of its information structure.
 * This code runs at its physical address (section .boot).  It
 *   1. checks the CPU can do long mode (and says so on COM1 if not),
 *   2. builds early page tables: an identity map of the low 4 GiB, so that the
 *      C code can still read the boot information wherever the loader put it,
 *      and the same first GiB at KERNEL_VMA for the kernel image,
 *   3. enables PAE, long mode and NX (when present), then paging,
 *   4. jumps to the higher half and calls kmain(magic, info_phys).
 * The C side replaces these tables with its own and drops the identity map.
 */
#include "arch/x86_64/boot_defs.h"

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003 /* page-align modules, provide memory info */
#define MB2_MAGIC 0xE85250D6

    .section .multiboot, "a"
    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                             /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    /* Module alignment tag: modules start on page boundaries. */
    .align 8
    .short 6
    .short 0
    .long 8
    /* Console flags: EGA text is fine (BIOS keeps its text mode), none is
     * required.  With the optional framebuffer tag below, a loader on
     * firmware without a text mode (GRUB under UEFI) has a console to offer
     * and does not warn that "no console will be available".  The kernel
     * itself uses only the serial console and ignores both. */
    .align 8
    .short 4
    .short 0
    .long 12
    .long 2
    /* Framebuffer tag, optional, no preferred mode. */
    .align 8
    .short 5
    .short 1
    .long 20
    .long 0
    .long 0
    .long 0
    /* End tag. */
    .align 8
    .short 0
    .short 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global boot_entry32
boot_entry32:
    cli
    cld
    movl %eax, %edi                     /* loader magic: first kmain argument */
    movl %ebx, %esi                     /* info pointer: second argument */
    movl $boot_stack_top, %esp
    pushl $RFLAGS_FIXED                 /* whatever flags the loader left: none */
    popfl

    /* Long mode needs CPUID leaf 0x80000001 and its LM bit. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz no_long_mode
    movl %edx, %ebp                     /* keep extended features for NX below */

    /* PD entries: 2048 x 2 MiB pages covering 0..4 GiB (four page directories). */
    movl $boot_pd, %ebx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_P | PTE_W | PTE_PS), %eax
    movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                      /* high bits of the physical address */
    movl %eax, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 1b

    /* Low PDPT: four entries, one per page directory (identity 0..4 GiB). */
    movl $boot_pdpt_low, %ebx
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $12, %eax
    addl $boot_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, (%ebx, %ecx, 8)
    incl %ecx
    cmpl $4, %ecx
    jb 2b

    /* High PDPT: entry 510 maps KERNEL_VMA to the first GiB. */
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pdpt_high + 510 * 8

    /* PML4: identity (entry 0) and direct map (entry 256) share the low
     * PDPT; entry 511 holds the kernel image. */
    movl $boot_pdpt_low, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pml4
    movl %eax, boot_pml4 + 256 * 8
    movl $boot_pdpt_high, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pml4 + 511 * 8

    /* CR4: PAE and global pages. */
    movl %cr4, %eax
    orl $(CR4_PAE | CR4_PGE), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3

    /* EFER: long mode, plus NX if the CPU has it (setting NXE otherwise #GPs). */
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    testl $(1 << 20), %ebp
    jz 3f
    orl $EFER_NXE, %eax
3:  wrmsr

    movl %cr0, %eax
    orl $(CR0_PG | CR0_WP | CR0_PE), %eax
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $boot_entry64

no_long_mode:
    movl $no_lm_msg, %esi
4:  movb (%esi), %al
    testb %al, %al
    jz 6f
    movw $0x3fd, %dx                    /* COM1 line status: wait for THR empty */
5:  inb %dx, %al
    testb $0x20, %al
    jz 5b
    movb (%esi), %al
    movw $0x3f8, %dx
    outb %al, %dx
    incl %esi
    jmp 4b
6:  movw $0xf4, %dx                     /* isa-debug-exit, when present */
    movb $1, %al
    outb %al, %dx
7:  hlt
    jmp 7b

    .code64
boot_entry64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $boot_high, %rax
    jmp *%rax

    .section .boot.rodata, "a"
no_lm_msg:
    .asciz "capOS: this CPU has no 64-bit long mode; cannot boot.\r\n"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff            /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .boot.bss, "aw", @nobits
    .align 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096 * 4
boot_stack:     .skip 4096
boot_stack_top:

    .section .text.entry, "ax"
    .code64
boot_high:
    movabsq $__stack_top, %rsp
    xorl %ebp, %ebp
    /* EDI/ESI (magic, info) survived the mode switch; zero-extend them. */
    movl %edi, %edi
    movl %esi, %esi
    call kmain
8:  cli
    hlt
    jmp 8b
