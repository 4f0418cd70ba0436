/*
 * The runtime's ring client: prepare submissions, submit them in batches
 * with one cap_enter, and match completions to requests by cookie.
 *
 * The process has one ring; this client is its only user (programs with
 * threads will need more than this single-owner client).  Completions that
 * arrive while the program waits for a different cookie are kept in a stash
 * and returned by later waits, so nothing is lost or mixed up.  The stash
 * can hold as many completions as the completion queue, which bounds the
 * number of operations in flight anyway.
 */
#ifndef CAPOS_USER_RT_RING_H
#define CAPOS_USER_RT_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/ring.h"

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
    struct capos_cqe stash[CAPOS_RING_CQ_ENTRIES];
};

extern struct capos_ring_client capos_rc;

/* Sets up the client on the ring region the kernel mapped. */
void capos_ring_init(void *region);

/* A fresh cookie for user_data. */
static inline uint64_t capos_ring_cookie(void)
{
    return capos_rc.next_cookie++;
}

/* A zeroed SQE in the queue, not yet visible to the kernel; NULL if the
 * submission queue is full (submit first). */
static inline struct capos_sqe *capos_ring_prep(void)
{
    struct capos_ring_client *rc = &capos_rc;
    uint32_t head = __atomic_load_n(&rc->hdr->sq_head, __ATOMIC_ACQUIRE);
    if (rc->sq_tail - head >= rc->sq_entries)
        return 0;
    struct capos_sqe *s = &rc->sq[rc->sq_tail & (rc->sq_entries - 1)];
    *s = (struct capos_sqe){0};
    rc->sq_tail++;
    return s;
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
    struct capos_ring_client *rc = &capos_rc;
    uint32_t tail = __atomic_load_n(&rc->hdr->cq_tail, __ATOMIC_ACQUIRE);
    return rc->cq_head == tail ? 0 : &rc->cq[rc->cq_head & (rc->cq_entries - 1)];
}

static inline void capos_ring_advance(uint32_t n)
{
    capos_rc.cq_head += n;
    __atomic_store_n(&capos_rc.hdr->cq_head, capos_rc.cq_head, __ATOMIC_RELEASE);
}

/* Takes the next completion (stashed ones first); false if none is ready. */
bool capos_ring_next(struct capos_cqe *out);

/* Waits for the completion carrying `cookie`; returns 0 or a negative
 * ErrorCode if cap_enter itself failed. */
int capos_ring_wait(uint64_t cookie, struct capos_cqe *out);

/* One synchronous CALL: submits it and waits for its completion.  Returns
 * the completion's ErrorCode (0 = ok); *cqe receives the whole completion
 * if non-NULL.  Received cap ids follow the result message in `result`. */
int capos_call(uint32_t cap, uint64_t interface_id, uint16_t method, const void *params,
               uint32_t params_len, void *result, uint32_t result_cap,
               const struct capos_xfer *xfer, uint16_t nxfer, struct capos_cqe *cqe);

/* RELEASE of a cap id, synchronously; returns its ErrorCode. */
int capos_release(uint32_t cap);

#endif
