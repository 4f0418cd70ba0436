/*
 * Timer queue implementation: one red-black tree of armed events under one
 * lock (see timerq.h and docs/timers.md).
 *
 * The lock is held for one tree operation at a time, O(log n) for the n
 * events armed by all processes together, and never while an action runs.
 * A single queue lets whichever CPU ticks first fire an event, so a CPU
 * that is busy with interrupts off delays nobody else's timers; per-CPU
 * queues would save the shared lock at the price of that, and would still
 * need cross-CPU locking whenever an event is cancelled on another CPU than
 * the one that armed it (a ParkSpace wake, a thread that woke elsewhere).
 *
 * An event's fields other than `firing` change only under the lock.  Only
 * its owner arms it, so an event seen unarmed without the lock stays
 * unarmed until its owner arms it again.
 */
#include "timerq.h"

#include "pending.h"
#include "sched.h"
#include "spinlock.h"

static struct spinlock timerq_lock = SPINLOCK_INIT("timerq");
static struct rb_tree timerq_tree; /* all zero: empty */
/* The earliest deadline (UINT64_MAX when empty), kept under the lock and
 * read without it: events live in memory their owners free after
 * cancelling, so a lock-free reader may look at this word only. */
static uint64_t timerq_next = UINT64_MAX;

static void timerq_first_changed(void)
{
    struct rb_node *f = rb_first(&timerq_tree);
    __atomic_store_n(&timerq_next, f ? f->key : UINT64_MAX, __ATOMIC_RELEASE);
}

void timerq_arm(struct timer_event *e, uint64_t deadline_ns)
{
    uint64_t flags = spin_lock_irqsave(&timerq_lock);
    if (!e->armed) {
        rb_insert(&timerq_tree, &e->node, deadline_ns);
        e->armed = true;
        if (rb_first(&timerq_tree) == &e->node)
            timerq_first_changed();
    }
    spin_unlock_irqrestore(&timerq_lock, flags);
}

uint64_t timerq_next_deadline(void)
{
    return __atomic_load_n(&timerq_next, __ATOMIC_ACQUIRE);
}

bool timerq_cancel(struct timer_event *e)
{
    if (!__atomic_load_n(&e->armed, __ATOMIC_ACQUIRE))
        return false;
    bool was = false;
    uint64_t flags = spin_lock_irqsave(&timerq_lock);
    if (e->armed) {
        bool first = rb_first(&timerq_tree) == &e->node;
        rb_remove(&timerq_tree, &e->node);
        e->armed = false;
        if (first)
            timerq_first_changed();
        was = true;
    }
    spin_unlock_irqrestore(&timerq_lock, flags);
    return was;
}

bool timerq_cancel_sync(struct timer_event *e)
{
    bool was = timerq_cancel(e);
    while (__atomic_load_n(&e->firing, __ATOMIC_ACQUIRE)) {
        smp_poll(); /* every spin answers TLB shootdowns */
        cpu_relax();
    }
    return was;
}

void timerq_run(uint64_t now_ns)
{
    /* Every CPU ticks: most ticks find nothing due, and say so without
     * touching the lock. */
    if (__atomic_load_n(&timerq_next, __ATOMIC_ACQUIRE) > now_ns)
        return;
    sched_kicks_defer();
    /* A bounded batch: events due beyond it stay first in the tree, so the
     * next tick on any CPU sees timerq_next due and goes on from there. */
    for (unsigned fired = 0; fired < TIMERQ_RUN_MAX; fired++) {
        uint64_t flags = spin_lock_irqsave(&timerq_lock);
        struct rb_node *f = rb_first(&timerq_tree);
        if (!f || f->key > now_ns) {
            spin_unlock_irqrestore(&timerq_lock, flags);
            break;
        }
        struct timer_event *e = container_of(f, struct timer_event, node);
        rb_remove(&timerq_tree, f);
        timerq_first_changed();
        bool track = e->kind == TIMER_WAKE_THREAD || e->sync_cancel;
        if (track)
            e->firing = true;
        __atomic_store_n(&e->armed, false, __ATOMIC_RELEASE);
        spin_unlock_irqrestore(&timerq_lock, flags);

        switch (e->kind) {
        case TIMER_WAKE_THREAD:
            e->thread->timed_out = true;
            sched_wake(e->thread);
            /* The owner may reuse the event from here on. */
            __atomic_store_n(&e->firing, false, __ATOMIC_RELEASE);
            break;
        case TIMER_OP_COMPLETE:
            pending_timer_fired(e->op);
            if (track)
                __atomic_store_n(&e->firing, false, __ATOMIC_RELEASE);
            break;
        }
    }
    sched_kicks_flush();
}
