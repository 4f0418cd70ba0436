/*
 * Pending operations: ring entries that complete later.
 *
 * When an SQE cannot complete at once (Timer.sleep, ProcessHandle.wait, an
 * endpoint CALL waiting for its RETURN, a RECV waiting for a call), its
 * owner's completion slot stays reserved and a pending_op records what is
 * needed to post the completion later: the user_data cookie and where the
 * result goes.  Because every pending op holds a completion slot, a thread
 * can never have more than CAPOS_RING_CQ_ENTRIES of them.  They are
 * allocated on demand, charged to the owner's process, and a ring keeps a
 * few free ones, so the usual operation allocates nothing (pending.c).
 *
 * Every live pending op that is not yet in someone else's hands is on its
 * owner's list, so an exiting thread can cancel all of them (the fast
 * path's call op is never on it: it is delivered before anyone can see
 * it); when it completes it posts exactly one CQE and is freed.  Exactly
 * one party completes or cancels an op: whoever takes it off the queue it
 * waits on.  An op that someone else took outlives its owner's exit (a CALL
 * already delivered is answered by the server, whose completion then finds
 * the ring dead); every op holds a reference on its owner thread, so the
 * pool stays valid meanwhile.
 *
 * A canceller and a completer can meet: the canceller takes the op off its
 * owner's list, then (ring lock dropped) off the queue it waits on, and
 * finds it gone if a completer took it first.  The completer may then have
 * released the op and dropped the op's reference on its target before the
 * canceller looks at either.  So the canceller, while the op is still on
 * the owner's list (completers release an op, under the ring lock, before
 * they drop its target), takes a reference of its own on the target, and
 * marks the op `cancelling`: a release meanwhile leaves the op's memory to
 * the canceller (pending_cancel_all).
 */
#ifndef CAPOS_KERNEL_PENDING_H
#define CAPOS_KERNEL_PENDING_H

#include "abi/ring.h"
#include "base/compiler.h"
#include "queue/queue.h"
#include "timerq.h"
#include "xfer.h"

struct process;
struct thread;
struct ring;
struct kobj;
struct endpoint;
struct spinlock;

enum pending_kind {
    PENDING_SLEEP,        /* Timer.sleep */
    PENDING_PROCESS_WAIT, /* ProcessHandle.wait: target is the process waited on */
    PENDING_CALL,         /* endpoint CALL: queued on the endpoint or delivered */
    PENDING_RECV,         /* endpoint RECV: posted on the endpoint */
    PENDING_THREAD_JOIN,  /* ThreadHandle.join: target is the thread joined */
    PENDING_PARK,         /* ParkSpace.wait: key in park_proc, park_addr */
    PENDING_PIPE_READ,    /* PipeReader.read: target is the pipe */
    PENDING_PIPE_WRITE,   /* PipeWriter.write: target is the pipe */
    PENDING_PIPE_WAIT,    /* PipeReader/PipeWriter.wait: target is the pipe */
    PENDING_SERIAL_READ,  /* SerialInput.read: max bytes in pipe_len */
};

enum ipc_call_state {
    CALL_QUEUED,    /* on the endpoint's queue, not yet received */
    CALL_DELIVERED, /* in the server's received table, awaiting RETURN */
    CALL_FAILING,   /* taken off its queue to fail: whoever took it completes it */
};

struct pending_op {
    enum pending_kind kind;
    bool in_use;   /* taken (the fast path reads it of its own two ops) */
    bool embedded; /* one of its ring's fast-path ops, not from the pool */
    /* A canceller took it off its owner's list and is detaching it (ring
     * lock); a completer that releases it meanwhile sets `released` and
     * leaves the op's memory to the canceller, which frees it when done.
     * Both are clear whenever the op is free. */
    bool cancelling;
    bool released;
    struct thread *owner; /* whose ring the completion goes to */
    uint64_t user_data;
    uint64_t recv_addr; /* where the result message (and cap ids) go */
    uint32_t recv_len;
    struct pending_op *owner_next, *owner_prev; /* owner's list of live ops */
    struct pending_op *free_next;               /* owner's free list, while unused */
    struct queue_link wait;                     /* queue of whatever it waits on */
    struct pending_op *wait_next;               /* a pipe's queue (object/pipe.c) */
    struct timer_event timer;
    void *target; /* PROCESS_WAIT: struct process; CALL/RECV: struct endpoint;
                   * THREAD_JOIN: struct thread */

    /* PENDING_PARK: the key waited on, and the op's place in that
     * process's set of parked ops (object/park.c), under its park_lock. */
    struct process *park_proc;
    uint64_t park_addr;
    struct rb_node park_node;
    bool parked; /* in the set: nobody has taken it yet */

    /* PENDING_PIPE_*: the caller's buffer and length (read, write) or the
     * events (wait, with the end in pipe_writer); what it completes with
     * once taken off the pipe's queue (object/pipe.c). */
    uint64_t pipe_buf;
    uint32_t pipe_len;
    bool pipe_writer;
    int32_t pipe_err;
    uint32_t pipe_result;

    /* PENDING_RECV: the slot reserved in the owner's received-call table. */
    uint32_t recv_slot;

    /* PENDING_CALL: the message in flight. */
    enum ipc_call_state state;
    uint64_t interface_id;
    uint16_t method;
    uint64_t badge;
    uint8_t *msg; /* kernel copy while queued (kfree'd on delivery) */
    uint32_t msg_len;
    struct xfer_set xfer;   /* capabilities sent with the call */
    struct process *server; /* DELIVERED: who received it (the stall report) */
    int32_t fail_err;       /* a RECV could not take it: the error it fails with */
};

/* Initialises a ring's ops (none in flight, none kept free, the fast
 * path's two free). */
void pending_pool_init(struct ring *r);

/* Frees the ops a ring keeps (the thread's struct is going away). */
void pending_pool_release(struct ring *r);

/* A pending op for `sqe` of thread `owner`, on its ring's list; NULL with
 * *err quotaExceeded (the owner's process ledger refused it) or noMemory.
 * Only the owner creates ops, while dispatching an SQE; the op is "in
 * setup" until the dispatch ends (pending_setup_done), and until then a
 * canceller on another CPU leaves it alone: it may not be on its target's
 * queue yet. */
struct pending_op *pending_new(struct thread *owner, enum pending_kind kind,
                               const struct capos_sqe *sqe, int *err);

/*
 * Posts the op's completion: `msg` (len bytes) and the ids of `caps`
 * (inserted into the owner's table) go to the owner's recv buffer; then the
 * op returns to the pool.  Returns the result that was posted; if it is not
 * ok, the references in `caps` are still the caller's.
 */
int pending_complete(struct pending_op *op, int err, const void *msg, uint32_t len,
                     struct kobj **caps, unsigned ncaps);

/*
 * Completes up to `max` ops waiting on q (by their `wait` link; `lock`
 * guards q) with the result `msg` (len bytes; 0: it did not fit, which
 * posts resultTooLarge).  *completed says how many it took: the caller
 * drops the reference each of them held.  Returns whether q is empty.
 * Only for a queue that no longer grows (its object has ended).
 */
bool pending_complete_waiters(struct spinlock *lock, struct queue *q, unsigned max, const void *msg,
                              uint32_t len, unsigned *completed);

/* Like pending_complete, with `detail` for the completion (0 unless err
 * is an error), and the op's reference on its owner passes to the caller,
 * who drops it with thread_put once done with the owner. */
int pending_complete_keep(struct pending_op *op, int err, uint32_t detail, const void *msg,
                          uint32_t len, struct kobj **caps, unsigned ncaps);

/* Takes the op off its owner's list and frees it. */
void pending_free(struct pending_op *op);

/* Like pending_free, but returns the owner with the op's reference on it,
 * which the caller drops with thread_put. */
struct thread *pending_release(struct pending_op *op);

/* Removes the op from whatever it waits on (a process's waiters, an
 * endpoint's queues) and releases what it holds.  Returns false if someone
 * else already took it and will complete it (a deliverer, a returning
 * server, an exiting process, a firing timer): the caller then leaves it. */
bool pending_detach(struct pending_op *op);

/* Cancels up to `max` pending ops of an exiting thread (no completions
 * posted); true once none is left.  Run by another thread (the reaper), it
 * leaves the op the owner is setting up to the owner, which cancels it
 * when it notices its process stopped. */
bool pending_cancel_some(struct thread *t, unsigned max);

/* The exiting thread's own: cancels all of its ops, with a preemption
 * point between two (no lock held, nothing in per-CPU state). */
void pending_cancel_all(struct thread *t);

/* Timer expiry for ops that armed op->timer. */
void pending_timer_fired(struct pending_op *op);

#endif
