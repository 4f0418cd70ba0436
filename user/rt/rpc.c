/*
 * The client half of the generated RPC layer's plumbing (lib/rpc/rpc.h):
 * what every generated stub does around its own encoding and decoding.  It
 * reaches the kernel only through the transport (capos_rpc_submit, _wait,
 * _release), which ring.c implements on the calling thread's ring, so this
 * file also builds on the host, where tests provide a transport of their
 * own.
 */
#include "rpc/rpc.h"

#include "base/mem.h"

int capos_rpc_send(uint32_t cap, uint64_t interface_id, uint16_t method, struct capnp_builder *b,
                   const struct capos_rpc_opts *o, uint64_t *cookie)
{
    const uint8_t *msg = 0;
    size_t len = 0;
    if (b && (capnp_builder_finish(b, &msg, &len) != CAPNP_OK || len > CAPOS_MAX_MSG_BYTES))
        return CAPOS_ERR_INVALID_ARGUMENT;
    return capos_rpc_submit(cap, interface_id, method, msg, (uint32_t)len, o ? o->buf : 0,
                            o ? o->buf_len : 0, o ? o->xfer : 0, o ? o->nxfer : 0, cookie);
}

int capos_rpc_recv(const struct capos_cqe *c, struct capos_rpc_opts *o)
{
    if (o) {
        o->detail = c->detail;
        o->ncaps = c->ncaps;
        o->caps = c->ncaps ? (const uint32_t *)(const void *)((const uint8_t *)o->buf +
                                                              CAPOS_CAPS_OFFSET(c->result_len))
                           : 0;
    }
    return c->result;
}

int capos_rpc_bad_result(struct capos_rpc_opts *o)
{
    for (uint16_t i = 0; i < o->ncaps; i++)
        capos_rpc_release(o->caps[i]);
    o->ncaps = 0;
    o->caps = 0;
    return CAPOS_ERR_INVALID_ARGUMENT;
}

uint32_t capos_rpc_cap_id(const struct capos_rpc_opts *o, uint32_t index)
{
    /* The decoder admitted only indices below ncaps. */
    return index == CAPNP_NO_CAP ? CAPNP_NO_CAP : o->caps[index];
}

int capos_rpc_sync_begin(struct capos_rpc_sync *s, struct capos_rpc_opts *o, void *arena,
                         uint32_t arena_len, void *res, uint32_t res_len, bool need_buf)
{
    if (o && o->buf) {
        s->o = o;
    } else if (need_buf) {
        return CAPOS_ERR_INVALID_ARGUMENT;
    } else {
        /* The caller's inputs, with the stub's own buffer (only the fields
         * a call reads are set: this runs on every call). */
        s->own.xfer = o ? o->xfer : 0;
        s->own.nxfer = o ? o->nxfer : 0;
        s->own.arena = o ? o->arena : 0;
        s->own.arena_len = o ? o->arena_len : 0;
        s->own.buf = res;
        s->own.buf_len = res_len;
        s->own.detail = 0;
        s->own.ncaps = 0;
        s->own.caps = 0;
        s->o = &s->own;
    }
    if (s->o->arena)
        capnp_builder_init(&s->b, s->o->arena, s->o->arena_len);
    else if (arena)
        capnp_builder_init(&s->b, arena, arena_len);
    return CAPOS_OK;
}

void capos_rpc_sync_end(struct capos_rpc_sync *s, struct capos_rpc_opts *o)
{
    if (!o || s->o == o)
        return;
    o->detail = s->own.detail;
    o->ncaps = s->own.ncaps;
    o->caps = 0; /* they were in the stub's own buffer */
}
