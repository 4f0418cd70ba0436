/*
 * Thread context on x86_64: building a new thread's first kernel-stack
 * frames and switching between threads (kernel stack, CR3, TSS stack
 * pointer, x87/SSE state).
 */
#ifndef CAPOS_ARCH_X86_64_CONTEXT_H
#define CAPOS_ARCH_X86_64_CONTEXT_H

#include "base/compiler.h"

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

/* Switches from prev (the running thread) to next. */
void arch_switch(struct thread *prev, struct thread *next);

/* Enables the x87/SSE unit for user code (CR0/CR4 bits); once per CPU. */
void arch_fpu_init_cpu(void);

#endif
