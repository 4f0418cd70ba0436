/*
 * x86_64 architectural constants shared by assembly and C: control-register,
 * MSR, EFER and RFLAGS bits, page-table entry bits, GDT selectors and the
 * kernel's virtual layout.
 * Only #defines here, so boot.S can include it.
 */
#ifndef CAPOS_ARCH_X86_64_BOOT_DEFS_H
#define CAPOS_ARCH_X86_64_BOOT_DEFS_H

#define CR0_PE             (1 << 0)
#define CR0_MP             (1 << 1)
#define CR0_EM             (1 << 2)
#define CR0_TS             (1 << 3)
#define CR0_NE             (1 << 5)
#define CR0_WP             (1 << 16)
#define CR0_AM             (1 << 18)
#define CR0_PG             (1 << 31)

#define CR4_PAE            (1 << 5)
#define CR4_PGE            (1 << 7)
#define CR4_OSFXSR         (1 << 9)
#define CR4_OSXMMEXCPT     (1 << 10)
#define CR4_UMIP           (1 << 11)
#define CR4_FSGSBASE       (1 << 16)
#define CR4_PCIDE          (1 << 17)
#define CR4_OSXSAVE        (1 << 18)
#define CR4_SMEP           (1 << 20)
#define CR4_SMAP           (1 << 21)

#define MSR_EFER           0xC0000080
#define MSR_STAR           0xC0000081
#define MSR_LSTAR          0xC0000082
#define MSR_SFMASK         0xC0000084
#define MSR_SYSENTER_CS    0x174
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE      0x1B
#define MSR_TSC_DEADLINE   0x6E0

#define EFER_SCE           (1 << 0)
#define EFER_LME           (1 << 8)
#define EFER_NXE           (1 << 11)
#define EFER_FFXSR         (1 << 14) /* AMD: FXSAVE/FXRSTOR in ring 0 skip the XMM registers */

#define RFLAGS_CF          (1 << 0)
#define RFLAGS_FIXED       (1 << 1) /* reserved, always 1 */
#define RFLAGS_PF          (1 << 2)
#define RFLAGS_AF          (1 << 4)
#define RFLAGS_ZF          (1 << 6)
#define RFLAGS_SF          (1 << 7)
#define RFLAGS_TF          (1 << 8)
#define RFLAGS_IF          (1 << 9)
#define RFLAGS_DF          (1 << 10)
#define RFLAGS_OF          (1 << 11)
#define RFLAGS_IOPL        (3 << 12)
#define RFLAGS_NT          (1 << 14)
#define RFLAGS_RF          (1 << 16)
#define RFLAGS_VM          (1 << 17)
#define RFLAGS_AC          (1 << 18)
#define RFLAGS_VIF         (1 << 19)
#define RFLAGS_VIP         (1 << 20)
#define RFLAGS_ID          (1 << 21)

#define PTE_P              (1 << 0)
#define PTE_W              (1 << 1)
#define PTE_U              (1 << 2)
#define PTE_PWT            (1 << 3)
#define PTE_PCD            (1 << 4)
#define PTE_A              (1 << 5)
#define PTE_D              (1 << 6)
#define PTE_PS             (1 << 7)
#define PTE_G              (1 << 8)

/* GDT selectors (see gdt.c; SYSRET derives the user ones from GDT_UCODE32,
 * whose descriptor is left empty). */
#define GDT_KCODE   0x08
#define GDT_KDATA   0x10
#define GDT_UCODE32 0x18
#define GDT_UDATA   0x20
#define GDT_UCODE   0x28
#define GDT_TSS     0x30

/* Virtual layout (see docs/boot.md). */
#define KERNEL_VMA     0xffffffff80000000
#define DIRECT_MAP_VMA 0xffff800000000000
#define MMIO_VMA       0xffffff0000000000

/* Every defined flag but the reserved bit 1: what SYSCALL clears (SFMASK),
 * so the kernel starts from RFLAGS = RFLAGS_FIXED. */
#define RFLAGS_ALL                                                                                 \
    (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_IF |           \
     RFLAGS_DF | RFLAGS_OF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM | RFLAGS_AC |         \
     RFLAGS_VIF | RFLAGS_VIP | RFLAGS_ID)

/* The flags ring 3 may hold and the kernel returns as they were: those
 * POPF/IRETQ can change at CPL 3 with IOPL 0 (the arithmetic flags, TF, DF,
 * NT, AC, ID) and RF, which the CPU itself saves when an interrupt cuts a
 * string instruction short.  Every return to user mode keeps only these
 * and sets IF and the reserved bit: IOPL, VM, VIF and VIP never reach ring
 * 3 whatever a saved frame says. */
#define RFLAGS_USER                                                                                \
    (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_DF |           \
     RFLAGS_OF | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

#endif
