/*
 * Pending operations: ring entries that complete later.
 *
 * When an SQE cannot complete at once (Timer.sleep, ProcessHandle.wait, an
 * endpoint CALL waiting for its RETURN, a RECV waiting for a call), its
 * owner's completion slot stays reserved and a pending_op records what is
 * needed to post the completion later: the user_data cookie and where the
 * result goes.  Every pending op is on its owner's list, so a process that
 * exits can cancel all of them; when it completes, it posts exactly one CQE
 * and is freed.
 */
#ifndef CAPOS_KERNEL_PENDING_H
#define CAPOS_KERNEL_PENDING_H

#include "abi/ring.h"
#include "base/compiler.h"
#include "timerq.h"

struct process;
struct kobj;

enum pending_kind {
    PENDING_SLEEP, /* Timer.sleep */
};

struct pending_op {
    enum pending_kind kind;
    struct process *owner;
    uint64_t user_data;
    uint64_t recv_addr; /* where the result message (and cap ids) go */
    uint32_t recv_len;
    struct pending_op *owner_next; /* owner's list */
    struct pending_op *wait_next;  /* list of whatever it waits on */
    struct timer_event timer;
    void *target; /* PROCESS_WAIT: struct process; CALL/RECV: struct endpoint */
};

/* A pending op for `sqe` of the current process (not yet on any wait list). */
struct pending_op *pending_new(struct process *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe);

/*
 * Posts the op's completion: copies `msg` (len bytes) and the ids of `caps`
 * (inserted into the owner's table) into the owner's recv buffer, then frees
 * the op.  If the buffer is too small the completion is resultTooLarge and
 * the caps are dropped.  Takes over the references in `caps`.
 */
void pending_complete(struct pending_op *op, int err, const void *msg, uint32_t len,
                      struct kobj **caps, unsigned ncaps);

/* Unlinks the op from its owner's list and frees it without completing. */
void pending_free(struct pending_op *op);

/* Removes the op from whatever it waits on (a process's waiters, an
 * endpoint's queues), by kind; the owner's list is left alone. */
void pending_detach(struct pending_op *op);

/* Cancels every pending op of an exiting process (no completions posted). */
void pending_cancel_all(struct process *p);

/* Timer expiry for ops that armed op->timer. */
void pending_timer_fired(struct pending_op *op);

#endif
