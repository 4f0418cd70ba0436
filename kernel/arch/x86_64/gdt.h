/* GDT/TSS set-up for one CPU (see gdt.c). */
#ifndef CAPOS_ARCH_X86_64_GDT_H
#define CAPOS_ARCH_X86_64_GDT_H

#include "base/compiler.h"
#include "percpu.h"

struct cpu;

/* Loads a fresh GDT and TSS on the calling CPU; c->arch.ist_stacks must be set. */
void gdt_init_cpu(struct cpu *c);

/* Sets the stack used when this CPU enters the kernel from user mode
 * (the TSS's for interrupts, struct cpu's for SYSCALL); inline, for the
 * context switch. */
static inline void gdt_set_kernel_stack(struct cpu *c, uint64_t top)
{
    c->arch.tss.rsp[0] = top;
    c->kernel_stack_top = top;
}

#endif
