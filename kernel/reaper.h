/*
 * The reaper: a kernel thread that does the work whose size other
 * processes decide, a bounded step at a time, with a preemption point
 * between steps.
 *
 * Some work falls to the kernel at a moment when it cannot stop halfway:
 * a process stops (its capability table, its threads' operations, the
 * calls it received and the waits for it all go), its last thread is
 * switched away from (its address space goes), a thread is gone (the
 * joins of it complete), the last server facet of an endpoint goes (the
 * calls queued on it fail).  How much work that is depends on what the
 * process, or others, built up: 256 capabilities each of whose
 * destruction may start more, a quota's worth of pages, any number of
 * waiters from any number of processes.  Done on the spot it would run
 * with interrupts off for as long as they liked, on whatever CPU and in
 * whatever thread's time the moment fell in, and a chain of objects each
 * destroyed by the destruction of the one before would recurse as deep
 * as the chain is long.
 *
 * Instead the object is queued here (reap_queue, O(1), any context) and
 * the reaper does it: one step of one item at a time, each step bounded
 * by a constant of its kind, then an interrupt window and a preemption
 * point (sched_pause), then the next item in turn.  An item that is not
 * finished goes to the back of the queue, so a huge teardown does not hold
 * up the small ones behind it.  The reaper is an ordinary thread of weight
 * 1024 with no process: a flood of teardown work costs the machine one
 * thread's fair share of CPU time, not a CPU.  Work that destroys more
 * objects queues them in turn, so nothing recurses.
 *
 * Each kind's step function lives with its object (process.c,
 * object/thread.c, object/endpoint.c) and owns a reference on it, taken by
 * whoever queued it and dropped by the step that finishes.  An item is
 * queued at most once at a time.
 */
#ifndef CAPOS_KERNEL_REAPER_H
#define CAPOS_KERNEL_REAPER_H

#include "base/compiler.h"
#include "queue/queue.h"

enum reap_kind {
    REAP_PROCESS_STOPPED, /* process.c: operations, received calls, table, waiters */
    REAP_ADDRESS_SPACE,   /* process.c: the pages and tables of a released space */
    REAP_THREAD_JOINS,    /* object/thread.c: joins of a gone thread */
    REAP_ENDPOINT_CALLS,  /* object/endpoint.c: calls queued when the server went */
    REAP_SERIAL_INPUT,    /* object/serialin.c: a read waiting for bytes that came */
};

struct reap_work {
    struct queue_link link;
    enum reap_kind kind;
};

/* Starts the reaper thread (boot, once the boot CPU's scheduler exists). */
void reaper_start(void);

/* Hands w (with the reference its step drops) to the reaper; O(1). */
void reap_queue(struct reap_work *w, enum reap_kind kind);

/* Steps done and items finished so far (the halt report). */
void reaper_stats(uint64_t *steps, uint64_t *items);

#endif
