/*
 * Pending operation pool and bookkeeping (see pending.h).
 */
#include "pending.h"

#include "base/mem.h"
#include "cap.h"
#include "objects.h"
#include "process.h"

void pending_pool_init(struct process *p)
{
    p->pending = NULL;
    p->pending_free = NULL;
    for (unsigned i = 0; i < CAPOS_RING_CQ_ENTRIES; i++) {
        p->pending_pool[i].in_use = false;
        p->pending_pool[i].free_next = p->pending_free;
        p->pending_free = &p->pending_pool[i];
    }
}

/* Returns an op to its owner's free list. */
static void pending_release(struct pending_op *op)
{
    op->in_use = false;
    op->free_next = op->owner->pending_free;
    op->owner->pending_free = op;
}

struct pending_op *pending_new(struct process *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe)
{
    struct pending_op *op = owner->pending_free;
    if (!op)
        return NULL;
    owner->pending_free = op->free_next;
    /* Every field a kind relies on is set here or by its creator. */
    op->in_use = true;
    op->orphaned = false;
    op->kind = kind;
    op->owner = owner;
    op->user_data = sqe->user_data;
    op->recv_addr = sqe->recv_addr;
    op->recv_len = sqe->recv_len;
    op->wait_next = NULL;
    op->target = NULL;
    op->msg = NULL;
    op->msg_len = 0;
    op->xfer.n = 0;
    op->timer.armed = false;
    op->timer.kind = TIMER_OP_COMPLETE;
    op->timer.op = op;
    op->owner_prev = NULL;
    op->owner_next = owner->pending;
    if (owner->pending)
        owner->pending->owner_prev = op;
    owner->pending = op;
    return op;
}

static void pending_unlink(struct pending_op *op)
{
    if (op->owner_prev)
        op->owner_prev->owner_next = op->owner_next;
    else
        op->owner->pending = op->owner_next;
    if (op->owner_next)
        op->owner_next->owner_prev = op->owner_prev;
    op->owner_next = op->owner_prev = NULL;
}

void pending_free(struct pending_op *op)
{
    timerq_cancel(&op->timer);
    pending_unlink(op);
    pending_release(op);
}

int pending_complete(struct pending_op *op, int err, const void *msg, uint32_t len,
                     struct kobj **caps, unsigned ncaps)
{
    struct process *owner = op->owner;
    uint64_t recv_addr = op->recv_addr;
    uint32_t recv_len = op->recv_len;
    struct capos_cqe cqe = {.user_data = op->user_data};
    /* Free first: the completion below may wake the owner on another CPU. */
    pending_free(op);
    return cap_deliver(owner, &cqe, recv_addr, recv_len, err, msg, len, caps, ncaps);
}

bool pending_detach(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP:
        /* Only its timer refers to it; pending_free cancels that. */
        return true;
    case PENDING_PROCESS_WAIT: process_handle_detach(op); return true;
    case PENDING_CALL:
    case PENDING_RECV: return endpoint_detach_op(op);
    }
    return true;
}

void pending_cancel_all(struct process *p)
{
    while (p->pending) {
        struct pending_op *op = p->pending;
        pending_unlink(op);
        timerq_cancel(&op->timer);
        /* A delivered call stays allocated (orphaned) until its server is done. */
        if (pending_detach(op))
            pending_release(op);
    }
}

void pending_timer_fired(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP: pending_complete(op, 0, NULL, 0, NULL, 0); break;
    case PENDING_PROCESS_WAIT:
    case PENDING_CALL:
    case PENDING_RECV: break; /* these arm no timer */
    }
}

void pending_orphan_release(struct pending_op *op)
{
    struct process *owner = op->owner;
    pending_release(op);
    process_put(owner);
}
