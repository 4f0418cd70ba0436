/*
 * Pending operation bookkeeping (see pending.h).
 */
#include "pending.h"

#include "base/mem.h"
#include "cap.h"
#include "mm/kheap.h"
#include "process.h"

struct pending_op *pending_new(struct process *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe)
{
    struct pending_op *op = kzalloc(sizeof(*op));
    if (!op)
        return NULL;
    op->kind = kind;
    op->owner = owner;
    op->user_data = sqe->user_data;
    op->recv_addr = sqe->recv_addr;
    op->recv_len = sqe->recv_len;
    op->timer.kind = TIMER_OP_COMPLETE;
    op->timer.op = op;
    op->owner_next = owner->pending;
    owner->pending = op;
    return op;
}

static void pending_unlink(struct pending_op *op)
{
    for (struct pending_op **pp = &op->owner->pending; *pp; pp = &(*pp)->owner_next) {
        if (*pp == op) {
            *pp = op->owner_next;
            return;
        }
    }
}

void pending_free(struct pending_op *op)
{
    timerq_cancel(&op->timer);
    pending_unlink(op);
    kfree(op);
}

void pending_complete(struct pending_op *op, int err, const void *msg, uint32_t len,
                      struct kobj **caps, unsigned ncaps)
{
    struct capos_cqe cqe;
    memset(&cqe, 0, sizeof(cqe));
    cqe.user_data = op->user_data;
    cap_deliver(op->owner, &cqe, op->recv_addr, op->recv_len, err, msg, len, caps, ncaps);
    pending_free(op);
}

void pending_cancel_all(struct process *p)
{
    while (p->pending) {
        struct pending_op *op = p->pending;
        pending_detach(op);
        pending_free(op);
    }
}

void pending_timer_fired(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP: pending_complete(op, 0, NULL, 0, NULL, 0); break;
    }
}

void pending_detach(struct pending_op *op)
{
    switch (op->kind) {
    case PENDING_SLEEP:
        /* Only its timer refers to it; pending_free cancels that. */
        break;
    }
}
