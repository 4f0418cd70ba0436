/*
 * The private protocol of the capability-transfer smoke (system/smoke-xfer.capnp):
 * the requests the client (xfer.c) sends its peer (xfer_peer.c) over the
 * peer's exported endpoint, and the probe both sides use to look at their
 * own capability tables.
 *
 * The messages are fixed C structs rather than Cap'n Proto: the smoke tests
 * the transport (what happens to capabilities when a CALL or RETURN fails),
 * the kernel does not read endpoint messages, and both programs are built
 * together from this header, so there is no schema to keep in step.
 *
 * Every capability a side holds or once held is in its model with the probe
 * result it must give (see xfer_probe).  After each case both sides probe
 * their whole model, so a capability that was lost, duplicated, left
 * reserved or half-inserted shows up as a mismatch.
 */
#ifndef CAPOS_USER_TESTS_XFER_PROTO_H
#define CAPOS_USER_TESTS_XFER_PROTO_H

#include "capos.h"

#include "base/mem.h"

/* Interface id of the protocol ("xfertest"); the peer refuses others. */
#define XFER_IID 0x7866657274657374ULL
/* The badge smoke-xfer.capnp puts on the client's import of the peer. */
#define XFER_BADGE 7
/* Slots in every process's capability table (kernel PROCESS_MAX_CAPS). */
#define XFER_TABLE_SLOTS 256

/* What a capability is, which decides what the probe must answer. */
enum xfer_kind {
    XK_CLIENT = 1, /* endpoint client facet: notPermitted */
    XK_SERVER = 2, /* endpoint server facet: unknownMethod */
    XK_OTHER = 3,  /* any other kernel object: wrongInterface */
};

enum xfer_method {
    XM_KEEP = 1,          /* keep the capabilities of this call (kinds[] says what they are) */
    XM_VERIFY = 2,        /* probe the whole model; reply bad, calls, recv_errors */
    XM_FREE = 3,          /* reply free_slots, by the peer's model */
    XM_DROP = 4,          /* release the n capabilities kept last */
    XM_GIVE = 5,          /* RETURN n fresh capabilities (mode) with a msg_len-byte message */
    XM_BAD_RETURN = 6,    /* try RETURNs that must be refused, then answer with their results */
    XM_CHECK = 7,         /* check where this call's cap ids are and use every capability */
    XM_SIDE_TAKE = 8,     /* keep this call's one server facet as the side endpoint */
    XM_SIDE_POST = 9,     /* post a RECV on the side endpoint (msg_len: buffer size, 0 = full);
                             if it completes at once, handle it as SIDE_COLLECT does */
    XM_SIDE_COLLECT = 10, /* wait for the posted side RECV; keep its caps; answer its call */
    XM_QUIT = 11,         /* answer, then exit 0 */
};

struct xfer_req {
    uint32_t n;         /* KEEP, CHECK, SIDE_*: capabilities expected; DROP, GIVE: count */
    uint32_t mode;      /* GIVE: CAPOS_XFER_COPY or CAPOS_XFER_MOVE */
    uint32_t msg_len;   /* GIVE: result length; CHECK: this message's; SIDE_POST: buffer */
    uint32_t expect_ok; /* GIVE: 1 if the client will accept the result (moves commit) */
    uint32_t calls;     /* VERIFY: calls the peer must have received before this one */
    int32_t status;     /* GIVE: the status its RETURN carries */
    uint8_t kinds[CAPOS_MAX_XFER];
};

struct xfer_rep {
    uint32_t bad;         /* mismatches the peer found (it prints each) */
    uint32_t calls;       /* VERIFY: calls received before this one */
    uint32_t recv_errors; /* RECVs of the peer that completed with an error */
    uint32_t free_slots;  /* FREE: XFER_TABLE_SLOTS minus the capabilities it holds */
    /* BAD_RETURN: the refused RETURNs' results.  SIDE_POST/COLLECT: r[0] the
     * side RECV's result (XFER_POSTED if it is still waiting), r[1] its
     * ncaps (or the size needed, after resultTooLarge), r[2] the probe of
     * the first capability, r[3] the result of the RETURN that answered it. */
    int32_t r[6];
};

/*
 * Looks at a capability without changing anything: a CALL of an unknown
 * method of the Endpoint interface.  A live client facet answers
 * notPermitted (the Endpoint interface is the server's), a live server facet
 * unknownMethod, any other live object wrongInterface; a released or
 * moved-away id answers staleCap and one reserved by a move in flight capBusy.
 */
static inline int xfer_probe(uint32_t cap)
{
    return capos_call(cap, capos_Endpoint_INTERFACE_ID, 0xffff, 0, 0, 0, 0, 0, 0, 0);
}

/* The probe result a live capability of `kind` gives. */
static inline int xfer_live_result(uint8_t kind)
{
    switch (kind) {
    case XK_CLIENT: return CAPOS_ERR_NOT_PERMITTED;
    case XK_SERVER: return CAPOS_ERR_UNKNOWN_METHOD;
    default: return CAPOS_ERR_WRONG_INTERFACE;
    }
}

/* SIDE_POST: the RECV did not complete at once and stays posted. */
#define XFER_POSTED (-1)

/*
 * The first XFER_CANARY_BYTES of every RECV buffer (the peer's) and of the
 * client's result buffers are filled with XFER_CANARY before use; after a
 * completion, every byte past the message and its cap ids must still hold
 * it, and after a failed one every byte.  A delivery that fails must not
 * write into the buffer it was offered.
 */
#define XFER_CANARY       0x5a
#define XFER_CANARY_BYTES 512

/* The first byte in [from, XFER_CANARY_BYTES) of buf that lost the canary,
 * or -1. */
static inline int xfer_canary_hit(const void *buf, uint64_t from)
{
    for (uint64_t i = from; i < XFER_CANARY_BYTES; i++) {
        if (((const uint8_t *)buf)[i] != XFER_CANARY)
            return (int)i;
    }
    return -1;
}

/* ---- ring helpers both programs use ---- */

/* A zeroed SQE, submitting what is queued first if the queue is full. */
static inline struct capos_sqe *xfer_prep(void)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_ring_enter(0, 0);
        s = capos_ring_prep();
    }
    return s;
}

/* Prepares (does not submit) a RECV; returns its cookie. */
static inline uint64_t xfer_prep_recv(uint32_t server, void *into, uint32_t len)
{
    struct capos_sqe *s = xfer_prep();
    capos_sqe_recv(s, server, into, len);
    s->user_data = capos_ring_cookie();
    return s->user_data;
}

/* Prepares a CALL; returns its cookie. */
static inline uint64_t xfer_prep_call(uint32_t cap, uint64_t iid, uint16_t method, const void *msg,
                                      uint32_t len, void *res, uint32_t res_len,
                                      const struct capos_xfer *x, uint16_t nx)
{
    struct capos_sqe *s = xfer_prep();
    capos_sqe_call(s, cap, iid, method, msg, len, res, res_len, x, nx);
    s->user_data = capos_ring_cookie();
    return s->user_data;
}

/* Prepares a RETURN; returns its cookie. */
static inline uint64_t xfer_prep_return(uint32_t server, uint64_t token, int status,
                                        const void *msg, uint32_t len, const struct capos_xfer *x,
                                        uint16_t nx)
{
    struct capos_sqe *s = xfer_prep();
    capos_sqe_return(s, server, token, status, 0, msg, len, x, nx);
    s->user_data = capos_ring_cookie();
    return s->user_data;
}

/* Waits for a cookie's completion (into *c if non-NULL); returns its result. */
static inline int xfer_wait(uint64_t cookie, struct capos_cqe *c)
{
    struct capos_cqe local;
    if (!c)
        c = &local;
    int r = capos_ring_wait(cookie, c);
    return r ? -r : c->result;
}

/* True if the completion of `cookie` has been taken from the ring and is
 * waiting in the runtime's stash (capos_ring_wait would return it at once). */
static inline bool xfer_stashed(uint64_t cookie)
{
    for (uint32_t i = 0; i < capos_ring_self()->nstash; i++) {
        if (capos_ring_self()->stash[i].user_data == cookie)
            return true;
    }
    return false;
}

/*
 * Submits what is prepared followed by a NOP and waits for the NOP.  Entries
 * are consumed in order and an operation that completes while its entry is
 * consumed posts before the NOP does, so afterwards xfer_stashed() tells
 * whether an operation prepared before the fence completed at once or is
 * still waiting (a queued call, a posted RECV) -- without waiting for it,
 * which could be forever.
 */
static inline void xfer_fence(void)
{
    struct capos_sqe *s = xfer_prep();
    s->opcode = CAPOS_OP_NOP;
    s->user_data = capos_ring_cookie();
    xfer_wait(s->user_data, 0);
}

/*
 * Shows that a server facet and a client facet of one endpoint work: a RECV
 * on `server` and a CALL on `client` carrying a copy of `carry` (a
 * non-endpoint capability) are submitted together; the call arrives with
 * its message and the carried capability's id after it, is answered, and
 * the answer arrives.  `buf` (8-aligned, at least 64 bytes) receives the
 * call.  True if every step did what it should.
 */
static inline bool xfer_round_trip(uint32_t server, uint32_t client, uint32_t carry, void *buf,
                                   uint32_t buf_len)
{
    static const char ping[] = "ping", pong[] = "pong";
    struct capos_xfer x = {carry, CAPOS_XFER_COPY};
    struct capos_cqe rc, cc;
    char reply[8];

    uint64_t r = xfer_prep_recv(server, buf, buf_len);
    uint64_t c =
        xfer_prep_call(client, XFER_IID, 1, ping, sizeof(ping), reply, sizeof(reply), &x, 1);
    if (xfer_wait(r, &rc) != CAPOS_OK || rc.result_len != sizeof(ping) || rc.ncaps != 1 ||
        memcmp(buf, ping, sizeof(ping)) != 0)
        return false;
    uint32_t got = ((const uint32_t *)(const void *)((const uint8_t *)buf +
                                                     CAPOS_CAPS_OFFSET(sizeof(ping))))[0];
    bool ok = xfer_probe(got) == CAPOS_ERR_WRONG_INTERFACE && capos_release(got) == CAPOS_OK;
    if (xfer_wait(xfer_prep_return(server, rc.token, CAPOS_OK, pong, sizeof(pong), 0, 0), 0) !=
        CAPOS_OK)
        return false;
    return ok && xfer_wait(c, &cc) == CAPOS_OK && cc.result_len == sizeof(pong) &&
           memcmp(reply, pong, sizeof(pong)) == 0;
}

#endif
