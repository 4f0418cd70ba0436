/*
 * What the portable kernel needs from the architecture, in one place.  Each
 * function here is implemented under kernel/arch/<arch>/.
 */
#ifndef CAPOS_KERNEL_ARCH_H
#define CAPOS_KERNEL_ARCH_H

#include "base/compiler.h"

/* Interrupt flag control for the current CPU. */
void arch_irq_disable(void);
void arch_irq_enable(void);

/* Halts every other CPU (panic path); a no-op until SMP is up. */
void arch_stop_other_cpus(void);

/* After user mappings of `p` were removed or narrowed: flushes them from
 * this CPU and from every other CPU that may cache them; returns when done. */
struct process;
void arch_tlb_flush_user(struct process *p, uint64_t va, uint64_t pages);

/* The same for kernel mappings, on every CPU. */
void arch_tlb_flush_kernel(uint64_t va, uint64_t pages);

/* Ends the machine: QEMU exit through isa-debug-exit, else halt forever. */
NORETURN void arch_system_exit(int code);

/* Stops this CPU for good: interrupts off, halted (NMIs return to the halt). */
NORETURN void arch_halt_forever(void);

/* Waits for the next interrupt with interrupts enabled. */
void arch_wait_for_interrupt(void);

bool panic_in_progress(void);

/* Starts the panic path: interrupts off, other CPUs stopped, printk lock-free.
 * Returns false if a panic is already under way (the caller must then exit
 * without reporting, to avoid recursion). */
bool panic_begin(void);

#endif
