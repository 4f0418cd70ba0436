/*
 * The x86_64 half of kernel/arch.h, which alone includes it: what the
 * portable kernel uses on its hot paths and so must be inline (the
 * interrupt flag, the spin-wait hint, the running CPU, the clock), the
 * architecture's part of struct cpu, and the kernel's virtual layout.
 * Each is one instruction or a few; anything with policy lives elsewhere.
 */
#ifndef CAPOS_ARCH_X86_64_ARCH_INLINE_H
#define CAPOS_ARCH_X86_64_ARCH_INLINE_H

#include "base/compiler.h"
#include "arch/x86_64/arch_cpu.h"
#include "arch/x86_64/boot_defs.h"

#define ARCH_NAME "x86_64"

/* A spinning CPU's hint that it waits (`pause`). */
static inline void cpu_relax(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static inline void irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/*
 * An interrupt window in code that runs with interrupts off: pending
 * interrupts are taken after the instruction that follows sti, before cli.
 * That instruction is a nop, not pause: QEMU's TCG leaves the loop after a
 * pause with sti's one-instruction shadow still set, and the interrupts
 * would wait for the next window.
 */
static inline void irq_window(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

/* Saves RFLAGS and disables interrupts; pair with irq_restore. */
static inline uint64_t irq_save(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

static inline void irq_restore(uint64_t flags)
{
    if (flags & RFLAGS_IF)
        __asm__ volatile("sti" ::: "memory");
}

/* The running CPU's struct cpu: the GS base points at it while in the
 * kernel, and its first field points at itself. */
struct cpu;
static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

/* The time-stamp counter: cycles, or under QEMU's -icount guest
 * instructions. */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Nanoseconds since the clock was calibrated (tsc.c sets the base and the
 * 32.32 multiplier once, at boot). */
extern uint64_t tsc_base, tsc_mult;
static inline uint64_t arch_clock_ns(void)
{
    uint64_t d = rdtsc() - tsc_base;
    return (uint64_t)(((unsigned __int128)d * tsc_mult) >> 32);
}

/* A free-running counter of the CPU's work, for reports: the TSC. */
static inline uint64_t arch_cycle_counter(void)
{
    return rdtsc();
}

#endif
