/*
 * Thread context (see context.h).  A new user thread's kernel stack holds,
 * from the top: a struct trap_frame describing its first user-mode state,
 * then the return address thread_enter_user, RFLAGS and the six
 * callee-saved registers that arch_switch_stacks pops.  A new kernel
 * thread's holds only the return address thread_enter_kernel, RFLAGS and
 * the registers, two of which carry its function and argument.
 *
 * What a thread leaves in the CPU must not reach the next one:
 * - x87/SSE state is saved and restored eagerly on every switch between
 *   user threads (FXSAVE, 512 bytes; the kernel itself never touches those
 *   registers).  A pending x87 exception travels inside the image and is
 *   raised only by its own thread's next x87 instruction; FXRSTOR of an
 *   image FXSAVE produced cannot fault.  AMD CPUs that do not save the x87
 *   error pointers (FIP, FDP, FOP) unless an exception is pending also do
 *   not restore them: those are overwritten before each restore.
 * - The FS base.  Ring 3 can change it without the kernel (loading any
 *   segment selector into FS), but only to 0: every descriptor it may load
 *   has base 0, and a null selector zeroes the base (Intel) or keeps it
 *   (AMD).  So MSR_FS_BASE holds what the kernel last wrote or 0, and the
 *   write is skipped only when both that and the next thread's base are 0.
 *   The GS base of ring 3 is 0 for the same reason and never written.
 * - RFLAGS: switch.S.
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

extern const char thread_enter_user[], thread_enter_kernel[];

/* Set on CPUs whose FXSAVE may leave the x87 error pointers out. */
bool fpu_pointers_leak;

void arch_fpu_init_cpu(void)
{
    uint64_t cr0 = read_cr0();
    cr0 &= ~(uint64_t)(CR0_EM | CR0_TS);
    cr0 |= CR0_MP | CR0_NE;
    write_cr0(cr0);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);

    /* AMD, unless CPUID 0x80000008 EBX bit 2 says FXSAVE always saves the
     * error pointers. */
    struct cpuid_regs r = cpuid(0, 0);
    bool amd = r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163;
    bool always_saved =
        cpuid(0x80000000, 0).eax >= 0x80000008 && (cpuid(0x80000008, 0).ebx & (1u << 2));
    if (amd && !always_saved)
        fpu_pointers_leak = true;
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
    f->rflags = RFLAGS_IF | RFLAGS_FIXED;
    f->rsp = sp;
    f->ss = GDT_UDATA | 3;
    f->rdi = arg0;
    f->rsi = arg1;

    /* arch_switch_stacks pops r15, r14, r13, r12, rbx, rbp and RFLAGS,
     * then returns.  The thread's kernel code starts with every flag clear
     * (interrupts off), as after SYSCALL. */
    *--sw = (uint64_t)(uintptr_t)thread_enter_user;
    *--sw = RFLAGS_FIXED;
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

void arch_thread_restart_user(struct thread *t, uint64_t entry, uint64_t sp, uint64_t arg0,
                              uint64_t arg1, uint64_t arg2)
{
    /* The system call's frame, which the return to user mode reads. */
    struct trap_frame *f = (struct trap_frame *)(t->kstack_top - sizeof(struct trap_frame));
    memset(f, 0, sizeof(*f));
    f->rip = entry;
    f->cs = GDT_UCODE | 3;
    f->rflags = RFLAGS_IF | RFLAGS_FIXED;
    f->rsp = sp;
    f->ss = GDT_UDATA | 3;
    f->rdi = arg0;
    f->rsi = arg1;
    f->rdx = arg2;
    /* The live x87/SSE state is the thread's (the kernel never touches
     * it): the default image is loaded now, with interrupts off (a switch
     * meanwhile would save the old state over it). */
    memset(t->fpu, 0, sizeof(t->fpu));
    t->fpu[0] = 0x7f;
    t->fpu[1] = 0x03;
    t->fpu[24] = 0x80;
    t->fpu[25] = 0x1f;
    uint64_t flags = irq_save();
    __asm__ volatile("fxrstor64 %0" : : "m"(t->fpu));
    t->fs_base = 0;
    arch_set_fs_base(0);
    irq_restore(flags);
}

void arch_space_activate(uint64_t root)
{
    paging_activate(root);
}

void arch_thread_setup_kernel(struct thread *t, void (*fn)(void *), void *arg)
{
    uint64_t *sw = (uint64_t *)t->kstack_top;

    /* arch_switch_stacks pops r15, r14, r13, r12, rbx, rbp and RFLAGS,
     * then returns into thread_enter_kernel, which calls fn(arg) from rbx
     * and r12 with interrupts off. */
    *--sw = 0; /* keeps the stack 16-byte aligned at thread_enter_kernel */
    *--sw = (uint64_t)(uintptr_t)thread_enter_kernel;
    *--sw = RFLAGS_FIXED;
    *--sw = 0;                        /* rbp */
    *--sw = (uint64_t)(uintptr_t)fn;  /* rbx */
    *--sw = (uint64_t)(uintptr_t)arg; /* r12 */
    *--sw = 0;                        /* r13 */
    *--sw = 0;                        /* r14 */
    *--sw = 0;                        /* r15 */
    t->saved_rsp = (uint64_t)(uintptr_t)sw;
}
