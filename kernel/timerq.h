/*
 * Timer queue: events that fire at a deadline on the monotonic clock.
 * Events are embedded in the objects that need them (a thread's timed wait,
 * a pending Timer.sleep or timed ParkSpace.wait) and kept in one ordered
 * tree (lib/rbtree) keyed by deadline, checked on every tick.  An event is
 * armed at most once; cancelling an unarmed event is a no-op.  Events with
 * equal deadlines fire in the order they were armed.  The kind field selects
 * the action in timerq_run(), a switch rather than a function pointer.
 *
 * Cost: arming and cancelling are O(log n) in the worst case for n armed
 * events of all processes together, finding the earliest is O(1), and
 * nothing allocates.  One timerq_run fires at most TIMERQ_RUN_MAX events;
 * docs/timers.md gives the bounds.
 */
#ifndef CAPOS_KERNEL_TIMERQ_H
#define CAPOS_KERNEL_TIMERQ_H

#include "base/compiler.h"
#include "rbtree/rbtree.h"

/* Events one timerq_run fires at most; the rest wait for the next tick. */
#define TIMERQ_RUN_MAX 128

enum timer_kind {
    TIMER_WAKE_THREAD, /* ends a timed sched_block of `thread` */
    TIMER_OP_COMPLETE, /* completes a pending ring operation */
};

struct thread;
struct pending_op;

struct timer_event {
    struct rb_node node; /* in the queue while armed; node.key is the deadline (ns) */
    enum timer_kind kind;
    bool armed;
    bool firing;      /* a CPU is running the action (WAKE_THREAD or sync_cancel) */
    bool sync_cancel; /* its owner may wait for a firing to finish (timerq_cancel_sync) */
    union {
        struct thread *thread;
        struct pending_op *op;
    };
};

void timerq_arm(struct timer_event *e, uint64_t deadline_ns);
/* The earliest armed deadline, UINT64_MAX when no event is armed (read
 * without the lock: a moment old). */
uint64_t timerq_next_deadline(void);
/* The deadline e was last armed for (for reports; meaningful while armed). */
static inline uint64_t timer_event_deadline(const struct timer_event *e)
{
    return e->node.key;
}
/* Disarms e; returns true if it was armed (then it will not fire), false
 * if it already fired or is firing. */
bool timerq_cancel(struct timer_event *e);
/* timerq_cancel, and if the event is firing on another CPU, waits until its
 * action is over, so that the event's memory may be reused.  For
 * TIMER_WAKE_THREAD events and events marked sync_cancel; the caller must
 * hold no lock the action takes. */
bool timerq_cancel_sync(struct timer_event *e);
/* Fires due events, earliest first, at most TIMERQ_RUN_MAX of them; called
 * from the timer interrupt of every CPU (whichever CPU sees an event due
 * first fires it). */
void timerq_run(uint64_t now_ns);

#endif
