/*
 * Trap dispatch: the C side of every interrupt and exception.
 *
 * Hardware interrupts go to their drivers.  An exception in kernel mode is a
 * kernel bug: it is reported (vector, error code decoded, faulting address,
 * all registers, backtrace) and the machine stops with a failure status.
 * An exception in user mode stops only the offending process (its status
 * records the vector and address); an NMI or a double fault is never the
 * interrupted code's doing and is reported as a kernel fault from either
 * ring.  A page fault on a page of a VirtualMemory region that has no
 * frame yet is demand paging, not an error: mm/fault.c fills the page and
 * the access is retried, whether the user touched it or a kernel copy did.
 * Any other page fault inside a user-memory copy is not a kernel bug
 * either: the copy is redirected to report failure.
 * Returning to user mode is a preemption point, and where a pending signal
 * diverts the thread to its process's signal entry (sigframe.c).
 */
#include "arch/x86_64/trap.h"

#include "arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "ksyms.h"
#include "mm/fault.h"
#include "mm/pmm.h"
#include "offwatch.h"
#include "panic.h"
#include "percpu.h"
#include "printk.h"
#include "process.h"
#include "sched.h"
#include "signal.h"
#include "stall.h"
#include "usercopy.h"
#include "time.h"

static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved (15)",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved (31)",
};

static void trap_print_sym(uint64_t addr)
{
    uintptr_t off;
    const char *name = ksyms_lookup(addr, &off);
    if (name)
        kprintf("<%s+%#lx>", name, (unsigned long)off);
    else
        kprintf("<?>");
}

static void trap_report(const struct trap_frame *f)
{
    uint64_t v = f->vector;

    kprintf("\n*** KERNEL FAULT: %s (vector %lu) on cpu %u\n",
            v < 32 ? exception_names[v] : "interrupt", (unsigned long)v, this_cpu()->id);
    kprintf("    error code: %#lx", (unsigned long)f->error);
    if (v == VEC_PAGE_FAULT) {
        kprintf(" [%s, %s, %s%s%s]", (f->error & 1) ? "protection violation" : "not present",
                (f->error & 2) ? "write" : "read", (f->error & 4) ? "user" : "kernel",
                (f->error & 8) ? ", reserved bit set" : "",
                (f->error & 16) ? ", instruction fetch" : "");
    }
    kprintf("\n");
    if (v == VEC_PAGE_FAULT)
        kprintf("    faulting address (cr2): %#018lx\n", (unsigned long)read_cr2());
    kprintf("    rip: %#018lx ", (unsigned long)f->rip);
    trap_print_sym(f->rip);
    kprintf("\n    cs: %#lx rflags: %#lx rsp: %#018lx ss: %#lx\n", (unsigned long)f->cs,
            (unsigned long)f->rflags, (unsigned long)f->rsp, (unsigned long)f->ss);
    kprintf("    rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", (unsigned long)f->rax,
            (unsigned long)f->rbx, (unsigned long)f->rcx, (unsigned long)f->rdx);
    kprintf("    rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", (unsigned long)f->rsi,
            (unsigned long)f->rdi, (unsigned long)f->rbp, (unsigned long)f->r8);
    kprintf("    r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", (unsigned long)f->r9,
            (unsigned long)f->r10, (unsigned long)f->r11, (unsigned long)f->r12);
    kprintf("    r13 %016lx r14 %016lx r15 %016lx\n", (unsigned long)f->r13, (unsigned long)f->r14,
            (unsigned long)f->r15);
    kprintf("    cr0 %016lx cr3 %016lx cr4 %016lx\n", (unsigned long)read_cr0(),
            (unsigned long)read_cr3(), (unsigned long)read_cr4());
    backtrace_print(f->rip, f->rbp);
}

static NORETURN void trap_kernel_fault(const struct trap_frame *f)
{
    if (!panic_begin()) {
        /* Faulted while already reporting: do not try again. */
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    trap_report(f);
    kprintf("*** system halted (failure)\n");
    system_exit(SYSTEM_EXIT_FAILURE);
}

/* An exception in user mode stops the process; the kernel goes on.  The
 * registers go to the log first (one call, so other CPUs' lines cannot cut
 * into them): with the program's symbols they usually say which pointer
 * was bad, and a fault the program did not ask for is otherwise hard to
 * explain after the fact. */
static NORETURN void trap_user_fault(struct trap_frame *f)
{
    uint64_t v = f->vector;
    uint64_t addr = v == VEC_PAGE_FAULT ? read_cr2() : f->rip;
    struct thread *t = sched_current();
    kprintf("user fault: %s thread %u cpu %u vector %lu error %#lx rip %016lx rsp %016lx "
            "rflags %#lx fs %#lx\n"
            "  rax %016lx rbx %016lx rcx %016lx rdx %016lx rsi %016lx rdi %016lx\n"
            "  rbp %016lx r8  %016lx r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n"
            "  r13 %016lx r14 %016lx r15 %016lx\n",
            t->proc->name, t->tid, this_cpu()->id, (unsigned long)v, (unsigned long)f->error,
            (unsigned long)f->rip, (unsigned long)f->rsp, (unsigned long)f->rflags,
            (unsigned long)rdmsr(MSR_FS_BASE), (unsigned long)f->rax, (unsigned long)f->rbx,
            (unsigned long)f->rcx, (unsigned long)f->rdx, (unsigned long)f->rsi,
            (unsigned long)f->rdi, (unsigned long)f->rbp, (unsigned long)f->r8,
            (unsigned long)f->r9, (unsigned long)f->r10, (unsigned long)f->r11,
            (unsigned long)f->r12, (unsigned long)f->r13, (unsigned long)f->r14,
            (unsigned long)f->r15);
    process_fault_trap(t->proc, (uint8_t)v, addr, f->rip,
                       v < 32 ? exception_names[v] : "exception");
}

/* What a page fault's error code says was attempted, as a VM_PROT_* bit. */
static uint32_t trap_fault_access(uint64_t error)
{
    if (error & PF_FETCH)
        return VM_PROT_EXEC;
    return (error & PF_WRITE) ? VM_PROT_WRITE : VM_PROT_READ;
}

/* A page fault from user mode: true if the page is there now and the
 * access can be retried.  A fault the quota (or the machine) has no frame
 * for ends the process with a kernel-detected fault at that address, as a
 * process that runs out of memory ends. */
static bool trap_user_page_fault(struct trap_frame *f)
{
    uint64_t addr = read_cr2();
    struct process *p = sched_current()->proc;
    /* A reserved bit, or an access the CPU made in supervisor mode on the
     * program's behalf (IRETQ reading its frame under SMAP, a descriptor
     * table): no page the kernel could map would make it succeed, and
     * retrying it would fault forever. */
    if ((f->error & PF_RESERVED) || !(f->error & PF_USER))
        return false;
    switch (vm_fault(p, addr, trap_fault_access(f->error))) {
    case VMF_OK: return true;
    case VMF_BUSY:
        /* An unmap or protect is working on the region: let it finish
         * (interrupts in; the return below is a preemption point) and
         * take the fault again. */
        sched_irq_window();
        return true;
    case VMF_QUOTA:
    case VMF_NOMEM:
        kprintf("user fault: %s thread %u: no frame for %#lx (memory quota or RAM exhausted)\n",
                p->name, sched_current()->tid, (unsigned long)addr);
        process_fault_trap(p, 255, addr & ~(PAGE_SIZE - 1), f->rip, "out of memory");
    case VMF_DENIED:
        /* A process being stopped is not filled: its thread ends on the
         * way out (process_check_alive), not as a fault of its own. */
        return __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != PROCESS_ALIVE;
    }
    return false;
}

/* trap_entry.S: the return to ring 3 found a non-canonical RIP in the
 * frame.  IRETQ would fault in ring 0, so the process is stopped as if its
 * own jump there had raised #GP. */
NORETURN void trap_user_frame_fault(struct trap_frame *f)
{
    f->vector = VEC_GP;
    f->error = 0;
    trap_user_fault(f);
}

/* A hardware interrupt or IPI. */
static void trap_interrupt(uint64_t v)
{
    switch (v) {
    case VEC_TIMER:
        lapic_eoi();
        time_tick();
        break;
    case VEC_CONSOLE:
        lapic_eoi();
        serial_input_interrupt();
        break;
    case VEC_IPI_RESCHED:
        /* The sender set need_resched; the exit path below acts on it. */
        lapic_eoi();
        break;
    case VEC_IPI_SHOOTDOWN:
        lapic_eoi();
        smp_poll();
        break;
    case VEC_SPURIOUS: break;
    default:
        if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16)
            break; /* spurious legacy PIC interrupt: masked, no EOI needed */
        kprintf("trap: unexpected interrupt vector %lu\n", (unsigned long)v);
        lapic_eoi();
        break;
    }
}

void trap_dispatch(struct trap_frame *f)
{
    uint64_t v = f->vector;
    /* Interrupts were on where it came from: kernel work starts here. */
    bool watch = trap_from_user(f) || (f->rflags & RFLAGS_IF);

    if (v == VEC_NMI && panic_in_progress())
        arch_halt_forever(); /* another CPU is reporting a panic: stop here */
    /* Neither is ever the interrupted code's doing, whatever ring it was
     * in (and a double fault's saved CS:RIP is not even defined). */
    if (v == VEC_NMI || v == VEC_DOUBLE_FAULT)
        trap_kernel_fault(f);
    if (watch)
        offwatch_begin(OFFWATCH_IRQ(v));
    if (v >= 32) {
        trap_interrupt(v);
    } else if (!trap_from_user(f)) {
        if (v == VEC_PAGE_FAULT && usercopy_fault(f, read_cr2(), trap_fault_access(f->error)))
            return; /* a user copy: the page is there now, or the copy fails */
        trap_kernel_fault(f);
    } else if (v != VEC_PAGE_FAULT || !trap_user_page_fault(f)) {
        trap_user_fault(f);
    }
    if (trap_from_user(f)) {
        sched_preempt_point();
        process_check_alive();
        arch_signal_deliver(f);
    }
    if (watch)
        offwatch_end();
}
