/*
 * Per-CPU state.  Each CPU owns one struct cpu; the running CPU finds its own
 * with this_cpu() (kernel/arch.h; on x86_64 through the GS base, which
 * always points at it while in the kernel).  Fields at the start have fixed offsets because
 * assembly (the syscall entry) addresses them directly; the _Static_asserts pin them.
 */
#ifndef CAPOS_KERNEL_PERCPU_H
#define CAPOS_KERNEL_PERCPU_H

#include "base/compiler.h"
#include "arch.h"
#include "sched/sched.h"
#include "spinlock.h"

#define MAX_CPUS 16

struct thread;

/* IPC path counters, kept per CPU so that counting never shares a line. */
struct ipc_stats {
    uint64_t direct;        /* calls delivered to a posted RECV at once */
    uint64_t queued;        /* calls that waited for a RECV */
    uint64_t fast_switches; /* wake-ups that switched straight to the woken thread */
    uint64_t fast_calls;    /* calls the fast path delivered */
    uint64_t fast_returns;  /* returns the fast path completed */
};

struct cpu {
    struct cpu *self;          /* offset 0: lets asm load the pointer with gs:0 */
    uint64_t kernel_stack_top; /* offset 8: stack for entries from user mode */
    uint64_t user_rsp_scratch; /* offset 16: user RSP saved on syscall entry */
    uint64_t lock_spins;       /* times this CPU found a spinlock taken */
    unsigned id;               /* dense logical index, 0 = boot CPU */
    uint32_t hw_id;            /* local APIC id */
    bool online;
    uint32_t start_state; /* start-up handshake with the boot CPU (smp.c) */
    uint64_t ticks;       /* timer interrupts taken on this CPU */
    /* Scheduler state of this CPU (see sched.c).  rq and everything on it
     * are guarded by rq_lock; the other fields belong to this CPU alone,
     * except need_resched, which other CPUs set before an IPI. */
    struct spinlock rq_lock;
    struct sched_rq rq;
    struct thread *current;
    unsigned current_tid; /* current's id, 0 for the idle thread: for reports
                           * from other CPUs, which must not dereference current */
    struct thread *idle;
    struct thread *zombie;  /* dead thread to free once switched away from */
    struct thread *migrate; /* thread to queue elsewhere once switched away from */
    struct thread *hint;    /* ready thread to run next if the current one blocks */
    struct thread *handoff; /* woken synchronously here; runs when the current one blocks */
    /* Time-slice donation (sched.c): while `donor` is set, the run queue's
     * current entity is still the donor's, and `donee` (the thread running
     * or being switched to) runs on its slice.  Both under rq_lock. */
    struct thread *donor;
    struct thread *donee;
    bool need_resched;
    bool sync_wake;      /* wakes now come from a thread about to block (IPC) */
    uint32_t kick_defer; /* inside sched_kicks_defer: IPIs wait in kick_mask */
    uint64_t kick_mask;
    bool balance_due;   /* check for a busier CPU at the next preemption point */
    uint64_t pick_ns;   /* when `current` was picked */
    uint64_t charge_ns; /* when `current` was last charged for its time */
    uint64_t idle_ns;   /* time spent in the idle thread */
    uint64_t switches;  /* context switches */
    uint64_t steals;    /* threads pulled from other CPUs' queues */
    uint64_t ipis_sent;
    struct ipc_stats ipc;
    struct arch_cpu arch;
};

_Static_assert(offsetof(struct cpu, self) == 0, "asm uses gs:0");
_Static_assert(offsetof(struct cpu, kernel_stack_top) == 8, "asm uses gs:8");
_Static_assert(offsetof(struct cpu, user_rsp_scratch) == 16, "asm uses gs:16");

extern struct cpu cpus[MAX_CPUS];
extern unsigned cpu_count;

#endif
