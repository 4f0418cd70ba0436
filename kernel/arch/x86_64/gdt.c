/*
 * Per-CPU GDT and TSS.
 *
 * Selector layout (fixed by SYSCALL/SYSRET, see arch_cpu.h): kernel code and
 * data, then an empty slot, user data and user 64-bit code, so that
 * STAR[63:48] = GDT_UCODE32 yields SS = GDT_UDATA and CS = GDT_UCODE on
 * SYSRET (which never reads the descriptors).  The slot stays empty: a
 * 32-bit user code segment would let ring 3 far-jump into compatibility
 * mode, where SYSCALL enters the kernel at MSR_CSTAR on AMD, on the user's
 * stack.  Every descriptor ring 3 can load (user data and code) has base 0,
 * which the FS/GS-base and GS-swap rules rely on (context.c, trap_entry.S).
 * The TSS carries the ring-0 stack for interrupts from user mode and the IST
 * stacks.
 */
#include "arch/x86_64/gdt.h"

#include "base/mem.h"
#include "percpu.h"

struct gdt_ptr {
    uint16_t limit;
    uint64_t base;
} PACKED;

static uint64_t gdt_tss_low(uint64_t base, uint32_t limit)
{
    return (limit & 0xFFFFULL) | ((base & 0xFFFFFFULL) << 16) | (0x89ULL << 40) |
           ((uint64_t)((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFFULL) << 56);
}

void gdt_init_cpu(struct cpu *c)
{
    struct arch_cpu *a = &c->arch;
    uint64_t tss_base = (uint64_t)(uintptr_t)&a->tss;
    struct gdt_ptr ptr;

    memset(a->gdt, 0, sizeof(a->gdt));
    a->gdt[GDT_KCODE / 8] = 0x00af9a000000ffffULL; /* 64-bit code, DPL 0 */
    a->gdt[GDT_KDATA / 8] = 0x00cf92000000ffffULL; /* data, DPL 0 */
    a->gdt[GDT_UDATA / 8] = 0x00cff2000000ffffULL; /* data, DPL 3 */
    a->gdt[GDT_UCODE / 8] = 0x00affa000000ffffULL; /* 64-bit code, DPL 3 */
    a->gdt[GDT_TSS / 8] = gdt_tss_low(tss_base, sizeof(struct tss) - 1);
    a->gdt[GDT_TSS / 8 + 1] = tss_base >> 32;

    memset(&a->tss, 0, sizeof(a->tss));
    a->tss.iomap_base = sizeof(struct tss); /* no I/O permission bitmap */
    for (int i = 0; i < 3; i++)
        a->tss.ist[i] = (uint64_t)(uintptr_t)(a->ist_stacks[i] + IST_STACK_SIZE);

    ptr.limit = sizeof(a->gdt) - 1;
    ptr.base = (uint64_t)(uintptr_t)a->gdt;
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movw %w2, %%ds\n\t"
                     "movw %w2, %%es\n\t"
                     "movw %w2, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(ptr), "i"(GDT_KCODE), "r"(GDT_KDATA), "r"(GDT_TSS)
                     : "rax", "memory");
}
