/*
 * The kernel side of a process's capability ring.
 *
 * The shared region (lib/abi/ring.h) is RING_PAGES frames allocated
 * contiguously, mapped into the process at CAPOS_USER_RING_VA and reached by
 * the kernel through the direct map.  The kernel's authoritative indices
 * (sq_head, cq_tail) live here and are only ever published to the shared
 * header; cq_reserved counts completion slots promised to operations in
 * flight, which is what guarantees that no completion is ever lost: an SQE
 * is consumed only when a completion slot can be reserved for it.
 */
#ifndef CAPOS_KERNEL_RING_H
#define CAPOS_KERNEL_RING_H

#include "abi/ring.h"
#include "base/compiler.h"
#include "pending.h"
#include "spinlock.h"

struct process;
struct thread;

/*
 * Every thread has its own ring, so two threads never share a submission
 * queue; completions can arrive from any CPU and are posted under `lock`,
 * which also guards the thread's pool of pending operations.
 */
struct ring {
    struct capos_ring_header *hdr; /* kernel view of the shared region */
    struct capos_sqe *sq;
    struct capos_cqe *cq;
    uint64_t region_pa;
    uint32_t sq_head;      /* next SQE to consume */
    uint32_t cq_tail;      /* next CQE slot to fill */
    uint32_t cq_reserved;  /* completions owed to operations in flight */
    struct thread *waiter; /* thread blocked in cap_enter, if any */
    uint32_t wait_min;
    struct spinlock lock;
    bool dead;        /* owner gone: completions are dropped (the region may be freed) */
    uint64_t user_va; /* where the owner sees the region */

    /* Operations that will post a completion (at most one per CQ entry). */
    struct pending_op *pending;
    struct pending_op *pending_free;
    /* The op the owner is setting up right now (at most one: only the
     * owner creates ops, one SQE at a time); cancellers from other CPUs
     * leave it to the owner.  Written only by the owner: set under the
     * lock, cleared without it (pending_setup_done). */
    struct pending_op *setup_op;
    struct pending_op pending_pool[CAPOS_RING_CQ_ENTRIES];
};

/* The owner's SQE dispatch is over: its op (if any) is queued or done.
 * No lock: a canceller that still sees the op as in setup leaves it to the
 * owner, which cancels it itself once it sees its process stopped (set
 * before any canceller runs); one that sees NULL finds the op queued or
 * done.  Inline, since it runs after every SQE. */
static inline void pending_setup_done(struct ring *r)
{
    if (r->setup_op)
        __atomic_store_n(&r->setup_op, NULL, __ATOMIC_RELEASE);
}

/* Allocates the ring region of thread t and maps it at user_va in t's
 * process (charged to the process's ledger); returns an ErrorCode
 * (quotaExceeded, noMemory). */
int ring_create(struct thread *t, uint64_t user_va);

/* Unmaps and frees a ring region (thread exit; process teardown frees the
 * frames of a whole address space instead). */
void ring_destroy(struct thread *t);

/* cap_enter: processes submissions, then waits for min_complete completions
 * or the timeout; returns the number of completions available, or a
 * negative ErrorCode. */
int64_t ring_enter(struct thread *t, uint64_t min_complete, uint64_t timeout_ns);

/* Posts a completion into a slot reserved earlier (releases the
 * reservation) and wakes a waiter whose condition is now met; false (and
 * nothing written) if the ring's thread is gone. */
bool ring_post(struct thread *t, const struct capos_cqe *cqe);

/* Marks the ring dead before its thread's memory goes away. */
void ring_kill(struct thread *t);

#endif
