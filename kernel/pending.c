/*
 * Pending operations and their memory (see pending.h).  Ops are allocated
 * by the ring's own thread and may be freed from any CPU (the completer),
 * so list changes happen under the ring's lock.  An op comes from its
 * ring's free ops if there is one, else from the kernel heap, charged to
 * the ledger of the owner's process; a freed op goes back to its ring's
 * free ops (up to RING_OPS_CACHED) or to the heap.  A ring's two fast-path
 * ops live in the ring itself.  The free ops go when the thread's struct
 * does (pending_pool_release): by then no op of the thread is in use, since
 * every op holds a reference on its owner.  That reference is also what
 * lets whoever completes an op reach the owner's ring after the owner
 * started exiting.  The ring lock is never taken with interrupts on (every
 * kernel entry turns them off, timer expiry included), so plain spin_lock
 * serves.
 */
#include "pending.h"

#include "abi/errors.h"
#include "base/mem.h"
#include "cap.h"
#include "mm/kheap.h"
#include "objects.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "thread.h"

void pending_pool_init(struct ring *r)
{
    r->pending = NULL;
    r->pending_free = NULL;
    r->nfree = 0;
    r->setup_op = NULL;
    /* The fast path's ops: what never changes between their uses is set
     * here, once (they carry no message copy or capabilities, arm no
     * timer, and a fast call is always delivered at once). */
    struct pending_op *fast[2] = {&r->fast_call, &r->fast_recv};
    for (unsigned i = 0; i < 2; i++) {
        fast[i]->in_use = false;
        fast[i]->cancelling = false;
        fast[i]->released = false;
        fast[i]->embedded = true;
        fast[i]->owner = container_of(r, struct thread, ring);
        fast[i]->wait = (struct queue_link){NULL, NULL};
        fast[i]->msg = NULL;
        fast[i]->msg_len = 0;
        fast[i]->xfer.n = 0;
        fast[i]->timer.kind = TIMER_OP_COMPLETE;
        fast[i]->timer.op = fast[i];
    }
    r->fast_call.kind = PENDING_CALL;
    r->fast_call.state = CALL_DELIVERED;
    r->fast_recv.kind = PENDING_RECV;
}

void pending_pool_release(struct ring *r)
{
    struct pending_op *op = r->pending_free;
    r->pending_free = NULL;
    r->nfree = 0;
    while (op) {
        struct pending_op *next = op->free_next;
        kfree(op);
        op = next;
    }
}

struct pending_op *pending_new(struct thread *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe, int *err)
{
    struct ring *r = &owner->ring;
    spin_lock(&r->lock);
    struct pending_op *op = r->pending_free;
    if (op) {
        r->pending_free = op->free_next;
        r->nfree--;
        pending_use_locked(r, op, owner, kind, sqe);
        spin_unlock(&r->lock);
        thread_get(owner);
        return op;
    }
    spin_unlock(&r->lock);
    /* None kept: a new one, paid for by the owner's process.  A thread has
     * at most one op per completion slot in flight, so this is bounded. */
    op = kheap_alloc(owner->proc->ledger, sizeof(*op), true, err);
    if (!op)
        return NULL;
    /* What an op's timer does never changes. */
    op->timer.kind = TIMER_OP_COMPLETE;
    op->timer.op = op;
    spin_lock(&r->lock);
    pending_use_locked(r, op, owner, kind, sqe);
    spin_unlock(&r->lock);
    thread_get(owner);
    return op;
}

struct thread *pending_release(struct pending_op *op)
{
    struct thread *owner = op->owner;
    struct ring *r = &owner->ring;
    if (__atomic_load_n(&op->timer.armed, __ATOMIC_ACQUIRE))
        timerq_cancel(&op->timer); /* only sleeps and timed parks arm one */
    spin_lock(&r->lock);
    struct pending_op *spare = pending_put_locked(r, op);
    spin_unlock(&r->lock);
    kfree(spare);
    return owner;
}

void pending_free(struct pending_op *op)
{
    thread_put(pending_release(op));
}

int pending_complete_keep(struct pending_op *op, int err, uint32_t detail, const void *msg,
                          uint32_t len, struct kobj **caps, unsigned ncaps)
{
    uint64_t recv_addr = op->recv_addr;
    uint32_t recv_len = op->recv_len;
    struct capos_cqe cqe = {.user_data = op->user_data, .detail = detail};
    /* Free first: the completion below may wake the owner on another CPU,
     * and its next submission may need this op.  The op's reference keeps
     * the owner reachable meanwhile. */
    struct thread *owner = pending_release(op);
    return cap_deliver(owner, &cqe, recv_addr, recv_len, err, msg, len, caps, ncaps);
}

int pending_complete(struct pending_op *op, int err, const void *msg, uint32_t len,
                     struct kobj **caps, unsigned ncaps)
{
    struct thread *owner = op->owner;
    int res = pending_complete_keep(op, err, 0, msg, len, caps, ncaps);
    thread_put(owner);
    return res;
}

bool pending_complete_waiters(struct spinlock *lock, struct queue *q, unsigned max, const void *msg,
                              uint32_t len, unsigned *completed)
{
    unsigned n = 0;
    for (; n < max; n++) {
        spin_lock(lock);
        struct queue_link *l = queue_pop_front(q);
        spin_unlock(lock);
        if (!l)
            break;
        struct pending_op *op = container_of(l, struct pending_op, wait);
        pending_complete(op, len ? CAPOS_OK : CAPOS_ERR_RESULT_TOO_LARGE, msg, len, NULL, 0);
    }
    *completed = n;
    spin_lock(lock);
    bool done = queue_empty(q);
    spin_unlock(lock);
    return done;
}

bool pending_detach(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP:
        /* Only its timer refers to it: whoever disarms the timer owns it. */
        return timerq_cancel(&op->timer);
    case PENDING_PROCESS_WAIT: return process_handle_detach(op);
    case PENDING_THREAD_JOIN: return thread_join_detach(op);
    case PENDING_PARK: return park_detach(op);
    case PENDING_PIPE_READ:
    case PENDING_PIPE_WRITE:
    case PENDING_PIPE_WAIT: return pipe_detach(op);
    case PENDING_SERIAL_READ: return serial_input_detach(op);
    case PENDING_CALL:
    case PENDING_RECV: return endpoint_detach_op(op);
    }
    return true;
}

/* A reference of the canceller's own on what `op` waits on, taken while
 * the op is on its owner's list (ring lock held), so that the op still
 * holds one: a completer releases the op before it drops that. */
static void *pending_pin_target(const struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP: return NULL; /* the op's own timer: nothing else */
    case PENDING_PROCESS_WAIT: process_get(op->target); break;
    case PENDING_THREAD_JOIN: thread_get(op->target); break;
    case PENDING_PARK: return NULL;        /* keyed by the owner's process */
    case PENDING_SERIAL_READ: return NULL; /* a singleton */
    case PENDING_PIPE_READ:
    case PENDING_PIPE_WRITE:
    case PENDING_PIPE_WAIT: pipe_pin(op->target); break;
    case PENDING_CALL:
    case PENDING_RECV: endpoint_get(op->target); break;
    }
    return op->target;
}

static void pending_unpin_target(enum pending_kind kind, void *target)
{
    switch (kind) {
    case PENDING_SLEEP: break;
    case PENDING_PROCESS_WAIT: process_put(target); break;
    case PENDING_THREAD_JOIN: thread_put(target); break;
    case PENDING_PARK:
    case PENDING_SERIAL_READ: break;
    case PENDING_PIPE_READ:
    case PENDING_PIPE_WRITE:
    case PENDING_PIPE_WAIT: pipe_unpin(target); break;
    case PENDING_CALL:
    case PENDING_RECV: endpoint_put(target); break;
    }
}

bool pending_cancel_some(struct thread *t, unsigned max)
{
    struct ring *r = &t->ring;
    /* The owner itself is past any setup: everything goes. */
    bool foreign = t != sched_current();
    for (unsigned i = 0; i < max; i++) {
        uint64_t flags = spin_lock_irqsave(&r->lock);
        struct pending_op *op = r->pending;
        if (op && foreign && op == __atomic_load_n(&r->setup_op, __ATOMIC_ACQUIRE))
            op = op->owner_next;
        if (!op) {
            spin_unlock_irqrestore(&r->lock, flags);
            return true;
        }
        pending_unlink_locked(r, op);
        /* Until this is done, a completer that took the op first leaves
         * its memory here, and the target stays too (pending.h). */
        op->cancelling = true;
        enum pending_kind kind = op->kind;
        void *target = pending_pin_target(op);
        spin_unlock_irqrestore(&r->lock, flags);
        bool mine = pending_detach(op);
        flags = spin_lock_irqsave(&r->lock);
        op->cancelling = false;
        struct pending_op *spare = NULL;
        if (mine || op->released) {
            /* Cancelled here, or completed meanwhile by whoever took it. */
            op->released = false;
            spare = pending_free_locked(r, op);
        } /* else its completer has it still, and frees it */
        spin_unlock_irqrestore(&r->lock, flags);
        kfree(spare);
        pending_unpin_target(kind, target);
        if (mine)
            thread_put(t);
    }
    return false;
}

void pending_cancel_all(struct thread *t)
{
    /* One op at a time, with a preemption point in between: a cancel gives
     * back what the op carried (a queued call's capabilities, each of
     * which may destroy an object), and a thread may have an op in every
     * completion slot. */
    while (!pending_cancel_some(t, 1))
        sched_pause();
}

void pending_timer_fired(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP: pending_complete(op, 0, NULL, 0, NULL, 0); break;
    case PENDING_PARK: park_timed_out(op); break;
    case PENDING_THREAD_JOIN:
    case PENDING_PROCESS_WAIT:
    case PENDING_CALL:
    case PENDING_RECV:
    case PENDING_PIPE_READ:
    case PENDING_PIPE_WRITE:
    case PENDING_PIPE_WAIT:
    case PENDING_SERIAL_READ: break; /* these arm no timer */
    }
}
