/*
 * Endpoints: synchronous calls between processes.
 *
 * An endpoint is a rendezvous with two queues: calls waiting for a receiver,
 * and receives (RECVs posted by the server) waiting for a call.  At most one
 * of the two is non-empty.  Processes never hold the endpoint itself but a
 * facet of it:
 *   server facet  may RECV, RETURN and mint badged client facets;
 *   client facet  may only CALL; carries the badge the server sees.
 *
 * A call's life:
 *   CALL   the client's SQE becomes a pending op (its completion slot stays
 *          reserved).  If a RECV is posted, the call is delivered at once;
 *          otherwise its message is copied into the kernel and queued.
 *   deliver the message and any capabilities go into the server's RECV
 *          buffer and table (all slots pre-allocated, so nothing is half
 *          inserted); the client's moves commit; the server's RECV
 *          completes with the badge, interface, method and a token.
 *   RETURN the server names the call by token; the result message and
 *          capabilities go to the client's buffer and table and the client's
 *          CALL completes.  The server's moves commit only if the client
 *          accepted; otherwise they roll back.
 * Tokens index the server process's received-call table (a slot is reserved
 * when the RECV is posted, so delivery never runs out of slots) and carry
 * the slot's generation, so a stale or forged token is refused.
 *
 * Failure: a client that exits cancels its queued calls (rolling back); a
 * call already delivered stays with the server, whose RETURN then finds the
 * client's ring dead and reports peerGone; a server process that exits fails
 * the calls it received with peerGone; when the last server facet goes,
 * queued calls fail with peerGone (the reaper fails them, a batch at a
 * time, reaper.h).  A delivery that cannot happen fails the
 * party it is about (enum deliver_result): a call that does not fit the
 * RECV's buffer or the server's table fails alone, and the server never
 * sees it; a RECV whose buffer is unwritable or whose server is stopping
 * fails alone, and the call goes to another RECV.  So no client can jam a
 * server that retries its RECV.
 *
 * Calls are made by threads: the completion goes to the calling thread's
 * ring, the capabilities to its process's table.
 *
 * Memory: the endpoint and its first two facets are charged to the ledger
 * of the process that created them, a minted client facet to the minter's,
 * and the kernel copy of a queued call's message to the caller's until the
 * call is delivered or fails.  A call that meets a posted RECV allocates
 * nothing.
 *
 * Locking: the endpoint's lock covers its queues; an op taken off a queue
 * under it belongs to whoever took it (a deliverer, the reaper, or an
 * exiting owner cancelling it), so no two ever act on one op.  The queues
 * are lib/queue: a call or RECV that is cancelled leaves in O(1), however
 * many others are queued.  Under the endpoint
 * lock, delivery takes the receiver's and the sender's process locks (one
 * at a time) and the receiver's ring lock.
 *
 * Direct switch: when delivery or return wakes a thread blocked in
 * cap_enter, the kernel hints the scheduler to run that thread next, so a
 * blocking call switches straight to the server and a RETURN+RECV straight
 * back.
 *
 * Fast path (docs/ipc.md): endpoint_fast_call and endpoint_fast_reply take
 * the common synchronous shapes (a CALL without capabilities delivered to
 * the first posted RECV; a RETURN without capabilities and the next RECV)
 * to the same end state as the code below, checking everything first
 * under the same locks and declining, unchanged, every other case.  Their
 * operations are the thread's own (struct ring's fast_call and fast_recv),
 * so they allocate nothing.
 */
#include "abi/errors.h"
#include "base/mem.h"
#include "cap.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "offwatch.h"
#include "pending.h"
#include "percpu.h"
#include "queue/queue.h"
#include "reaper.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "thread.h"
#include "uspace.h"

struct endpoint {
    uint32_t refs; /* facets + ops that point at it (atomic) */
    struct spinlock lock;
    uint32_t server_facets; /* live server facet objects */
    bool server_gone;       /* the last server facet was released */
    struct queue calls;     /* CALLs waiting for a RECV, oldest first */
    struct queue recvs;     /* RECVs waiting for a call, oldest first */
    struct reap_work reap;  /* failing the queued calls once the server is gone */
};

struct ep_facet {
    struct kobj obj;
    struct endpoint *ep;
    uint64_t badge;
};

/* Queued calls per endpoint.  Their messages are charged to the callers'
 * ledgers; this bounds the work of failing them all when the last server
 * facet goes (endpoint_facet_destroy) and of a RECV that meets calls too
 * big for it (endpoint_recv).  Cancelling one is O(1) (lib/queue). */
#define ENDPOINT_MAX_QUEUED 256

static ALWAYS_INLINE void ep_get(struct endpoint *ep)
{
    __atomic_fetch_add(&ep->refs, 1, __ATOMIC_RELAXED);
}

static ALWAYS_INLINE void ep_put(struct endpoint *ep)
{
    if (__atomic_sub_fetch(&ep->refs, 1, __ATOMIC_ACQ_REL) == 0)
        kfree(ep);
}

static struct ep_facet *ep_facet_new(struct ledger *l, struct endpoint *ep, enum kobj_kind kind,
                                     uint64_t badge, int *err)
{
    struct ep_facet *f = kobj_alloc(l, sizeof(*f), kind, err);
    if (!f)
        return NULL;
    f->ep = ep;
    f->badge = badge;
    ep_get(ep);
    if (kind == KOBJ_ENDPOINT_SERVER) {
        spin_lock(&ep->lock);
        ep->server_facets++;
        spin_unlock(&ep->lock);
    }
    return f;
}

struct kobj *endpoint_create(struct ledger *l, struct kobj **client, int *err)
{
    struct endpoint *ep = kheap_alloc(l, sizeof(*ep), true, err);
    if (!ep)
        return NULL;
    ep->lock = (struct spinlock)SPINLOCK_INIT("endpoint");
    ep->refs = 1; /* dropped below, once the facets hold their own */
    struct ep_facet *s = ep_facet_new(l, ep, KOBJ_ENDPOINT_SERVER, 0, err);
    struct ep_facet *c = s ? ep_facet_new(l, ep, KOBJ_ENDPOINT_CLIENT, 0, err) : NULL;
    if (!c) {
        if (s)
            kobj_put(&s->obj);
        ep_put(ep);
        return NULL;
    }
    ep_put(ep);
    *client = &c->obj;
    return &s->obj;
}

static struct endpoint *ep_of(const struct kobj *o)
{
    return ((const struct ep_facet *)o)->ep;
}

/* ---- queues (endpoint lock held; lib/queue, O(1) each) ---- */

static inline struct pending_op *op_of(struct queue_link *l)
{
    return l ? container_of(l, struct pending_op, wait) : NULL;
}

static inline void q_push(struct queue *q, struct pending_op *op)
{
    queue_push_back(q, &op->wait);
}

static inline void q_push_front(struct queue *q, struct pending_op *op)
{
    queue_push_front(q, &op->wait);
}

static inline struct pending_op *q_pop(struct queue *q)
{
    return op_of(queue_pop_front(q));
}

/* Removes op if it is still queued on q; false if someone took it. */
static inline bool q_remove(struct queue *q, struct pending_op *op)
{
    return queue_remove_if_queued(q, &op->wait);
}

/* ---- received-call tables (process lock held) ---- */

static uint64_t token_of(struct process *p, uint32_t slot)
{
    return ((uint64_t)p->received_gen[slot] << 8) | slot;
}

/* The lowest free slot, as every RECV has always taken. */
static bool recv_slot_reserve(struct process *p, uint32_t *slot)
{
    bool ok = false;
    spin_lock(&p->lock);
    if (p->received_used != ~0ULL && p->state == PROCESS_ALIVE) {
        uint32_t i = (uint32_t)__builtin_ctzll(~p->received_used);
        p->received_used |= 1ULL << i;
        p->received[i] = NULL;
        *slot = i;
        ok = true;
    }
    spin_unlock(&p->lock);
    return ok;
}

static void recv_slot_release_locked(struct process *p, uint32_t slot)
{
    p->received_used &= ~(1ULL << slot);
    p->received[slot] = NULL;
    p->received_gen[slot]++;
}

/* The token check of RETURN: takes the call the token names out of p's
 * table (from then on it is the caller's alone) or returns NULL for a
 * stale, forged or other endpoint's token.  p->lock held. */
static ALWAYS_INLINE struct pending_op *received_take_locked(struct process *p, uint64_t token,
                                                             const struct endpoint *ep)
{
    uint32_t slot = (uint32_t)(token & 0xff);
    uint64_t gen = token >> 8;
    if (slot >= PROCESS_MAX_RECEIVED || gen != p->received_gen[slot] ||
        !(p->received_used & (1ULL << slot)) || !p->received[slot] ||
        p->received[slot]->target != ep)
        return NULL;
    struct pending_op *call = p->received[slot];
    recv_slot_release_locked(p, slot);
    return call;
}

static void recv_slot_release(struct process *p, uint32_t slot)
{
    spin_lock(&p->lock);
    recv_slot_release_locked(p, slot);
    spin_unlock(&p->lock);
}

/* ---- completing calls ---- */

static struct ipc_stats *ipc_local(void)
{
    return &this_cpu()->ipc;
}

/* Fails a call that was never delivered: moves roll back, the client's CALL
 * completes with `err`. */
static void call_fail(struct pending_op *call, int err)
{
    struct endpoint *ep = call->target;
    kfree(call->msg);
    call->msg = NULL;
    xfer_rollback(call->owner->proc, &call->xfer);
    pending_complete(call, err, NULL, 0, NULL, 0);
    ep_put(ep);
}

/*
 * Why a delivery did not happen decides who hears of it, so that no call
 * can jam a server and no server can make a call fail that another
 * receiver could take:
 *   CALL_FAILED  something about this call: its message and cap ids do not
 *                fit the RECV's buffer (invalidArgument), or the server's
 *                table cannot take its capabilities (tableFull).  The call
 *                completes with the error; the RECV stays posted for the
 *                next call, so a retrying server never sees it.
 *   RECV_FAILED  something about this receiver: its buffer is not writable
 *                (badAddress, the server's own fault), or its process is
 *                stopping (peerGone).  The RECV completes with the error;
 *                the call waits for, or goes on to, another RECV.
 */
enum deliver_result {
    DELIVERED,
    RECV_FAILED,
    CALL_FAILED,
};

/* Completes a RECV with an error; its reserved slot returns. */
static void recv_fail(struct pending_op *recv, int err)
{
    struct endpoint *ep = recv->target;
    struct capos_cqe cqe = {.user_data = recv->user_data, .result = err};
    recv_slot_release(recv->owner->proc, recv->recv_slot);
    struct thread *owner = pending_release(recv);
    ring_post(owner, &cqe);
    thread_put(owner);
    ep_put(ep);
}

/* Hints the scheduler to run the thread this event unblocked, if any. */
static void ipc_handoff(struct thread *t)
{
    if (sched_hint_next(t))
        ipc_local()->fast_switches++;
}

/* The end of a fast-path wake-up of t: counts the direct switch the
 * wake-up made t (handoff), or else hints the scheduler to run t; then
 * drops the reference the caller held on t. */
static ALWAYS_INLINE void ipc_fast_handoff(struct thread *t, bool handoff)
{
    if (handoff)
        ipc_local()->fast_switches++;
    else
        ipc_handoff(t);
    thread_put(t);
}

/* The last step of a delivery, once the call is in the server's table:
 * the RECV completes with `cqe` and its thread, which usually waits for
 * it, is woken for a direct switch (the caller usually waits for the
 * reply next).  Endpoint lock held. */
static void deliver_post(struct pending_op *recv, const struct capos_cqe *cqe)
{
    struct endpoint *ep = recv->target;
    /* The RECV's reference on its thread keeps it until the hand-off. */
    struct thread *st = pending_release(recv);
    sched_sync_begin();
    ring_post(st, cqe);
    sched_sync_end();
    ep_put(ep); /* the RECV's reference; the call keeps its own */
    ipc_handoff(st);
    thread_put(st);
}

/* Hands a call to a RECV; endpoint lock held.  On CALL_FAILED, *call_err
 * says why (invalidArgument or tableFull). */
static enum deliver_result deliver(struct pending_op *call, struct pending_op *recv,
                                   const uint8_t *msg, uint32_t len, int *call_err)
{
    struct thread *st = recv->owner;
    struct process *s = st->proc;
    uint64_t needed = CAPOS_CAPS_OFFSET(len) + 4ULL * call->xfer.n;
    struct endpoint *ep = recv->target;

    if (needed > recv->recv_len) {
        /* More than the server accepts: the caller's error, not the
         * server's, which never hears of it. */
        *call_err = CAPOS_ERR_INVALID_ARGUMENT;
        return CALL_FAILED;
    }
    int err = cap_accept_msg(s, recv->recv_addr, msg, len, call->xfer.objs, call->xfer.n);
    if (err == CAPOS_ERR_BAD_ADDRESS || err == CAPOS_ERR_PEER_GONE) {
        recv_fail(recv, err);
        return RECV_FAILED;
    }
    if (err != CAPOS_OK) {
        *call_err = err; /* tableFull */
        return CALL_FAILED;
    }
    /* The receiver holds the set's references now; the client's moves are done. */
    unsigned ncaps = call->xfer.n;
    xfer_commit(call->owner->proc, &call->xfer);
    kfree(call->msg);
    call->msg = NULL;
    call->state = CALL_DELIVERED;
    call->server = s;

    struct capos_cqe cqe = {
        .user_data = recv->user_data,
        .result = CAPOS_OK,
        .result_len = len,
        .ncaps = (uint16_t)ncaps,
        .method = call->method,
        .interface_id = call->interface_id,
        .badge = call->badge,
    };
    spin_lock(&s->lock);
    bool alive = s->state == PROCESS_ALIVE;
    if (alive) {
        s->received[recv->recv_slot] = call;
        cqe.token = token_of(s, recv->recv_slot);
    }
    spin_unlock(&s->lock);
    if (!alive) {
        /* The server stopped while the call went in, and its teardown
         * (which fails received calls) may already have passed this slot:
         * fail it here.  What the call moved went with the server. */
        pending_complete(call, CAPOS_ERR_PEER_GONE, NULL, 0, NULL, 0);
        ep_put(ep); /* the call's; the caller still holds one */
        recv_fail(recv, CAPOS_ERR_PEER_GONE);
        return DELIVERED;
    }
    deliver_post(recv, &cqe);
    return DELIVERED;
}

/* Delivers `call` to posted RECVs until one takes it; false if none did (the
 * caller queues it) or the call failed (*failed, an error code, else 0).
 * Endpoint lock held. */
static bool deliver_to_posted(struct endpoint *ep, struct pending_op *call, const uint8_t *msg,
                              uint32_t len, int *failed)
{
    *failed = 0;
    while (!queue_empty(&ep->recvs)) {
        struct pending_op *recv = q_pop(&ep->recvs);
        enum deliver_result r = deliver(call, recv, msg, len, failed);
        if (r == DELIVERED)
            return true;
        if (r == CALL_FAILED) {
            /* The RECV stays posted for the next caller. */
            q_push_front(&ep->recvs, recv);
            return false;
        }
        /* That RECV completed with its own error: try the next one. */
    }
    return false;
}

/* Takes the first queued call for a RECV: false if none was waiting, true
 * if the RECV completed (with the call or with an error of its buffer).
 * Calls too big for it are moved to `failed`, for calls_fail once the
 * lock is dropped: a failure gives the call's capabilities back, which may
 * destroy objects.  At most ENDPOINT_MAX_QUEUED calls are queued, which
 * bounds the loop.  Endpoint lock held. */
static bool recv_take_queued(struct endpoint *ep, struct pending_op *recv, struct queue *failed)
{
    while (!queue_empty(&ep->calls)) {
        struct pending_op *call = q_pop(&ep->calls);
        int call_err = 0;
        enum deliver_result r = deliver(call, recv, call->msg, call->msg_len, &call_err);
        if (r == DELIVERED)
            return true;
        if (r == RECV_FAILED) {
            /* The RECV completed with an error; the call waits for another. */
            q_push_front(&ep->calls, call);
            return true;
        }
        /* The call failed; the RECV goes on to the next one. */
        call->state = CALL_FAILING; /* ours: an exiting client leaves it */
        call->fail_err = call_err;
        q_push(failed, call);
    }
    return false;
}

/* Fails the calls recv_take_queued set aside; no lock held. */
static void calls_fail(struct queue *failed)
{
    struct pending_op *call;
    while ((call = q_pop(failed)) != NULL)
        call_fail(call, call->fail_err);
}

/* A RECV meets the queued calls (recv_take_queued) or, if none is for
 * it, waits on the endpoint; the calls too big for it then fail.  Entered
 * with the endpoint lock held, which it drops.  Out of line: the fast
 * path comes here only when calls are queued. */
static NOINLINE void recv_post_queued(struct endpoint *ep, struct pending_op *recv)
{
    struct queue failed = {0}; /* calls this RECV cannot take */
    if (!recv_take_queued(ep, recv, &failed))
        q_push(&ep->recvs, recv);
    spin_unlock(&ep->lock);
    calls_fail(&failed);
}

/* ---- CALL on a client facet ---- */

/* Whether x holds a server facet of ep.  Queued on ep, such a call would
 * keep ep's server side alive from ep's own queue: the server could exit
 * and no one would ever fail the queued calls (endpoint_facet_destroy).  A
 * client facet of ep is harmless there, since the queue is drained when
 * the last server facet goes or the caller leaves, and it is how a server
 * is handed one of its own objects back (Endpoint.identify). */
static inline bool xfer_names_server(const struct xfer_set *x, const struct endpoint *ep)
{
    for (unsigned i = 0; i < x->n; i++) {
        const struct kobj *o = x->objs[i];
        if (o->kind == KOBJ_ENDPOINT_SERVER && ep_of(o) == ep)
            return true;
    }
    return false;
}

struct endpoint *endpoint_client_ref(const struct kobj *o, uint64_t *badge)
{
    const struct ep_facet *f = (const struct ep_facet *)o;
    *badge = f->badge;
    ep_get(f->ep);
    return f->ep;
}

void endpoint_get(struct endpoint *ep)
{
    ep_get(ep);
}

void endpoint_put(struct endpoint *ep)
{
    ep_put(ep);
}

int endpoint_call(struct thread *t, struct endpoint *ep, uint64_t badge,
                  const struct capos_sqe *sqe, uint8_t *scratch)
{
    struct process *p = t->proc;
    int failed;
    int err;

    if (sqe->interface_id == capos_Endpoint_INTERFACE_ID)
        return CAPOS_ERR_NOT_PERMITTED; /* the kernel's methods are the server's */
    struct pending_op *call = pending_new(t, PENDING_CALL, sqe, &err);
    if (!call)
        return err;
    err = xfer_take(p, sqe->xfer_addr, sqe->xfer_count, sqe->cap, &call->xfer);
    if (err == CAPOS_OK && xfer_names_server(&call->xfer, ep))
        err = CAPOS_ERR_INVALID_ARGUMENT;
    if (err == CAPOS_OK && !copy_from_user(scratch, sqe->send_addr, sqe->send_len))
        err = CAPOS_ERR_BAD_ADDRESS;
    if (err != CAPOS_OK) {
        xfer_rollback(p, &call->xfer);
        pending_free(call);
        return err;
    }
    call->interface_id = sqe->interface_id;
    call->method = sqe->method;
    call->badge = badge;
    call->state = CALL_QUEUED;
    call->target = ep;
    /* The call's own reference; the caller's keeps the endpoint alive until
     * the lock below is released, even if delivery drops this one. */
    ep_get(ep);

    spin_lock(&ep->lock);
    if (ep->server_gone ||
        (queue_empty(&ep->recvs) && queue_len(&ep->calls) >= ENDPOINT_MAX_QUEUED)) {
        err = ep->server_gone ? CAPOS_ERR_PEER_GONE : CAPOS_ERR_QUOTA_EXCEEDED;
        spin_unlock(&ep->lock);
        xfer_rollback(p, &call->xfer);
        pending_free(call);
        ep_put(ep);
        return err;
    }
    if (deliver_to_posted(ep, call, scratch, sqe->send_len, &failed)) {
        spin_unlock(&ep->lock);
        ipc_local()->direct++;
        return CALL_PENDING;
    }
    if (!failed && sqe->send_len) {
        /* No receiver yet: keep a kernel copy of the message, charged to
         * the caller (kfree uncharges it on delivery or failure). */
        call->msg = kheap_alloc(p->ledger, sqe->send_len, false, &failed);
        if (call->msg)
            memcpy(call->msg, scratch, sqe->send_len);
    }
    if (failed) {
        spin_unlock(&ep->lock);
        call_fail(call, failed);
        return CALL_PENDING;
    }
    call->msg_len = sqe->send_len;
    q_push(&ep->calls, call);
    spin_unlock(&ep->lock);
    ipc_local()->queued++;
    return CALL_PENDING;
}

/* ---- the fast path (docs/ipc.md, "The fast path") ----
 *
 * endpoint_fast_call and endpoint_fast_reply take the common shape of a
 * synchronous call straight to its end state, and decline (returning false
 * with nothing changed and nothing of theirs left behind) every case they
 * do not cover; the SQE then goes through cap_call or cap_return, which
 * decide it from scratch.  What they cover, the general path would do in
 * the same order under the same locks; they only leave out the general
 * machinery that cannot apply (capability transfer, queueing, kernel
 * objects), so the two are observably the same.
 */

/* Takes a thread's own fast-path op (fast_call, fast_recv) for sqe on ep,
 * with ep's reference: the fields pending_use_locked sets from an SQE
 * (the constant ones were set once, pending_pool_init). */
static ALWAYS_INLINE void ipc_fast_op_use(struct pending_op *op, const struct capos_sqe *sqe,
                                          struct endpoint *ep)
{
    op->user_data = sqe->user_data;
    op->recv_addr = sqe->recv_addr;
    op->recv_len = sqe->recv_len;
    op->target = ep;
    op->in_use = true;
}

/* The completion of a fast-path op of ring r's thread (the server's RECV,
 * the client's CALL): the op's release and, if `post` and the thread is
 * not gone, its completion with these fields, under one hold of r's lock.
 * Returns the waiter the completion wakes, if any. */
static ALWAYS_INLINE struct thread *ipc_fast_complete(struct ring *r, struct pending_op *op,
                                                      bool post, int result, uint32_t len,
                                                      uint16_t method, uint64_t interface_id,
                                                      uint64_t badge, uint64_t token)
{
    struct thread *wake = NULL;
    uint64_t user_data = op->user_data;
    spin_lock(&r->lock);
    struct pending_op *spare = pending_put_locked(r, op);
    if (post && !r->dead)
        wake =
            ring_post_fields_locked(r, user_data, result, len, method, interface_id, badge, token);
    spin_unlock(&r->lock);
    if (unlikely(spare != NULL))
        kfree(spare);
    return wake;
}

/* Messages up to this size take the fast path; larger ones are rare in
 * synchronous calls and their copy dominates anyway. */
#define IPC_FAST_MSG_MAX 512
_Static_assert(IPC_FAST_MSG_MAX <= PAGE_SIZE * (USPACE_LOCKED_PAGES - 1),
               "a fast message spans at most USPACE_LOCKED_PAGES pages");

/*
 * CALL on a client facet, carrying no capabilities and at most
 * IPC_FAST_MSG_MAX bytes, to an endpoint whose first posted RECV has room
 * for the message in a live server: the general path's endpoint_call and
 * deliver for that case.  The message goes straight into the RECV's
 * buffer, the call (an op of the caller's ring, as endpoint_call makes it)
 * into the server's table, the RECV completes and its thread is woken for
 * a direct switch.  Every check comes before the first change: the facet
 * under the capability table's lock (as cap_call looks it up), the
 * endpoint's state and the RECV under the endpoint lock, the message read,
 * the server's state and buffer under its process lock.  `scratch`
 * receives the kernel copy of the message.  The caller holds a reference
 * on ep, which a delivered call takes over.
 */
static ALWAYS_INLINE bool endpoint_fast_deliver(struct thread *t, struct endpoint *ep,
                                                uint64_t badge, const struct capos_sqe *sqe,
                                                uint8_t *scratch)
{
    struct pending_op *call = &t->ring.fast_call;
    uint32_t len = sqe->send_len;

    /* The thread's call op is free unless a call it made earlier without
     * waiting for it is still out. */
    if (sqe->xfer_count != 0 || len > IPC_FAST_MSG_MAX ||
        sqe->interface_id == capos_Endpoint_INTERFACE_ID ||
        __atomic_load_n(&call->in_use, __ATOMIC_ACQUIRE))
        return false;
    spin_lock(&ep->lock);
    struct pending_op *recv = op_of(queue_first(&ep->recvs));
    /* No receiver, one too small for the message: the general path queues
     * the call or fails the RECV. */
    if (ep->server_gone || !recv || CAPOS_CAPS_OFFSET(len) > recv->recv_len)
        goto decline;
    /* The one read of the message.  If it fails the general path reads it
     * again and reports badAddress, as it would have. */
    if (len && !copy_from_user(scratch, sqe->send_addr, len))
        goto decline;
    struct thread *st = recv->owner;
    struct process *s = st->proc;
    spin_lock(&s->lock);
    /* A stopping server or a buffer it cannot take: the general deliver
     * fails the call or the RECV. */
    if (s->state != PROCESS_ALIVE ||
        (len && !uspace_write_locked(s, recv->recv_addr, scratch, len))) {
        spin_unlock(&s->lock);
        goto decline;
    }
    /* Committed: from here on this is deliver's end state.  The call is
     * delivered before anyone else can see it, so its op needs no place on
     * its owner's list: a delivered call is the server's to complete.  Its
     * constant fields were set once (pending_pool_init). */
    uint32_t slot = recv->recv_slot;
    ipc_fast_op_use(call, sqe, ep);
    call->interface_id = sqe->interface_id;
    call->method = sqe->method;
    call->badge = badge;
    call->server = s;
    s->received[slot] = call;
    uint64_t token = token_of(s, slot);
    spin_unlock(&s->lock);
    thread_get(t); /* the call's reference on its owner */
    q_pop(&ep->recvs);
    /* deliver_post, with the RECV's release and its completion under one
     * hold of the server's ring lock. */
    struct thread *wake = ipc_fast_complete(&st->ring, recv, true, CAPOS_OK, len, sqe->method,
                                            sqe->interface_id, badge, token);
    /* The waiter is the ring's own thread, st: ipc_handoff's hint is only
     * needed if the wake-up did not make it the direct-switch thread. */
    bool handoff = wake && sched_wake_sync(wake);
    spin_unlock(&ep->lock);
    ep_put(ep);                    /* the RECV's; the call keeps the caller's */
    ipc_fast_handoff(st, handoff); /* drops the RECV's reference on its owner */
    ipc_local()->direct++;
    ipc_local()->fast_calls++;
    return true;

decline:
    spin_unlock(&ep->lock);
    return false;
}

void endpoint_call_fast(struct thread *t, struct kobj *o, const struct capos_sqe *sqe)
{
    offwatch_label(OFFWATCH_ENDPOINT_CALL);
    uint64_t badge;
    struct endpoint *ep = endpoint_client_ref(o, &badge);
    cap_lookup_unlock(t->proc);
    uint8_t *scratch = cap_scratch_params[this_cpu()->id];
    if (endpoint_fast_deliver(t, ep, badge, sqe, scratch))
        return; /* delivered; the call took the reference */
    /* What cap_call does with a call on a client facet. */
    int err = endpoint_call(t, ep, badge, sqe, scratch);
    ep_put(ep);
    if (err != CALL_PENDING)
        cap_call_refuse(t, sqe, err);
}

/* ---- RECV and RETURN on a server facet ---- */

/* The endpoint behind a server facet cap, with a reference the caller drops
 * (taken while the table holds the facet: the facet itself is not needed). */
static inline int endpoint_server_of(struct process *p, uint32_t cap, struct endpoint **ep)
{
    struct kobj *o;
    int err = cap_lookup_lock(p, cap, &o);
    if (err != CAPOS_OK)
        return err;
    if (o->kind == KOBJ_ENDPOINT_CLIENT)
        err = CAPOS_ERR_NOT_PERMITTED;
    else if (o->kind != KOBJ_ENDPOINT_SERVER)
        err = CAPOS_ERR_WRONG_INTERFACE;
    else
        ep_get(*ep = ep_of(o));
    cap_lookup_unlock(p);
    return err;
}

int endpoint_recv(struct thread *t, const struct capos_sqe *sqe)
{
    struct process *p = t->proc;
    struct endpoint *ep;
    uint32_t slot;
    int err = endpoint_server_of(p, sqe->cap, &ep);
    if (err != CAPOS_OK)
        return err;
    if (!recv_slot_reserve(p, &slot)) {
        ep_put(ep);
        return CAPOS_ERR_QUOTA_EXCEEDED;
    }
    struct pending_op *recv = pending_new(t, PENDING_RECV, sqe, &err);
    if (!recv) {
        recv_slot_release(p, slot);
        ep_put(ep);
        return err;
    }
    recv->recv_slot = slot;
    recv->target = ep; /* endpoint_server_of's reference */
    /* Delivery may drop the RECV's reference and a call's under the lock;
     * this one keeps the endpoint until the lock is released. */
    ep_get(ep);
    spin_lock(&ep->lock);
    recv_post_queued(ep, recv);
    ep_put(ep);
    return CALL_PENDING;
}

/* A RETURN's detail is 0, or with an error status names a field of the
 * call's parameters: the only kind of detail a server can know. */
static bool return_detail_valid(const struct capos_sqe *sqe)
{
    return sqe->detail == 0 ||
           (sqe->status != CAPOS_OK && CAPOS_RPC_DETAIL_KIND(sqe->detail) == CAPOS_DETAIL_PARAMS);
}

int endpoint_return(struct thread *t, const struct capos_sqe *sqe, uint8_t *scratch)
{
    struct process *p = t->proc;
    struct endpoint *ep;
    struct xfer_set x;
    int err = endpoint_server_of(p, sqe->cap, &ep);
    if (err != CAPOS_OK)
        return err;
    if (sqe->status < 0 || sqe->status >= CAPOS_ERR_COUNT || !return_detail_valid(sqe)) {
        ep_put(ep);
        return CAPOS_ERR_INVALID_ARGUMENT;
    }
    err = xfer_take(p, sqe->xfer_addr, sqe->xfer_count, 0, &x);
    if (err == CAPOS_OK && !copy_from_user(scratch, sqe->send_addr, sqe->send_len))
        err = CAPOS_ERR_BAD_ADDRESS;
    /* Take the call out of the table: from here it is ours alone. */
    struct pending_op *call = NULL;
    if (err == CAPOS_OK) {
        spin_lock(&p->lock);
        call = received_take_locked(p, sqe->token, ep);
        spin_unlock(&p->lock);
        if (!call)
            err = CAPOS_ERR_INVALID_ARGUMENT; /* stale, forged, or another endpoint's call */
    }
    if (err != CAPOS_OK) {
        xfer_rollback(p, &x);
        ep_put(ep);
        return err;
    }
    struct thread *client = call->owner;
    int status = sqe->status;
    /* A server usually waits for its next call after replying.  The call's
     * reference on the client keeps it until the hand-off below. */
    sched_sync_begin();
    int res = pending_complete_keep(call, status, sqe->detail, scratch,
                                    status == CAPOS_OK ? sqe->send_len : 0, x.objs,
                                    status == CAPOS_OK ? x.n : 0);
    sched_sync_end();
    if (res == CAPOS_OK && status == CAPOS_OK)
        xfer_commit(p, &x);
    else
        xfer_rollback(p, &x);
    ep_put(ep); /* the call's */
    ep_put(ep); /* endpoint_server_of's */
    ipc_handoff(client);
    thread_put(client);
    return res == CAPOS_ERR_PEER_GONE ? CAPOS_ERR_PEER_GONE : CAPOS_OK;
}

/*
 * A server's RETURN, carrying no capabilities, no detail and at most
 * IPC_FAST_MSG_MAX bytes, followed by its next RECV on the same endpoint: what
 * endpoint_return and endpoint_recv do for the two, one after the other.
 * The RETURN's token is checked and its received-call slot freed, and the
 * RECV's slot reserved (the lowest free, as recv_slot_reserve takes it),
 * under one hold of the process lock; the result goes to the client, whose
 * CALL completes and whose thread is woken for a direct switch; then the
 * RECV takes a queued call or waits on the endpoint.  Returns false, with
 * nothing changed, when it does not apply; both entries then go through
 * the general path.  The RETURN's own completion is written in place, as
 * ring_dispatch completes it; the caller publishes it.
 */
bool endpoint_fast_reply(struct thread *t, const struct capos_sqe *ret, const struct capos_sqe *rcv)
{
    struct process *p = t->proc;
    struct ring *r = &t->ring;
    struct pending_op *recv = &r->fast_recv;
    uint32_t len = ret->send_len;
    int status = ret->status;
    struct kobj *o, *o2;

    /* The RECV op is free unless the last fast RECV is still posted (the
     * server submitted more than one).  A refusal's detail is checked and
     * carried by endpoint_return: refusals are rare. */
    bool combined = ret == rcv; /* REPLY_RECV: no detail, no RETURN completion */
    if (ret->xfer_count != 0 || (!combined && ret->detail != 0) || len > IPC_FAST_MSG_MAX ||
        status < 0 || status >= CAPOS_ERR_COUNT || __atomic_load_n(&recv->in_use, __ATOMIC_ACQUIRE))
        return false;
    /* Both entries name server facets of one endpoint. */
    if (cap_lookup_lock(p, ret->cap, &o) != CAPOS_OK)
        return false;
    o2 = rcv->cap == ret->cap ? o : captable_get(&p->caps.t, rcv->cap);
    if (o->kind != KOBJ_ENDPOINT_SERVER || !o2 || o2->kind != KOBJ_ENDPOINT_SERVER ||
        ep_of(o2) != ep_of(o)) {
        cap_lookup_unlock(p);
        return false;
    }
    struct endpoint *ep = ep_of(o);
    ep_get(ep); /* the lookup's, as endpoint_server_of takes it */
    cap_lookup_unlock(p);
    uint8_t *scratch = cap_scratch_params[this_cpu()->id];
    if (len && !copy_from_user(scratch, ret->send_addr, len)) {
        ep_put(ep);
        return false;
    }
    spin_lock(&p->lock);
    struct pending_op *call =
        p->state == PROCESS_ALIVE ? received_take_locked(p, ret->token, ep) : NULL;
    if (!call) {
        spin_unlock(&p->lock);
        ep_put(ep);
        return false;
    }
    /* Committed.  The slot just freed makes room for the RECV. */
    uint32_t slot = (uint32_t)__builtin_ctzll(~p->received_used);
    p->received_used |= 1ULL << slot;
    p->received[slot] = NULL;
    spin_unlock(&p->lock);

    /* The RETURN: pending_complete_keep and cap_deliver for a message
     * without capabilities, the op's release and the completion under one
     * hold of the client's ring lock. */
    struct thread *ct = call->owner;
    struct ring *cr = &ct->ring;
    int res = status;
    uint32_t rlen = 0;
    bool gone = __atomic_load_n(&cr->dead, __ATOMIC_ACQUIRE);
    if (gone) {
        res = CAPOS_ERR_PEER_GONE; /* the thread is gone: take nothing */
    } else if (status == CAPOS_OK && CAPOS_CAPS_OFFSET(len) > call->recv_len) {
        res = CAPOS_ERR_RESULT_TOO_LARGE;
        rlen = (uint32_t)CAPOS_CAPS_OFFSET(len);
    } else if (status == CAPOS_OK) {
        if (len == 0 || uspace_write(ct->proc, call->recv_addr, scratch, len))
            rlen = len;
        else
            res = CAPOS_ERR_BAD_ADDRESS;
    }
    struct thread *wake = ipc_fast_complete(cr, call, !gone, res, rlen, 0, 0, 0, 0);
    /* The waiter is the client's own thread, ct (see endpoint_fast_call). */
    bool handoff = wake && sched_wake_sync(wake);

    /* The RECV, with the call's reference on the endpoint (its constant
     * fields were set once, pending_pool_init).  It goes on the owner list
     * (a posted RECV is cancelled when its thread ends) and is in setup
     * until the dispatch is over, as pending_new leaves an op; the
     * RETURN's own completion is written in the same hold of the ring lock
     * (the caller publishes it). */
    ipc_fast_op_use(recv, rcv, ep);
    recv->recv_slot = slot;
    thread_get(t); /* the RECV's reference on its owner */
    spin_lock(&r->lock);
    pending_link_locked(r, recv);
    /* As endpoint_return: peerGone for a client that is gone, and also
     * when the status given was peerGone (what cap_deliver returns).  A
     * REPLY_RECV's RETURN leaves no completion either way. */
    if (!combined)
        ring_cqe_write_result(r, ret->user_data,
                              res == CAPOS_ERR_PEER_GONE ? CAPOS_ERR_PEER_GONE : CAPOS_OK, 0);
    spin_unlock(&r->lock);
    spin_lock(&ep->lock);
    if (likely(queue_empty(&ep->calls))) {
        q_push(&ep->recvs, recv);
        spin_unlock(&ep->lock);
    } else {
        recv_post_queued(ep, recv);
    }
    ep_put(ep);                    /* the lookup's */
    ipc_fast_handoff(ct, handoff); /* drops the call's reference on its owner */
    ipc_local()->fast_returns++;
    return true;
}

/* ---- the kernel's own methods (server facet) ---- */

capos_Endpoint_SERVER(endpoint, struct ep_facet, struct call);

int endpoint_invoke(struct kobj *o, struct call *c)
{
    if (o->kind != KOBJ_ENDPOINT_SERVER)
        return CAPOS_ERR_NOT_PERMITTED;
    return endpoint_dispatch((struct ep_facet *)o, c);
}

static int endpoint_mintClient(struct ep_facet *f, struct call *c,
                               const capos_Endpoint_mintClient_args *a)
{
    int err;
    struct ep_facet *client =
        ep_facet_new(c->proc->ledger, f->ep, KOBJ_ENDPOINT_CLIENT, a->badge, &err);
    if (!client)
        return err;
    c->out_caps[c->out_ncaps++] = &client->obj;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Endpoint_mintClient_encode_results(&b, &(capos_Endpoint_mintClient_results){.client = 0});
    return call_result_end(c, &b);
}

/* Only looks: the facet sent stays the caller's (a copy is dropped with
 * the call's transfer set, a move is rolled back by cap_call). */
static int endpoint_identify(struct ep_facet *f, struct call *c,
                             const capos_Endpoint_identify_args *a)
{
    /* The decoder refuses a null `client` ($C.required); checked again
     * here because an index past the set would read past objs[]. */
    if (a->client >= c->xfer.n)
        return capos_rpc_refuse(&c->rpc, capos_Endpoint_identify_field_client);
    const struct kobj *o = c->xfer.objs[a->client];
    if (o->kind != KOBJ_ENDPOINT_CLIENT || ((const struct ep_facet *)o)->ep != f->ep)
        return CAPOS_ERR_CROSS_SERVICE;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_Endpoint_identify_encode_results(
        &b, &(capos_Endpoint_identify_results){.badge = ((const struct ep_facet *)o)->badge});
    return call_result_end(c, &b);
}

/* ---- teardown ---- */

void endpoint_facet_destroy(struct kobj *o)
{
    struct ep_facet *f = (struct ep_facet *)o;
    struct endpoint *ep = f->ep;
    if (o->kind == KOBJ_ENDPOINT_SERVER) {
        spin_lock(&ep->lock);
        bool reap = false;
        if (--ep->server_facets == 0) {
            /* No one can receive any more: no call queues from now on, and
             * the reaper fails those waiting (up to ENDPOINT_MAX_QUEUED,
             * each of which may release capabilities that destroy more). */
            ep->server_gone = true;
            reap = !queue_empty(&ep->calls);
        }
        spin_unlock(&ep->lock);
        if (reap) {
            ep_get(ep); /* the reaper's */
            reap_queue(&ep->reap, REAP_ENDPOINT_CALLS);
        }
    }
    kfree(f);
    ep_put(ep);
}

/* Queued calls one reaper step fails at most. */
#define ENDPOINT_REAP_BATCH 16

bool endpoint_reap_calls(struct reap_work *w)
{
    struct endpoint *ep = container_of(w, struct endpoint, reap);
    struct pending_op *batch[ENDPOINT_REAP_BATCH];
    unsigned n = 0;
    spin_lock(&ep->lock);
    while (n < ENDPOINT_REAP_BATCH && !queue_empty(&ep->calls)) {
        batch[n] = q_pop(&ep->calls);
        batch[n++]->state = CALL_FAILING; /* ours: an exiting client leaves it */
    }
    bool done = queue_empty(&ep->calls);
    spin_unlock(&ep->lock);
    /* Outside the lock: a failed call's capabilities go back, and an
     * object they were the last reference to is destroyed. */
    for (unsigned i = 0; i < n; i++)
        call_fail(batch[i], CAPOS_ERR_PEER_GONE);
    if (done)
        ep_put(ep);
    return done;
}

bool endpoint_detach_op(struct pending_op *op)
{
    struct endpoint *ep = op->target;
    bool mine;
    spin_lock(&ep->lock);
    if (op->kind == PENDING_RECV) {
        mine = q_remove(&ep->recvs, op);
        spin_unlock(&ep->lock);
        if (mine) {
            recv_slot_release(op->owner->proc, op->recv_slot);
            ep_put(ep);
        }
        return mine; /* else a deliverer has it and will complete it */
    }
    /* PENDING_CALL of an exiting client. */
    mine = op->state == CALL_QUEUED && q_remove(&ep->calls, op);
    spin_unlock(&ep->lock);
    if (!mine)
        return false; /* delivered (or being delivered): the server completes it */
    kfree(op->msg);
    op->msg = NULL;
    xfer_rollback(op->owner->proc, &op->xfer);
    ep_put(ep);
    return true;
}

bool endpoint_process_gone(struct process *p, unsigned max)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < PROCESS_MAX_RECEIVED; i++) {
        spin_lock(&p->lock);
        struct pending_op *call = p->received_used & (1ULL << i) ? p->received[i] : NULL;
        if (call && n == max) {
            spin_unlock(&p->lock);
            return false; /* one more: the next step takes it */
        }
        if (call)
            recv_slot_release_locked(p, i);
        spin_unlock(&p->lock);
        if (!call)
            continue;
        struct endpoint *ep = call->target;
        pending_complete(call, CAPOS_ERR_PEER_GONE, NULL, 0, NULL, 0);
        ep_put(ep);
        n++;
    }
    return true;
}

void ipc_stats_sum(struct ipc_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < cpu_count; i++) {
        out->direct += cpus[i].ipc.direct;
        out->queued += cpus[i].ipc.queued;
        out->fast_switches += cpus[i].ipc.fast_switches;
        out->fast_calls += cpus[i].ipc.fast_calls;
        out->fast_returns += cpus[i].ipc.fast_returns;
    }
}
