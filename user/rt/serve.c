/*
 * The userspace server loop of generated dispatch (see serve.h): RECV into
 * a buffer large enough for any message, hand the call to the dispatch as
 * a struct capos_serve_call, RETURN its status and result, or with an
 * error status the detail of the refusal, which the caller's completion
 * carries (opts.detail of a generated stub).  Answering and
 * waiting for the next call take one kernel entry when no capabilities go
 * back.
 */
#include "capos.h"

#include "base/mem.h"

void capos_server_init(struct capos_server *s, uint32_t endpoint)
{
    s->endpoint = endpoint;
    s->serving = false;
    s->result = s->arena;
    s->result_bytes = sizeof(s->arena);
}

void capos_server_result_arena(struct capos_server *s, uint64_t *arena, size_t bytes)
{
    if (bytes > CAPOS_MAX_MSG_BYTES)
        bytes = CAPOS_MAX_MSG_BYTES;
    s->result = arena;
    s->result_bytes = bytes;
}

/* The result of the call being served as a message (len 0: none). */
static int server_result(struct capos_server *s, int status, const uint8_t **msg, uint32_t *len)
{
    size_t n = 0;
    *msg = 0;
    *len = 0;
    /* A method without results leaves the root pointer null. */
    if (status != CAPOS_OK || capnp_load_u64((const uint8_t *)s->result + 8) == 0)
        return status;
    if (capnp_builder_finish(&s->call.result, msg, &n) != CAPNP_OK)
        return CAPOS_ERR_RESULT_TOO_LARGE;
    *len = (uint32_t)n;
    return CAPOS_OK;
}

/* The detail the caller's completion gets: why the dispatch refused the
 * call (rpc.detail, a field of its parameters), with an error status only.
 * The kernel takes no other kind of detail from a server. */
static uint32_t server_detail(const struct capos_server *s, int status)
{
    uint32_t d = s->call.rpc.detail;
    if (status == CAPOS_OK || CAPOS_RPC_DETAIL_KIND(d) != CAPOS_DETAIL_PARAMS)
        return 0;
    return d;
}

/* Makes s->call describe the call just received. */
static void server_take(struct capos_server *s)
{
    struct capos_serve_call *c = &s->call;
    c->rpc = (struct capos_rpc_call){.interface_id = s->req.interface_id,
                                     .params = s->req.msg,
                                     .params_len = s->req.msg_len,
                                     .ncaps = s->req.ncaps,
                                     .method = s->req.method};
    c->badge = s->req.badge;
    c->caps = s->req.caps;
    c->nxfer = 0;
    capnp_builder_init(&c->result, s->result, s->result_bytes);
    s->serving = true;
}

bool capos_server_next(struct capos_server *s, int status)
{
    int err;
    if (s->serving && s->call.nxfer) {
        /* Capabilities go back: RETURN with them, then RECV. */
        capos_server_reply(s, status);
    }
    if (s->serving) {
        const uint8_t *msg;
        uint32_t len;
        status = server_result(s, status, &msg, &len);
        err = capos_reply_recv_detail(s->endpoint, s->req.token, status, server_detail(s, status),
                                      msg, len, s->recv, sizeof(s->recv), &s->req);
    } else {
        err = capos_recv(s->endpoint, s->recv, sizeof(s->recv), &s->req);
    }
    s->serving = false;
    if (err != CAPOS_OK)
        return false;
    server_take(s);
    return true;
}

void capos_server_reply(struct capos_server *s, int status)
{
    const uint8_t *msg;
    uint32_t len;
    if (!s->serving)
        return;
    status = server_result(s, status, &msg, &len);
    uint16_t nxfer = status == CAPOS_OK ? s->call.nxfer : 0;
    int err = capos_return_detail(s->endpoint, s->req.token, status, server_detail(s, status), msg,
                                  len, s->call.xfer, nxfer);
    /* Capabilities meant to move to the caller that did not (an error
     * status, a caller that is gone or whose table is full) are still the
     * server's: released, so a failing client cannot make it pile them up. */
    if (err != CAPOS_OK || nxfer == 0) {
        for (uint16_t i = 0; i < s->call.nxfer; i++) {
            if (s->call.xfer[i].mode == CAPOS_XFER_MOVE)
                capos_release(s->call.xfer[i].cap);
        }
    }
    s->serving = false;
}

uint64_t capos_server_defer(struct capos_server *s)
{
    s->serving = false;
    return s->req.token;
}
