/*
 * The scheduler interface.  Behind it: a run queue per CPU ordered by
 * weighted virtual runtime (lib/sched), placement of woken threads across
 * CPUs, stealing, affinity and the IPC hand-off (sched.c,
 * docs/scheduling.md).  Callers only use these operations.
 *
 * The kernel runs with interrupts disabled (entries from user mode clear the
 * interrupt flag), so a thread in the kernel is never preempted; preemption
 * happens when an interrupt returns to user mode, and blocking is always an
 * explicit sched_prepare_block() and sched_block_commit().
 */
#ifndef CAPOS_KERNEL_SCHED_H
#define CAPOS_KERNEL_SCHED_H

#include "base/compiler.h"
#include "offwatch.h"
#include "percpu.h"
#include "thread.h"

/* Prepares this CPU's run queue and idle thread (before it is online). */
void sched_init_cpu(struct cpu *c);

/* Makes the calling context this CPU's idle thread and starts scheduling;
 * never returns. */
NORETURN void sched_start(void);

/* Scheduler fields of a new thread: default weight and class, every CPU
 * allowed, BLOCKED until sched_add. */
void sched_thread_init(struct thread *t);

/* A new thread's parameters from its creator: weight and latency class,
 * and the affinity mask (the creator's if `affinity` is 0). */
void sched_thread_inherit(struct thread *t, const struct thread *parent, uint64_t affinity);

/* Sets weight (valid) and latency class of t, wherever it is. */
void sched_set_params(struct thread *t, uint32_t weight, uint8_t latency_class);

/* Restricts t to the CPUs in mask (which names an online CPU); a thread
 * queued or running elsewhere moves now. */
void sched_set_affinity(struct thread *t, uint64_t mask);

/* After every switch, on the new thread's stack (switch.S calls it first
 * in a new thread). */
void sched_switch_tail(void);

static inline struct thread *sched_current(void)
{
    return this_cpu()->current;
}

/* Makes a new or woken thread runnable. */
void sched_add(struct thread *t);

/* Blocking in two steps, for waits registered under another lock: mark the
 * current thread blocked (a wake from now on makes it runnable again), drop
 * the lock, then commit (switches away unless a wake already came).  Inline:
 * every wait of cap_enter takes them. */
static inline void sched_prepare_block(void)
{
    __atomic_store_n(&sched_current()->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
}

/* sched_block_commit's switch, for a current thread still BLOCKED. */
void sched_switch_blocked(void);

static inline void sched_block_commit(void)
{
    if (__atomic_load_n(&sched_current()->state, __ATOMIC_ACQUIRE) == THREAD_BLOCKED)
        sched_switch_blocked();
}

/* Wakes a BLOCKED thread; no effect on a thread in any other state. */
void sched_wake(struct thread *t);

/* sched_wake_sync in every case but the common one, t->lock held (sched.c
 * drops it). */
bool sched_wake_sync_slow(struct thread *t);

/* sched_wake for a waker about to block waiting for t (an IPC call or
 * reply), as between sched_sync_begin and sched_sync_end; returns whether
 * t is now this CPU's direct-switch thread (sched_hint_next(t) would be
 * true at once).  Inline for the common case, a partner that last ran on
 * this CPU and has switched out, which becomes the hand-off thread as
 * sched_try_handoff makes it (sched.c); anything else is decided afresh
 * under the lock by the slow path. */
static inline bool sched_wake_sync(struct thread *t)
{
    struct cpu *c = this_cpu();
    spin_lock(&t->lock);
    if (likely(t->state == THREAD_BLOCKED && !t->on_rq &&
               !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) && !c->handoff &&
               !c->current->is_idle && t->cpu == c->id && (t->se.allowed_cpus & (1ULL << c->id)))) {
        t->on_rq = true;
        __atomic_store_n(&t->state, THREAD_READY, __ATOMIC_RELEASE);
        c->handoff = t;
        spin_unlock(&t->lock);
        return true;
    }
    return sched_wake_sync_slow(t);
}

/* Between these, wake-ups on this CPU are synchronous: the waking thread is
 * about to block waiting for the woken one (an IPC call or reply), so the
 * woken thread is placed on this CPU when it may run here. */
static inline void sched_sync_begin(void)
{
    this_cpu()->sync_wake = true;
}

static inline void sched_sync_end(void)
{
    this_cpu()->sync_wake = false;
}

/* Around a batch of wake-ups (ParkSpace.wake, expired timers): the
 * reschedule IPIs go out once every thread of the batch is queued, so a
 * CPU that is told to reschedule chooses among all of them, not just the
 * first.  Calls nest; the outermost end sends them. */
void sched_kicks_defer(void);
void sched_kicks_flush(void);

/* Makes t notice that its process stopped: wakes it if it is blocked, and
 * makes the CPU running it enter the kernel soon. */
void sched_kick(struct thread *t);

/* sched_hint_next for a thread that is not this CPU's handoff thread. */
bool sched_hint_set(struct thread *t);

/* Asks that t (READY) run next if the current thread blocks before it
 * returns to user mode: the IPC fast path.  Returns whether the hint was
 * taken.  Only the choice among READY threads changes.  Inline, because
 * after a call or a return on this CPU t usually is the handoff thread
 * already and there is nothing to record. */
static inline bool sched_hint_next(struct thread *t)
{
    return t == this_cpu()->handoff || sched_hint_set(t);
}

/* Timer tick accounting (interrupt context). */
void sched_tick(void);

/* The work of sched_preempt_point, when there is any. */
void sched_preempt_slow(void);

/* Called before returning to user mode: queues a direct-switch thread the
 * current one did not block for, drops a hint, balances when due, and
 * switches if the slice is used up.  Inline, since on most returns there is
 * nothing to do. */
static inline void sched_preempt_point(void)
{
    struct cpu *c = this_cpu();
    if (c->handoff || c->hint || c->balance_due ||
        __atomic_load_n(&c->need_resched, __ATOMIC_ACQUIRE))
        sched_preempt_slow();
}

/* Lets pending interrupts in (ticks, TLB shootdown requests, reschedule
 * IPIs) with no lock held, and no switch: for long kernel work of a thread
 * that must not be switched away from where it is. */
static inline void sched_irq_window(void)
{
    offwatch_end();
    irq_window();
    offwatch_resume();
}

/*
 * A preemption point inside a long kernel operation, for code that holds
 * no lock and keeps nothing in per-CPU buffers across it: pending
 * interrupts are taken (ticks, TLB shootdown requests, reschedule IPIs),
 * then the thread gives up the CPU if its slice is over, exactly as on a
 * return to user mode.  The thread may resume on another CPU.  The
 * instruction after sti still runs with interrupts off; they are taken
 * after it, before cli.
 */
static inline void sched_pause(void)
{
    sched_irq_window();
    sched_preempt_point();
}

/*
 * The same between two submissions of one cap_enter: interrupts in, and a
 * switch only if one is due.  Unlike sched_preempt_point it leaves this
 * entry's IPC hand-off alone when it does not switch, so a RETURN followed
 * by a RECV in one batch still switches straight to the client.
 */
static inline void sched_pause_between(void)
{
    sched_irq_window();
    if (unlikely(__atomic_load_n(&this_cpu()->need_resched, __ATOMIC_RELAXED)))
        sched_preempt_slow();
}

/* Ends the current thread; another thread frees its stack.  Never returns. */
NORETURN void sched_exit_thread(void);

/* Counters for the halt report and benchmarks. */
struct sched_stats {
    unsigned ncpus;
    struct {
        uint64_t switches, steals, idle_ns, ticks, lock_spins;
    } cpu[MAX_CPUS];
};
void sched_stats(struct sched_stats *out);

/* One CPU's scheduler state for the wait report (stall.c): thread ids
 * (0: none, or the idle thread) and flags, never a thread pointer, read
 * under the CPU's queue lock; the current thread's id is the copy the CPU
 * keeps at each switch, so it may be one switch old. */
struct sched_cpu_report {
    uint64_t ticks, switches;
    uint64_t running_ms; /* since `current` was picked */
    unsigned current, rq_curr;
    uint32_t queued;
    bool idle, need_resched, online, donating, handoff, hint;
};
void sched_report_cpu(unsigned id, struct sched_cpu_report *r);

#endif
