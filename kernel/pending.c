/*
 * Pending operation pools and bookkeeping (see pending.h).  Each ring owns a
 * pool; ops are allocated by the ring's own thread and may be freed from any
 * CPU (the completer), so list and pool changes happen under the ring's lock.
 */
#include "pending.h"

#include "base/mem.h"
#include "cap.h"
#include "objects.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "thread.h"

void pending_pool_init(struct ring *r)
{
    r->pending = NULL;
    r->pending_free = NULL;
    r->setup_op = NULL;
    for (unsigned i = 0; i < CAPOS_RING_CQ_ENTRIES; i++) {
        r->pending_pool[i].in_use = false;
        r->pending_pool[i].free_next = r->pending_free;
        r->pending_free = &r->pending_pool[i];
    }
}

/* Returns an op to its ring's free list; ring lock held. */
static void pending_release_locked(struct ring *r, struct pending_op *op)
{
    op->in_use = false;
    op->free_next = r->pending_free;
    r->pending_free = op;
}

/* Every op holds a reference on its owner, so that whoever completes it can
 * still reach the owner's ring after the owner started exiting. */

static void pending_unlink_locked(struct ring *r, struct pending_op *op)
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

struct pending_op *pending_new(struct thread *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe)
{
    struct ring *r = &owner->ring;
    uint64_t flags = spin_lock_irqsave(&r->lock);
    struct pending_op *op = r->pending_free;
    if (!op) {
        spin_unlock_irqrestore(&r->lock, flags);
        return NULL;
    }
    r->pending_free = op->free_next;
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
    op->timer.kind = TIMER_OP_COMPLETE;
    op->timer.op = op;
    op->owner_prev = NULL;
    op->owner_next = r->pending;
    if (r->pending)
        r->pending->owner_prev = op;
    r->pending = op;
    r->setup_op = op;
    spin_unlock_irqrestore(&r->lock, flags);
    thread_get(owner);
    return op;
}

struct thread *pending_release(struct pending_op *op)
{
    struct thread *owner = op->owner;
    struct ring *r = &owner->ring;
    if (__atomic_load_n(&op->timer.armed, __ATOMIC_ACQUIRE))
        timerq_cancel(&op->timer); /* only sleeps and timed parks arm one */
    uint64_t flags = spin_lock_irqsave(&r->lock);
    pending_unlink_locked(r, op);
    pending_release_locked(r, op);
    spin_unlock_irqrestore(&r->lock, flags);
    return owner;
}

void pending_free(struct pending_op *op)
{
    thread_put(pending_release(op));
}

int pending_complete_keep(struct pending_op *op, int err, const void *msg, uint32_t len,
                          struct kobj **caps, unsigned ncaps)
{
    uint64_t recv_addr = op->recv_addr;
    uint32_t recv_len = op->recv_len;
    struct capos_cqe cqe = {.user_data = op->user_data};
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
    int res = pending_complete_keep(op, err, msg, len, caps, ncaps);
    thread_put(owner);
    return res;
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
    case PENDING_CALL:
    case PENDING_RECV: return endpoint_detach_op(op);
    }
    return true;
}

void pending_cancel_all(struct thread *t)
{
    struct ring *r = &t->ring;
    /* The owner itself is past any setup: everything goes. */
    bool foreign = t != sched_current();
    for (;;) {
        uint64_t flags = spin_lock_irqsave(&r->lock);
        struct pending_op *op = r->pending;
        if (op && foreign && op == __atomic_load_n(&r->setup_op, __ATOMIC_ACQUIRE))
            op = op->owner_next;
        if (!op) {
            spin_unlock_irqrestore(&r->lock, flags);
            return;
        }
        pending_unlink_locked(r, op);
        spin_unlock_irqrestore(&r->lock, flags);
        /* An op someone else already took stays allocated until they are done. */
        if (pending_detach(op)) {
            flags = spin_lock_irqsave(&r->lock);
            pending_release_locked(r, op);
            spin_unlock_irqrestore(&r->lock, flags);
            thread_put(t);
        }
    }
}

void pending_timer_fired(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP: pending_complete(op, 0, NULL, 0, NULL, 0); break;
    case PENDING_PARK: park_timed_out(op); break;
    case PENDING_THREAD_JOIN:
    case PENDING_PROCESS_WAIT:
    case PENDING_CALL:
    case PENDING_RECV: break; /* these arm no timer */
    }
}
