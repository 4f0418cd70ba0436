/*
 * x86_64 architectural constants shared by assembly and C: control-register
 * and EFER bits, page-table entry bits, and the kernel's virtual layout.
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
#define MSR_FS_BASE        0xC0000100
#define MSR_GS_BASE        0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_APIC_BASE      0x1B
#define MSR_TSC_DEADLINE   0x6E0

#define EFER_SCE           (1 << 0)
#define EFER_LME           (1 << 8)
#define EFER_NXE           (1 << 11)

#define PTE_P              (1 << 0)
#define PTE_W              (1 << 1)
#define PTE_U              (1 << 2)
#define PTE_PWT            (1 << 3)
#define PTE_PCD            (1 << 4)
#define PTE_A              (1 << 5)
#define PTE_D              (1 << 6)
#define PTE_PS             (1 << 7)
#define PTE_G              (1 << 8)

/* GDT selectors (see gdt.c; SYSRET derives the user ones from GDT_UCODE32). */
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

#endif
