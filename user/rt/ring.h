/*
 * The runtime's ring client: prepare submissions, submit them in batches
 * with one cap_enter, and match completions to requests by cookie.
 *
 * Every thread has its own ring and its own client, found through the
 * thread's control block (thread.h: %fs:0 points at it), so threads never
 * share submission or completion queues and need no locking here.  The
 * functions below act on the calling thread's ring; the *_on variants take
 * a client explicitly (start-up uses them before the thread pointer is
 * set).  Completions that arrive while a thread waits for a different
 * cookie are kept in its stash and returned by later waits, so nothing is
 * lost or mixed up.  The stash can hold as many completions as the
 * completion queue, which bounds the number of operations in flight anyway.
 */
#ifndef CAPOS_USER_RT_RING_H
#define CAPOS_USER_RT_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/ring.h"

/* Completions of other requests a waiting thread can keep (ring_wait).  A
 * program whose threads have at most a few operations in flight each (the
 * POSIX personality) builds the runtime with a smaller stash. */
#ifndef CAPOS_RING_STASH
#define CAPOS_RING_STASH CAPOS_RING_CQ_ENTRIES
#endif

/* The client's state; the fast paths below are inline. */
struct capos_ring_client {
    struct capos_ring_header *hdr;
    struct capos_sqe *sq;
    struct capos_cqe *cq;
    uint32_t sq_entries, cq_entries;
    uint32_t sq_tail;   /* prepared, published on enter */
    uint32_t published; /* last sq_tail the kernel was shown */
    uint32_t cq_head;
    uint64_t next_cookie;
    uint32_t nstash;
    struct capos_cqe stash[CAPOS_RING_STASH];
};

#ifdef CAPOS_RT_POSIX
/* The POSIX personality (user/posix/): the C library owns %fs:0 (musl's
 * thread descriptor), so each thread finds its client through a
 * thread-local pointer (the client itself lives outside the thread-local
 * block, which stays small enough for musl's built-in one).  Until the
 * first thread has its thread pointer, start-up names its client in
 * capos_posix_boot_ring (NULL from then on). */
extern __thread struct capos_ring_client *capos_posix_ring;
extern struct capos_ring_client *capos_posix_boot_ring;
static inline struct capos_ring_client *capos_ring_self(void)
{
    struct capos_ring_client *b = capos_posix_boot_ring;
    if (__builtin_expect(b != 0, 0))
        return b;
    /* Only now may %fs be used: without the barrier clang reads both and
     * selects, loading from a thread pointer that is still 0. */
    __asm__ volatile("" ::: "memory");
    return capos_posix_ring;
}
#else
/* The calling thread's client: the first field of its control block is the
 * block's own address, kept at %fs:0 (the x86-64 thread pointer convention),
 * and the client follows it. */
static inline struct capos_ring_client *capos_ring_self(void)
{
    struct capos_ring_client *rc;
    __asm__("movq %%fs:0, %0\n\taddq $8, %0" : "=r"(rc));
    return rc;
}
#endif

/* Sets up a client on the ring region the kernel mapped. */
void capos_ring_init(struct capos_ring_client *rc, void *region);

/* A fresh cookie for user_data. */
static inline uint64_t capos_ring_cookie(void)
{
    return capos_ring_self()->next_cookie++;
}

/* A zeroed SQE in the queue, not yet visible to the kernel; NULL if the
 * submission queue is full (submit first). */
static inline struct capos_sqe *capos_ring_prep(void)
{
    struct capos_ring_client *rc = capos_ring_self();
    uint32_t head = __atomic_load_n(&rc->hdr->sq_head, __ATOMIC_ACQUIRE);
    if (rc->sq_tail - head >= rc->sq_entries)
        return 0;
    struct capos_sqe *s = &rc->sq[rc->sq_tail & (rc->sq_entries - 1)];
    *s = (struct capos_sqe){0};
    rc->sq_tail++;
    return s;
}

/* ---- filling a prepared (zeroed) SQE; user_data is the caller's ----
 * A length of 0 leaves its address 0, as the kernel requires. */

/* The message sent, the buffer received into and the capabilities sent. */
static inline void capos_sqe_send(struct capos_sqe *s, const void *msg, uint32_t len)
{
    if (len) {
        s->send_addr = (uint64_t)(uintptr_t)msg;
        s->send_len = len;
    }
}

static inline void capos_sqe_recv_buf(struct capos_sqe *s, void *buf, uint32_t len)
{
    if (len) {
        s->recv_addr = (uint64_t)(uintptr_t)buf;
        s->recv_len = len;
    }
}

static inline void capos_sqe_xfer(struct capos_sqe *s, const struct capos_xfer *xfer,
                                  uint16_t nxfer)
{
    if (nxfer) {
        s->xfer_addr = (uint64_t)(uintptr_t)xfer;
        s->xfer_count = nxfer;
    }
}

/* CALL of `method` of `interface_id` on cap, with the parameter message,
 * the result buffer and the capabilities to send. */
static inline void capos_sqe_call(struct capos_sqe *s, uint32_t cap, uint64_t interface_id,
                                  uint16_t method, const void *params, uint32_t params_len,
                                  void *result, uint32_t result_len, const struct capos_xfer *xfer,
                                  uint16_t nxfer)
{
    s->opcode = CAPOS_OP_CALL;
    s->cap = cap;
    s->interface_id = interface_id;
    s->method = method;
    capos_sqe_send(s, params, params_len);
    capos_sqe_recv_buf(s, result, result_len);
    capos_sqe_xfer(s, xfer, nxfer);
}

/* RECV on the server facet `server` into buf. */
static inline void capos_sqe_recv(struct capos_sqe *s, uint32_t server, void *buf, uint32_t len)
{
    s->opcode = CAPOS_OP_RECV;
    s->cap = server;
    capos_sqe_recv_buf(s, buf, len);
}

/* RETURN of the call `token` with `status` and, with an error status, its
 * `detail` (0, or a field of the call's parameters); the result message
 * and capabilities go with an ok status. */
static inline void capos_sqe_return(struct capos_sqe *s, uint32_t server, uint64_t token,
                                    int status, uint32_t detail, const void *msg, uint32_t len,
                                    const struct capos_xfer *xfer, uint16_t nxfer)
{
    s->opcode = CAPOS_OP_RETURN;
    s->cap = server;
    s->token = token;
    s->status = status;
    s->detail = detail;
    capos_sqe_send(s, msg, len);
    capos_sqe_xfer(s, xfer, nxfer);
}

/* REPLY_RECV: RETURN of the call `token` with `status` (no detail; the
 * result message goes with an ok status), then RECV on the same server
 * facet into buf, with one completion (docs/ring-abi.md). */
static inline void capos_sqe_reply_recv(struct capos_sqe *s, uint32_t server, uint64_t token,
                                        int status, const void *msg, uint32_t len, void *buf,
                                        uint32_t buf_len)
{
    s->opcode = CAPOS_OP_REPLY_RECV;
    s->cap = server;
    s->token = token;
    s->status = status;
    if (len) {
        s->send_addr = (uint64_t)(uintptr_t)msg;
        s->send_len = len;
    }
    if (buf_len) {
        s->recv_addr = (uint64_t)(uintptr_t)buf;
        s->recv_len = buf_len;
    }
}

/* Number of prepared entries not yet submitted. */
uint32_t capos_ring_unsubmitted(void);

/* Publishes prepared entries and enters the kernel: returns the number of
 * completions available or a negative ErrorCode. */
int64_t capos_ring_enter(uint32_t min_complete, uint64_t timeout_ns);

/* Zero-copy consumption, for loops that handle completions in order: the
 * next completion in the shared queue (NULL if none), and marking `n` of
 * them consumed.  Do not mix with capos_ring_wait's stash. */
static inline const struct capos_cqe *capos_ring_peek(void)
{
    struct capos_ring_client *rc = capos_ring_self();
    uint32_t tail = __atomic_load_n(&rc->hdr->cq_tail, __ATOMIC_ACQUIRE);
    return rc->cq_head == tail ? 0 : &rc->cq[rc->cq_head & (rc->cq_entries - 1)];
}

static inline void capos_ring_advance(uint32_t n)
{
    struct capos_ring_client *rc = capos_ring_self();
    rc->cq_head += n;
    __atomic_store_n(&rc->hdr->cq_head, rc->cq_head, __ATOMIC_RELEASE);
}

/* Called, if set, before each time a wait of ring_wait or
 * capos_ring_next_tagged enters cap_enter and each time cap_enter returns
 * without what it waits for: a safe point where
 * the POSIX personality runs signal handlers (the client's state is
 * consistent; a handler's own calls stash completions that are not
 * theirs, and the wait looks in the stash again).  Returns whether it ran
 * a handler: capos_ring_next_tagged then returns false, so that its
 * caller re-examines its state (a handler may have reaped a child). */
extern bool (*capos_ring_wait_hook)(void);

/* Publishes what is prepared and consumed, as cap_enter would, and returns
 * how many completions are posted and not yet taken: a wait for one more
 * than that (cap_enter(n + 1, ...)) waits for a new completion, the
 * timeout or a signal. */
uint32_t capos_ring_idle_prepare(void);

/* Takes the next completion (stashed ones first); false if none is ready. */
bool capos_ring_next(struct capos_cqe *out);

/* Waits for the completion carrying `cookie`; returns 0 or a negative
 * ErrorCode if cap_enter itself failed. */
int capos_ring_wait(uint64_t cookie, struct capos_cqe *out);

/* Takes the next completion whose user_data has `tag` under `mask`
 * (stashed ones first), keeping the others in the stash; with `block`,
 * waits for one (cap_enter), else returns false if none is there yet.
 * For a caller that keeps several operations in flight at once under
 * cookies of its own (user_data with bits no capos_ring_cookie() sets,
 * e.g. bit 63), and takes whichever completes first. */
bool capos_ring_next_tagged(uint64_t mask, uint64_t tag, bool block, struct capos_cqe *out);
/* One synchronous CALL: submits it and waits for its completion.  Returns
 * the completion's ErrorCode (0 = ok); *cqe receives the whole completion
 * if non-NULL.  Received cap ids follow the result message in `result`. */
int capos_call(uint32_t cap, uint64_t interface_id, uint16_t method, const void *params,
               uint32_t params_len, void *result, uint32_t result_cap,
               const struct capos_xfer *xfer, uint16_t nxfer, struct capos_cqe *cqe);
/* The same on an explicit client (no capabilities sent, no result kept). */
int capos_call_on(struct capos_ring_client *rc, uint32_t cap, uint64_t interface_id,
                  uint16_t method, const void *params, uint32_t params_len);

/* RELEASE of a cap id, synchronously; returns its ErrorCode. */
int capos_release(uint32_t cap);

#endif
