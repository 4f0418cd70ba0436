/*
 * Ring client implementation (see ring.h).  Index discipline mirrors the
 * kernel's: this side owns sq_tail and cq_head, publishes them with release
 * stores, and reads the kernel's sq_head and cq_tail with acquire loads.
 */
#include "ring.h"

#include "base/mem.h"
#include "syscall.h"

struct capos_ring_client capos_rc;

void capos_ring_init(void *region)
{
    capos_rc.hdr = region;
    capos_rc.sq_entries = capos_rc.hdr->sq_entries;
    capos_rc.cq_entries = capos_rc.hdr->cq_entries;
    capos_rc.sq = (struct capos_sqe *)((uint8_t *)region + capos_rc.hdr->sq_offset);
    capos_rc.cq = (struct capos_cqe *)((uint8_t *)region + capos_rc.hdr->cq_offset);
    capos_rc.sq_tail = capos_rc.published =
        __atomic_load_n(&capos_rc.hdr->sq_tail, __ATOMIC_RELAXED);
    capos_rc.cq_head = __atomic_load_n(&capos_rc.hdr->cq_head, __ATOMIC_RELAXED);
    capos_rc.next_cookie = 1;
}

uint32_t capos_ring_unsubmitted(void)
{
    return capos_rc.sq_tail - capos_rc.published;
}

int64_t capos_ring_enter(uint32_t min_complete, uint64_t timeout_ns)
{
    __atomic_store_n(&capos_rc.hdr->sq_tail, capos_rc.sq_tail, __ATOMIC_RELEASE);
    capos_rc.published = capos_rc.sq_tail;
    __atomic_store_n(&capos_rc.hdr->cq_head, capos_rc.cq_head, __ATOMIC_RELEASE);
    return capos_cap_enter(min_complete, timeout_ns);
}

/* Takes one completion from the shared queue, if there is one. */
static bool ring_take(struct capos_cqe *out)
{
    uint32_t tail = __atomic_load_n(&capos_rc.hdr->cq_tail, __ATOMIC_ACQUIRE);
    if (capos_rc.cq_head == tail)
        return false;
    memcpy(out, &capos_rc.cq[capos_rc.cq_head & (capos_rc.cq_entries - 1)], sizeof(*out));
    capos_rc.cq_head++;
    __atomic_store_n(&capos_rc.hdr->cq_head, capos_rc.cq_head, __ATOMIC_RELEASE);
    return true;
}

bool capos_ring_next(struct capos_cqe *out)
{
    if (capos_rc.nstash) {
        *out = capos_rc.stash[0];
        capos_rc.nstash--;
        memmove(&capos_rc.stash[0], &capos_rc.stash[1],
                capos_rc.nstash * sizeof(capos_rc.stash[0]));
        return true;
    }
    return ring_take(out);
}

int capos_ring_wait(uint64_t cookie, struct capos_cqe *out)
{
    for (uint32_t i = 0; i < capos_rc.nstash; i++) {
        if (capos_rc.stash[i].user_data == cookie) {
            *out = capos_rc.stash[i];
            capos_rc.nstash--;
            memmove(&capos_rc.stash[i], &capos_rc.stash[i + 1],
                    (capos_rc.nstash - i) * sizeof(capos_rc.stash[0]));
            return 0;
        }
    }
    for (;;) {
        struct capos_cqe c;
        while (ring_take(&c)) {
            if (c.user_data == cookie) {
                *out = c;
                return 0;
            }
            /* Someone else's: keep it.  Cannot overflow: every stashed
             * completion belongs to an operation that held a CQ slot. */
            if (capos_rc.nstash < CAPOS_RING_CQ_ENTRIES)
                capos_rc.stash[capos_rc.nstash++] = c;
        }
        int64_t r = capos_ring_enter(1, CAPOS_WAIT_FOREVER);
        if (r < 0)
            return (int)r;
    }
}

int capos_call(uint32_t cap, uint64_t interface_id, uint16_t method, const void *params,
               uint32_t params_len, void *result, uint32_t result_cap,
               const struct capos_xfer *xfer, uint16_t nxfer, struct capos_cqe *cqe)
{
    struct capos_cqe local;
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        int64_t r = capos_ring_enter(0, 0);
        if (r < 0)
            return (int)-r;
        s = capos_ring_prep();
        if (!s)
            return -1;
    }
    uint64_t cookie = capos_ring_cookie();
    s->opcode = CAPOS_OP_CALL;
    s->cap = cap;
    s->interface_id = interface_id;
    s->method = method;
    s->user_data = cookie;
    if (params_len) {
        s->send_addr = (uint64_t)(uintptr_t)params;
        s->send_len = params_len;
    }
    if (result_cap) {
        s->recv_addr = (uint64_t)(uintptr_t)result;
        s->recv_len = result_cap;
    }
    if (nxfer) {
        s->xfer_addr = (uint64_t)(uintptr_t)xfer;
        s->xfer_count = nxfer;
    }
    if (!cqe)
        cqe = &local;
    int r = capos_ring_wait(cookie, cqe);
    if (r != 0)
        return -r;
    return cqe->result;
}

int capos_release(uint32_t cap)
{
    struct capos_cqe c;
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_ring_enter(0, 0);
        s = capos_ring_prep();
        if (!s)
            return -1;
    }
    uint64_t cookie = capos_ring_cookie();
    s->opcode = CAPOS_OP_RELEASE;
    s->cap = cap;
    s->user_data = cookie;
    int r = capos_ring_wait(cookie, &c);
    return r != 0 ? -r : c.result;
}
