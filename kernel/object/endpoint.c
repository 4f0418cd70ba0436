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
 * Failure: a client that exits cancels its queued calls (rolling back) and
 * orphans delivered ones (the server's RETURN then reports peerGone); a
 * server process that exits fails the calls it received with peerGone;
 * when the last server facet goes, queued calls fail with peerGone.
 *
 * Fast path: when delivery or return wakes a thread blocked in cap_enter,
 * the kernel hints the scheduler to run that thread next, so a blocking
 * call switches straight to the server and a RETURN+RECV straight back,
 * with no other difference from the slow path.
 */
#include "abi/errors.h"
#include "base/mem.h"
#include "cap.h"
#include "mm/kheap.h"
#include "msg.h"
#include "objects.h"
#include "pending.h"
#include "process.h"
#include "ring.h"
#include "sched.h"
#include "uspace.h"

struct endpoint {
    uint32_t refs;          /* facets + ops queued on it */
    uint32_t server_facets; /* live server facet objects */
    bool server_gone;       /* the last server facet was released */
    struct pending_op *calls_head, *calls_tail;
    struct pending_op *recvs_head, *recvs_tail;
    uint32_t ncalls;
};

struct ep_facet {
    struct kobj obj;
    struct endpoint *ep;
    uint64_t badge;
};

/* Queued calls per endpoint: each holds kernel memory for its message. */
#define ENDPOINT_MAX_QUEUED 256

struct ipc_stats ipc_stats;

static void ep_get(struct endpoint *ep)
{
    ep->refs++;
}

static void ep_put(struct endpoint *ep)
{
    if (--ep->refs == 0)
        kfree(ep);
}

static struct ep_facet *ep_facet_new(struct endpoint *ep, enum kobj_kind kind, uint64_t badge)
{
    struct ep_facet *f = kzalloc(sizeof(*f));
    if (!f)
        return NULL;
    f->obj.kind = kind;
    f->obj.refs = 1;
    f->ep = ep;
    f->badge = badge;
    ep_get(ep);
    if (kind == KOBJ_ENDPOINT_SERVER)
        ep->server_facets++;
    return f;
}

struct kobj *endpoint_create(struct kobj **client)
{
    struct endpoint *ep = kzalloc(sizeof(*ep));
    if (!ep)
        return NULL;
    struct ep_facet *s = ep_facet_new(ep, KOBJ_ENDPOINT_SERVER, 0);
    struct ep_facet *c = s ? ep_facet_new(ep, KOBJ_ENDPOINT_CLIENT, 0) : NULL;
    if (!c) {
        if (s)
            kobj_put(&s->obj);
        else
            kfree(ep);
        return NULL;
    }
    *client = &c->obj;
    return &s->obj;
}

static struct endpoint *ep_of(const struct kobj *o)
{
    return ((const struct ep_facet *)o)->ep;
}

/* ---- queues ---- */

static void q_push(struct pending_op **head, struct pending_op **tail, struct pending_op *op)
{
    op->wait_next = NULL;
    if (*tail)
        (*tail)->wait_next = op;
    else
        *head = op;
    *tail = op;
}

static void q_push_front(struct pending_op **head, struct pending_op **tail, struct pending_op *op)
{
    op->wait_next = *head;
    *head = op;
    if (!*tail)
        *tail = op;
}

static struct pending_op *q_pop(struct pending_op **head, struct pending_op **tail)
{
    struct pending_op *op = *head;
    if (op) {
        *head = op->wait_next;
        if (!*head)
            *tail = NULL;
        op->wait_next = NULL;
    }
    return op;
}

static void q_remove(struct pending_op **head, struct pending_op **tail, struct pending_op *op)
{
    struct pending_op *prev = NULL;
    for (struct pending_op *it = *head; it; prev = it, it = it->wait_next) {
        if (it != op)
            continue;
        if (prev)
            prev->wait_next = op->wait_next;
        else
            *head = op->wait_next;
        if (*tail == op)
            *tail = prev;
        op->wait_next = NULL;
        return;
    }
}

/* ---- received-call tables ---- */

static uint64_t token_of(struct process *p, uint32_t slot)
{
    return ((uint64_t)p->received_gen[slot] << 8) | slot;
}

static bool recv_slot_reserve(struct process *p, uint32_t *slot)
{
    for (uint32_t i = 0; i < PROCESS_MAX_RECEIVED; i++) {
        if (!p->received_used[i]) {
            p->received_used[i] = true;
            p->received[i] = NULL;
            *slot = i;
            return true;
        }
    }
    return false;
}

void endpoint_recv_slot_release(struct process *p, uint32_t slot)
{
    p->received_used[slot] = false;
    p->received[slot] = NULL;
    p->received_gen[slot]++;
}

/* ---- completing calls ---- */

/* Fails a call that was never delivered: moves roll back, the client's CALL
 * completes with `err`. */
static void call_fail(struct pending_op *call, int err)
{
    struct endpoint *ep = call->target;
    kfree(call->msg);
    call->msg = NULL;
    xfer_rollback(call->owner, &call->xfer);
    pending_complete(call, err, NULL, 0, NULL, 0);
    ep_put(ep);
}

enum deliver_result {
    DELIVERED,
    RECV_FAILED, /* the receiver's buffer was at fault: its RECV completed with an error */
    CALL_FAILED, /* the receiver cannot take the capabilities: fail the call */
};

/* Completes a RECV with an error; its reserved slot returns. */
static void recv_fail(struct pending_op *recv, int err, uint32_t needed)
{
    struct endpoint *ep = recv->target;
    struct process *owner = recv->owner;
    struct capos_cqe cqe = {.user_data = recv->user_data, .result = err, .result_len = needed};
    endpoint_recv_slot_release(owner, recv->recv_slot);
    pending_free(recv);
    ring_post(owner, &cqe);
    ep_put(ep);
}

/* Hints the scheduler to run the thread this event unblocked, if any. */
static void ipc_handoff(struct process *woken)
{
    struct thread *t = woken->thread;
    if (t && t->state == THREAD_READY && sched_hint_next(t))
        ipc_stats.fast_switches++;
}

static enum deliver_result deliver(struct pending_op *call, struct pending_op *recv,
                                   const uint8_t *msg, uint32_t len)
{
    struct process *s = recv->owner;
    uint32_t ids[CAPOS_MAX_XFER];
    uint64_t caps_off = CAPOS_CAPS_OFFSET(len);
    uint64_t needed = caps_off + 4ULL * call->xfer.n;
    struct endpoint *ep = recv->target;

    if (needed > recv->recv_len) {
        recv_fail(recv, CAPOS_ERR_RESULT_TOO_LARGE, (uint32_t)needed);
        return RECV_FAILED;
    }
    /* Slots first, then the buffer: a call the receiver's table cannot take
     * must not write into the buffer of a RECV that stays posted. */
    if (call->xfer.n && captable_prealloc(&s->caps.t, call->xfer.n, ids) != CAPTABLE_OK)
        return CALL_FAILED;
    if (!uspace_write(s, recv->recv_addr, msg, len) ||
        (call->xfer.n && !uspace_write(s, recv->recv_addr + caps_off, ids, 4ULL * call->xfer.n))) {
        for (unsigned i = 0; i < call->xfer.n; i++)
            (void)!captable_cancel_pending(&s->caps.t, ids[i]);
        recv_fail(recv, CAPOS_ERR_BAD_ADDRESS, 0);
        return RECV_FAILED;
    }
    for (unsigned i = 0; i < call->xfer.n; i++)
        (void)!captable_fill_pending(&s->caps.t, ids[i], call->xfer.objs[i], 0);
    /* The receiver holds the set's references now; the client's moves are done. */
    unsigned ncaps = call->xfer.n;
    xfer_commit(call->owner, &call->xfer);
    kfree(call->msg);
    call->msg = NULL;
    call->state = CALL_DELIVERED;
    call->server = s;
    call->token_slot = recv->recv_slot;
    s->received[recv->recv_slot] = call;

    struct capos_cqe cqe = {
        .user_data = recv->user_data,
        .result = CAPOS_OK,
        .result_len = len,
        .ncaps = (uint16_t)ncaps,
        .method = call->method,
        .interface_id = call->interface_id,
        .badge = call->badge,
        .token = token_of(s, recv->recv_slot),
    };
    pending_free(recv);
    ring_post(s, &cqe);
    ep_put(ep); /* the RECV's reference; the call keeps its own */
    ipc_handoff(s);
    return DELIVERED;
}

/* Delivers `call` to posted RECVs until one takes it; false if none did (the
 * caller queues it) or the call failed (then it is already completed). */
static bool deliver_to_posted(struct endpoint *ep, struct pending_op *call, const uint8_t *msg,
                              uint32_t len, bool *failed)
{
    *failed = false;
    while (ep->recvs_head) {
        struct pending_op *recv = q_pop(&ep->recvs_head, &ep->recvs_tail);
        enum deliver_result r = deliver(call, recv, msg, len);
        if (r == DELIVERED)
            return true;
        if (r == CALL_FAILED) {
            /* The RECV stays posted for the next caller. */
            q_push_front(&ep->recvs_head, &ep->recvs_tail, recv);
            *failed = true;
            return false;
        }
    }
    return false;
}

/* ---- CALL on a client facet ---- */

bool endpoint_is_client(const struct kobj *o)
{
    return o->kind == KOBJ_ENDPOINT_CLIENT;
}

static inline bool xfer_names_endpoint(const struct xfer_set *x, const struct endpoint *ep)
{
    for (unsigned i = 0; i < x->n; i++) {
        const struct kobj *o = x->objs[i];
        if ((o->kind == KOBJ_ENDPOINT_CLIENT || o->kind == KOBJ_ENDPOINT_SERVER) && ep_of(o) == ep)
            return true;
    }
    return false;
}

int endpoint_call(struct process *p, struct kobj *facet, const struct capos_sqe *sqe,
                  uint8_t *scratch)
{
    struct ep_facet *f = (struct ep_facet *)facet;
    struct endpoint *ep = f->ep;
    bool failed;
    int err;

    if (sqe->interface_id == capos_Endpoint_INTERFACE_ID)
        return CAPOS_ERR_NOT_PERMITTED; /* the kernel's methods are the server's */
    if (ep->server_gone)
        return CAPOS_ERR_PEER_GONE;
    if (!ep->recvs_head && ep->ncalls >= ENDPOINT_MAX_QUEUED)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    struct pending_op *call = pending_new(p, PENDING_CALL, sqe);
    if (!call)
        return CAPOS_ERR_NO_MEMORY;
    err = xfer_take(p, sqe->xfer_addr, sqe->xfer_count, sqe->cap, &call->xfer);
    /* An endpoint sent over itself could keep itself alive from its own
     * queue; refuse it. */
    if (err == CAPOS_OK && xfer_names_endpoint(&call->xfer, ep))
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
    call->badge = f->badge;
    call->state = CALL_QUEUED;
    call->target = ep;
    ep_get(ep);

    if (deliver_to_posted(ep, call, scratch, sqe->send_len, &failed)) {
        ipc_stats.direct++;
        return CALL_PENDING;
    }
    if (failed) {
        call_fail(call, CAPOS_ERR_TABLE_FULL);
        return CALL_PENDING;
    }
    /* No receiver yet: keep a kernel copy of the message. */
    if (sqe->send_len) {
        call->msg = kmalloc(sqe->send_len);
        if (!call->msg) {
            call_fail(call, CAPOS_ERR_NO_MEMORY);
            return CALL_PENDING;
        }
        memcpy(call->msg, scratch, sqe->send_len);
    }
    call->msg_len = sqe->send_len;
    q_push(&ep->calls_head, &ep->calls_tail, call);
    ep->ncalls++;
    ipc_stats.queued++;
    return CALL_PENDING;
}

/* ---- RECV and RETURN on a server facet ---- */

static int endpoint_server_of(struct process *p, uint32_t cap, struct endpoint **ep)
{
    struct kobj *o;
    int err = cap_lookup(p, cap, &o);
    if (err != CAPOS_OK)
        return err;
    if (o->kind == KOBJ_ENDPOINT_CLIENT)
        return CAPOS_ERR_NOT_PERMITTED;
    if (o->kind != KOBJ_ENDPOINT_SERVER)
        return CAPOS_ERR_WRONG_INTERFACE;
    *ep = ep_of(o);
    return CAPOS_OK;
}

int endpoint_recv(struct process *p, const struct capos_sqe *sqe)
{
    struct endpoint *ep;
    uint32_t slot;
    int err = endpoint_server_of(p, sqe->cap, &ep);
    if (err != CAPOS_OK)
        return err;
    if (!recv_slot_reserve(p, &slot))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    struct pending_op *recv = pending_new(p, PENDING_RECV, sqe);
    if (!recv) {
        endpoint_recv_slot_release(p, slot);
        return CAPOS_ERR_NO_MEMORY;
    }
    recv->recv_slot = slot;
    recv->target = ep;
    ep_get(ep);
    while (ep->calls_head) {
        struct pending_op *call = q_pop(&ep->calls_head, &ep->calls_tail);
        ep->ncalls--;
        enum deliver_result r = deliver(call, recv, call->msg, call->msg_len);
        if (r == DELIVERED)
            return CALL_PENDING;
        if (r == RECV_FAILED) {
            /* The RECV completed with an error; the call waits for another. */
            q_push_front(&ep->calls_head, &ep->calls_tail, call);
            ep->ncalls++;
            return CALL_PENDING;
        }
        call_fail(call, CAPOS_ERR_TABLE_FULL);
    }
    q_push(&ep->recvs_head, &ep->recvs_tail, recv);
    return CALL_PENDING;
}

int endpoint_return(struct process *p, const struct capos_sqe *sqe, uint8_t *scratch)
{
    struct endpoint *ep;
    struct xfer_set x;
    uint32_t slot = (uint32_t)(sqe->token & 0xff);
    uint64_t gen = sqe->token >> 8;
    int err = endpoint_server_of(p, sqe->cap, &ep);
    if (err != CAPOS_OK)
        return err;
    if (slot >= PROCESS_MAX_RECEIVED || gen != p->received_gen[slot] || !p->received_used[slot] ||
        !p->received[slot] || p->received[slot]->target != ep)
        return CAPOS_ERR_INVALID_ARGUMENT; /* stale, forged, or another endpoint's call */
    if (sqe->status < 0 || sqe->status >= CAPOS_ERR_COUNT)
        return CAPOS_ERR_INVALID_ARGUMENT;
    struct pending_op *call = p->received[slot];
    err = xfer_take(p, sqe->xfer_addr, sqe->xfer_count, 0, &x);
    if (err != CAPOS_OK)
        return err;
    if (!copy_from_user(scratch, sqe->send_addr, sqe->send_len)) {
        xfer_rollback(p, &x);
        return CAPOS_ERR_BAD_ADDRESS;
    }
    endpoint_recv_slot_release(p, slot);
    if (call->orphaned) {
        /* The client is gone: nothing to deliver to. */
        xfer_rollback(p, &x);
        endpoint_orphan_release(call);
        ep_put(ep);
        return CAPOS_ERR_PEER_GONE;
    }
    struct process *client = call->owner;
    int status = sqe->status;
    int res = pending_complete(call, status, scratch, status == CAPOS_OK ? sqe->send_len : 0,
                               x.objs, status == CAPOS_OK ? x.n : 0);
    if (res == CAPOS_OK && status == CAPOS_OK)
        xfer_commit(p, &x);
    else
        xfer_rollback(p, &x);
    ep_put(ep);
    ipc_handoff(client);
    return CAPOS_OK;
}

/* ---- the kernel's own methods (server facet) ---- */

int endpoint_invoke(struct kobj *o, struct call *c)
{
    struct capnp_reader r;
    struct capnp_builder b;
    struct ep_facet *f = (struct ep_facet *)o;

    if (o->kind != KOBJ_ENDPOINT_SERVER)
        return CAPOS_ERR_NOT_PERMITTED;
    if (c->sqe->method != capos_Endpoint_method_mintClient)
        return CAPOS_ERR_UNKNOWN_METHOD;
    if (!call_params(c, &r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    uint64_t badge =
        capos_Endpoint_mintClient_Params_get_badge(capos_Endpoint_mintClient_Params_read_root(&r));
    if (!call_params_ok(&r))
        return CAPOS_ERR_INVALID_ARGUMENT;
    struct ep_facet *client = ep_facet_new(f->ep, KOBJ_ENDPOINT_CLIENT, badge);
    if (!client)
        return CAPOS_ERR_NO_MEMORY;
    c->out_caps[c->out_ncaps++] = &client->obj;
    call_result_begin(c, &b);
    capos_Endpoint_mintClient_Results_builder res = capos_Endpoint_mintClient_Results_init_root(&b);
    capos_Endpoint_mintClient_Results_set_client(res, 0);
    return call_result_end(c, &b);
}

/* ---- teardown ---- */

void endpoint_facet_destroy(struct kobj *o)
{
    struct ep_facet *f = (struct ep_facet *)o;
    struct endpoint *ep = f->ep;
    if (o->kind == KOBJ_ENDPOINT_SERVER && --ep->server_facets == 0) {
        /* No one can receive any more: fail every waiting call. */
        ep->server_gone = true;
        while (ep->calls_head) {
            struct pending_op *call = q_pop(&ep->calls_head, &ep->calls_tail);
            ep->ncalls--;
            call_fail(call, CAPOS_ERR_PEER_GONE);
        }
    }
    kfree(f);
    ep_put(ep);
}

void endpoint_orphan_release(struct pending_op *call)
{
    pending_orphan_release(call);
}

bool endpoint_detach_op(struct pending_op *op)
{
    struct endpoint *ep = op->target;
    if (op->kind == PENDING_RECV) {
        q_remove(&ep->recvs_head, &ep->recvs_tail, op);
        endpoint_recv_slot_release(op->owner, op->recv_slot);
        ep_put(ep);
        return true;
    }
    /* PENDING_CALL of an exiting client. */
    if (op->state == CALL_QUEUED) {
        q_remove(&ep->calls_head, &ep->calls_tail, op);
        ep->ncalls--;
        kfree(op->msg);
        op->msg = NULL;
        xfer_rollback(op->owner, &op->xfer);
        ep_put(ep);
        return true;
    }
    /* Delivered: the server will still name it by token.  Keep it (and the
     * client process, whose pool holds it) until then. */
    op->orphaned = true;
    process_get(op->owner);
    return false;
}

void endpoint_process_gone(struct process *p)
{
    for (uint32_t i = 0; i < PROCESS_MAX_RECEIVED; i++) {
        struct pending_op *call = p->received_used[i] ? p->received[i] : NULL;
        if (!call)
            continue;
        struct endpoint *ep = call->target;
        endpoint_recv_slot_release(p, i);
        if (call->orphaned)
            endpoint_orphan_release(call);
        else
            pending_complete(call, CAPOS_ERR_PEER_GONE, NULL, 0, NULL, 0);
        ep_put(ep);
    }
}
