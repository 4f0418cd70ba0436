/*
 * Ring client implementation (see ring.h).  Index discipline mirrors the
 * kernel's: this side owns sq_tail and cq_head, publishes them with release
 * stores, and reads the kernel's sq_head and cq_tail with acquire loads.
 * Every function works on one client; the public ones use the calling
 * thread's.
 */
#include "ring.h"

#include "abi/errors.h"
#include "base/mem.h"
#include "rpc/rpc.h"
#include "syscall.h"

void capos_ring_init(struct capos_ring_client *rc, void *region)
{
    rc->hdr = region;
    rc->sq_entries = rc->hdr->sq_entries;
    rc->cq_entries = rc->hdr->cq_entries;
    rc->sq = (struct capos_sqe *)((uint8_t *)region + rc->hdr->sq_offset);
    rc->cq = (struct capos_cqe *)((uint8_t *)region + rc->hdr->cq_offset);
    rc->sq_tail = rc->published = __atomic_load_n(&rc->hdr->sq_tail, __ATOMIC_RELAXED);
    rc->cq_head = __atomic_load_n(&rc->hdr->cq_head, __ATOMIC_RELAXED);
    rc->next_cookie = 1;
    rc->nstash = 0;
}

uint32_t capos_ring_unsubmitted(void)
{
    struct capos_ring_client *rc = capos_ring_self();
    return rc->sq_tail - rc->published;
}

static int64_t ring_enter(struct capos_ring_client *rc, uint32_t min_complete, uint64_t timeout_ns)
{
    __atomic_store_n(&rc->hdr->sq_tail, rc->sq_tail, __ATOMIC_RELEASE);
    rc->published = rc->sq_tail;
    __atomic_store_n(&rc->hdr->cq_head, rc->cq_head, __ATOMIC_RELEASE);
    return capos_cap_enter(min_complete, timeout_ns);
}

int64_t capos_ring_enter(uint32_t min_complete, uint64_t timeout_ns)
{
    return ring_enter(capos_ring_self(), min_complete, timeout_ns);
}

/* Takes one completion from the shared queue, if there is one. */
static bool ring_take(struct capos_ring_client *rc, struct capos_cqe *out)
{
    uint32_t tail = __atomic_load_n(&rc->hdr->cq_tail, __ATOMIC_ACQUIRE);
    if (rc->cq_head == tail)
        return false;
    memcpy(out, &rc->cq[rc->cq_head & (rc->cq_entries - 1)], sizeof(*out));
    rc->cq_head++;
    __atomic_store_n(&rc->hdr->cq_head, rc->cq_head, __ATOMIC_RELEASE);
    return true;
}

bool capos_ring_next(struct capos_cqe *out)
{
    struct capos_ring_client *rc = capos_ring_self();
    if (rc->nstash) {
        *out = rc->stash[0];
        rc->nstash--;
        memmove(&rc->stash[0], &rc->stash[1], rc->nstash * sizeof(rc->stash[0]));
        return true;
    }
    return ring_take(rc, out);
}

bool (*capos_ring_wait_hook)(void);

uint32_t capos_ring_idle_prepare(void)
{
    struct capos_ring_client *rc = capos_ring_self();
    __atomic_store_n(&rc->hdr->sq_tail, rc->sq_tail, __ATOMIC_RELEASE);
    rc->published = rc->sq_tail;
    __atomic_store_n(&rc->hdr->cq_head, rc->cq_head, __ATOMIC_RELEASE);
    return __atomic_load_n(&rc->hdr->cq_tail, __ATOMIC_ACQUIRE) - rc->cq_head;
}

static int ring_wait(struct capos_ring_client *rc, uint64_t cookie, struct capos_cqe *out)
{
    for (;;) {
        /* Again after each wait: a signal handler the hook ran may have
         * stashed this completion while waiting for its own. */
        for (uint32_t i = 0; i < rc->nstash; i++) {
            if (rc->stash[i].user_data == cookie) {
                *out = rc->stash[i];
                rc->nstash--;
                memmove(&rc->stash[i], &rc->stash[i + 1], (rc->nstash - i) * sizeof(rc->stash[0]));
                return 0;
            }
        }
        struct capos_cqe c;
        while (ring_take(rc, &c)) {
            if (c.user_data == cookie) {
                *out = c;
                return 0;
            }
            /* Someone else's: keep it.  Cannot overflow: every stashed
             * completion belongs to an operation that held a CQ slot, and
             * a build with a smaller stash (CAPOS_RING_STASH) keeps no more
             * operations than that in flight per thread. */
            if (rc->nstash < CAPOS_RING_STASH)
                rc->stash[rc->nstash++] = c;
        }
        /* Handlers due now run before the wait (a signal taken earlier
         * would not end it), and again after it returns early. */
        if (capos_ring_wait_hook && capos_ring_wait_hook())
            continue;
        int64_t r = ring_enter(rc, 1, CAPOS_WAIT_FOREVER);
        if (r < 0)
            return (int)r;
        if (capos_ring_wait_hook)
            capos_ring_wait_hook();
    }
}

bool capos_ring_next_tagged(uint64_t mask, uint64_t tag, bool block, struct capos_cqe *out)
{
    struct capos_ring_client *rc = capos_ring_self();
    for (;;) {
        for (uint32_t i = 0; i < rc->nstash; i++) {
            if ((rc->stash[i].user_data & mask) == tag) {
                *out = rc->stash[i];
                rc->nstash--;
                memmove(&rc->stash[i], &rc->stash[i + 1], (rc->nstash - i) * sizeof(rc->stash[0]));
                return true;
            }
        }
        struct capos_cqe c;
        while (ring_take(rc, &c)) {
            if ((c.user_data & mask) == tag) {
                *out = c;
                return true;
            }
            if (rc->nstash < CAPOS_RING_STASH)
                rc->stash[rc->nstash++] = c;
        }
        if (!block)
            return false;
        if (capos_ring_wait_hook && capos_ring_wait_hook())
            return false;
        if (ring_enter(rc, 1, CAPOS_WAIT_FOREVER) < 0)
            return false;
        /* A handler ran: the caller looks again at what it waits for. */
        if (capos_ring_wait_hook && capos_ring_wait_hook())
            return false;
    }
}

int capos_ring_wait(uint64_t cookie, struct capos_cqe *out)
{
    return ring_wait(capos_ring_self(), cookie, out);
}

/* A zeroed SQE of rc, submitting what is prepared first if the queue is
 * full; NULL if even that leaves no room. */
static struct capos_sqe *ring_prep_on(struct capos_ring_client *rc)
{
    for (int tries = 0; tries < 2; tries++) {
        uint32_t head = __atomic_load_n(&rc->hdr->sq_head, __ATOMIC_ACQUIRE);
        if (rc->sq_tail - head < rc->sq_entries) {
            struct capos_sqe *s = &rc->sq[rc->sq_tail & (rc->sq_entries - 1)];
            *s = (struct capos_sqe){0};
            rc->sq_tail++;
            return s;
        }
        if (ring_enter(rc, 0, 0) < 0)
            return 0;
    }
    return 0;
}

/* Prepares a CALL in rc's queue (not yet submitted); NULL if there is no
 * room even after submitting what was prepared. */
static struct capos_sqe *ring_prep_call(struct capos_ring_client *rc, uint32_t cap,
                                        uint64_t interface_id, uint16_t method, const void *params,
                                        uint32_t params_len, void *result, uint32_t result_cap,
                                        const struct capos_xfer *xfer, uint16_t nxfer)
{
    struct capos_sqe *s = ring_prep_on(rc);
    if (!s)
        return 0;
    capos_sqe_call(s, cap, interface_id, method, params, params_len, result, result_cap, xfer,
                   nxfer);
    s->user_data = rc->next_cookie++;
    return s;
}

static int ring_call(struct capos_ring_client *rc, uint32_t cap, uint64_t interface_id,
                     uint16_t method, const void *params, uint32_t params_len, void *result,
                     uint32_t result_cap, const struct capos_xfer *xfer, uint16_t nxfer,
                     struct capos_cqe *cqe)
{
    struct capos_cqe local;
    struct capos_sqe *s = ring_prep_call(rc, cap, interface_id, method, params, params_len, result,
                                         result_cap, xfer, nxfer);
    if (!s)
        return -1;
    if (!cqe)
        cqe = &local;
    int r = ring_wait(rc, s->user_data, cqe);
    if (r != 0)
        return -r;
    return cqe->result;
}

/* ---- the transport of generated client stubs (lib/rpc/rpc.h) ---- */

int capos_rpc_submit(uint32_t cap, uint64_t interface_id, uint16_t method, const void *msg,
                     uint32_t len, void *buf, uint32_t buf_len, const struct capos_xfer *xfer,
                     uint16_t nxfer, uint64_t *cookie)
{
    struct capos_sqe *s = ring_prep_call(capos_ring_self(), cap, interface_id, method, msg, len,
                                         buf, buf_len, xfer, nxfer);
    if (!s)
        return CAPOS_ERR_EXHAUSTED;
    *cookie = s->user_data;
    return CAPOS_OK;
}

int capos_rpc_wait(uint64_t cookie, struct capos_cqe *cqe)
{
    int r = ring_wait(capos_ring_self(), cookie, cqe);
    return r ? -r : CAPOS_OK;
}

void capos_rpc_release(uint32_t cap)
{
    capos_release(cap);
}

int capos_call(uint32_t cap, uint64_t interface_id, uint16_t method, const void *params,
               uint32_t params_len, void *result, uint32_t result_cap,
               const struct capos_xfer *xfer, uint16_t nxfer, struct capos_cqe *cqe)
{
    return ring_call(capos_ring_self(), cap, interface_id, method, params, params_len, result,
                     result_cap, xfer, nxfer, cqe);
}

int capos_call_on(struct capos_ring_client *rc, uint32_t cap, uint64_t interface_id,
                  uint16_t method, const void *params, uint32_t params_len)
{
    return ring_call(rc, cap, interface_id, method, params, params_len, 0, 0, 0, 0, 0);
}

int capos_release(uint32_t cap)
{
    struct capos_ring_client *rc = capos_ring_self();
    struct capos_cqe c;
    struct capos_sqe *s = ring_prep_on(rc);
    if (!s)
        return -1;
    uint64_t cookie = rc->next_cookie++;
    s->opcode = CAPOS_OP_RELEASE;
    s->cap = cap;
    s->user_data = cookie;
    int r = ring_wait(rc, cookie, &c);
    return r != 0 ? -r : c.result;
}
