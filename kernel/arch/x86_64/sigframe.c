/*
 * Diverting a thread to its process's signal entry on x86_64 (signal.h,
 * lib/abi/signal.h): the interrupted user registers go into a struct
 * capos_sigframe written below the red zone of the user stack, and the
 * trap frame is changed to enter the handler.  Nothing is ever read back:
 * the process restores its registers itself in user mode, so no frame it
 * forges can give it anything a ring-3 jump could not (the exits in
 * syscall_entry.S and trap_entry.S force the user selectors and flags
 * and stop a non-canonical RIP as before).  A stack that cannot take the
 * frame (unmapped, read-only, not in the user range) stops the process,
 * as Linux kills a process whose signal frame cannot be written.
 */
#include "arch/x86_64/boot_defs.h"
#include "arch/x86_64/trap.h"
#include "base/mem.h"
#include "process.h"
#include "sched.h"
#include "signal.h"
#include "thread.h"
#include "usercopy.h"

#define RED_ZONE 128

void arch_signal_deliver(void *frame)
{
    struct trap_frame *f = frame;
    struct thread *t = sched_current();
    struct capos_sigframe sf;
    uint64_t entry;

    if (!t->proc || likely(!signal_ready(&t->proc->sig, t->sig_blocked)))
        return;
    memset(&sf, 0, sizeof(sf));
    sf.signals = signal_take(t, f->rip, sf.info, &entry);
    if (!sf.signals)
        return;
    sf.rip = f->rip;
    sf.rflags = f->rflags & RFLAGS_USER;
    sf.rsp = f->rsp;
    sf.rax = f->rax;
    sf.rbx = f->rbx;
    sf.rcx = f->rcx;
    sf.rdx = f->rdx;
    sf.rsi = f->rsi;
    sf.rdi = f->rdi;
    sf.rbp = f->rbp;
    sf.r8 = f->r8;
    sf.r9 = f->r9;
    sf.r10 = f->r10;
    sf.r11 = f->r11;
    sf.r12 = f->r12;
    sf.r13 = f->r13;
    sf.r14 = f->r14;
    sf.r15 = f->r15;
    uint64_t sp = f->rsp - RED_ZONE - sizeof(sf);
    if (f->rsp < RED_ZONE + sizeof(sf) + 16 || !user_range_ok(sp & ~15ULL, sizeof(sf)) ||
        !copy_to_user(sp & ~15ULL, &sf, sizeof(sf)))
        process_fault(t->proc, "signal: the stack cannot hold a signal frame");
    sp &= ~15ULL;
    f->rip = entry;
    f->rsp = sp - 8;
    f->rdi = sp;
    f->rflags = RFLAGS_IF | RFLAGS_FIXED;
}
