/*
 * Thread context on x86_64, beyond what kernel/arch.h declares
 * (arch_thread_setup_user, ...) and switch.h defines (arch_switch): the
 * stack switch and the x87/SSE unit.
 */
#ifndef CAPOS_ARCH_X86_64_CONTEXT_H
#define CAPOS_ARCH_X86_64_CONTEXT_H

#include "base/compiler.h"
#include "arch.h"

void arch_switch_stacks(uint64_t *prev_rsp, uint64_t next_rsp, uint8_t *prev_on_cpu);

/* context.c: set on CPUs whose FXSAVE may leave the x87 error pointers out. */
extern bool fpu_pointers_leak;

/* Enables the x87/SSE unit for user code (CR0/CR4 bits); once per CPU. */
void arch_fpu_init_cpu(void);

#endif
