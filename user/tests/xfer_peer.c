/*
 * The peer of the capability-transfer smoke (see xfer.c and xfer_proto.h).
 * argv[1] picks its role:
 *   server          (the manifest's service) serves the client's requests on
 *                   its export "ctl", keeping a model of every capability it
 *                   holds or held and probing it on request
 *   idle            holds the server facet "ep" and never receives: a
 *                   receiver that dies (is killed) with calls still queued
 *   exit-on-call    holds "ep"; exits as soon as a call arrives on "ctl"
 *   recv-then-die   receives one call on "ep" and exits without answering
 *   recv-then-hang  receives one call on "ep", tells the client so through
 *                   "notify", and waits to be killed without answering
 *   orphan          a caller that is killed with one call (moving its "x")
 *                   queued on "target" and one delivered but unanswered
 * The others are started by the client itself with capos_spawn, so that it
 * holds their ProcessHandles and they hold the only server facet of "ep".
 */
#include "capos.h"

#include "base/mem.h"
#include "xfer_proto.h"

/* Room for the largest message and its cap ids (the ring's limit). */
#define PEER_BUF_BYTES (CAPOS_MAX_MSG_BYTES + CAPOS_MAX_XFER * 4 + 8)
#define PEER_MAX_GONE  2048

struct peer_cap {
    uint32_t id;
    uint8_t kind;
};

static uint32_t console, spawner, ctl;
static struct peer_cap held[XFER_TABLE_SLOTS];
static uint32_t nheld;
static uint32_t gone[PEER_MAX_GONE];
static uint32_t ngone;
static uint32_t bad;         /* mismatches since the last VERIFY */
static uint32_t calls;       /* calls received on ctl */
static uint32_t recv_errors; /* RECVs on ctl that completed with an error */
static uint64_t recv_cookie;
static uint64_t buf[PEER_BUF_BYTES / 8];     /* ctl RECV buffer */
static uint64_t side_buf[1024];              /* round trips; the short-lived roles' RECVs */
static uint8_t big[CAPOS_MAX_MSG_BYTES + 8]; /* for an over-long RETURN */

static void mismatch(const char *what, uint32_t id, int got, int want)
{
    capos_printf("xfer-peer: UNEXPECTED: %s %#x gave %s, expected %s\n", what, id,
                 capos_error_name(got), capos_error_name(want));
    bad++;
}

static void expect(const char *what, int got, int want)
{
    if (got != want)
        mismatch(what, 0, got, want);
}

/* ---- the model of the peer's table ---- */

static void keep(uint32_t id, uint8_t kind)
{
    if (nheld == XFER_TABLE_SLOTS) {
        capos_printf("xfer-peer: UNEXPECTED: holding more than %u capabilities\n", nheld);
        bad++;
        return;
    }
    held[nheld].id = id;
    held[nheld].kind = kind;
    nheld++;
}

/* The capability at held[i] is gone (released or moved away): from now on
 * its id must probe stale. */
static void forget_at(uint32_t i)
{
    if (ngone < PEER_MAX_GONE)
        gone[ngone++] = held[i].id;
    memmove(&held[i], &held[i + 1], (nheld - i - 1) * sizeof(held[0]));
    nheld--;
}

static void forget(uint32_t id)
{
    for (uint32_t i = 0; i < nheld; i++) {
        if (held[i].id == id) {
            forget_at(i);
            return;
        }
    }
    capos_printf("xfer-peer: UNEXPECTED: forgetting %#x, which it does not hold\n", id);
    bad++;
}

static void release_last(void)
{
    uint32_t id = held[nheld - 1].id;
    expect("release", capos_release(id), CAPOS_OK);
    forget_at(nheld - 1);
}

/* Probes every capability the peer holds or held; returns the mismatches. */
static uint32_t verify(void)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < nheld; i++) {
        int r = xfer_probe(held[i].id);
        if (r != xfer_live_result(held[i].kind)) {
            mismatch("held capability", held[i].id, r, xfer_live_result(held[i].kind));
            n++;
        }
    }
    for (uint32_t i = 0; i < ngone; i++) {
        int r = xfer_probe(gone[i]);
        if (r != CAPOS_ERR_STALE_CAP) {
            mismatch("released or moved-away capability", gone[i], r, CAPOS_ERR_STALE_CAP);
            n++;
        }
    }
    return n;
}

/* A fresh endpoint; both facets join the model. */
static void fresh_pair(uint32_t *server, uint32_t *client)
{
    int r = capos_create_endpoint(spawner, server, client);
    expect("createEndpoint", r, CAPOS_OK);
    if (r != CAPOS_OK) {
        *server = *client = 0;
        return;
    }
    keep(*server, XK_SERVER);
    keep(*client, XK_CLIENT);
}

/* ---- receiving and answering on ctl ---- */

/* A request on ctl, copied out of the RECV buffer (which the next RECV
 * reuses). */
struct peer_call {
    uint64_t token;
    uint16_t method;
    uint32_t msg_len;
    uint32_t ncaps;
    uint32_t caps[CAPOS_MAX_XFER];
    struct xfer_req req;
};

/* Waits for the next call on ctl; a RECV that fails is counted and posted
 * again (the client checks that none did). */
static void next_call(struct peer_call *pc)
{
    struct capos_cqe c;
    for (;;) {
        if (xfer_wait(recv_cookie, &c) == CAPOS_OK)
            break;
        capos_printf("xfer-peer: UNEXPECTED: RECV completed with %s\n", capos_error_name(c.result));
        recv_errors++;
        memset(buf, XFER_CANARY, XFER_CANARY_BYTES);
        recv_cookie = xfer_prep_recv(ctl, buf, sizeof(buf));
    }
    calls++;
    int hit = xfer_canary_hit(buf, CAPOS_CAPS_OFFSET(c.result_len) + 4ULL * c.ncaps);
    if (hit >= 0) {
        capos_printf("xfer-peer: UNEXPECTED: byte %d of the RECV buffer, past a %u-byte "
                     "message, was written\n",
                     hit, c.result_len);
        bad++;
    }
    memset(pc, 0, sizeof(*pc));
    pc->token = c.token;
    pc->method = c.method;
    pc->msg_len = c.result_len;
    pc->ncaps = c.ncaps;
    memcpy(&pc->req, buf, c.result_len < sizeof(pc->req) ? c.result_len : sizeof(pc->req));
    if (c.ncaps <= CAPOS_MAX_XFER)
        memcpy(pc->caps, (uint8_t *)buf + CAPOS_CAPS_OFFSET(c.result_len), 4 * c.ncaps);
    if (c.badge != XFER_BADGE) {
        capos_printf("xfer-peer: UNEXPECTED: badge %lu, expected %u\n", (unsigned long)c.badge,
                     XFER_BADGE);
        bad++;
    }
    if (c.interface_id != XFER_IID) {
        capos_printf("xfer-peer: UNEXPECTED: interface %#lx\n", (unsigned long)c.interface_id);
        bad++;
    }
}

/* RETURN and the next RECV on ctl in one cap_enter, so the peer is always
 * receiving when the client sees its answer.  Returns the RETURN's result. */
static int answer(const struct peer_call *pc, int status, const void *msg, uint32_t len,
                  const struct capos_xfer *x, uint16_t nx, bool again)
{
    uint64_t c = xfer_prep_return(ctl, pc->token, status, msg, len, x, nx);
    if (again) {
        memset(buf, XFER_CANARY, XFER_CANARY_BYTES);
        recv_cookie = xfer_prep_recv(ctl, buf, sizeof(buf));
    }
    return xfer_wait(c, NULL);
}

/* ---- requests ---- */

static void do_keep(const struct peer_call *pc)
{
    if (pc->ncaps != pc->req.n) {
        capos_printf("xfer-peer: UNEXPECTED: KEEP brought %u caps, expected %u\n", pc->ncaps,
                     pc->req.n);
        bad++;
    }
    for (uint32_t i = 0; i < pc->ncaps && i < CAPOS_MAX_XFER; i++)
        keep(pc->caps[i], pc->req.kinds[i]);
}

/* RETURNs n fresh capabilities (server and client facets of new endpoints,
 * alternately) with a message of msg_len patterned bytes.  The RETURN itself
 * succeeds whether or not the client accepts; what must happen to the moved
 * capabilities depends on that, which the client announces in expect_ok. */
static void do_give(const struct peer_call *pc)
{
    static uint8_t msg[256];
    struct capos_xfer x[CAPOS_MAX_XFER];
    uint32_t ids[CAPOS_MAX_XFER + 1];
    uint32_t n = pc->req.n, len = pc->req.msg_len;

    if (n > CAPOS_MAX_XFER || len > sizeof(msg)) {
        bad++;
        answer(pc, CAPOS_ERR_INVALID_ARGUMENT, 0, 0, 0, 0, true);
        return;
    }
    for (uint32_t i = 0; i < n; i += 2)
        fresh_pair(&ids[i], &ids[i + 1]);
    for (uint32_t i = 0; i < n; i++) {
        x[i].cap = ids[i];
        x[i].mode = pc->req.mode;
    }
    for (uint32_t i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    expect("GIVE's RETURN", answer(pc, pc->req.status, msg, len, x, (uint16_t)n, true), CAPOS_OK);
    if (pc->req.mode == CAPOS_XFER_MOVE && pc->req.expect_ok && pc->req.status == CAPOS_OK) {
        for (uint32_t i = 0; i < n; i++)
            forget(ids[i]);
    }
}

/* RETURNs that must be refused, each leaving the call answerable and the
 * table as it was: 17 capabilities, an over-long message, a stale id
 * between two valid moves, the same id twice, a message at an unmapped
 * address, descriptors at an unmapped address.  Then the real answer. */
static void do_bad_return(const struct peer_call *pc)
{
    struct capos_xfer x[CAPOS_MAX_XFER + 1];
    struct xfer_rep rep;
    uint32_t ids[18], stale;

    memset(&rep, 0, sizeof(rep));
    for (uint32_t i = 0; i < 18; i += 2)
        fresh_pair(&ids[i], &ids[i + 1]);
    stale = held[nheld - 1].id; /* ids[17] */
    release_last();
    for (uint32_t i = 0; i < 17; i++) {
        x[i].cap = ids[i];
        x[i].mode = CAPOS_XFER_MOVE;
    }
    rep.r[0] = xfer_wait(xfer_prep_return(ctl, pc->token, CAPOS_OK, 0, 0, x, 17), NULL);
    rep.r[1] = xfer_wait(
        xfer_prep_return(ctl, pc->token, CAPOS_OK, big, CAPOS_MAX_MSG_BYTES + 1, x, 2), NULL);
    x[1].cap = stale;
    x[2].cap = ids[2];
    rep.r[2] = xfer_wait(xfer_prep_return(ctl, pc->token, CAPOS_OK, 0, 0, x, 3), NULL);
    x[1].cap = ids[0];
    rep.r[3] = xfer_wait(xfer_prep_return(ctl, pc->token, CAPOS_OK, 0, 0, x, 2), NULL);
    x[1].cap = ids[1];
    rep.r[4] = xfer_wait(
        xfer_prep_return(ctl, pc->token, CAPOS_OK, (const void *)(uintptr_t)0x10000, 8, x, 2),
        NULL);
    rep.r[5] = xfer_wait(xfer_prep_return(ctl, pc->token, CAPOS_OK, 0, 0,
                                          (const struct capos_xfer *)(uintptr_t)0x10000, 2),
                         NULL);
    /* Nothing may have moved: the table is checked before the answer. */
    rep.bad = verify();
    for (uint32_t i = 0; i < 17; i++)
        release_last();
    expect("BAD_RETURN's answer", answer(pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true), CAPOS_OK);
}

/* The capabilities of this call are [server facet, client facet of the same
 * endpoint, console], their ids after the message at CAPOS_CAPS_OFFSET; each
 * must be live and usable. */
static void do_check(const struct peer_call *pc)
{
    struct xfer_rep rep;
    uint32_t before = bad;
    memset(&rep, 0, sizeof(rep));
    if (pc->msg_len != pc->req.msg_len || pc->ncaps != 3 || pc->req.n != 3) {
        capos_printf("xfer-peer: UNEXPECTED: CHECK message of %u bytes with %u caps\n", pc->msg_len,
                     pc->ncaps);
        bad++;
    } else {
        uint32_t s = pc->caps[0], c = pc->caps[1], con = pc->caps[2], minted;
        for (uint32_t i = 0; i < 3; i++) {
            keep(pc->caps[i], pc->req.kinds[i]);
            int r = xfer_probe(pc->caps[i]);
            if (r != xfer_live_result(pc->req.kinds[i]))
                mismatch("received capability", pc->caps[i], r, xfer_live_result(pc->req.kinds[i]));
        }
        expect("mintClient on a received server facet", capos_endpoint_mint(s, 9, &minted),
               CAPOS_OK);
        keep(minted, XK_CLIENT);
        if (!xfer_round_trip(s, c, con, side_buf, sizeof(side_buf)) ||
            !xfer_round_trip(s, minted, con, side_buf, sizeof(side_buf))) {
            capos_printf("xfer-peer: UNEXPECTED: a round trip on received facets failed\n");
            bad++;
        }
        expect("write through a received console",
               capos_console_write_line(con, "xfer-peer: writing through a received console"),
               CAPOS_OK);
    }
    rep.bad = bad - before;
    answer(pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true);
}

static uint32_t side;        /* server facet of the side endpoint */
static uint64_t side_cookie; /* the posted side RECV; 0 if none */
static uint64_t side_rbuf[1024];

/* A side RECV completed: keep what came (kinds from the request), answer
 * the call, and report it all. */
static void side_done(const struct capos_cqe *c, const struct peer_call *pc, struct xfer_rep *rep)
{
    rep->r[0] = c->result;
    int hit = xfer_canary_hit(
        side_rbuf, c->result == CAPOS_OK ? CAPOS_CAPS_OFFSET(c->result_len) + 4ULL * c->ncaps : 0);
    if (hit >= 0) {
        capos_printf("xfer-peer: UNEXPECTED: byte %d of the side RECV buffer was written "
                     "(RECV result %s)\n",
                     hit, capos_error_name(c->result));
        bad++;
    }
    if (c->result != CAPOS_OK) {
        rep->r[1] = (int32_t)c->result_len;
        return;
    }
    const uint32_t *ids = (const uint32_t *)(const void *)((const uint8_t *)side_rbuf +
                                                           CAPOS_CAPS_OFFSET(c->result_len));
    rep->r[1] = c->ncaps;
    for (uint32_t i = 0; i < c->ncaps && i < pc->req.n; i++)
        keep(ids[i], pc->req.kinds[i]);
    if (c->ncaps > pc->req.n)
        bad++;
    rep->r[2] = c->ncaps ? xfer_probe(ids[0]) : -1;
    rep->r[3] = xfer_wait(xfer_prep_return(side, c->token, CAPOS_OK, 0, 0, 0, 0), NULL);
}

/* Posts a RECV on the side endpoint and tells whether it completed while
 * it was posted (a call was queued for it) or stays posted: the client
 * uses both orders of call and RECV. */
static void do_side_post(const struct peer_call *pc)
{
    struct xfer_rep rep;
    struct capos_cqe c;
    uint32_t len = pc->req.msg_len ? pc->req.msg_len : sizeof(side_rbuf);
    memset(&rep, 0, sizeof(rep));
    if (side_cookie || len > sizeof(side_rbuf)) {
        capos_printf("xfer-peer: UNEXPECTED: SIDE_POST with a RECV posted or too long\n");
        bad++;
    } else {
        memset(side_rbuf, XFER_CANARY, XFER_CANARY_BYTES);
        side_cookie = xfer_prep_recv(side, side_rbuf, len);
        xfer_fence();
        if (xfer_stashed(side_cookie)) {
            xfer_wait(side_cookie, &c);
            side_cookie = 0;
            side_done(&c, pc, &rep);
        } else {
            rep.r[0] = XFER_POSTED;
        }
    }
    answer(pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true);
}

/* Waits for the side RECV that SIDE_POST left posted. */
static void do_side_collect(const struct peer_call *pc)
{
    struct xfer_rep rep;
    struct capos_cqe c;
    memset(&rep, 0, sizeof(rep));
    if (!side_cookie) {
        capos_printf("xfer-peer: UNEXPECTED: SIDE_COLLECT with no RECV posted\n");
        bad++;
    } else {
        xfer_wait(side_cookie, &c);
        side_cookie = 0;
        side_done(&c, pc, &rep);
    }
    answer(pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true);
}

static int serve(void)
{
    struct peer_call pc;
    struct xfer_rep rep;

    uint32_t self;
    /* The kernel's own CapSet entry, the first thread's ThreadControl. */
    if (capos_capset_find(CAPOS_CAPSET_THREAD, capos_ThreadControl_INTERFACE_ID, &self) == 0)
        keep(self, XK_OTHER);
    keep(console, XK_OTHER);
    keep(spawner, XK_OTHER);
    keep(ctl, XK_SERVER);
    if (capos_capset()->count != nheld) {
        capos_printf("xfer-peer: UNEXPECTED: %u capabilities at start, expected %u\n",
                     capos_capset()->count, nheld);
        return 1;
    }
    memset(buf, XFER_CANARY, XFER_CANARY_BYTES);
    recv_cookie = xfer_prep_recv(ctl, buf, sizeof(buf));
    for (;;) {
        next_call(&pc);
        memset(&rep, 0, sizeof(rep));
        switch (pc.method) {
        case XM_KEEP:
            do_keep(&pc);
            answer(&pc, CAPOS_OK, 0, 0, 0, 0, true);
            break;
        case XM_VERIFY:
            verify();
            rep.bad = bad;
            bad = 0;
            rep.calls = calls - 1;
            rep.recv_errors = recv_errors;
            answer(&pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true);
            break;
        case XM_FREE:
            rep.free_slots = XFER_TABLE_SLOTS - nheld;
            answer(&pc, CAPOS_OK, &rep, sizeof(rep), 0, 0, true);
            break;
        case XM_DROP:
            for (uint32_t i = 0; i < pc.req.n && nheld > 3; i++)
                release_last();
            answer(&pc, CAPOS_OK, 0, 0, 0, 0, true);
            break;
        case XM_GIVE: do_give(&pc); break;
        case XM_BAD_RETURN: do_bad_return(&pc); break;
        case XM_CHECK: do_check(&pc); break;
        case XM_SIDE_TAKE:
            if (pc.ncaps != 1) {
                bad++;
            } else {
                side = pc.caps[0];
                keep(side, XK_SERVER);
            }
            answer(&pc, CAPOS_OK, 0, 0, 0, 0, true);
            break;
        case XM_SIDE_POST: do_side_post(&pc); break;
        case XM_SIDE_COLLECT: do_side_collect(&pc); break;
        case XM_QUIT:
            answer(&pc, CAPOS_OK, 0, 0, 0, 0, false);
            capos_printf("xfer-peer: done after %u calls\n", calls);
            return 0;
        default:
            capos_printf("xfer-peer: UNEXPECTED: method %u\n", pc.method);
            bad++;
            answer(&pc, CAPOS_ERR_UNKNOWN_METHOD, 0, 0, 0, 0, true);
            break;
        }
    }
}

/* ---- the short-lived receivers the client starts itself ---- */

/* Blocks until the process is killed: nothing is pending, so no completion
 * can ever arrive (if cap_enter fails instead, the exit status says so). */
static int hang(void)
{
    while (capos_ring_enter(1, CAPOS_WAIT_FOREVER) >= 0)
        ;
    return 7;
}

/* Receives one call on "ep" carrying one client facet, which must be live. */
static bool receive_one(uint32_t ep)
{
    struct capos_request rq;
    return capos_recv(ep, side_buf, sizeof(side_buf), &rq) == CAPOS_OK && rq.ncaps == 1 &&
           xfer_probe(rq.caps[0]) == CAPOS_ERR_NOT_PERMITTED;
}

/* A caller that dies: moves its "x" in a call on "target" (nobody receives
 * there yet), then calls "notify" -- so once the notification arrives the
 * first call is queued -- and waits to be killed with both outstanding. */
static int orphan(void)
{
    uint32_t target, x, notify;
    if (capos_capset_find("target", 0, &target) ||
        capos_capset_find("x", capos_Endpoint_INTERFACE_ID, &x) ||
        capos_capset_find("notify", 0, &notify))
        return 2;
    struct capos_xfer m = {x, CAPOS_XFER_MOVE};
    xfer_prep_call(target, XFER_IID, 1, 0, 0, 0, 0, &m, 1);
    xfer_prep_call(notify, XFER_IID, 1, 0, 0, 0, 0, 0, 0);
    return hang();
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "server";
    uint32_t ep, notify;
    capos_capset_find("console", capos_Console_INTERFACE_ID, &console);
    if (strcmp(mode, "server") == 0) {
        if (capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) ||
            capos_capset_find("ctl", capos_Endpoint_INTERFACE_ID, &ctl)) {
            capos_printf("xfer-peer: UNEXPECTED: missing a capability\n");
            return 1;
        }
        return serve();
    }
    if (strcmp(mode, "orphan") == 0)
        return orphan();
    if (capos_capset_find("ep", capos_Endpoint_INTERFACE_ID, &ep))
        return 2;
    if (strcmp(mode, "idle") == 0)
        return hang();
    if (strcmp(mode, "exit-on-call") == 0) {
        struct capos_request rq;
        if (capos_capset_find("ctl", capos_Endpoint_INTERFACE_ID, &ctl) ||
            capos_recv(ctl, side_buf, sizeof(side_buf), &rq) != CAPOS_OK)
            return 3;
        capos_return(ctl, rq.token, CAPOS_OK, 0, 0, 0, 0);
        return 0;
    }
    if (strcmp(mode, "recv-then-die") == 0)
        return receive_one(ep) ? 0 : 4;
    if (strcmp(mode, "recv-then-hang") == 0) {
        if (capos_capset_find("notify", 0, &notify) || !receive_one(ep) ||
            capos_call(notify, XFER_IID, 0, 0, 0, 0, 0, 0, 0, 0) != CAPOS_OK)
            return 5;
        return hang();
    }
    return 6;
}
