/*
 * Differential test of the IPC fast path (tests/qemu/smokes_diff.py).
 *
 * The same seeded random sequence of ring operations runs in two boots of
 * one system, once with the kernel's fast path (the default) and once with
 * "ipcfast=0"; every completion the program receives (every field, the
 * message it carries and the cap ids that arrive with it) is folded into a
 * digest, and the harness requires the two boots to print the same digests.
 * The sequences are built so that their completions do not depend on where
 * preemption lands: one thread at a time has work, or a single thread both
 * calls and serves.
 *
 *   phase A  a thread holds the server facets and badged client facets of
 *            two endpoints and submits, one or two entries per cap_enter,
 *            RECVs (good, small, unmapped, read-only buffers), CALLs (of
 *            every message size around the fast path's limit, to server
 *            facets, bad ids, the Endpoint interface, with a capability),
 *            RETURNs alone, with the next RECV and as REPLY_RECV (good,
 *            stale and forged tokens, error statuses, results too large,
 *            with a capability, through a client facet),
 *            NOPs and RELEASEs, and now and then releases an endpoint's
 *            server facet (queued calls fail with peerGone) and makes a new
 *            one
 *   phase B  a server thread answers a client thread of the same process in
 *            strict turns, REPLY_RECV or RETURN and the next RECV in one
 *            cap_enter, with
 *            results and statuses drawn from each call's message
 *   phase C  the same server in a child process; then a call it never
 *            answers, and the child is killed: the call fails with peerGone
 *
 * (Every operation of phase A's is on the one thread's ring, and nothing
 * else runs meanwhile; in phases B and C every call is answered before the
 * next is made, so at any moment one side has work.)
 *
 * Output: "ipcdiff: <phase>: <n> completions, digest <hex>" lines, and
 * "ipcdiff: done" at the end.
 */
#include "capos.h"

#include "base/mem.h"

/* ---- digest and random numbers ---- */

struct digest {
    uint64_t h;
    uint64_t n;
};

static void digest_init(struct digest *d)
{
    d->h = 0xcbf29ce484222325ULL; /* FNV-1a */
    d->n = 0;
}

static void digest_bytes(struct digest *d, const void *p, uint64_t len)
{
    const uint8_t *b = p;
    for (uint64_t i = 0; i < len; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
}

static void digest_u64(struct digest *d, uint64_t v)
{
    digest_bytes(d, &v, sizeof(v));
}

/* A completion, and the message and cap ids it brought into `buf` (when
 * it succeeded and carries a message). */
static void digest_cqe(struct digest *d, const struct capos_cqe *c, const void *buf)
{
    digest_u64(d, c->user_data);
    digest_u64(d, (uint32_t)c->result);
    digest_u64(d, c->result_len);
    digest_u64(d, c->ncaps);
    digest_u64(d, c->method);
    digest_u64(d, c->flags);
    digest_u64(d, c->interface_id);
    digest_u64(d, c->badge);
    digest_u64(d, c->token);
    if (buf && c->result == CAPOS_OK) {
        digest_bytes(d, buf, c->result_len);
        digest_bytes(d, (const uint8_t *)buf + CAPOS_CAPS_OFFSET(c->result_len), 4ULL * c->ncaps);
    }
    d->n++;
}

static void digest_print(const char *what, const struct digest *d)
{
    capos_printf("ipcdiff: %s: %lu completions, digest %016lx\n", what, (unsigned long)d->n,
                 (unsigned long)d->h);
}

/* xorshift64*: the whole sequence follows from the seed. */
static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(rnd_next(s) % n);
}

static void fill(uint8_t *p, uint32_t len, uint64_t seed)
{
    for (uint32_t i = 0; i < len; i++) {
        if ((i & 7) == 0)
            seed = rnd_next(&seed) | 1;
        p[i] = (uint8_t)(seed >> ((i & 7) * 8));
    }
}

/* ---- raw ring access ---- */

static struct capos_sqe *prep(void)
{
    struct capos_sqe *s = capos_ring_prep();
    if (!s) {
        capos_printf("ipcdiff: FAIL: submission queue full\n");
        capos_exit(1);
    }
    return s;
}

static uint32_t console, spawner;

/* Message sizes around the fast path's limit (512 bytes) and the page. */
static uint32_t pick_len(uint64_t *s)
{
    switch (rnd_below(s, 8)) {
    case 0: return 0;
    case 1: return 1 + rnd_below(s, 8);
    case 2:
    case 3: return 8 + rnd_below(s, 120);
    case 4: return 128 + rnd_below(s, 384);
    case 5: return 505 + rnd_below(s, 16);
    case 6: return 521 + rnd_below(s, 700);
    default: return 64;
    }
}

/* ---- phase A: one thread, both sides ---- */

#define A_STEPS   3000
#define A_EPS     2
#define A_BUFS    96 /* operations in flight at most: each owns a buffer */
#define A_BUF_LEN 1536
#define A_TOKENS  64

enum a_kind { A_RECV = 1, A_CALL, A_RETURN, A_OTHER };

struct a_ep {
    uint32_t server;
    uint32_t clients[3]; /* unbadged, badge 11 + 2i, badge 12 + 2i */
    bool live;
};

struct a_token {
    uint64_t token;
    uint32_t len; /* of the call's message, which sizes the result */
    int ep;
};

static struct a_ep eps[A_EPS];
static struct a_token tokens[A_TOKENS];
static uint32_t ntokens;
static uint8_t bufs[A_BUFS][A_BUF_LEN] __attribute__((aligned(8)));
static bool buf_used[A_BUFS];
static int8_t buf_ep[A_BUFS]; /* endpoint of the RECV that owns the buffer, or -1 */
static uint32_t inflight;
static const uint8_t read_only[A_BUF_LEN] = {1};
static uint8_t msgbuf[4096] __attribute__((aligned(8)));
static uint64_t a_seq;
static struct digest dig_a;
static uint32_t to_release[64];
static uint32_t nrelease;

/* An address in the user range that nothing maps. */
#define A_UNMAPPED 0x0000200000000000ULL

static int a_buf_take(void)
{
    for (int i = 0; i < A_BUFS; i++) {
        if (!buf_used[i]) {
            buf_used[i] = true;
            return i;
        }
    }
    return -1;
}

static uint64_t a_ud(enum a_kind k, int buf)
{
    return (uint64_t)k << 56 | (uint64_t)(buf + 1) << 40 | a_seq++;
}

static bool a_make_endpoint(struct a_ep *e, unsigned i)
{
    uint32_t unbadged;
    if (capos_create_endpoint(spawner, &e->server, &unbadged) != CAPOS_OK ||
        capos_endpoint_mint(e->server, 11 + 2 * i, &e->clients[1]) != CAPOS_OK ||
        capos_endpoint_mint(e->server, 12 + 2 * i, &e->clients[2]) != CAPOS_OK)
        return false;
    e->clients[0] = unbadged;
    e->live = true;
    return true;
}

/* Where a RECV or a CALL's result goes: mostly a buffer of its own. */
static void a_recv_buffer(uint64_t *s, struct capos_sqe *q, int buf, uint32_t min_len)
{
    switch (rnd_below(s, 16)) {
    case 0: /* too small for most messages */
        q->recv_len = 8 * rnd_below(s, 6);
        q->recv_addr = q->recv_len ? (uint64_t)(uintptr_t)bufs[buf] : 0;
        return;
    case 1:
        q->recv_addr = A_UNMAPPED;
        q->recv_len = A_BUF_LEN;
        return;
    case 2:
        q->recv_addr = (uint64_t)(uintptr_t)read_only;
        q->recv_len = A_BUF_LEN;
        return;
    default:
        q->recv_addr = (uint64_t)(uintptr_t)bufs[buf];
        q->recv_len = min_len + rnd_below(s, A_BUF_LEN - min_len + 1);
        return;
    }
}

static void a_recv(uint64_t *s, struct capos_sqe *q, int buf)
{
    uint32_t i = rnd_below(s, A_EPS);
    struct a_ep *e = &eps[i];
    q->opcode = CAPOS_OP_RECV;
    q->cap = rnd_below(s, 10) ? e->server : e->clients[rnd_below(s, 3)];
    q->user_data = a_ud(A_RECV, buf);
    buf_ep[buf] = (int8_t)i;
    a_recv_buffer(s, q, buf, 0);
}

static struct capos_xfer a_xfer[1];

static void a_call(uint64_t *s, struct capos_sqe *q, int buf)
{
    struct a_ep *e = &eps[rnd_below(s, A_EPS)];
    uint32_t len = pick_len(s);
    fill(msgbuf, len, rnd_next(s));
    q->opcode = CAPOS_OP_CALL;
    switch (rnd_below(s, 20)) {
    case 0: q->cap = e->server; break;
    case 1: q->cap = 0x7777; break;
    default: q->cap = e->clients[rnd_below(s, 3)]; break;
    }
    q->interface_id = rnd_below(s, 25) ? 0x1000 + rnd_below(s, 4) : capos_Endpoint_INTERFACE_ID;
    q->method = (uint16_t)rnd_below(s, 7);
    q->send_addr = len ? (uint64_t)(uintptr_t)msgbuf : 0;
    q->send_len = len;
    q->user_data = a_ud(A_CALL, buf);
    if (rnd_below(s, 10) == 0) {
        /* A copy of a client facet of the other endpoint: the general path. */
        a_xfer[0].cap = eps[(e - eps + 1) % A_EPS].clients[1];
        a_xfer[0].mode = CAPOS_XFER_COPY;
        q->xfer_addr = (uint64_t)(uintptr_t)a_xfer;
        q->xfer_count = 1;
    }
    a_recv_buffer(s, q, buf, 0);
}

/* A RETURN: mostly of a call the thread holds, through the right server
 * facet (a call whose RETURN fails stays held, so those are never risked
 * with a real token), sometimes a forged or stale token, a bad status or a
 * client facet. */
static int a_return(uint64_t *s, struct capos_sqe *q)
{
    uint32_t len = 0;
    q->opcode = CAPOS_OP_RETURN;
    q->user_data = a_ud(A_RETURN, -1);
    if (!ntokens || rnd_below(s, 8) == 0) {
        int k = (int)rnd_below(s, A_EPS);
        struct a_ep *e = &eps[k];
        q->cap = rnd_below(s, 3) ? e->server : e->clients[0];
        q->token = rnd_next(s) & 0xffff;
        q->status = (int32_t)rnd_below(s, CAPOS_ERR_COUNT + 2);
        return k;
    }
    uint32_t i = rnd_below(s, ntokens);
    int k = tokens[i].ep;
    struct a_ep *e = &eps[k];
    q->cap = e->server;
    q->token = tokens[i].token;
    len = tokens[i].len;
    tokens[i] = tokens[--ntokens];
    uint32_t r = rnd_below(s, 10);
    q->status = r == 0 ? (int32_t)rnd_below(s, CAPOS_ERR_COUNT) : 0;
    len = r == 1 ? pick_len(s) : len;
    fill(msgbuf, len, len * 7919 + 1);
    q->send_addr = len ? (uint64_t)(uintptr_t)msgbuf : 0;
    q->send_len = len;
    if (rnd_below(s, 12) == 0) {
        /* A capability of the other endpoint (one of its own would be
         * refused): the general path. */
        a_xfer[0].cap = eps[(tokens[i].ep + 1) % A_EPS].clients[2];
        a_xfer[0].mode = CAPOS_XFER_COPY;
        q->xfer_addr = (uint64_t)(uintptr_t)a_xfer;
        q->xfer_count = 1;
    }
    return k;
}

/* A REPLY_RECV: a_return's RETURN (any of its kinds) and a RECV into `buf`
 * on the same facet, in one entry whose completion is the RECV's, or the
 * RETURN's refusal. */
static void a_reply_recv(uint64_t *s, struct capos_sqe *q, int buf)
{
    int k = a_return(s, q);
    q->opcode = CAPOS_OP_REPLY_RECV;
    q->user_data = a_ud(A_RECV, buf);
    buf_ep[buf] = (int8_t)k;
    a_recv_buffer(s, q, buf, 0);
}

/* Consumes every posted completion, in order. */
static void a_drain(void)
{
    const struct capos_cqe *c;
    while ((c = capos_ring_peek()) != 0) {
        struct capos_cqe cqe = *c;
        capos_ring_advance(1);
        enum a_kind k = (enum a_kind)(cqe.user_data >> 56);
        int buf = (int)((cqe.user_data >> 40) & 0xffff) - 1;
        bool in_buf = buf >= 0 && cqe.result == CAPOS_OK;
        digest_cqe(&dig_a, &cqe, in_buf ? bufs[buf] : NULL);
        if (k == A_RECV && cqe.result == CAPOS_OK && ntokens < A_TOKENS) {
            tokens[ntokens].token = cqe.token;
            tokens[ntokens].len = cqe.result_len;
            tokens[ntokens].ep = buf_ep[buf];
            ntokens++;
        }
        if (in_buf && cqe.ncaps) {
            /* Received capabilities go back at once, in order. */
            const uint32_t *ids =
                (const uint32_t *)(const void *)(bufs[buf] + CAPOS_CAPS_OFFSET(cqe.result_len));
            for (uint32_t i = 0; i < cqe.ncaps && nrelease < 64; i++)
                to_release[nrelease++] = ids[i];
        }
        if (buf >= 0) {
            buf_used[buf] = false;
            buf_ep[buf] = -1;
            inflight--;
        }
    }
}

static void a_enter(void)
{
    int64_t r = capos_ring_enter(0, 0);
    digest_u64(&dig_a, (uint64_t)r);
    a_drain();
}

/* RECVs posted on endpoint i (their buffers are still owned). */
static bool a_recv_posted(int i)
{
    for (int b = 0; b < A_BUFS; b++) {
        if (buf_used[b] && buf_ep[b] == i)
            return true;
    }
    return false;
}

/* Answers every call endpoint i holds, with an empty result. */
static void a_return_all(int i)
{
    for (uint32_t k = 0; k < ntokens;) {
        if (tokens[k].ep != i) {
            k++;
            continue;
        }
        struct capos_sqe *q = prep();
        q->opcode = CAPOS_OP_RETURN;
        q->cap = eps[i].server;
        q->token = tokens[k].token;
        q->user_data = a_ud(A_RETURN, -1);
        tokens[k] = tokens[--ntokens];
        a_enter();
    }
}

static int phase_a(uint64_t seed)
{
    uint64_t s = seed;
    digest_init(&dig_a);
    memset(buf_ep, -1, sizeof(buf_ep));
    for (unsigned i = 0; i < A_EPS; i++) {
        if (!a_make_endpoint(&eps[i], i)) {
            capos_printf("ipcdiff: FAIL: cannot create endpoint %u\n", i);
            return 1;
        }
    }
    for (unsigned step = 0; step < A_STEPS; step++) {
        while (nrelease) {
            struct capos_sqe *q = prep();
            q->opcode = CAPOS_OP_RELEASE;
            q->cap = to_release[--nrelease];
            q->user_data = a_ud(A_OTHER, -1);
            a_enter();
        }
        uint32_t r = rnd_below(&s, 100);
        if (ntokens > 24 && rnd_below(&s, 2))
            r = 60; /* answer held calls before the table fills */
        int b1 = inflight < A_BUFS - 2 ? a_buf_take() : -1;
        if (b1 >= 0)
            inflight++;
        if (r < 25 && b1 >= 0) {
            a_recv(&s, prep(), b1);
            b1 = -1;
        } else if (r < 55 && b1 >= 0) {
            a_call(&s, prep(), b1);
            b1 = -1;
        } else if (r < 68 && b1 >= 0) {
            /* The server's step in one entry. */
            a_reply_recv(&s, prep(), b1);
            b1 = -1;
        } else if (r < 80) {
            a_return(&s, prep());
            if (rnd_below(&s, 10) < 7 && b1 >= 0) {
                /* The server's step: RETURN and the next RECV together. */
                a_recv(&s, prep(), b1);
                b1 = -1;
            }
        } else if (r < 92) {
            struct capos_sqe *q = prep();
            q->opcode = rnd_below(&s, 3) ? CAPOS_OP_NOP : CAPOS_OP_RELEASE;
            q->cap = q->opcode == CAPOS_OP_RELEASE ? 0x5555 : 0;
            q->user_data = a_ud(A_OTHER, -1);
            if (rnd_below(&s, 2)) {
                q = prep();
                q->opcode = CAPOS_OP_NOP;
                q->user_data = a_ud(A_OTHER, -1);
            }
        } else if (r == 99 && rnd_below(&s, 4) == 0) {
            /* The last server facet goes: queued calls fail with peerGone,
             * the next ones are refused; then a new endpoint.  Only once it
             * has answered its calls and has no RECV posted, which would
             * otherwise stay with the old endpoint for good. */
            int i = (int)rnd_below(&s, A_EPS);
            struct a_ep *e = &eps[i];
            if (a_recv_posted(i))
                goto next;
            a_return_all(i);
            struct capos_sqe *q = prep();
            q->opcode = CAPOS_OP_RELEASE;
            q->cap = e->server;
            q->user_data = a_ud(A_OTHER, -1);
            a_enter();
            for (unsigned k = 0; k < 3; k++) {
                q = prep();
                q->opcode = CAPOS_OP_RELEASE;
                q->cap = e->clients[k];
                q->user_data = a_ud(A_OTHER, -1);
                a_enter();
            }
            if (!a_make_endpoint(e, (unsigned)i)) {
                capos_printf("ipcdiff: FAIL: cannot recreate an endpoint\n");
                return 1;
            }
        }
    next:
        if (b1 >= 0) {
            buf_used[b1] = false;
            inflight--;
        }
        a_enter();
        if (step % 500 == 499)
            capos_printf("ipcdiff: A step %u: digest %016lx\n", step + 1, (unsigned long)dig_a.h);
    }
    /* Every call held is answered; what is still posted or queued goes
     * when this thread ends (phase_a runs on a thread of its own). */
    capos_printf("ipcdiff: phase A: %u operations in flight, %u calls held at the end\n", inflight,
                 ntokens);
    for (int i = 0; i < A_EPS; i++)
        a_return_all(i);
    digest_print("phase A", &dig_a);
    return 0;
}

static uint64_t a_seed;

static int phase_a_thread(void *arg)
{
    (void)arg;
    return phase_a(a_seed);
}

/* ---- phases B and C: a server answering a client in strict turns ---- */

enum { M_STOP = 100, M_HANG = 101, M_REPORT = 102 };

static uint64_t srv_buf[1024 / 8];
static uint8_t srv_res[1024] __attribute__((aligned(8)));

/* What the server answers a call: derived from its message alone, so both
 * boots answer alike. */
static void serve_answer(const struct capos_cqe *c, int32_t *status, uint32_t *len)
{
    struct digest d;
    digest_init(&d);
    digest_bytes(&d, srv_buf, c->result_len);
    digest_u64(&d, c->method);
    uint64_t v = d.h;
    *status = v % 13 == 0 ? (int32_t)(v % CAPOS_ERR_COUNT) : 0;
    *len = (uint32_t)((v >> 8) % 600);
    fill(srv_res, *len, v);
}

/* The server loop on `ep`: RECV; then per call a REPLY_RECV, or a RETURN
 * and the next RECV waiting for both completions.  Ends on M_STOP (after printing its
 * digest); M_REPORT prints the digest and is answered; M_HANG is never
 * answered (its process is killed). */
static int serve(uint32_t ep, const char *label)
{
    struct digest d;
    digest_init(&d);
    struct capos_sqe *q = prep();
    q->opcode = CAPOS_OP_RECV;
    q->cap = ep;
    q->recv_addr = (uint64_t)(uintptr_t)srv_buf;
    q->recv_len = sizeof(srv_buf);
    q->user_data = 1;
    uint32_t want = 1;
    for (;;) {
        capos_ring_enter(want, CAPOS_WAIT_FOREVER);
        want = 0;
        const struct capos_cqe *c;
        while ((c = capos_ring_peek()) != 0) {
            struct capos_cqe cqe = *c;
            capos_ring_advance(1);
            digest_cqe(&d, &cqe, cqe.user_data == 1 ? srv_buf : NULL);
            if (cqe.user_data != 1)
                continue;
            if (cqe.result != CAPOS_OK) {
                capos_printf("ipcdiff: FAIL: %s: RECV failed with %s\n", label,
                             capos_error_name(cqe.result));
                return 2;
            }
            if (cqe.method == M_HANG) {
                for (;;)
                    capos_ring_enter(CAPOS_RING_CQ_ENTRIES, CAPOS_WAIT_FOREVER);
            }
            if (cqe.method == M_REPORT)
                digest_print(label, &d);
            int32_t status = 0;
            uint32_t len = 0;
            if (cqe.method != M_STOP)
                serve_answer(&cqe, &status, &len);
            q = prep();
            q->opcode = CAPOS_OP_RETURN;
            q->cap = ep;
            q->token = cqe.token;
            q->status = status;
            q->send_addr = len ? (uint64_t)(uintptr_t)srv_res : 0;
            q->send_len = len;
            q->user_data = 2;
            if (cqe.method != M_STOP && (cqe.token >> 8) % 3 != 0) {
                /* Mostly the one-entry form (which one is decided by the
                 * token, the same in both boots). */
                q->opcode = CAPOS_OP_REPLY_RECV;
                q->recv_addr = (uint64_t)(uintptr_t)srv_buf;
                q->recv_len = sizeof(srv_buf);
                q->user_data = 1;
                want++;
                continue;
            }
            if (cqe.method == M_STOP) {
                capos_ring_enter(1, CAPOS_WAIT_FOREVER);
                while ((c = capos_ring_peek()) != 0) {
                    digest_cqe(&d, c, NULL);
                    capos_ring_advance(1);
                }
                digest_print(label, &d);
                return 0;
            }
            q = prep();
            q->opcode = CAPOS_OP_RECV;
            q->cap = ep;
            q->recv_addr = (uint64_t)(uintptr_t)srv_buf;
            q->recv_len = sizeof(srv_buf);
            q->user_data = 1;
            want += 2;
        }
        if (want == 0)
            want = 1;
    }
}

#define BC_CALLS      1500
#define SERVE_MSG_MAX 1000 /* below the server's buffer */

static uint8_t cl_msg[1024] __attribute__((aligned(8)));
static uint8_t cl_res[1024] __attribute__((aligned(8)));

/* One call, waited for; its completion goes into the digest. */
static void client_call(struct digest *d, uint32_t cap, uint16_t method, uint32_t len,
                        uint32_t res_len, uint64_t seq, bool wait)
{
    struct capos_sqe *q = prep();
    capos_sqe_call(q, cap, 0x2000, method, cl_msg, len, cl_res, res_len, 0, 0);
    q->user_data = seq;
    capos_ring_enter(wait ? 1 : 0, wait ? CAPOS_WAIT_FOREVER : 0);
    if (!wait)
        return;
    const struct capos_cqe *c;
    while ((c = capos_ring_peek()) != 0) {
        digest_cqe(d, c, cl_res);
        capos_ring_advance(1);
    }
}

/* The first call goes in before the server exists, so it always waits in
 * the endpoint's queue (and the kernel's counters of queued and direct
 * deliveries come out the same in every boot); `start` then starts the
 * server, with runtime calls that may keep the call's completion aside. */
static int client_first(struct digest *d, uint32_t cap, int (*start)(void))
{
    client_call(d, cap, 0, 0, sizeof(cl_res), 1u << 28, false);
    int r = start();
    if (r != CAPOS_OK)
        return r;
    struct capos_cqe c;
    while (!capos_ring_next(&c))
        capos_ring_enter(1, CAPOS_WAIT_FOREVER);
    digest_cqe(d, &c, cl_res);
    return CAPOS_OK;
}

static void client_run(struct digest *d, uint32_t cap, uint64_t seed)
{
    uint64_t s = seed;
    for (uint64_t i = 0; i < BC_CALLS; i++) {
        uint32_t len = pick_len(&s);
        len = len > SERVE_MSG_MAX ? SERVE_MSG_MAX : len; /* every RECV takes it */
        fill(cl_msg, len, rnd_next(&s));
        uint32_t res_len = rnd_below(&s, 8) ? sizeof(cl_res) : 8 * rnd_below(&s, 8);
        client_call(d, cap, (uint16_t)rnd_below(&s, 9), len, res_len, i + 1, true);
    }
}

static uint32_t b_server;
static struct capos_thread *b_thread;

static int b_server_thread(void *arg)
{
    (void)arg;
    return serve(b_server, "phase B server");
}

static int b_start(void)
{
    return capos_thread_create(&b_thread, b_server_thread, 0, 0);
}

static int phase_b(uint64_t seed)
{
    uint32_t client;
    struct capos_thread *t;
    struct digest d;
    digest_init(&d);
    if (capos_create_endpoint(spawner, &b_server, &client) != CAPOS_OK ||
        client_first(&d, client, b_start) != CAPOS_OK) {
        capos_printf("ipcdiff: FAIL: phase B set-up\n");
        return 1;
    }
    t = b_thread;
    client_run(&d, client, seed);
    client_call(&d, client, M_STOP, 0, 0, 1u << 30, true);
    int code = -1;
    capos_thread_join(t, &code, 0);
    digest_u64(&d, (uint64_t)code);
    digest_print("phase B client", &d);
    return code == 0 ? 0 : 1;
}

static uint32_t c_server, c_handle;

static int c_start(void)
{
    const struct capos_grant g[] = {
        {.name = "console", .cap = console, .mode = CAPOS_XFER_COPY},
        {.name = "ep", .cap = c_server, .mode = CAPOS_XFER_MOVE},
    };
    const char *argv[] = {"ipcdiff", "server"};
    return capos_spawn(spawner, "ipcdiff", "ipcdiff-server", g, 2, argv, 2, 0, 0, &c_handle);
}

static int phase_c(uint64_t seed)
{
    uint32_t client, handle;
    struct digest d;
    digest_init(&d);
    if (capos_create_endpoint(spawner, &c_server, &client) != CAPOS_OK ||
        client_first(&d, client, c_start) != CAPOS_OK) {
        capos_printf("ipcdiff: FAIL: phase C set-up\n");
        return 1;
    }
    handle = c_handle;
    client_run(&d, client, seed ^ 0x5bd1e995);
    client_call(&d, client, M_REPORT, 0, sizeof(cl_res), 1u << 29, true);
    /* A call the server never answers: the server's RECV is posted (it
     * answered the last call and posted the next RECV in one cap_enter),
     * so the call is delivered before CALL returns, and the kill finds it
     * in the server's hands. */
    client_call(&d, client, M_HANG, 0, sizeof(cl_res), 1u << 30, false);
    struct capos_exit st;
    int r = capos_process_kill(handle);
    digest_u64(&d, (uint64_t)r);
    r = capos_process_wait(handle, &st);
    digest_u64(&d, (uint64_t)r);
    digest_u64(&d, st.kind);
    /* The runtime's calls above kept the call's completion aside for us. */
    struct capos_cqe c;
    while (!capos_ring_next(&c))
        capos_ring_enter(1, CAPOS_WAIT_FOREVER);
    digest_cqe(&d, &c, cl_res);
    digest_print("phase C client", &d);
    return 0;
}

int main(int argc, char **argv)
{
    if (capos_capset_find("console", capos_Console_INTERFACE_ID, &console) != CAPOS_OK)
        return 1;
    if (argc > 1 && !strcmp(argv[1], "server")) {
        uint32_t ep;
        if (capos_capset_find("ep", 0, &ep) != CAPOS_OK)
            return 1;
        return serve(ep, "phase C server");
    }
    if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) != CAPOS_OK)
        return 1;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    capos_printf("ipcdiff: seed %016lx\n", (unsigned long)seed);
    /* Phase A's operations still in flight at its end (RECVs with no
     * caller, calls with no receiver) are cancelled when its thread ends. */
    struct capos_thread *t;
    int r = 1;
    a_seed = seed;
    if (capos_thread_create(&t, phase_a_thread, 0, 0) == CAPOS_OK)
        capos_thread_join(t, &r, 0);
    if (r == 0)
        r = phase_b(seed + 1);
    if (r == 0)
        r = phase_c(seed + 2);
    capos_printf("ipcdiff: %s\n", r == 0 ? "done" : "FAIL");
    return r;
}
