/*
 * The x86_64 part of struct cpu: each CPU has its own GDT (the TSS descriptor
 * is per CPU and gets marked busy on load) and TSS, whose IST entries give
 * double faults, NMIs and machine checks known-good stacks even when the
 * kernel stack is exhausted.
 */
#ifndef CAPOS_ARCH_X86_64_ARCH_CPU_H
#define CAPOS_ARCH_X86_64_ARCH_CPU_H

#include "base/compiler.h"

#define GDT_KCODE        0x08
#define GDT_KDATA        0x10
#define GDT_UCODE32      0x18 /* empty slot: sysret derives user selectors from it */
#define GDT_UDATA        0x20
#define GDT_UCODE        0x28
#define GDT_TSS          0x30
#define GDT_ENTRIES      8

#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MCE          3
#define IST_STACK_SIZE   8192

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} PACKED;

_Static_assert(sizeof(struct tss) == 104, "TSS layout is fixed by the CPU");

struct arch_cpu {
    uint64_t gdt[GDT_ENTRIES] ALIGNED(16);
    struct tss tss ALIGNED(16);
    uint8_t *ist_stacks[3]; /* bases of the IST stacks (each IST_STACK_SIZE) */
    uint64_t fs_base;       /* what the kernel last wrote to MSR_FS_BASE (context.c) */
};

#endif
