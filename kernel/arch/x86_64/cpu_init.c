/*
 * Boot-CPU bring-up on x86_64: per-CPU descriptor tables, the GS base that
 * makes this_cpu() work, the IDT, then (once paging is ours) the CR4
 * protections and the interrupt controllers.
 */
#include "arch/x86_64/cpu_init.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "percpu.h"

struct cpu cpus[MAX_CPUS];
unsigned cpu_count = 1;

/* The boot CPU's IST stacks; application processors get theirs from the heap. */
static uint8_t bsp_ist_stacks[3][IST_STACK_SIZE] ALIGNED(16);

extern const char __stack_top[];

void cpu_early_init(void)
{
    struct cpu *c = &cpus[0];

    c->self = c;
    c->id = 0;
    for (int i = 0; i < 3; i++)
        c->arch.ist_stacks[i] = bsp_ist_stacks[i];
    gdt_init_cpu(c);
    gdt_set_kernel_stack(c, (uint64_t)(uintptr_t)__stack_top);
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    idt_init();
    idt_load();
}

void cpu_enable_protections(void)
{
    uint64_t cr4 = read_cr4();
    if (cpu_has_smep)
        cr4 |= CR4_SMEP;
    if (cpu_has_smap)
        cr4 |= CR4_SMAP;
    if (cpu_has_pge)
        cr4 |= CR4_PGE;
    write_cr4(cr4);
    /* AM: a ring-3 program that sets RFLAGS.AC gets #AC for misaligned
     * accesses, as it asked (ring 0 is never checked; there AC means only
     * SMAP's user-access window). */
    write_cr0(read_cr0() | CR0_WP | CR0_AM);
}

void cpu_interrupts_init(void)
{
    pic_disable();
    lapic_init();
    cpus[0].hw_id = lapic_id();
    cpus[0].online = true;
}
