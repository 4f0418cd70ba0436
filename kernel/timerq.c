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
    spin_unlock_irqrestore(&timerq_lock, flags);
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
        was = true;
    }
    spin_unlock_irqrestore(&timerq_lock, flags);
    return was;
}

void timerq_run(uint64_t now_ns)
{
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&timerq_lock);
        struct timer_event *e = timerq_head;
        if (!e || e->deadline_ns > now_ns) {
            spin_unlock_irqrestore(&timerq_lock, flags);
            return;
        }
        timerq_head = e->next;
        e->next = NULL;
        e->armed = false;
        spin_unlock_irqrestore(&timerq_lock, flags);

        switch (e->kind) {
        case TIMER_WAKE_THREAD:
            e->thread->timed_out = true;
            sched_wake(e->thread);
            break;
        case TIMER_OP_COMPLETE: pending_timer_fired(e->op); break;
        }
    }
}
