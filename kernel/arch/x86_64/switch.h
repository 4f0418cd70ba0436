/*
 * The x86_64 context switch, which kernel/switch.h alone includes: x87/SSE
 * state (see context.c for what must not leak between threads), the
 * address space and the CPUs that may cache it, the FS base, and the
 * kernel stack.
 */
#ifndef CAPOS_ARCH_X86_64_SWITCH_H
#define CAPOS_ARCH_X86_64_SWITCH_H

#include "base/compiler.h"
#include "arch/x86_64/context.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "percpu.h"
#include "process.h"
#include "thread.h"

/*
 * The switch from prev to next (kernel/switch.h); the rest of it (saving
 * and loading the kernel stacks) is arch_switch_stacks.  Inline: it runs
 * on every context switch.
 *
 * A process's cpus_active has a CPU's bit set from before that CPU loads
 * the process's page tables until after it has loaded others, so a CPU
 * that may hold TLB entries of the process is always in the mask that TLB
 * shootdowns read.
 */
static inline void arch_switch(struct thread *prev, struct thread *next)
{
    struct cpu *c = this_cpu();
    uint64_t bit = 1ULL << c->id;
    struct process *pp = prev->proc, *np = next->proc;

    if (pp)
        __asm__ volatile("fxsave64 %0" : "=m"(prev->fpu));
    if (np) {
        if (fpu_pointers_leak) {
            /* No exception pending, an empty stack, then an x87 load from
             * a kernel address sets FIP/FDP/FOP to the kernel's values. */
            static const uint32_t zero;
            __asm__ volatile("fnclex\n\temms\n\tfildl %0" : : "m"(zero));
        }
        __asm__ volatile("fxrstor64 %0" : : "m"(next->fpu));
        if (np != pp)
            __atomic_fetch_or(&np->cpus_active, bit, __ATOMIC_SEQ_CST);
        paging_activate(np->root);
        if (next->fs_base != 0 || c->arch.fs_base != 0) {
            wrmsr(MSR_FS_BASE, next->fs_base);
            c->arch.fs_base = next->fs_base;
        }
    } else {
        /* Kernel threads run on the kernel's own tables, so an exiting
         * process's tables are never live on an idle CPU. */
        paging_activate(paging_kernel_root());
    }
    if (pp && pp != np)
        __atomic_fetch_and(&pp->cpus_active, ~bit, __ATOMIC_RELEASE);
    gdt_set_kernel_stack(c, next->kstack_top);
    arch_switch_stacks(&prev->saved_rsp, next->saved_rsp, &prev->on_cpu);
}

#endif
