/*
 * The capability-transfer failure matrix (system/smoke-xfer.capnp): every
 * way a CALL or RETURN carrying capabilities can fail, each followed by
 * proof that both capability tables are exactly as before.
 *
 * The client talks to its peer (xfer_peer.c, a manifest service whose
 * export "ctl" it imports as "peer") with the private protocol of
 * xfer_proto.h, and starts short-lived receivers of its own (also
 * xfer_peer, in other roles) where a receiver has to die: it then holds
 * their ProcessHandles, and they hold the only server facet of the endpoint.
 *
 * Each side keeps a model of every capability it holds or held.  After
 * each case the client probes its model and asks the peer to probe its own
 * (XM_VERIFY, which also reports how many calls reached the peer, so a call
 * that should have been refused cannot slip through unseen).  The probes do
 * not change anything (see xfer_probe).  Two cases fill a table to its last
 * slot by the model's count (receiver-table-full for the peer,
 * return-table-full for the client); running them last also proves that no
 * earlier case left an unmodelled capability in either table.
 *
 * Each case prints "xfer: <case>: ok" or "xfer: <case>: FAIL: <why>"; the
 * smoke (tests/qemu/smokes_xfer.py) checks each line as its own sub-check.
 */
#include "capos.h"

#include "base/mem.h"
#include "fmt/fmt.h"
#include "xfer_proto.h"

#define TESTCASE_PREFIX "xfer"
#include "testcase.h"

#define CLIENT_MAX_GONE 1024

struct client_cap {
    uint32_t id;
    uint8_t kind;
    bool busy; /* reserved by a move in flight: probes capBusy */
};

static uint32_t console, spawner, peer;
static uint32_t factory; /* server facet that mints fresh client facets */
static uint64_t next_badge = 100;
static struct client_cap held[XFER_TABLE_SLOTS];
static uint32_t nheld;
static uint32_t gone[CLIENT_MAX_GONE];
static uint32_t ngone;
static uint32_t peer_calls;    /* calls that must have reached the peer */
static uint64_t scratch[1024]; /* receive buffer for RECVs and small results */
static uint8_t big[CAPOS_MAX_MSG_BYTES + 8];
static const uint8_t read_only[64] = {1};

/* ---- the model of the client's table ---- */

static void track(uint32_t id, uint8_t kind)
{
    if (nheld == XFER_TABLE_SLOTS) {
        fail("holding more than %u capabilities", nheld);
        return;
    }
    held[nheld].id = id;
    held[nheld].kind = kind;
    held[nheld].busy = false;
    nheld++;
}

static struct client_cap *find(uint32_t id)
{
    for (uint32_t i = 0; i < nheld; i++) {
        if (held[i].id == id)
            return &held[i];
    }
    fail("%#x is not in the model", id);
    return NULL;
}

/* The capability is gone (released or moved away): its id must probe stale. */
static void untrack(uint32_t id)
{
    struct client_cap *c = find(id);
    if (!c)
        return;
    if (ngone < CLIENT_MAX_GONE)
        gone[ngone++] = id;
    uint32_t i = (uint32_t)(c - held);
    memmove(&held[i], &held[i + 1], (nheld - i - 1) * sizeof(held[0]));
    nheld--;
}

static void set_busy(uint32_t id, bool busy)
{
    struct client_cap *c = find(id);
    if (c)
        c->busy = busy;
}

static void drop(uint32_t id)
{
    expect("RELEASE", capos_release(id), CAPOS_OK);
    untrack(id);
}

/* A new client facet of the factory endpoint (0 if there is none). */
static uint32_t fresh_client(void)
{
    uint32_t id = 0;
    int r = capos_endpoint_mint(factory, next_badge++, &id);
    expect("mintClient", r, CAPOS_OK);
    if (r == CAPOS_OK)
        track(id, XK_CLIENT);
    return r == CAPOS_OK ? id : 0;
}

static void fresh_pair(uint32_t *server, uint32_t *client)
{
    int r = capos_create_endpoint(spawner, server, client);
    expect("createEndpoint", r, CAPOS_OK);
    if (r == CAPOS_OK) {
        track(*server, XK_SERVER);
        track(*client, XK_CLIENT);
    } else {
        *server = *client = 0;
    }
}

/* ---- checks ---- */

static void check_self(void)
{
    for (uint32_t i = 0; i < nheld; i++) {
        int want = held[i].busy ? CAPOS_ERR_CAP_BUSY : xfer_live_result(held[i].kind);
        int r = xfer_probe(held[i].id);
        if (r != want)
            fail("own cap %#x probes %s, expected %s", held[i].id, capos_error_name(r),
                 capos_error_name(want));
    }
    for (uint32_t i = 0; i < ngone; i++) {
        int r = xfer_probe(gone[i]);
        if (r != CAPOS_ERR_STALE_CAP)
            fail("own released or moved-away cap %#x probes %s, expected staleCap", gone[i],
                 capos_error_name(r));
    }
}

/* A request to the peer that must reach it and succeed. */
static int peer_call(uint16_t method, struct xfer_req *rq, const struct capos_xfer *x, uint16_t nx,
                     struct xfer_rep *rep)
{
    struct xfer_rep local;
    if (!rep)
        rep = &local;
    memset(rep, 0, sizeof(*rep));
    int r = capos_call(peer, XFER_IID, method, rq, rq ? sizeof(*rq) : 0, rep, sizeof(*rep), x, nx,
                       NULL);
    peer_calls++;
    return r;
}

static void check_peer(void)
{
    struct xfer_req rq;
    struct xfer_rep rep;
    memset(&rq, 0, sizeof(rq));
    rq.calls = peer_calls;
    int r = peer_call(XM_VERIFY, &rq, 0, 0, &rep);
    if (r != CAPOS_OK) {
        fail("VERIFY gave %s", capos_error_name(r));
        return;
    }
    if (rep.bad)
        fail("the peer found %u mismatches in its table (see xfer-peer lines)", rep.bad);
    if (rep.calls != rq.calls)
        fail("%u calls reached the peer, expected %u", rep.calls, rq.calls);
    if (rep.recv_errors)
        fail("%u RECVs of the peer failed", rep.recv_errors);
}

static void check_both(void)
{
    check_self();
    check_peer();
}

/* The end of a case: both tables must match the model. */
static void case_end(void)
{
    check_both();
    end();
}

/*
 * A CALL that must be refused at once with `want`.  Behind a fence (see
 * xfer_fence) the call's result is either there or the call is in flight,
 * wrongly accepted; that is reported instead of waited for, which could be
 * forever.
 */
static void refuse_raw(const char *what, uint32_t cap, uint64_t iid, uint16_t method,
                       const void *msg, uint32_t len, const struct capos_xfer *x, uint16_t nx,
                       int want)
{
    struct capos_cqe c;
    uint64_t call = xfer_prep_call(cap, iid, method, msg, len, 0, 0, x, nx);
    xfer_fence();
    if (!xfer_stashed(call)) {
        fail("%s was accepted (still in flight), expected %s", what, capos_error_name(want));
        return;
    }
    expect(what, xfer_wait(call, &c), want);
}

/* A KEEP to the peer that must be refused; if it slipped through, the
 * peer's call count shows it. */
static void refuse(const char *what, const struct capos_xfer *x, uint16_t nx, int want)
{
    struct xfer_req rq;
    memset(&rq, 0, sizeof(rq));
    rq.n = nx;
    for (uint32_t i = 0; i < nx && i < CAPOS_MAX_XFER; i++)
        rq.kinds[i] = XK_CLIENT;
    refuse_raw(what, peer, XFER_IID, XM_KEEP, &rq, sizeof(rq), x, nx, want);
}

/* Starts xfer_peer in `mode` with a copy of the console and `g`. */
static uint32_t spawn_receiver(const char *name, const char *mode, struct capos_grant *g,
                               uint32_t ng)
{
    struct capos_grant grants[4];
    const char *argv[] = {"xfer_peer", mode};
    uint32_t h = 0;
    memset(grants, 0, sizeof(grants));
    grants[0].name = "console";
    grants[0].cap = console;
    grants[0].mode = CAPOS_XFER_COPY;
    memcpy(&grants[1], g, ng * sizeof(*g));
    int r = capos_spawn(spawner, "xfer_peer", name, grants, ng + 1, argv, 2, 0, 0, &h);
    expect("spawn", r, CAPOS_OK);
    if (r != CAPOS_OK)
        return 0;
    track(h, XK_OTHER);
    for (uint32_t i = 0; i < ng; i++) {
        if (g[i].mode == CAPOS_XFER_MOVE)
            untrack(g[i].cap);
    }
    return h;
}

static void wait_receiver(uint32_t h, bool killed, int code)
{
    struct capos_exit st;
    int r = capos_process_wait(h, &st);
    expect("ProcessHandle.wait", r, CAPOS_OK);
    if (r == CAPOS_OK && killed && st.kind != capos_ExitStatus_which_killed)
        fail("the receiver was not killed (status kind %d)", (int)st.kind);
    if (r == CAPOS_OK && !killed && (st.kind != capos_ExitStatus_which_exited || st.code != code))
        fail("the receiver ended with kind %d code %d, expected exit %d", (int)st.kind, st.code,
             code);
    drop(h);
}

static struct capos_grant grant(const char *name, uint32_t cap, uint32_t mode)
{
    struct capos_grant g;
    memset(&g, 0, sizeof(g));
    g.name = name;
    g.cap = cap;
    g.mode = mode;
    return g;
}

/* Submits a CALL (with a message of len bytes) without waiting for it. */
static uint64_t call_async_msg(uint32_t cap, const void *msg, uint32_t len,
                               const struct capos_xfer *x, uint16_t nx)
{
    uint64_t c = xfer_prep_call(cap, XFER_IID, 1, msg, len, 0, 0, x, nx);
    capos_ring_enter(0, 0);
    return c;
}

static uint64_t call_async(uint32_t cap, const struct capos_xfer *x, uint16_t nx)
{
    return call_async_msg(cap, 0, 0, x, nx);
}

/* The side endpoint: the peer holds its server facet and receives on it
 * only when told (SIDE_POST, SIDE_COLLECT), so calls on it can be queued at
 * will.  Set up by case_move_in_use. */
static uint32_t side_client;

/* A request about n capabilities, the first n of kind `kind` (0 where no
 * kinds matter), everything else 0. */
static struct xfer_req req_of(uint32_t n, uint8_t kind)
{
    struct xfer_req rq;
    memset(&rq, 0, sizeof(rq));
    rq.n = n;
    for (uint32_t i = 0; i < n && i < CAPOS_MAX_XFER; i++)
        rq.kinds[i] = kind;
    return rq;
}

/* SIDE_POST or SIDE_COLLECT expecting n capabilities of kind `kind`. */
static int side_op(uint16_t method, uint32_t buf_len, uint32_t n, uint8_t kind,
                   struct xfer_rep *rep)
{
    struct xfer_req rq;
    memset(&rq, 0, sizeof(rq));
    rq.n = n;
    rq.msg_len = buf_len;
    memset(rq.kinds, kind, sizeof(rq.kinds));
    return peer_call(method, &rq, 0, 0, rep);
}

/* Expects the side RECV's report: result, then ncaps or the size needed. */
static void expect_side(const char *what, const struct xfer_rep *rep, int result, int32_t n)
{
    char w[96];
    fmt_snprintf(w, sizeof(w), "%s: the peer's RECV", what);
    if (result == XFER_POSTED) {
        if (rep->r[0] != XFER_POSTED)
            fail("%s completed with %s, expected it to stay posted", w,
                 capos_error_name(rep->r[0]));
        return;
    }
    expect(w, rep->r[0], result);
    if (rep->r[1] != n)
        fail("%s reported %d, expected %d", w, rep->r[1], n);
    if (result == CAPOS_OK) {
        expect("the peer's RETURN on the side endpoint", rep->r[3], CAPOS_OK);
        if (n)
            expect("the peer's probe of what arrived", rep->r[2], CAPOS_ERR_NOT_PERMITTED);
    }
}

#define MOVE CAPOS_XFER_MOVE
#define COPY CAPOS_XFER_COPY

/* ---- 1. an invalid id between two valid ones ---- */

static void case_bad_id_in_middle(void)
{
    begin("bad-id-in-middle");
    uint32_t a = fresh_client(), b = fresh_client(), r = fresh_client();
    drop(r);
    const struct {
        uint32_t id;
        int want;
        const char *what;
    } forged[] = {
        {r, CAPOS_ERR_STALE_CAP, "a released id"},
        {0, CAPOS_ERR_INVALID_CAP, "id 0"},
        {0x0001ffff, CAPOS_ERR_INVALID_CAP, "an index beyond the table"},
        {(0x7777u << 16) | 200, CAPOS_ERR_STALE_CAP, "a never-issued generation"},
    };
    for (unsigned i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        char what[96];
        struct capos_xfer moves[] = {{a, MOVE}, {forged[i].id, MOVE}, {b, MOVE}};
        struct capos_xfer mixed[] = {{a, COPY}, {forged[i].id, COPY}, {b, MOVE}};
        fmt_snprintf(what, sizeof(what), "moves around %s", forged[i].what);
        refuse(what, moves, 3, forged[i].want);
        fmt_snprintf(what, sizeof(what), "copy, copy of %s, move", forged[i].what);
        refuse(what, mixed, 3, forged[i].want);
    }
    /* Not an id but the rest of a descriptor, or the message, at fault. */
    uint32_t c = fresh_client();
    struct capos_xfer badmode[] = {{a, MOVE}, {b, 2}, {c, MOVE}};
    refuse("moves around a descriptor of mode 2", badmode, 3, CAPOS_ERR_INVALID_ARGUMENT);
    refuse_raw("moves listed at an unmapped address", peer, XFER_IID, XM_KEEP, 0, 0,
               (const struct capos_xfer *)(uintptr_t)0x10000, 3, CAPOS_ERR_BAD_ADDRESS);
    struct capos_xfer ab[] = {{a, MOVE}, {b, MOVE}};
    refuse_raw("moves with the message at an unmapped address", peer, XFER_IID, XM_KEEP,
               (const void *)(uintptr_t)0x10000, 64, ab, 2, CAPOS_ERR_BAD_ADDRESS);
    case_end();
    drop(a);
    drop(b);
    drop(c);
}

/* ---- 2. the same id twice ---- */

static void case_duplicate_id(void)
{
    begin("duplicate-id");
    uint32_t a = fresh_client(), b = fresh_client();
    struct capos_xfer mm[] = {{a, MOVE}, {a, MOVE}};
    struct capos_xfer cc[] = {{a, COPY}, {a, COPY}};
    struct capos_xfer cm[] = {{a, COPY}, {a, MOVE}};
    struct capos_xfer mmc[] = {{a, MOVE}, {b, MOVE}, {a, COPY}};
    refuse("move, move of one id", mm, 2, CAPOS_ERR_INVALID_ARGUMENT);
    refuse("copy, copy of one id", cc, 2, CAPOS_ERR_INVALID_ARGUMENT);
    refuse("copy, move of one id", cm, 2, CAPOS_ERR_INVALID_ARGUMENT);
    refuse("a, b, a again", mmc, 3, CAPOS_ERR_INVALID_ARGUMENT);
    case_end();
    drop(a);
    drop(b);
}

/* ---- 3. moving a capability that a queued call is moving ---- */

static void case_move_in_use(void)
{
    struct xfer_req rq;
    struct xfer_rep rep;
    uint32_t s2, c2;
    begin("move-in-use");
    /* A side endpoint whose server facet the peer holds but does not
     * receive on until told: calls on it stay queued. */
    fresh_pair(&s2, &c2);
    side_client = c2;
    struct capos_xfer give[] = {{s2, MOVE}};
    rq = req_of(1, XK_SERVER);
    expect("SIDE_TAKE", peer_call(XM_SIDE_TAKE, &rq, give, 1, NULL), CAPOS_OK);
    untrack(s2);

    uint32_t x = fresh_client();
    struct capos_xfer mx[] = {{x, MOVE}};
    struct capos_xfer cx[] = {{x, COPY}};
    uint64_t queued = call_async(c2, mx, 1);
    set_busy(x, true);
    expect("probe of X while its move is queued", xfer_probe(x), CAPOS_ERR_CAP_BUSY);
    refuse_raw("a second CALL moving X", c2, XFER_IID, 1, 0, 0, mx, 1, CAPOS_ERR_CAP_BUSY);
    refuse("a CALL copying X to the peer", cx, 1, CAPOS_ERR_CAP_BUSY);
    refuse_raw("a CALL on X", x, XFER_IID, 1, 0, 0, 0, 0, CAPOS_ERR_CAP_BUSY);
    expect("RELEASE of X", capos_release(x), CAPOS_ERR_CAP_BUSY);
    check_both();

    /* Now the peer receives the queued call: X moves over. */
    expect("SIDE_POST", side_op(XM_SIDE_POST, 0, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("the queued call", &rep, CAPOS_OK, 1);
    expect("the queued CALL", xfer_wait(queued, NULL), CAPOS_OK);
    untrack(x);
    expect("probe of X after delivery", xfer_probe(x), CAPOS_ERR_STALE_CAP);
    case_end();
}

/* ---- the receiver's buffer cannot take the call ---- */

/* A CALL on the side endpoint that moves mx[0] (and fits the RECV the peer
 * has posted) is collected: the id moves over. */
static void collect_fitting(const struct capos_xfer *mx)
{
    struct xfer_rep rep;
    uint64_t q = call_async(side_client, mx, 1);
    set_busy(mx[0].cap, true);
    expect("SIDE_COLLECT", side_op(XM_SIDE_COLLECT, 0, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("the next call, which fits", &rep, CAPOS_OK, 1);
    expect("the CALL that fits", xfer_wait(q, NULL), CAPOS_OK);
    untrack(mx[0].cap);
}

static void case_recv_buffer_too_small(void)
{
    static const char msg[13] = "thirteen byte";
    struct xfer_rep rep;
    begin("recv-buffer-too-small");
    /* 13 bytes and one id need 16 + 4 = 20.  First the call waits in the
     * queue and a 16-byte RECV comes to it: the call fails, its move rolls
     * back, and the RECV stays posted, never having seen it. */
    uint32_t x = fresh_client();
    struct capos_xfer mx[] = {{x, MOVE}};
    uint64_t q = call_async_msg(side_client, msg, sizeof(msg), mx, 1);
    set_busy(x, true);
    expect("SIDE_POST into 16 bytes", side_op(XM_SIDE_POST, 16, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("a queued call of 20 bytes", &rep, XFER_POSTED, 0);
    expect("the queued CALL of 20 bytes", xfer_wait(q, NULL), CAPOS_ERR_INVALID_ARGUMENT);
    set_busy(x, false);
    check_self();
    /* A call that fits (no message, the id at 0) takes the same RECV. */
    collect_fitting(mx);
    check_both();
    /* Then the RECV is posted first and the call comes to it. */
    uint32_t y = fresh_client();
    struct capos_xfer my[] = {{y, MOVE}};
    expect("SIDE_POST into 16 bytes", side_op(XM_SIDE_POST, 16, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("an empty queue", &rep, XFER_POSTED, 0);
    refuse_raw("a CALL of 20 bytes into a posted 16", side_client, XFER_IID, 1, msg, sizeof(msg),
               my, 1, CAPOS_ERR_INVALID_ARGUMENT);
    check_self();
    collect_fitting(my);
    case_end();
}

/* ---- 5. the receiver dies ---- */

/* Queues a CALL on c moving two fresh client facets (*x, *y), which stay
 * busy while it is queued. */
static uint64_t queue_two_moves(uint32_t c, uint32_t *x, uint32_t *y)
{
    *x = fresh_client();
    *y = fresh_client();
    struct capos_xfer m[] = {{*x, MOVE}, {*y, MOVE}};
    uint64_t queued = call_async(c, m, 2);
    set_busy(*x, true);
    set_busy(*y, true);
    check_self();
    return queued;
}

/* The queued call of queue_two_moves has failed: both ids are ours again. */
static void unbusy_two(uint32_t x, uint32_t y)
{
    set_busy(x, false);
    set_busy(y, false);
}

/* A fresh endpoint whose server end moves to a receiver in `mode`; the
 * client end in *c, the receiver's handle returned. */
static uint32_t spawn_on_endpoint(const char *name, const char *mode, uint32_t *c)
{
    uint32_t s;
    fresh_pair(&s, c);
    struct capos_grant g[] = {grant("ep", s, MOVE)};
    return spawn_receiver(name, mode, g, 1);
}

static void case_killed_before_recv(void)
{
    uint32_t c;
    begin("receiver-killed-before-recv");
    uint32_t h = spawn_on_endpoint("xfer-idle", "idle", &c);
    uint32_t x, y;
    uint64_t queued = queue_two_moves(c, &x, &y);
    expect("ProcessHandle.kill", capos_process_kill(h), CAPOS_OK);
    expect("the queued CALL", xfer_wait(queued, NULL), CAPOS_ERR_PEER_GONE);
    unbusy_two(x, y);
    refuse_raw("a CALL after the receiver died", c, XFER_IID, 1, 0, 0, 0, 0, CAPOS_ERR_PEER_GONE);
    wait_receiver(h, true, 0);
    case_end();
    drop(x);
    drop(y);
    drop(c);
}

static void case_exits_before_recv(void)
{
    uint32_t s, c, k, kc;
    begin("receiver-exits-before-recv");
    fresh_pair(&s, &c);
    fresh_pair(&k, &kc);
    struct capos_grant g[] = {grant("ep", s, MOVE), grant("ctl", k, MOVE)};
    uint32_t h = spawn_receiver("xfer-exit", "exit-on-call", g, 2);
    uint32_t x, y;
    uint64_t queued = queue_two_moves(c, &x, &y);
    /* Queued first, so the receiver exits with the call still queued. */
    expect("the call that makes the receiver exit",
           capos_call(kc, XFER_IID, 1, 0, 0, 0, 0, 0, 0, 0), CAPOS_OK);
    expect("the queued CALL", xfer_wait(queued, NULL), CAPOS_ERR_PEER_GONE);
    unbusy_two(x, y);
    wait_receiver(h, false, 0);
    case_end();
    drop(x);
    drop(y);
    drop(c);
    drop(kc);
}

static void case_dies_before_return(void)
{
    uint32_t c;
    begin("server-dies-before-return");
    uint32_t h = spawn_on_endpoint("xfer-die", "recv-then-die", &c);
    uint32_t x = fresh_client();
    struct capos_xfer m[] = {{x, MOVE}};
    expect("a CALL the server receives and never answers",
           capos_call(c, XFER_IID, 1, 0, 0, 0, 0, m, 1, NULL), CAPOS_ERR_PEER_GONE);
    /* X was delivered (the receiver exits 0 only if it got X live), so the
     * move committed: X left with the server. */
    untrack(x);
    wait_receiver(h, false, 0);
    case_end();
    drop(c);
}

static void case_killed_before_return(void)
{
    uint32_t s, c, ns, nc;
    struct capos_cqe n;
    begin("server-killed-before-return");
    fresh_pair(&s, &c);
    fresh_pair(&ns, &nc);
    struct capos_grant g[] = {grant("ep", s, MOVE), grant("notify", nc, MOVE)};
    uint32_t h = spawn_receiver("xfer-hang", "recv-then-hang", g, 2);
    uint32_t x = fresh_client();
    struct capos_xfer m[] = {{x, MOVE}};
    /* The receiver tells us on "notify" once it has the call. */
    uint64_t note = xfer_prep_recv(ns, scratch, sizeof(scratch));
    uint64_t call = call_async(c, m, 1);
    expect("the receiver's notification", xfer_wait(note, &n), CAPOS_OK);
    untrack(x);
    expect("probe of X once delivered", xfer_probe(x), CAPOS_ERR_STALE_CAP);
    expect("RETURN to the notification", capos_return(ns, n.token, CAPOS_OK, 0, 0, 0, 0), CAPOS_OK);
    expect("ProcessHandle.kill", capos_process_kill(h), CAPOS_OK);
    expect("the CALL the server never answered", xfer_wait(call, NULL), CAPOS_ERR_PEER_GONE);
    wait_receiver(h, true, 0);
    case_end();
    drop(c);
    drop(ns);
}

/* A caller dies with a moving call queued and another delivered: the
 * queued one is cancelled (its move rolled back in the dying table, so the
 * moved server facet -- the only one of its endpoint -- really goes away),
 * and a RETURN to the delivered one, moving capabilities, reports peerGone
 * and keeps them. */
static void case_caller_dies(void)
{
    uint32_t se, ce, sx, cx, sn, cn, mine;
    struct capos_cqe n, c;
    begin("caller-killed-with-queued-move");
    fresh_pair(&se, &ce);
    fresh_pair(&sx, &cx);
    fresh_pair(&sn, &cn);
    struct capos_grant g[] = {grant("target", ce, MOVE), grant("x", sx, MOVE),
                              grant("notify", cn, MOVE)};
    uint32_t h = spawn_receiver("xfer-orphan", "orphan", g, 3);
    expect("the caller's notification", xfer_wait(xfer_prep_recv(sn, scratch, sizeof(scratch)), &n),
           CAPOS_OK);
    expect("probe of X's client facet while its server facet is in a queued call", xfer_probe(cx),
           CAPOS_ERR_NOT_PERMITTED);
    expect("ProcessHandle.kill", capos_process_kill(h), CAPOS_OK);
    wait_receiver(h, true, 0);
    refuse_raw("a CALL on X once the queued call is cancelled", cx, XFER_IID, 1, 0, 0, 0, 0,
               CAPOS_ERR_PEER_GONE);
    /* The cancelled call left E's queue: the first call a RECV gets is ours. */
    expect("mintClient", capos_endpoint_mint(se, 5, &mine), CAPOS_OK);
    track(mine, XK_CLIENT);
    uint64_t q = xfer_prep_call(mine, XFER_IID, 2, 0, 0, 0, 0, 0, 0);
    expect("RECV on E", xfer_wait(xfer_prep_recv(se, scratch, sizeof(scratch)), &c), CAPOS_OK);
    if (c.method != 2 || c.badge != 5 || c.ncaps != 0)
        fail("RECV on E got method %u badge %lu with %u caps: the dead caller's call", c.method,
             (unsigned long)c.badge, c.ncaps);
    expect("RETURN", capos_return(se, c.token, CAPOS_OK, 0, 0, 0, 0), CAPOS_OK);
    expect("our CALL on E", xfer_wait(q, NULL), CAPOS_OK);
    case_end();

    begin("return-to-dead-client");
    uint32_t a = fresh_client(), b = fresh_client();
    struct capos_xfer ab[] = {{a, MOVE}, {b, MOVE}};
    expect("RETURN of two moves to the dead caller",
           xfer_wait(xfer_prep_return(sn, n.token, CAPOS_OK, 0, 0, ab, 2), NULL),
           CAPOS_ERR_PEER_GONE);
    expect("a second RETURN with that token",
           xfer_wait(xfer_prep_return(sn, n.token, CAPOS_OK, 0, 0, ab, 2), NULL),
           CAPOS_ERR_INVALID_ARGUMENT);
    case_end();
    drop(a);
    drop(b);
    drop(mine);
    drop(se);
    drop(cx);
    drop(sn);
}

/* ProcessSpawner.spawn carries capabilities too: a refused spawn leaves
 * them where they were. */
static void case_spawn_refused(void)
{
    const char *argv[] = {"xfer_peer", "idle"};
    uint32_t h = 0;
    begin("spawn-refused");
    uint32_t a = fresh_client(), b = fresh_client();
    struct capos_grant g[] = {grant("ep", a, MOVE), grant("b", b, COPY)};
    expect("spawn of a missing binary with a move",
           capos_spawn(spawner, "no-such-binary", "xfer-none", g, 2, argv, 2, 0, 0, &h),
           CAPOS_ERR_NOT_FOUND);
    expect("spawn with a bad name and a move",
           capos_spawn(spawner, "xfer_peer", "bad name", g, 2, argv, 2, 0, 0, &h),
           CAPOS_ERR_INVALID_ARGUMENT);
    struct capos_grant twice[] = {grant("ep", a, MOVE), grant("b", a, MOVE)};
    expect("spawn moving one id twice",
           capos_spawn(spawner, "xfer_peer", "xfer-none", twice, 2, argv, 2, 0, 0, &h),
           CAPOS_ERR_INVALID_ARGUMENT);
    /* A capability grant whose capability is null, sending nothing: the
     * decoder lets an optional pointer be null, the spawner must not look
     * it up (it would index past the call's transfer set). */
    struct capos_msg m;
    capos_msg_init(&m);
    capos_ProcessSpawner_spawn_Params_builder pb = capos_ProcessSpawner_spawn_encode_args(&m.b, 0);
    capos_ProcessSpawner_spawn_Params_set_binary(pb, "xfer_peer", 9);
    capos_ProcessSpawner_spawn_Params_set_name(pb, "xfer-none", 9);
    capos_SpawnGrant_builder_list gl = capos_ProcessSpawner_spawn_Params_init_grants(pb, 1);
    capos_SpawnGrant_builder g0 = capos_SpawnGrant_list_at(gl, 0);
    capos_SpawnGrant_set_name(g0, "nothing", 7);
    capos_SpawnGrant_set_cap(g0, CAPNP_NO_CAP);
    capos_ProcessSpawner_spawn_results sr;
    expect("spawn with a null capability grant",
           capos_ProcessSpawner_spawn_call_built(spawner, &m.b, &sr, 0),
           CAPOS_ERR_INVALID_ARGUMENT);
    case_end();
    drop(a);
    drop(b);
}

/* ---- 6. an endpoint's facets sent over itself ---- */

/* A CALL on client facet c carrying a copy of `carry`, received on s by
 * this process itself: the server recognises the facet it got with
 * Endpoint.identify, which must give `badge`. */
static void expect_identified(const char *what, uint32_t s, uint32_t c, uint32_t carry,
                              uint64_t badge)
{
    static uint64_t buf[16];
    struct capos_xfer x = {carry, COPY};
    struct capos_cqe rc, cc;
    uint64_t b = 0;
    uint64_t r = xfer_prep_recv(s, buf, sizeof(buf));
    uint64_t call = xfer_prep_call(c, XFER_IID, 1, 0, 0, 0, 0, &x, 1);
    if (xfer_wait(r, &rc) != CAPOS_OK || rc.ncaps != 1) {
        fail("%s: the call did not arrive with one capability", what);
        return;
    }
    uint32_t got =
        ((const uint32_t *)(const void *)((const uint8_t *)buf + CAPOS_CAPS_OFFSET(0)))[0];
    expect(what, capos_endpoint_identify(s, got, &b), CAPOS_OK);
    if (b != badge)
        fail("%s: identified with badge %#lx, expected %#lx", what, (unsigned long)b,
             (unsigned long)badge);
    expect("release the received facet", capos_release(got), CAPOS_OK);
    expect("RETURN", xfer_wait(xfer_prep_return(s, rc.token, CAPOS_OK, 0, 0, 0, 0), 0), CAPOS_OK);
    expect("the call's completion", xfer_wait(call, &cc), CAPOS_OK);
}

static void case_endpoint_over_itself(void)
{
    uint32_t s, c, m, s2, c2;
    uint64_t b;
    begin("endpoint-over-itself");
    fresh_pair(&s, &c);
    fresh_pair(&s2, &c2);
    expect("mintClient", capos_endpoint_mint(s, 66, &m), CAPOS_OK);
    track(m, XK_CLIENT);
    uint32_t a = fresh_client();
    /* A server facet in a call queued on its own endpoint would keep the
     * endpoint's server side alive from its own queue: refused. */
    struct capos_xfer t2[] = {{s, MOVE}}, t3[] = {{s, COPY}}, t5[] = {{c, MOVE}},
                      t6[] = {{a, MOVE}, {s, COPY}};
    refuse_raw("its server facet (move)", c, XFER_IID, 1, 0, 0, t2, 1, CAPOS_ERR_INVALID_ARGUMENT);
    refuse_raw("its server facet (copy)", c, XFER_IID, 1, 0, 0, t3, 1, CAPOS_ERR_INVALID_ARGUMENT);
    refuse_raw("the target itself (move)", c, XFER_IID, 1, 0, 0, t5, 1, CAPOS_ERR_INVALID_ARGUMENT);
    /* Here the move of A is reserved before the server facet is
     * recognised: the reservation must be rolled back. */
    refuse_raw("a move of A with its server facet", c, XFER_IID, 1, 0, 0, t6, 2,
               CAPOS_ERR_INVALID_ARGUMENT);
    /* Client facets go through, and the server knows them for its own. */
    expect_identified("another client facet of it, identified", s, c, m, 66);
    expect_identified("the target itself (copy), identified", s, c, c, 0);
    expect("identify directly", capos_endpoint_identify(s, m, &b), CAPOS_OK);
    if (b != 66)
        fail("identify gave badge %#lx, expected 0x42", (unsigned long)b);
    expect("identify on a client facet", capos_endpoint_identify(c, m, &b),
           CAPOS_ERR_NOT_PERMITTED);
    expect("identify of another endpoint's facet", capos_endpoint_identify(s, c2, &b),
           CAPOS_ERR_CROSS_SERVICE);
    expect("identify of a server facet", capos_endpoint_identify(s, s2, &b),
           CAPOS_ERR_CROSS_SERVICE);
    expect("identify of a kernel object", capos_endpoint_identify(s, console, &b),
           CAPOS_ERR_CROSS_SERVICE);
    /* A null capability (no capability sent): refused by the decoder, never
     * looked up (the fuzzer's kernel page fault). */
    /* The parameters by hand, as a hostile caller sends them: one segment
     * of two words, a root struct of no data and one pointer, that pointer
     * null. */
    static const uint64_t null_client[3] = {2ull << 32, 1ull << 48, 0};
    refuse_raw("identify of nothing", s, capos_Endpoint_INTERFACE_ID,
               capos_Endpoint_method_identify, null_client, sizeof(null_client), NULL, 0,
               CAPOS_ERR_INVALID_ARGUMENT);
    case_end();
    drop(a);
    drop(m);
    drop(c);
    drop(s);
    drop(c2);
    drop(s2);
}

/* ---- 7. per-message limits ---- */

static void case_too_many_caps(void)
{
    uint32_t ids[CAPOS_MAX_XFER + 1];
    struct capos_xfer x[CAPOS_MAX_XFER + 1];
    struct xfer_req rq;
    begin("too-many-caps");
    for (unsigned i = 0; i <= CAPOS_MAX_XFER; i++) {
        ids[i] = fresh_client();
        x[i].cap = ids[i];
        x[i].mode = MOVE;
    }
    uint32_t stale = fresh_client();
    drop(stale);
    refuse("17 capabilities", x, CAPOS_MAX_XFER + 1, CAPOS_ERR_TOO_MANY_CAPS);
    /* The ring refuses before it looks at the target or the descriptors. */
    refuse_raw("17 capabilities to a stale cap", stale, XFER_IID, XM_KEEP, 0, 0, x,
               CAPOS_MAX_XFER + 1, CAPOS_ERR_TOO_MANY_CAPS);
    refuse_raw("17 descriptors at an unmapped address", peer, XFER_IID, XM_KEEP, 0, 0,
               (const struct capos_xfer *)(uintptr_t)0x10000, CAPOS_MAX_XFER + 1,
               CAPOS_ERR_TOO_MANY_CAPS);
    refuse_raw("17 capabilities to the console", console, capos_Console_INTERFACE_ID, 0, 0, 0, x,
               CAPOS_MAX_XFER + 1, CAPOS_ERR_TOO_MANY_CAPS);
    check_both();
    /* The limit itself: 16 moves arrive. */
    rq = req_of(CAPOS_MAX_XFER, XK_CLIENT);
    expect("16 capabilities", peer_call(XM_KEEP, &rq, x, CAPOS_MAX_XFER, NULL), CAPOS_OK);
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++)
        untrack(ids[i]);
    check_both();
    rq = req_of(CAPOS_MAX_XFER, 0);
    expect("DROP", peer_call(XM_DROP, &rq, 0, 0, NULL), CAPOS_OK);
    case_end();
    drop(ids[CAPOS_MAX_XFER]);
}

static void case_oversized_message(void)
{
    uint32_t ids[CAPOS_MAX_XFER];
    struct capos_xfer x[CAPOS_MAX_XFER];
    struct xfer_req rq;
    begin("oversized-message");
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++) {
        ids[i] = fresh_client();
        x[i].cap = ids[i];
        x[i].mode = MOVE;
    }
    rq = req_of(2, XK_CLIENT);
    memcpy(big, &rq, sizeof(rq));
    refuse_raw("a message of 64 KiB + 1 with two moves", peer, XFER_IID, XM_KEEP, big,
               CAPOS_MAX_MSG_BYTES + 1, x, 2, CAPOS_ERR_INVALID_ARGUMENT);
    check_both();
    /* The limit itself: 64 KiB with 16 capabilities (copies) arrives. */
    rq.n = CAPOS_MAX_XFER;
    memset(rq.kinds, XK_CLIENT, sizeof(rq.kinds));
    memcpy(big, &rq, sizeof(rq));
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++)
        x[i].mode = COPY;
    int r = capos_call(peer, XFER_IID, XM_KEEP, big, CAPOS_MAX_MSG_BYTES, 0, 0, x, CAPOS_MAX_XFER,
                       NULL);
    peer_calls++;
    expect("a message of exactly 64 KiB with 16 copies", r, CAPOS_OK);
    check_both();
    rq = req_of(CAPOS_MAX_XFER, 0);
    expect("DROP", peer_call(XM_DROP, &rq, 0, 0, NULL), CAPOS_OK);
    case_end();
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++)
        drop(ids[i]);
}

/* The peer tries RETURNs that must be refused before it answers; the
 * answer arriving shows the call stayed answerable. */
static void case_bad_return(void)
{
    struct xfer_rep rep;
    begin("return-too-many-caps");
    expect("BAD_RETURN", peer_call(XM_BAD_RETURN, 0, 0, 0, &rep), CAPOS_OK);
    expect("RETURN with 17 capabilities", rep.r[0], CAPOS_ERR_TOO_MANY_CAPS);
    if (rep.bad)
        fail("the peer's table changed after the refused RETURNs");
    case_end();
    begin("return-refused");
    expect("RETURN with a message of 64 KiB + 1", rep.r[1], CAPOS_ERR_INVALID_ARGUMENT);
    expect("RETURN with a stale id between two moves", rep.r[2], CAPOS_ERR_STALE_CAP);
    expect("RETURN with the same id twice", rep.r[3], CAPOS_ERR_INVALID_ARGUMENT);
    expect("RETURN of moves with an unmapped message", rep.r[4], CAPOS_ERR_BAD_ADDRESS);
    expect("RETURN of moves listed at an unmapped address", rep.r[5], CAPOS_ERR_BAD_ADDRESS);
    case_end();
}

/* ---- 8. RETURN to a client that cannot take the result ---- */

/* Asks the peer for n capabilities (moved) with a 13-byte message into
 * [buf, buf + len); expect_ok says whether they must arrive. */
static int give_status(uint32_t n, uint32_t mode, bool expect_ok, int status, void *buf,
                       uint32_t len, struct capos_cqe *c)
{
    struct xfer_req rq;
    memset(&rq, 0, sizeof(rq));
    rq.status = status;
    rq.n = n;
    rq.mode = mode;
    rq.msg_len = 13;
    rq.expect_ok = expect_ok;
    int r = capos_call(peer, XFER_IID, XM_GIVE, &rq, sizeof(rq), buf, len, 0, 0, c);
    peer_calls++;
    return r;
}

static int give(uint32_t n, uint32_t mode, bool expect_ok, void *buf, uint32_t len,
                struct capos_cqe *c)
{
    return give_status(n, mode, expect_ok, CAPOS_OK, buf, len, c);
}

/* Fails unless the first XFER_CANARY_BYTES of buf, from `from` on, still
 * hold the canary. */
static void expect_canary(const char *what, const void *buf, uint64_t from)
{
    int hit = xfer_canary_hit(buf, from);
    if (hit >= 0)
        fail("%s: byte %d of the result buffer was written", what, hit);
}

static void case_result_too_large(void)
{
    struct capos_cqe c;
    uint8_t small[24];
    begin("return-result-too-large");
    /* 13 bytes fit, the two ids after them (at 16) do not: 24 needed. */
    memset(small, 0xaa, sizeof(small));
    expect("RETURN of 2 moves into 20 bytes", give(2, MOVE, false, small, 20, &c),
           CAPOS_ERR_RESULT_TOO_LARGE);
    if (c.result_len != 24 || c.ncaps != 0)
        fail("result_len %u and ncaps %u, expected 24 and 0", c.result_len, c.ncaps);
    for (unsigned i = 0; i < sizeof(small); i++) {
        if (small[i] != 0xaa) {
            fail("the result buffer was written at %u", i);
            break;
        }
    }
    expect("RETURN of 2 moves with no result buffer", give(2, MOVE, false, 0, 0, &c),
           CAPOS_ERR_RESULT_TOO_LARGE);
    if (c.result_len != 24)
        fail("result_len %u, expected 24", c.result_len);
    case_end();
}

/* A RETURN with an error status carries no result: the moves it names
 * roll back and nothing reaches the buffer. */
static void case_return_error_status(void)
{
    struct capos_cqe c;
    begin("return-error-status");
    memset(scratch, XFER_CANARY, XFER_CANARY_BYTES);
    expect("RETURN of status notFound with 2 moves",
           give_status(2, MOVE, false, CAPOS_ERR_NOT_FOUND, scratch, sizeof(scratch), &c),
           CAPOS_ERR_NOT_FOUND);
    if (c.ncaps != 0 || c.result_len != 0)
        fail("ncaps %u and result_len %u, expected 0", c.ncaps, c.result_len);
    expect_canary("a RETURN of an error", scratch, 0);
    case_end();
}

static void case_return_bad_buffer(void)
{
    struct capos_cqe c;
    begin("return-bad-buffer");
    expect("RETURN of 2 moves into a read-only buffer",
           give(2, MOVE, false, (void *)(uintptr_t)read_only, sizeof(read_only), &c),
           CAPOS_ERR_BAD_ADDRESS);
    if (c.ncaps != 0)
        fail("ncaps %u, expected 0", c.ncaps);
    case_end();
}

/* The client's table filled by its model to one free slot: a RETURN of two
 * capabilities fails tableFull and the server keeps them; exactly one more
 * capability then fits, which also proves no earlier case left an
 * unmodelled capability in the client's table. */
static void case_return_table_full(void)
{
    static uint32_t fill[XFER_TABLE_SLOTS];
    uint32_t nfill = 0, extra;
    struct capos_cqe c;
    begin("return-table-full");
    while (XFER_TABLE_SLOTS - nheld > 1 && case_failures == 0)
        fill[nfill++] = fresh_client();
    memset(scratch, XFER_CANARY, XFER_CANARY_BYTES);
    expect("RETURN of 2 moves into a table with one free slot",
           give(2, MOVE, false, scratch, sizeof(scratch), &c), CAPOS_ERR_TABLE_FULL);
    if (c.ncaps != 0 || c.result_len != 0)
        fail("ncaps %u and result_len %u, expected 0", c.ncaps, c.result_len);
    expect_canary("a RETURN the client's table could not take", scratch, 0);
    check_both();
    expect("mintClient into the last slot", capos_endpoint_mint(factory, 1, &extra), CAPOS_OK);
    uint32_t none;
    expect("mintClient into a full table", capos_endpoint_mint(factory, 2, &none),
           CAPOS_ERR_TABLE_FULL);
    expect("RELEASE", capos_release(extra), CAPOS_OK);
    /* One slot again: one capability does arrive. */
    int r = give(1, MOVE, true, scratch, sizeof(scratch), &c);
    expect("RETURN of 1 move into the last slot", r, CAPOS_OK);
    if (r == CAPOS_OK && c.ncaps == 1)
        track(((uint32_t *)((uint8_t *)scratch + CAPOS_CAPS_OFFSET(c.result_len)))[0], XK_SERVER);
    else
        fail("%u caps arrived, expected 1", c.ncaps);
    check_both();
    for (uint32_t i = 0; i < nfill; i++)
        drop(fill[i]);
    case_end();
}

/* ---- 4. the receiver's table is full ---- */

static int free_slots(void)
{
    struct xfer_rep rep;
    expect("FREE", peer_call(XM_FREE, 0, 0, 0, &rep), CAPOS_OK);
    return (int)rep.free_slots;
}

static void case_receiver_table_full(void)
{
    uint32_t src[CAPOS_MAX_XFER];
    struct capos_xfer x[CAPOS_MAX_XFER];
    struct xfer_req rq;
    struct xfer_rep rep;
    uint32_t kept = 0;
    begin("receiver-table-full");
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++) {
        src[i] = fresh_client();
        x[i].cap = src[i];
        x[i].mode = COPY;
    }
    /* Fill the peer with copies until, by its model, one slot is left. */
    int f = free_slots();
    while (f > 1 && case_failures == 0) {
        uint32_t k = f - 1 < CAPOS_MAX_XFER ? (uint32_t)f - 1 : CAPOS_MAX_XFER;
        rq = req_of(k, XK_CLIENT);
        expect("KEEP of copies", peer_call(XM_KEEP, &rq, x, (uint16_t)k, NULL), CAPOS_OK);
        kept += k;
        f -= (int)k;
    }
    f = free_slots();
    if (f != 1)
        fail("the peer has %d free slots, expected 1", f);
    uint32_t a = fresh_client(), b = fresh_client(), c = fresh_client();
    struct capos_xfer ab[] = {{a, MOVE}, {b, MOVE}};
    /* The refused calls carry 300 bytes, longer than any call after them:
     * the peer's canary shows whether a failed delivery wrote its buffer. */
    memset(big, 0x11, 300);
    rq = req_of(2, XK_CLIENT);
    memcpy(big, &rq, sizeof(rq));
    refuse_raw("two moves into one free slot", peer, XFER_IID, XM_KEEP, big, 300, ab, 2,
               CAPOS_ERR_TABLE_FULL);
    check_both();
    /* The peer's RECV is still posted (check_peer saw no RECV error), and
     * exactly one slot is free: one capability arrives, then none. */
    rq = req_of(1, XK_CLIENT);
    expect("one move into the last slot", peer_call(XM_KEEP, &rq, ab, 1, NULL), CAPOS_OK);
    untrack(a);
    struct capos_xfer bb[] = {{b, MOVE}};
    refuse("one move into a full table", bb, 1, CAPOS_ERR_TABLE_FULL);
    check_both();

    /* The same with the call queued first and the RECV coming to it: the
     * call fails, the RECV stays posted and takes the next call. */
    rq = req_of(1, 0);
    expect("DROP", peer_call(XM_DROP, &rq, 0, 0, NULL), CAPOS_OK);
    struct capos_xfer bc[] = {{b, MOVE}, {c, MOVE}};
    uint64_t q = call_async_msg(side_client, big, 300, bc, 2);
    set_busy(b, true);
    set_busy(c, true);
    expect("SIDE_POST", side_op(XM_SIDE_POST, 0, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("a queued call with two moves into one free slot", &rep, XFER_POSTED, 0);
    expect("the queued CALL", xfer_wait(q, NULL), CAPOS_ERR_TABLE_FULL);
    set_busy(b, false);
    set_busy(c, false);
    check_both();
    q = call_async(side_client, bb, 1);
    expect("SIDE_COLLECT", side_op(XM_SIDE_COLLECT, 0, 1, XK_CLIENT, &rep), CAPOS_OK);
    expect_side("the next call, one move", &rep, CAPOS_OK, 1);
    expect("the next CALL", xfer_wait(q, NULL), CAPOS_OK);
    untrack(b);
    struct capos_xfer cc[] = {{c, MOVE}};
    refuse("one move into a full table", cc, 1, CAPOS_ERR_TABLE_FULL);
    check_both();

    rq = req_of(kept + 1, 0); /* the fillers and b (a went with the first DROP) */
    expect("DROP", peer_call(XM_DROP, &rq, 0, 0, NULL), CAPOS_OK);
    case_end();
    drop(c);
    for (unsigned i = 0; i < CAPOS_MAX_XFER; i++)
        drop(src[i]);
}

/* ---- 9. transfers that succeed ---- */

static void case_copy(void)
{
    struct xfer_req rq;
    struct capos_cqe c;
    begin("copy");
    uint32_t x = fresh_client();
    struct capos_xfer cx[] = {{x, COPY}};
    rq = req_of(1, XK_CLIENT);
    expect("KEEP of a copy", peer_call(XM_KEEP, &rq, cx, 1, NULL), CAPOS_OK);
    /* Both ids live: x in the model here, the peer's in its own. */
    int r = give(2, COPY, true, scratch, sizeof(scratch), &c);
    expect("RETURN of 2 copies", r, CAPOS_OK);
    if (r == CAPOS_OK && c.ncaps == 2) {
        const uint32_t *ids = (const uint32_t *)((uint8_t *)scratch + CAPOS_CAPS_OFFSET(13));
        track(ids[0], XK_SERVER);
        track(ids[1], XK_CLIENT);
    } else {
        fail("%u caps arrived, expected 2", c.ncaps);
    }
    case_end();
    drop(x);
}

static void case_move(void)
{
    struct xfer_req rq;
    begin("move");
    uint32_t y = fresh_client();
    struct capos_xfer my[] = {{y, MOVE}};
    rq = req_of(1, XK_CLIENT);
    expect("KEEP of a move", peer_call(XM_KEEP, &rq, my, 1, NULL), CAPOS_OK);
    untrack(y);
    expect("probe of the moved id", xfer_probe(y), CAPOS_ERR_STALE_CAP);
    case_end();
}

/* Cap ids follow the message at CAPOS_CAPS_OFFSET, both ways, and what
 * arrives works. */
static void case_received_ids(void)
{
    struct xfer_req rq;
    struct xfer_rep rep;
    struct capos_cqe c;
    uint32_t s, cl;
    begin("received-ids");
    /* To the peer: a 39-byte message (ids at 40) with [server, client of
     * the same endpoint, console]; it checks them and uses each. */
    fresh_pair(&s, &cl);
    memset(big, 0, 64);
    memset(&rq, 0, sizeof(rq));
    rq.n = 3;
    rq.msg_len = sizeof(rq) + 3;
    rq.kinds[0] = XK_SERVER;
    rq.kinds[1] = XK_CLIENT;
    rq.kinds[2] = XK_OTHER;
    memcpy(big, &rq, sizeof(rq));
    struct capos_xfer x[] = {{s, MOVE}, {cl, COPY}, {console, COPY}};
    memset(&rep, 0, sizeof(rep));
    int r = capos_call(peer, XFER_IID, XM_CHECK, big, rq.msg_len, &rep, sizeof(rep), x, 3, NULL);
    peer_calls++;
    expect("CHECK", r, CAPOS_OK);
    if (rep.bad)
        fail("the peer found %u problems with the capabilities it received", rep.bad);
    untrack(s);

    /* From the peer: a 13-byte message (ids at 16) with a server and a
     * client facet of a new endpoint, which must work here. */
    memset(scratch, 0, 64);
    r = give(2, MOVE, true, scratch, sizeof(scratch), &c);
    expect("RETURN of 2 moves", r, CAPOS_OK);
    const uint8_t *msg = (const uint8_t *)scratch;
    if (r == CAPOS_OK && (c.result_len != 13 || c.ncaps != 2)) {
        fail("result of %u bytes with %u caps, expected 13 and 2", c.result_len, c.ncaps);
    } else if (r == CAPOS_OK) {
        for (unsigned i = 0; i < 13; i++) {
            if (msg[i] != (uint8_t)(i * 7 + 1))
                fail("result byte %u is %u", i, msg[i]);
        }
        const uint32_t *ids = (const uint32_t *)(msg + CAPOS_CAPS_OFFSET(13));
        uint32_t gs = ids[0], gc = ids[1];
        track(gs, XK_SERVER);
        track(gc, XK_CLIENT);
        if (!xfer_round_trip(gs, gc, console, scratch, sizeof(scratch)))
            fail("a round trip on the received facets failed");
        drop(gs);
        drop(gc);
    }
    case_end();
    drop(cl);
}

int main(int argc, char **argv)
{
    uint32_t fc;
    (void)argc, (void)argv;
    case_name = "setup";
    if (capos_capset_find("console", capos_Console_INTERFACE_ID, &console) ||
        capos_capset_find("spawner", capos_ProcessSpawner_INTERFACE_ID, &spawner) ||
        capos_capset_find("peer", 0, &peer) || capos_capset()->count != 4) {
        capos_printf("xfer: setup: FAIL: expected exactly console, spawner, peer and thread\n");
        return 1;
    }
    uint32_t self;
    if (capos_capset_find(CAPOS_CAPSET_THREAD, capos_ThreadControl_INTERFACE_ID, &self) == 0)
        track(self, XK_OTHER); /* the kernel's own entry: the first thread's ThreadControl */
    track(console, XK_OTHER);
    track(spawner, XK_OTHER);
    track(peer, XK_CLIENT);
    fresh_pair(&factory, &fc);
    check_both();
    if (case_failures) {
        capos_printf("xfer: setup: FAIL\n");
        return 1;
    }

    /* The cases that fill a table to its last slot go last: they also show
     * that nothing before them left a stray capability in either table. */
    case_bad_id_in_middle();
    case_duplicate_id();
    case_move_in_use();
    case_recv_buffer_too_small();
    case_killed_before_recv();
    case_exits_before_recv();
    case_dies_before_return();
    case_killed_before_return();
    case_caller_dies();
    case_spawn_refused();
    case_endpoint_over_itself();
    case_too_many_caps();
    case_oversized_message();
    case_bad_return();
    case_result_too_large();
    case_return_error_status();
    case_return_bad_buffer();
    case_copy();
    case_move();
    case_received_ids();
    case_return_table_full();
    case_receiver_table_full();

    case_name = "quit";
    expect("QUIT", peer_call(XM_QUIT, 0, 0, 0, NULL), CAPOS_OK);
    if (nfailed == 0 && case_failures == 0)
        capos_printf("xfer: all %u cases passed\n", ncases - nfailed);
    else
        capos_printf("xfer: %u cases passed, %u FAILED\n", ncases - nfailed, nfailed);
    return nfailed ? 1 : 0;
}
