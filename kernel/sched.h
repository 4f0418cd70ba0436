/*
 * The scheduler interface.  The policy behind it is round-robin over one
 * run queue with a fixed time slice; callers only use these operations, so
 * the policy can change without touching them.
 *
 * The kernel runs with interrupts disabled (entries from user mode clear the
 * interrupt flag), so a thread in the kernel is never preempted; preemption
 * happens when an interrupt returns to user mode, and blocking is always an
 * explicit sched_block().
 */
#ifndef CAPOS_KERNEL_SCHED_H
#define CAPOS_KERNEL_SCHED_H

#include "base/compiler.h"
#include "percpu.h"
#include "thread.h"

#define SCHED_SLICE_TICKS 5 /* 20 ms at 250 Hz */

/* Makes the calling context this CPU's idle thread and starts scheduling;
 * never returns. */
NORETURN void sched_start(void);

static inline struct thread *sched_current(void)
{
    return this_cpu()->current;
}

/* Makes a new or woken thread runnable. */
void sched_add(struct thread *t);

/* Blocks the current thread until sched_wake; returns after it ran again. */
void sched_block(void);

/* Blocking in two steps, for waits registered under another lock: mark the
 * current thread blocked (a wake from now on makes it runnable again), drop
 * the lock, then commit (switches away unless a wake already came). */
void sched_prepare_block(void);
void sched_block_commit(void);

/* Wakes a BLOCKED thread; no effect on a thread in any other state. */
void sched_wake(struct thread *t);

/* Makes t notice that its process stopped: wakes it if it is blocked, and
 * makes the CPU running it enter the kernel soon. */
void sched_kick(struct thread *t);

/* Gives up the CPU to another ready thread, if any. */
void sched_yield(void);

/* Asks that t (READY) run next if the current thread blocks before it
 * returns to user mode: the IPC fast path.  Returns whether the hint was
 * taken.  Only the choice among READY threads changes. */
bool sched_hint_next(struct thread *t);

/* Timer tick accounting (interrupt context). */
void sched_tick(void);

/* Called before returning to user mode: switches if the slice is used up. */
void sched_preempt_point(void);

/* Ends the current thread; another thread frees its stack.  Never returns. */
NORETURN void sched_exit_thread(void);

#endif
