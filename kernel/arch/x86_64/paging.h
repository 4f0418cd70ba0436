/*
 * 4-level page tables.
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
#include "arch/x86_64/boot_defs.h"
#include "arch/x86_64/cpu.h"

#define PTE_NX        (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL
#define KVA_BASE      0xffffa00000000000ULL
#define KVA_SIZE      (512ULL << 30)

/* Abstract mapping permissions; translated to PTE bits (NX only if the CPU
 * has it). */
enum {
    MAP_READ = 0,
    MAP_WRITE = 1 << 0,
    MAP_EXEC = 1 << 1,
    MAP_USER = 1 << 2,
    MAP_UNCACHED = 1 << 3,
    MAP_GLOBAL = 1 << 4,
};

/* Builds the kernel address space and switches to it (boot CPU, once). */
void paging_init(void);

/* Physical address of the kernel's PML4 (the template for new spaces). */
uint64_t paging_kernel_root(void);

struct ledger;

/* Maps one 4 KiB page; returns KERR_NOMEM if a table could not be
 * allocated (or charged to `ledger`, when given), KERR_EXISTS if va is
 * already mapped. */
int paging_map(uint64_t root, uint64_t va, uint64_t pa, unsigned map_flags, struct ledger *ledger);

/* Maps frames[0..n) at n consecutive pages from va; returns how many were
 * mapped before a page table could not be allocated (or charged) or a page
 * was found mapped already (n on success). */
unsigned paging_map_pages(uint64_t root, uint64_t va, const uint64_t *frames, unsigned n,
                          unsigned map_flags, struct ledger *ledger);

/* Removes the mapping of va (returning the frame in *pa); false if unmapped.
 * The caller flushes TLBs. */
bool paging_unmap(uint64_t root, uint64_t va, uint64_t *pa);

/* Removes the mappings of the n pages from va, storing the frames of those
 * that were mapped in frames[]; returns how many.  The caller flushes TLBs. */
unsigned paging_unmap_pages(uint64_t root, uint64_t va, unsigned n, uint64_t *frames);

/* Changes the permissions of the mapped pages among the n from va; true if
 * any changed (the caller then flushes TLBs). */
bool paging_protect_pages(uint64_t root, uint64_t va, unsigned n, unsigned map_flags);

/* The lowest mapped page in [lo, hi) of a user address space (hi at most
 * the end of the user half), in *va; false if none.  Empty tables are
 * skipped without being read, so the cost is a few tables' worth of entries
 * whatever the range and however many tables exist.  The caller holds the
 * process lock. */
bool paging_find_mapped(uint64_t root, uint64_t lo, uint64_t hi, uint64_t *va);

/* The lowest unmapped page in [lo, hi) of a user address space, or hi if
 * every page is mapped.  Its cost grows with the mapped pages it passes
 * over: callers bound hi by what they know is mapped there. */
uint64_t paging_find_unmapped(uint64_t root, uint64_t lo, uint64_t hi);

/* The frame of the user page at va in `root`, if it is mapped for user
 * access (and writable, if `write`); false otherwise.  For copies into
 * another process (uspace.c), with its lock held. */
bool paging_user_page(uint64_t root, uint64_t va, bool write, uint64_t *pa);

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

/* A new address space: a PML4 sharing the kernel half.  The PML4 frame is
 * charged to `ledger`.  Returns false when out of memory or quota. */
bool paging_create_space(uint64_t *root, struct ledger *ledger);

/*
 * Frees a user address space that nobody uses any more (no CPU has it
 * loaded, nothing walks it): every leaf frame of the user half (each a
 * frame the process owned alone), every user page table and finally the
 * PML4, uncharging `ledger` for each.  Works in steps: start with *cursor
 * = 0; a step looks at about `budget` entries (a freed frame counts as
 * eight) and returns false with *cursor where the next step goes on, or
 * true once the PML4 itself is freed.  Empty page tables are freed
 * without being read.
 */
bool paging_teardown(uint64_t root, uint64_t *cursor, unsigned budget, struct ledger *ledger);

/* Switches to an address space (no-op if it is already active).  Inline:
 * every context switch between processes does it. */
static inline void paging_activate(uint64_t root)
{
    if ((read_cr3() & PTE_ADDR_MASK) != root)
        write_cr3(root);
}

/* Flushes one user page from this CPU's TLB. */
void paging_flush_page(uint64_t va);

/* True if va is mapped (present) in the active address space. */
bool paging_is_mapped(uintptr_t va);

/* Maps a physical MMIO range uncached into the MMIO window; NULL if the
 * window or memory is exhausted. */
void *mmio_map(uint64_t pa, uint64_t size);

/* CPU paging features found at boot. */
extern bool cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_pge, cpu_has_1g;

#endif
