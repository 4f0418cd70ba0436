/*
 * 4-level page tables: what the x86_64 code needs beyond the interface in
 * kernel/arch.h (paging_map and the rest, implemented in paging.c).
 *
 * The kernel's half of every address space (PML4 entries 256-511) is fixed at
 * boot: paging_init allocates each top-level entry the kernel will ever use,
 * so later kernel mappings land in shared lower-level tables and every
 * address space sees them without copying.  Kernel layout:
 *   0xffff800000000000  direct map of RAM (RW, NX; 2 MiB pages)
 *   0xffffa00000000000  kernel virtual area: stacks with guard pages
 *   0xffffff0000000000  MMIO window (uncached, NX)
 *   0xffffffff80000000  kernel image (text RX, rodata R, data RW+NX)
 */
#ifndef CAPOS_ARCH_X86_64_PAGING_H
#define CAPOS_ARCH_X86_64_PAGING_H

#include "base/compiler.h"
#include "arch.h"
#include "arch/x86_64/boot_defs.h"
#include "arch/x86_64/cpu.h"

#define PTE_NX        (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Builds the kernel address space and switches to it (boot CPU, once). */
void paging_init(void);

/* The index of the first present entry of table[i..end), or end.  The
 * tables of a process are mostly empty, so teardown walks skip them eight
 * entries at a time. */
static inline int pt_next_present(const uint64_t *table, int i, int end)
{
    while (i + 8 <= end && !((table[i] | table[i + 1] | table[i + 2] | table[i + 3] | table[i + 4] |
                              table[i + 5] | table[i + 6] | table[i + 7]) &
                             PTE_P))
        i += 8;
    while (i < end && !(table[i] & PTE_P))
        i++;
    return i;
}

/* Switches to an address space (no-op if it is already active).  Inline:
 * every context switch between processes does it. */
static inline void paging_activate(uint64_t root)
{
    if ((read_cr3() & PTE_ADDR_MASK) != root)
        write_cr3(root);
}

/* True if va is mapped (present) in the active address space. */
bool paging_is_mapped(uintptr_t va);

/* Maps a physical MMIO range uncached into the MMIO window; NULL if the
 * window or memory is exhausted. */
void *mmio_map(uint64_t pa, uint64_t size);

/* CPU paging features found at boot. */
extern bool cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_pge, cpu_has_1g;

#endif
