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
#include "ring/ring.h"
#include "base/compiler.h"
#include "pending.h"
#include "spinlock.h"

struct process;
struct thread;

/*
 * Every thread has its own ring, so two threads never share a submission
 * queue; completions can arrive from any CPU and are posted under `lock`,
 * which also guards the thread's pending operations and its free ones.
 */
struct ring {
    struct capos_ring_header *hdr; /* kernel view of the shared region */
    struct capos_sqe *sq;
    struct capos_cqe *cq;
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
    /* Ops of this ring not in use, kept for the next ones (at most
     * RING_OPS_CACHED; the others go back to the kernel heap). */
    struct pending_op *pending_free;
    uint32_t nfree;
    /* The op the owner is setting up right now (at most one: only the
     * owner creates ops, one SQE at a time); cancellers from other CPUs
     * leave it to the owner.  Written only by the owner: set under the
     * lock, cleared without it (pending_setup_done). */
    struct pending_op *setup_op;
    /* The IPC fast path's two ops (docs/ipc.md): the synchronous call
     * this thread makes and the RECV it posts after a RETURN.  Each is
     * taken only while free (in_use clear); released like any op, they
     * return here instead of to the pool. */
    struct pending_op fast_call, fast_recv;
};

/* Free ops a ring keeps: enough that a thread with a few operations in
 * flight at a time (a sleep, a join, a park, a kernel call that waits)
 * allocates none in the steady state, few enough that a thread that once
 * had many does not keep their memory. */
#define RING_OPS_CACHED 4

/* ---- completion queue, with the ring lock held (ring.c) ---- */

/* Reads the process's cq_head and returns how many completions are posted
 * and unconsumed; false if the head is impossible. */
static ALWAYS_INLINE bool ring_posted(struct ring *r, uint32_t *posted)
{
    uint32_t head = __atomic_load_n(&r->hdr->cq_head, __ATOMIC_ACQUIRE);
    /* cq_tail changes under the lock; callers that do not hold it take a
     * snapshot, and posts only ever add to it. */
    uint32_t tail = __atomic_load_n(&r->cq_tail, __ATOMIC_RELAXED);
    /* What ring_cq_space(tail, head, entries, 0) counts as posted: the
     * free-running difference, impossible above the queue's size. */
    uint32_t n = tail - head;
    if (n > CAPOS_RING_CQ_ENTRIES)
        return false;
    *posted = n;
    return true;
}

/* The cap_enter waiter to wake, if enough completions are now posted; ring
 * lock held (the wake itself happens after it is dropped). */
static ALWAYS_INLINE struct thread *ring_take_waiter(struct ring *r)
{
    uint32_t posted;
    struct thread *t = r->waiter;
    if (t && (!ring_posted(r, &posted) || posted >= r->wait_min)) {
        /* A corrupt head also wakes the waiter, which then dies on it. */
        r->waiter = NULL;
        return t;
    }
    return NULL;
}

/* The slot for the next completion; the caller fills it and publishes. */
static ALWAYS_INLINE struct capos_cqe *ring_next_cqe(struct ring *r)
{
    return &r->cq[r->cq_tail & (CAPOS_RING_CQ_ENTRIES - 1)];
}

/* Accounts for a completion written at the tail; the shared tail is
 * published by the caller (at once, or at the end of a submission batch). */
static ALWAYS_INLINE void ring_advance_tail(struct ring *r)
{
    r->cq_tail++; /* only under the lock; readers without it take a snapshot */
    if (r->cq_reserved > 0)
        r->cq_reserved--;
}

static ALWAYS_INLINE void ring_publish_tail(struct ring *r)
{
    __atomic_store_n(&r->hdr->cq_tail, r->cq_tail, __ATOMIC_RELEASE);
}

/* ring_post's work with the lock held, for a ring that is not dead: the
 * completion goes into its reserved slot and is published; returns the
 * waiter to wake once the lock is dropped, if the completion met its
 * wait. */
static ALWAYS_INLINE struct thread *ring_post_locked(struct ring *r, const struct capos_cqe *cqe)
{
    *ring_next_cqe(r) = *cqe;
    ring_advance_tail(r);
    ring_publish_tail(r);
    return ring_take_waiter(r);
}

/* ring_post_locked with the completion's fields written straight into its
 * slot (no copy through a struct): what the IPC fast path posts. */
static ALWAYS_INLINE struct thread *ring_post_fields_locked(struct ring *r, uint64_t user_data,
                                                            int32_t result, uint32_t result_len,
                                                            uint16_t method, uint64_t interface_id,
                                                            uint64_t badge, uint64_t token)
{
    uint64_t *c = (uint64_t *)(void *)ring_next_cqe(r);
    c[0] = user_data;
    c[1] = (uint32_t)result | (uint64_t)result_len << 32;
    c[2] = (uint64_t)method << 16; /* ncaps 0, flags 0 */
    c[3] = interface_id;
    c[4] = badge;
    c[5] = token;
    c[6] = c[7] = 0; /* no detail: IPC completions carry the peer's status */
    ring_advance_tail(r);
    ring_publish_tail(r);
    return ring_take_waiter(r);
}

/* Writes the completion of an operation that finished with `result` (and
 * `detail`, and CQE `flags`) and no message into the next slot, without
 * publishing it: what ring.c's ring_complete_now does, for a caller
 * already holding the lock. */
static ALWAYS_INLINE void ring_cqe_write_flags(struct ring *r, uint64_t user_data, int result,
                                               uint32_t detail, uint32_t flags)
{
    uint64_t *c = (uint64_t *)(void *)ring_next_cqe(r);
    c[0] = user_data;
    c[1] = (uint32_t)result;      /* result; result_len 0 */
    c[2] = (uint64_t)flags << 32; /* ncaps, method 0; flags */
    c[3] = c[4] = c[5] = c[7] = 0;
    c[6] = detail; /* detail; reserved0 0 */
    ring_advance_tail(r);
}

static ALWAYS_INLINE void ring_cqe_write_result(struct ring *r, uint64_t user_data, int result,
                                                uint32_t detail)
{
    ring_cqe_write_flags(r, user_data, result, detail, 0);
}

/* ---- pending ops (pending.c), with the ring lock held ----
 * Inline: the IPC fast path frees ops while it holds the lock for other
 * reasons. */

/* Takes an op off the owner list (if a canceller has not already). */
static ALWAYS_INLINE void pending_unlink_locked(struct ring *r, struct pending_op *op)
{
    if (!op->owner_prev && r->pending != op)
        return; /* a canceller already took it off the list */
    if (op->owner_prev)
        op->owner_prev->owner_next = op->owner_next;
    else
        r->pending = op->owner_next;
    if (op->owner_next)
        op->owner_next->owner_prev = op->owner_prev;
    op->owner_next = op->owner_prev = NULL;
}

/* Returns an op (off the owner list) to its ring: a fast-path op is simply
 * free again, another joins the ring's free ops unless it keeps enough
 * already.  Returns the op if it is to go back to the kernel heap: the
 * caller kfree()s it once the lock is dropped. */
static ALWAYS_INLINE WARN_UNUSED struct pending_op *pending_free_locked(struct ring *r,
                                                                        struct pending_op *op)
{
    if (op->embedded) {
        __atomic_store_n(&op->in_use, false, __ATOMIC_RELEASE);
        return NULL;
    }
    op->in_use = false;
    if (r->nfree >= RING_OPS_CACHED)
        return op;
    op->free_next = r->pending_free;
    r->pending_free = op;
    r->nfree++;
    return NULL;
}

/* Puts op at the head of its owner's list, in setup (a canceller leaves
 * it to the owner until pending_setup_done). */
static ALWAYS_INLINE void pending_link_locked(struct ring *r, struct pending_op *op)
{
    op->owner_prev = NULL;
    op->owner_next = r->pending;
    if (r->pending)
        r->pending->owner_prev = op;
    r->pending = op;
    r->setup_op = op;
}

/* Puts `op` (a free op of the ring, or a new one) to use for `sqe`: on the
 * owner list and in setup.  The caller takes the op's reference on the
 * owner (thread_get) once the lock is dropped. */
static ALWAYS_INLINE void pending_use_locked(struct ring *r, struct pending_op *op,
                                             struct thread *owner, enum pending_kind kind,
                                             const struct capos_sqe *sqe)
{
    /* Every field a kind relies on is set here or by its creator. */
    op->in_use = true;
    op->kind = kind;
    op->owner = owner;
    op->user_data = sqe->user_data;
    op->recv_addr = sqe->recv_addr;
    op->recv_len = sqe->recv_len;
    op->wait = (struct queue_link){NULL, NULL};
    op->target = NULL;
    op->msg = NULL;
    op->msg_len = 0;
    op->xfer.n = 0;
    op->timer.armed = false;
    op->timer.firing = false;
    op->timer.sync_cancel = false;
    pending_link_locked(r, op);
}

/* pending_release with the lock held: unlinks and frees the op, returning
 * it if it goes back to the kernel heap (see pending_free_locked).  The
 * op's timer must be disarmed already (only sleeps and timed parks arm
 * one).  An op a canceller is still detaching is left to the canceller,
 * which frees it (pending.h). */
static ALWAYS_INLINE WARN_UNUSED struct pending_op *pending_put_locked(struct ring *r,
                                                                       struct pending_op *op)
{
    pending_unlink_locked(r, op);
    /* An op its owner drops while setting it up is no longer in setup. */
    if (r->setup_op == op)
        r->setup_op = NULL;
    if (unlikely(op->cancelling)) {
        op->released = true;
        return NULL;
    }
    return pending_free_locked(r, op);
}

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

/* Empties t's ring, both sides' indices at 0, no completion owed: the
 * ring as a new program finds it (exec.c; t is the caller, with none of
 * its operations pending any more). */
void ring_reset(struct thread *t);

/* Whether cap_enter takes the fast path (docs/ipc.md); off with
 * "ipcfast=0" on the kernel command line, which ring_fast_init reads once
 * at boot, before any process exists. */
extern bool ring_fast;
void ring_fast_init(void);

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
