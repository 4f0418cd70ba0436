/*
 * Round-robin scheduler: one FIFO run queue, a fixed slice, an idle thread
 * per CPU.  See sched.h for the contract.
 *
 * Invariants: a thread is on the run queue iff it is READY; the current
 * thread of a CPU is RUNNING (or BLOCKED/DEAD while it is switching away);
 * idle threads are never on the queue.  The queue lock is held across the
 * pick and the state change, never across the stack switch.
 */
#include "sched.h"

#include "arch.h"
#include "arch/x86_64/context.h"
#include "panic.h"
#include "percpu.h"
#include "spinlock.h"

static struct spinlock rq_lock = SPINLOCK_INIT("runqueue");
static struct thread *rq_head, *rq_tail;
static struct thread bsp_idle;

static void rq_push(struct thread *t)
{
    t->rq_next = NULL;
    t->rq_prev = rq_tail;
    if (rq_tail)
        rq_tail->rq_next = t;
    else
        rq_head = t;
    rq_tail = t;
}

static void rq_remove(struct thread *t)
{
    if (t->rq_prev)
        t->rq_prev->rq_next = t->rq_next;
    else
        rq_head = t->rq_next;
    if (t->rq_next)
        t->rq_next->rq_prev = t->rq_prev;
    else
        rq_tail = t->rq_prev;
    t->rq_next = t->rq_prev = NULL;
}

static struct thread *rq_pop(void)
{
    struct thread *t = rq_head;
    if (t)
        rq_remove(t);
    return t;
}

void sched_add(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&rq_lock);
    t->state = THREAD_READY;
    rq_push(t);
    spin_unlock_irqrestore(&rq_lock, flags);
}

/*
 * Switches to the next ready thread (or idle).  The caller has already set
 * the current thread's state: READY threads are queued here, BLOCKED and
 * DEAD ones are not.
 */
static void schedule(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current, *next;
    uint64_t flags = spin_lock_irqsave(&rq_lock);

    if (prev->state == THREAD_RUNNING)
        prev->state = THREAD_READY;
    if (prev->state == THREAD_READY && !prev->is_idle)
        rq_push(prev);
    /* A hinted thread (the partner of the call that just blocked this one)
     * runs next; any other choice would be the same READY thread later. */
    next = c->hint;
    c->hint = NULL;
    if (next && next->state == THREAD_READY && next != prev)
        rq_remove(next);
    else
        next = rq_pop();
    if (!next)
        next = c->idle;
    next->state = THREAD_RUNNING;
    spin_unlock_irqrestore(&rq_lock, flags);

    c->need_resched = false;
    c->slice_left = SCHED_SLICE_TICKS;
    if (next == prev)
        return;
    if (prev->state == THREAD_DEAD)
        c->zombie = prev;
    c->current = next;
    arch_switch(prev, next);
    /* Running as `prev` again, possibly much later and on another CPU. */
    c = this_cpu();
    if (c->zombie) {
        thread_destroy(c->zombie);
        c->zombie = NULL;
    }
}

void sched_block(void)
{
    struct thread *t = this_cpu()->current;
    t->state = THREAD_BLOCKED;
    schedule();
}

void sched_prepare_block(void)
{
    __atomic_store_n(&this_cpu()->current->state, THREAD_BLOCKED, __ATOMIC_RELEASE);
}

void sched_block_commit(void)
{
    if (__atomic_load_n(&this_cpu()->current->state, __ATOMIC_ACQUIRE) == THREAD_BLOCKED)
        schedule();
}

void sched_wake(struct thread *t)
{
    uint64_t flags = spin_lock_irqsave(&rq_lock);
    if (t == this_cpu()->current) {
        /* Woken between preparing to block and switching away: it simply
         * keeps running. */
        if (t->state == THREAD_BLOCKED)
            t->state = THREAD_RUNNING;
    } else if (t->state == THREAD_BLOCKED) {
        t->state = THREAD_READY;
        rq_push(t);
        /* An idle CPU should pick it up at its next interrupt. */
        this_cpu()->need_resched = true;
    }
    spin_unlock_irqrestore(&rq_lock, flags);
}

void sched_kick(struct thread *t)
{
    sched_wake(t);
}

void sched_yield(void)
{
    schedule();
}

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    if (c->current == c->idle) {
        c->need_resched = rq_head != NULL;
        return;
    }
    if (c->slice_left > 0)
        c->slice_left--;
    if (c->slice_left == 0)
        c->need_resched = true;
}

void sched_preempt_point(void)
{
    struct cpu *c = this_cpu();
    c->hint = NULL; /* a hint only lasts for the kernel entry that made it */
    if (c->need_resched)
        schedule();
}

bool sched_hint_next(struct thread *t)
{
    struct cpu *c = this_cpu();
    if (t->state != THREAD_READY || t == c->current)
        return false;
    c->hint = t;
    return true;
}

NORETURN void sched_exit_thread(void)
{
    this_cpu()->current->state = THREAD_DEAD;
    schedule();
    panic("sched: a dead thread was scheduled again");
}

NORETURN void sched_start(void)
{
    struct cpu *c = this_cpu();
    bsp_idle.is_idle = true;
    bsp_idle.state = THREAD_RUNNING;
    bsp_idle.kstack_top = c->kernel_stack_top;
    c->idle = &bsp_idle;
    c->current = &bsp_idle;
    c->slice_left = SCHED_SLICE_TICKS;
    for (;;) {
        schedule();
        /* Nothing to run: sleep until an interrupt makes something ready. */
        if (!this_cpu()->need_resched)
            arch_wait_for_interrupt();
        arch_irq_disable();
    }
}
