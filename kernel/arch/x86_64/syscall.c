/*
 * System call set-up and dispatch on x86_64.  There are exactly two system
 * calls (lib/abi/ring.h): cap_enter and exit.  Every other operation is a
 * ring opcode.  An unknown number returns -invalidOpcode in RAX.
 */
#include "arch/x86_64/arch_cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/trap.h"
#include "abi/errors.h"
#include "abi/ring.h"
#include "process.h"
#include "ring.h"
#include "sched.h"

void syscall_entry(void);
void syscall_dispatch(struct trap_frame *f);
void syscall_init_cpu(void);

void syscall_init_cpu(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSCALL loads CS = STAR[47:32], SS = +8; SYSRET loads CS = STAR[63:48]
     * + 16 and SS = STAR[63:48] + 8 (see the GDT layout in arch_cpu.h). */
    wrmsr(MSR_STAR, ((uint64_t)GDT_UCODE32 << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    /* Cleared on entry: TF (8), IF (9), DF (10), AC (18). */
    wrmsr(MSR_SFMASK, (1u << 8) | (1u << 9) | (1u << 10) | (1u << 18));
}

void syscall_dispatch(struct trap_frame *f)
{
    struct thread *self = sched_current();

    switch (f->rax) {
    case CAPOS_SYS_CAP_ENTER: f->rax = (uint64_t)ring_enter(self, f->rdi, f->rsi); break;
    case CAPOS_SYS_EXIT: process_exit(self->proc, (int32_t)f->rdi); break;
    default: f->rax = (uint64_t) - (int64_t)CAPOS_ERR_INVALID_OPCODE; break;
    }
    sched_preempt_point();
    process_check_alive();
}
