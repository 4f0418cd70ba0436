/*
 * Machine-level controls on x86_64 PCs: interrupt flag, idle wait, and how
 * the machine ends.  Under QEMU the isa-debug-exit device at port 0xF4 turns
 * a write into an exit status; on hardware (no such device) the write does
 * nothing and the CPU halts with interrupts off.
 */
#include "arch.h"

#include "arch/x86_64/cpu.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4

void arch_irq_disable(void)
{
    irq_disable();
}

void arch_irq_enable(void)
{
    irq_enable();
}

void arch_wait_for_interrupt(void)
{
    /* sti takes effect after the next instruction, so no wake-up is lost
     * between enabling interrupts and halting. */
    __asm__ volatile("sti; hlt" ::: "memory");
}

NORETURN void arch_halt_forever(void)
{
    irq_disable();
    for (;;)
        cpu_halt();
}

NORETURN void arch_system_exit(int code)
{
    irq_disable();
    outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)code);
    for (;;)
        cpu_halt();
}
