/*
 * Thread context on x86_64: building a new thread's first kernel-stack
 * frames and switching between threads (kernel stack, CR3, TSS stack
 * pointer, x87/SSE state).
 */
#ifndef CAPOS_ARCH_X86_64_CONTEXT_H
#define CAPOS_ARCH_X86_64_CONTEXT_H

#include "base/compiler.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "percpu.h"
#include "process.h"
#include "thread.h"

struct thread;

/* Prepares t's kernel stack so that switching to it enters user mode at
 * `entry` with rsp = sp, rdi = arg0, rsi = arg1 and clean FPU state. */
void arch_thread_setup_user(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg0,
                            uint64_t arg1);

/* Prepares t's kernel stack so that switching to it calls fn(arg) in the
 * kernel (after sched_switch_tail); fn never returns.  Kernel threads have
 * no process and run on the kernel's page tables. */
void arch_thread_setup_kernel(struct thread *t, void (*fn)(void *), void *arg);

/* Sets the rdx a thread that has not run yet will start with. */
void arch_thread_set_start_rdx(struct thread *t, uint64_t v);

/* Sets the running thread's FS base (t->fs_base is already updated). */
void arch_set_fs_base(uint64_t base);

void arch_switch_stacks(uint64_t *prev_rsp, uint64_t next_rsp, uint8_t *prev_on_cpu);

/* context.c: set on CPUs whose FXSAVE may leave the x87 error pointers out. */
extern bool fpu_pointers_leak;

/*
 * Switches from prev (the running thread) to next; the rest of the switch
 * (saving and loading the kernel stacks) is arch_switch_stacks.  Inline:
 * it runs on every context switch, from schedule() only.
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

/* Enables the x87/SSE unit for user code (CR0/CR4 bits); once per CPU. */
void arch_fpu_init_cpu(void);

#endif
