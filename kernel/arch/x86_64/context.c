/*
 * Thread context (see context.h).  A new user thread's kernel stack holds,
 * from the top: a struct trap_frame describing its first user-mode state,
 * then the six callee-saved registers and the return address
 * thread_enter_user that arch_switch_stacks pops.  x87/SSE state is saved
 * and restored eagerly on every switch between user threads (FXSAVE, 512
 * bytes); the kernel itself never touches those registers.
 */
#include "arch/x86_64/context.h"

#include "arch/x86_64/arch_cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "base/mem.h"
#include "percpu.h"
#include "process.h"
#include "thread.h"

void arch_switch_stacks(uint64_t *prev_rsp, uint64_t next_rsp, uint8_t *prev_on_cpu);
extern const char thread_enter_user[];

void arch_fpu_init_cpu(void)
{
    uint64_t cr0 = read_cr0();
    cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
    cr0 |= CR0_MP | CR0_NE;
    write_cr0(cr0);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void arch_thread_set_start_rdx(struct thread *t, uint64_t v)
{
    struct trap_frame *f = (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
    f->rdx = v;
}

void arch_set_fs_base(uint64_t base)
{
    wrmsr(MSR_FS_BASE, base);
    this_cpu()->arch.fs_base = base;
}

void arch_thread_setup_user(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg0,
                            uint64_t arg1)
{
    struct trap_frame *f = (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
    uint64_t *sw = (uint64_t *)f;

    memset(f, 0, sizeof(*f));
    f->rip = entry;
    f->cs = GDT_UCODE | 3;
    f->rflags = 0x202; /* IF set, reserved bit 1 */
    f->rsp = sp;
    f->ss = GDT_UDATA | 3;
    f->rdi = arg0;
    f->rsi = arg1;

    /* arch_switch_stacks pops r15, r14, r13, r12, rbx, rbp, then returns. */
    *--sw = (uint64_t)(uintptr_t)thread_enter_user;
    for (int i = 0; i < 6; i++)
        *--sw = 0;
    t->saved_rsp = (uint64_t)(uintptr_t)sw;

    /* Default x87 control word and MXCSR: all exceptions masked. */
    memset(t->fpu, 0, sizeof(t->fpu));
    t->fpu[0] = 0x7f;
    t->fpu[1] = 0x03;
    t->fpu[24] = 0x80;
    t->fpu[25] = 0x1f;
}

/*
 * A process's cpus_active has a CPU's bit set from before that CPU loads
 * the process's page tables until after it has loaded others, so a CPU
 * that may hold TLB entries of the process is always in the mask that TLB
 * shootdowns read.
 */
void arch_switch(struct thread *prev, struct thread *next)
{
    struct cpu *c = this_cpu();
    uint64_t bit = 1ULL << c->id;
    struct process *pp = prev->proc, *np = next->proc;

    if (pp)
        __asm__ volatile("fxsave64 %0" : "=m"(prev->fpu));
    if (np) {
        __asm__ volatile("fxrstor64 %0" : : "m"(next->fpu));
        if (np != pp)
            __atomic_fetch_or(&np->cpus_active, bit, __ATOMIC_SEQ_CST);
        paging_activate(np->root);
        if (next->fs_base != c->arch.fs_base) {
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
