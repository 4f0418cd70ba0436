/*
 * System call set-up and dispatch on x86_64.  There are exactly two system
 * calls (lib/abi/ring.h): cap_enter and exit.  Every other operation is a
 * ring opcode.  An unknown number returns -invalidOpcode in RAX.
 */
#include "arch/x86_64/arch_cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_init.h"
#include "arch/x86_64/trap.h"
#include "abi/errors.h"
#include "abi/ring.h"
#include "offwatch.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "signal.h"

void syscall_entry(void);
void syscall_dispatch(struct trap_frame *f);

void syscall_init_cpu(void)
{
    /* EFER.FFXSR (AMD) would make the FXSAVE/FXRSTOR of a context switch
     * skip the XMM registers, handing one thread's to the next. */
    wrmsr(MSR_EFER, (rdmsr(MSR_EFER) | EFER_SCE) & ~(uint64_t)EFER_FFXSR);
    /* SYSCALL loads CS = STAR[47:32], SS = +8; SYSRET loads CS = STAR[63:48]
     * + 16 and SS = STAR[63:48] + 8 (see the GDT layout in arch_cpu.h). */
    wrmsr(MSR_STAR, ((uint64_t)GDT_UCODE32 << 48) | ((uint64_t)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
    /* SYSCALL clears every flag, so the kernel starts from a known RFLAGS
     * whatever the caller set: IF (interrupts stay off), TF (no single step
     * in ring 0), DF (C code and `rep movs` count upwards), AC (SMAP stays
     * enforced), NT (IRETQ on another thread's exit path would #GP), ID and
     * the arithmetic flags (nothing of the caller's survives into another
     * thread).  The user's flags are in R11 and come back with SYSRET. */
    wrmsr(MSR_SFMASK, RFLAGS_ALL);
    /* SYSENTER is not an entry: with SYSENTER_CS = 0 it raises #GP in ring
     * 3 (Intel; AMD has no SYSENTER in long mode), whatever firmware left. */
    wrmsr(MSR_SYSENTER_CS, 0);
}

void syscall_dispatch(struct trap_frame *f)
{
    struct thread *self = sched_current();

    offwatch_begin(OFFWATCH_SYSCALL);
    switch (f->rax) {
    case CAPOS_SYS_CAP_ENTER: f->rax = (uint64_t)ring_enter(self, f->rdi, f->rsi); break;
    case CAPOS_SYS_EXIT: process_exit(self->proc, (int32_t)f->rdi); break;
    default: f->rax = (uint64_t) - (int64_t)CAPOS_ERR_INVALID_OPCODE; break;
    }
    sched_preempt_point();
    /* process_check_alive, for a thread that certainly has a process. */
    if (unlikely(self->proc->state != PROCESS_ALIVE))
        process_exit_current();
    arch_signal_deliver(f);
    offwatch_end();
}
