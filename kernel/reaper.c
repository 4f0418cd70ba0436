/*
 * The reaper thread and its queue (see reaper.h).
 *
 * The queue is one lib/queue under one lock, held for a push or a pop.
 * The reaper blocks in two steps under that lock (sched_prepare_block,
 * then sched_block_commit once it is dropped), and reap_queue wakes it
 * after pushing under the same lock, so an item queued while it goes to
 * sleep is never missed.  Dispatch to the step functions is a switch on
 * the kind.
 */
#include "reaper.h"

#include "objects.h"
#include "offwatch.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "spinlock.h"
#include "thread.h"

static struct spinlock reap_lock = SPINLOCK_INIT("reaper");
static struct queue reap_items;
static struct thread *reaper;
static bool reaper_asleep;
static uint64_t reap_steps, reap_done;

void reap_queue(struct reap_work *w, enum reap_kind kind)
{
    w->kind = kind;
    uint64_t flags = spin_lock_irqsave(&reap_lock);
    queue_push_back(&reap_items, &w->link);
    bool wake = reaper_asleep;
    reaper_asleep = false;
    spin_unlock_irqrestore(&reap_lock, flags);
    if (wake)
        sched_wake(reaper);
}

/* One bounded step of w; true when w is finished (and its reference
 * dropped). */
static bool reap_step(struct reap_work *w)
{
    offwatch_label(OFFWATCH_REAP(w->kind));
    switch (w->kind) {
    case REAP_PROCESS_STOPPED: return process_reap_stopped(w);
    case REAP_ADDRESS_SPACE: return process_reap_memory(w);
    case REAP_THREAD_JOINS: return thread_reap_joins(w);
    case REAP_ENDPOINT_CALLS: return endpoint_reap_calls(w);
    case REAP_SERIAL_INPUT: return serial_input_deliver(w);
    }
    panic("reaper: unknown work kind %d", (int)w->kind);
}

NORETURN static void reaper_main(void *arg)
{
    (void)arg;
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&reap_lock);
        struct queue_link *l = queue_pop_front(&reap_items);
        if (!l) {
            reaper_asleep = true;
            sched_prepare_block();
            spin_unlock_irqrestore(&reap_lock, flags);
            sched_block_commit();
            continue;
        }
        spin_unlock_irqrestore(&reap_lock, flags);
        struct reap_work *w = container_of(l, struct reap_work, link);
        bool done = reap_step(w);
        flags = spin_lock_irqsave(&reap_lock);
        reap_steps++;
        if (done)
            reap_done++;
        else
            queue_push_back(&reap_items, &w->link); /* its turn comes again */
        spin_unlock_irqrestore(&reap_lock, flags);
        sched_pause();
    }
}

void reaper_start(void)
{
    reaper = thread_create_kernel(reaper_main, NULL);
    if (!reaper)
        panic("reaper: out of memory for its thread");
    sched_add(reaper);
}

void reaper_stats(uint64_t *steps, uint64_t *items)
{
    uint64_t flags = spin_lock_irqsave(&reap_lock);
    *steps = reap_steps;
    *items = reap_done;
    spin_unlock_irqrestore(&reap_lock, flags);
}
