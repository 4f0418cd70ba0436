/*
 * Timer queue implementation: a sorted singly linked list under one lock.
 * The number of armed events is bounded by the number of threads plus the
 * pending operations every process may have (each holds a completion slot),
 * so insertion cost is bounded too.
 */
#include "timerq.h"

#include "pending.h"
#include "sched.h"
#include "spinlock.h"

static struct spinlock timerq_lock = SPINLOCK_INIT("timerq");
static struct timer_event *timerq_head;
/* The head's deadline (UINT64_MAX when empty), kept under the lock and read
 * without it: events live in memory their owners free after cancelling. */
static uint64_t timerq_next = UINT64_MAX;

static void timerq_head_changed(void)
{
    __atomic_store_n(&timerq_next, timerq_head ? timerq_head->deadline_ns : UINT64_MAX,
                     __ATOMIC_RELEASE);
}

void timerq_arm(struct timer_event *e, uint64_t deadline_ns)
{
    uint64_t flags = spin_lock_irqsave(&timerq_lock);
    struct timer_event **pp = &timerq_head;
    if (e->armed) {
        spin_unlock_irqrestore(&timerq_lock, flags);
        return;
    }
    e->deadline_ns = deadline_ns;
    while (*pp && (*pp)->deadline_ns <= deadline_ns)
        pp = &(*pp)->next;
    e->next = *pp;
    *pp = e;
    e->armed = true;
    timerq_head_changed();
    spin_unlock_irqrestore(&timerq_lock, flags);
}

uint64_t timerq_next_deadline(void)
{
    return __atomic_load_n(&timerq_next, __ATOMIC_ACQUIRE);
}

bool timerq_cancel(struct timer_event *e)
{
    /* Only the owner arms its event, and firing clears `armed` under the
     * lock, so an unarmed event needs no lock to stay unarmed. */
    if (!__atomic_load_n(&e->armed, __ATOMIC_ACQUIRE))
        return false;
    bool was = false;
    uint64_t flags = spin_lock_irqsave(&timerq_lock);
    if (e->armed) {
        for (struct timer_event **pp = &timerq_head; *pp; pp = &(*pp)->next) {
            if (*pp == e) {
                *pp = e->next;
                break;
            }
        }
        e->armed = false;
        e->next = NULL;
        timerq_head_changed();
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
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&timerq_lock);
        struct timer_event *e = timerq_head;
        if (!e || e->deadline_ns > now_ns) {
            spin_unlock_irqrestore(&timerq_lock, flags);
            sched_kicks_flush();
            return;
        }
        timerq_head = e->next;
        timerq_head_changed();
        e->next = NULL;
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
}
