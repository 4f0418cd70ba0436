/*
 * Boot-CPU bring-up on x86_64 (kernel/arch.h's steps for kmain):
 * per-CPU descriptor tables, the GS base that makes this_cpu() work, the
 * IDT, then (once paging is ours) the CR4 protections, the interrupt
 * controllers and the clocks.
 */
#include "arch/x86_64/cpu_init.h"

#include "abi/clock.h"
#include "arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/context.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/rtc.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "base/mem.h"
#include "percpu.h"
#include "printk.h"

struct cpu cpus[MAX_CPUS];
unsigned cpu_count = 1;

/* The boot CPU's IST stacks; application processors get theirs from the heap. */
static uint8_t bsp_ist_stacks[3][IST_STACK_SIZE] ALIGNED(16);

extern const char __stack_top[];

void arch_early_init(void)
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

void arch_interrupts_init(void)
{
    pic_disable();
    lapic_init();
    cpus[0].hw_id = lapic_id();
    cpus[0].online = true;
}

/* The boot report's line about the CPU: vendor and the features the
 * kernel uses or offers. */
static void report_cpu(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    char vendor[13];
    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = '\0';
    bool rdrand = cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND;
    bool rdseed = r.eax >= 7 && (cpuid(7, 0).ebx & CPUID_7_EBX_RDSEED);
    kprintf("cpu: %s; nx=%d smep=%d smap=%d pge=%d 1g-pages=%d rdrand=%d rdseed=%d "
            "invariant-tsc=%d\n",
            vendor, cpu_has_nx, cpu_has_smep, cpu_has_smap, cpu_has_pge, cpu_has_1g, rdrand, rdseed,
            tsc_invariant());
}

void arch_paging_init(void)
{
    paging_init();
    cpu_enable_protections();
    report_cpu();
}

void arch_time_init(unsigned hz)
{
    tsc_calibrate();
    lapic_timer_calibrate();
    lapic_timer_start(hz);
}

void arch_clock_page_fill(struct capos_clock_page *pg)
{
    struct tsc_params tp = tsc_params();
    pg->mode = CAPOS_CLOCK_MODE_TSC;
    pg->tsc_shift = tp.shift;
    pg->tsc_base = tp.base;
    pg->tsc_mult = tp.mult;
    pg->tsc_hz = arch_clock_hz();
}

bool arch_wall_clock_s(uint64_t *epoch_s)
{
    return rtc_read_epoch(epoch_s);
}

void arch_user_init_cpu(void)
{
    arch_fpu_init_cpu();
    syscall_init_cpu();
}
